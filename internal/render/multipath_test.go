package render

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"hopscope/internal/explain"
	"hopscope/internal/report"
	"hopscope/internal/tracefile"
)

// labReport is one scamper tracelb capture of the ECMP labs as a path report.
func labReport(t *testing.T, file string) *report.Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "tracefile", "testdata", "tracelb", file))
	if err != nil {
		t.Fatal(err)
	}
	trs, err := tracefile.Parse(data, "")
	if err != nil {
		t.Fatal(err)
	}
	tr := trs[0]
	return &report.Report{Schema: report.Schema, SchemaVersion: report.SchemaVersion, Kind: report.KindPath,
		Generated: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Tool: "hopscope test",
		Path: report.BuildPath(tr, nil, explain.Explain(tr, nil, explain.Options{}))}
}

// TestMultipathRendered: every renderer shows the diamonds of a multipath trace, and the text
// listing fits 80 columns.
func TestMultipathRendered(t *testing.T) {
	tests := []struct {
		name, file string
		text       []string // lines the 80-column text must hold
		markdown   string   // a line of the Markdown diamonds table
		html       string
		csv        string // a note of the divergence hop
	}{
		{"two branches", "lab-diamond2.json",
			[]string{"Diamonds (95% confidence, 24 probes, 11 flows, 6 links)", "  hop 1 10.200.0.2 => hop 4 203.0.113.25: 2 paths over 3 hops",
				"      1 10.200.0.2 -> 10.200.0.10, 10.200.0.18", "      2 10.200.0.10 -> 10.200.0.14", "        10.200.0.18 -> 10.200.0.22"},
			"| hop 1 10.200.0.2 | hop 4 203.0.113.25 | 2 | 3 | parallel |", "<td>hop 1 10.200.0.2</td>", "splits into 2 paths (to hop 4)"},
		{"four branches, text input", "lab-diamond4.txt",
			[]string{"  hop 1 10.200.0.2 => hop 4 203.0.113.25: 4 paths over 3 hops, links unknown"},
			"| hop 1 10.200.0.2 | hop 4 203.0.113.25 | 4 | 3 | links unknown |", `<span class="muted">links unknown</span>`, "splits into 4 paths (to hop 4)"},
		{"nested", "lab-nested.json",
			[]string{"  hop 1 10.200.0.2 => hop 6 203.0.113.25: 3 paths over 5 hops, nested, meshed", "    nested hop 2 10.200.0.6 => hop 4 10.200.0.26: 2 paths over 2 hops"},
			"| hop 1 10.200.0.2 | hop 6 203.0.113.25 | 3 | 5 | nested, meshed |", "nested (hop 2 10.200.0.6 to hop 4 10.200.0.26, 2 wide) meshed", "splits into 3 paths (to hop 6)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := labReport(t, tc.file)
			var text bytes.Buffer
			if err := (TextRenderer{Width: 80}).Render(&text, r); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(text.String(), "\n")
			for _, want := range tc.text {
				found := false
				for _, l := range lines {
					found = found || l == want
				}
				if !found {
					t.Errorf("text lacks the line %q:\n%s", want, text.String())
				}
			}
			for _, l := range lines {
				if utf8.RuneCountInString(l) > 80 {
					t.Errorf("text line wider than 80 columns: %q", l)
				}
			}
			var md, html, csv bytes.Buffer
			if err := Markdown(&md, r); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(md.String(), "\n### Load balancing\n") || !strings.Contains(md.String(), "\n"+tc.markdown+"\n") {
				t.Errorf("markdown lacks the diamonds table row %q:\n%s", tc.markdown, md.String())
			}
			if err := HTML(&html, r); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(html.String(), `<table class="hops" id="diamonds">`) || !strings.Contains(html.String(), tc.html) {
				t.Errorf("html lacks the diamonds table with %q", tc.html)
			}
			if err := CSV(&csv, r); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(csv.String(), tc.csv) {
				t.Errorf("csv lacks the note %q:\n%s", tc.csv, csv.String())
			}
		})
	}
}

// TestMultipathAbsent: a trace without a multipath graph renders no diamonds anywhere.
func TestMultipathAbsent(t *testing.T) {
	r := seedReport()
	var text, md, html bytes.Buffer
	if err := (TextRenderer{Width: 80}).Render(&text, r); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&html, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text.String(), "Diamonds") || strings.Contains(md.String(), "Load balancing") || strings.Contains(html.String(), `id="diamonds"`) {
		t.Error("a single-flow trace renders a diamonds section")
	}
}
