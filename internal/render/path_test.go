package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hopscope/internal/explain"
	"hopscope/internal/explain/explaintest"
	"hopscope/internal/report"
)

func init() {
	// Other test files of this package may register -update too; register it only once.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

// updating reports whether -update was given.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// seedReport is the article's trace as a path report.
func seedReport() *report.Report {
	tr, infos := explaintest.SeedTrace(), explaintest.SeedInfos()
	return &report.Report{Schema: report.Schema, SchemaVersion: report.SchemaVersion, Kind: report.KindPath,
		Generated: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Tool: "hopscope test",
		Path: report.BuildPath(tr, infos, explain.Explain(tr, infos, explain.Options{}))}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking):\n%s", name, got)
	}
}

func TestPathGolden(t *testing.T) {
	tests := []struct {
		name   string
		format string
		color  bool
		file   string
	}{
		{"text without colour", "text", false, "path-seed.txt"},
		{"text with colour", "text", true, "path-seed.ansi"},
		{"markdown", "markdown", false, "path-seed.md"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fn, err := ByName(tc.format, tc.color)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := fn(&b, seedReport()); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.file, b.Bytes())
		})
	}
}

func TestTextPathContent(t *testing.T) {
	tests := []struct {
		name  string
		color bool
		want  []string
		avoid []string
	}{
		{"plain", false, []string{"Path to socwxsns.video.qq.com (101.33.110.25)", "Paris, FR*", "AS6453", "jump +234 ms",
			"slow ICMP (hop 13: 236.2 ms)", "2 responders", "hops 10, 12, 15–17", "10,737 km", "107.4 ms",
			"the destination did not answer; the last responding hop is 14", "11.0.0.0/8"}, []string{"\x1b["}},
		{"coloured", true, []string{"\x1b[1mPath to", "\x1b[31mjump +234 ms"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := (TextRenderer{Color: tc.color}).Render(&b, seedReport()); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("output lacks %q", w)
				}
			}
			for _, a := range tc.avoid {
				if strings.Contains(b.String(), a) {
					t.Errorf("output contains %q", a)
				}
			}
		})
	}
}

func TestTextPathAligned(t *testing.T) {
	var b bytes.Buffer
	if err := (TextRenderer{}).Render(&b, seedReport()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	var header string
	for _, l := range lines {
		if strings.HasPrefix(l, "HOP") {
			header = l
		}
	}
	col := strings.Index(header, "ADDRESS")
	if col < 0 {
		t.Fatalf("no table header in:\n%s", b.String())
	}
	for _, l := range lines {
		if len(l) > col && (strings.HasPrefix(strings.TrimLeft(l, " "), "1") || strings.HasPrefix(l, "   ")) && l[col-2:col] != "  " {
			t.Errorf("row not aligned with the ADDRESS column: %q", l)
		}
	}
}

func TestPathRenderErrors(t *testing.T) {
	empty := &report.Report{Kind: report.KindPath}
	for _, format := range []string{"text", "markdown"} {
		t.Run(format, func(t *testing.T) {
			fn, _ := ByName(format, false)
			if err := fn(&bytes.Buffer{}, empty); err == nil || !strings.Contains(err.Error(), "no path") {
				t.Errorf("err = %v, want a 'no path' error", err)
			}
		})
	}
}

func TestPathsRenderEach(t *testing.T) {
	r := seedReport()
	r.Paths = []*report.Path{r.Path, r.Path}
	r.Path = nil
	for _, format := range []string{"text", "markdown"} {
		t.Run(format, func(t *testing.T) {
			fn, _ := ByName(format, false)
			var b bytes.Buffer
			if err := fn(&b, r); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(b.String(), "Path to socwxsns"); n != 2 {
				t.Errorf("%d paths rendered, want 2", n)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want []string
	}{
		{"empty", "", 10, nil},
		{"fits", "a b c", 10, []string{"a b c"}},
		{"breaks at spaces", "alpha beta gamma", 10, []string{"alpha beta", "gamma"}},
		{"long word alone", "abcdefghijkl x", 5, []string{"abcdefghijkl", "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wrap(tc.in, tc.n)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("wrap = %q, want %q", got, tc.want)
			}
		})
	}
}

func BenchmarkTextPath(b *testing.B) {
	r := seedReport()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := (TextRenderer{}).Render(&buf, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarkdownPath(b *testing.B) {
	r := seedReport()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := Markdown(&buf, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONPath(b *testing.B) {
	r := seedReport()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := JSON(&buf, r); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPathFactsSaysWhoMeasured(t *testing.T) {
	for _, tc := range []struct{ input, want string }{
		{"hopscope", "Measured by hopscope, "},
		{"traceroute-bsd", "Imported from traceroute-bsd, "},
		{"", "0 hops"},
	} {
		if got := pathFacts(&report.Path{Input: tc.input}); !strings.HasPrefix(got, tc.want) {
			t.Errorf("pathFacts(%q) = %q, want it to start %q", tc.input, got, tc.want)
		}
	}
}
