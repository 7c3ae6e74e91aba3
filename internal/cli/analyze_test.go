package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hopscope/internal/report"
)

// analyzeSeed is the article's traceroute (Orange in Paris to Tencent in Singapore via Tata).
const analyzeSeed = "../analysis/testdata/macos-traceroute-orange-paris-to-tata-singapore_mincong-h.txt"

func init() {
	// Other test files of this package may register -update too; register it only once.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

// updating reports whether -update was given.
func analyzeUpdating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// run executes the CLI with args and stdin, returning the exit code, stdout and stderr (other commands'
// tests in this package use it too).
func run(t testing.TB, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Streams{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

// analyzeCLI is run with an empty data directory, which keeps databases installed on this machine out of
// the results.
func analyzeCLI(t testing.TB, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	args = append([]string{"--data-dir", t.TempDir()}, args...)
	code := Run(context.Background(), args, Streams{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

// analyzeJSON runs analyze --json and decodes the report.
func analyzeJSON(t *testing.T, stdin string, args ...string) *report.Report {
	t.Helper()
	code, out, errs := analyzeCLI(t, stdin, append([]string{"analyze", "--json"}, args...)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("decode report: %v\n%s", err, out)
	}
	return &r
}

func TestAnalyzeGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
		file string
	}{
		{"text", []string{"--color", "never", "analyze", analyzeSeed}, "analyze-seed.txt"},
		{"markdown", []string{"analyze", "--format", "markdown", analyzeSeed}, "analyze-seed.md"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := analyzeCLI(t, "", tc.args...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			p := filepath.Join("testdata", tc.file)
			if analyzeUpdating() {
				if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(p)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s (run go test -update after checking):\n%s", p, out)
			}
		})
	}
}

func TestAnalyzeStdin(t *testing.T) {
	data, err := os.ReadFile(analyzeSeed)
	if err != nil {
		t.Fatal(err)
	}
	r := analyzeJSON(t, string(data), "-")
	if r.Path == nil || r.Path.Findings.Destination.ASN != 132203 {
		t.Errorf("stdin report = %+v", r.Path)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr string
	}{
		{"missing file", "", []string{"analyze", "testdata/does-not-exist.txt"}, "read testdata/does-not-exist.txt: no such file or directory"},
		{"broken traceroute", "traceroute to 192.0.2.1 (192.0.2.1), 30 hops max, 60 byte packets\n 1  192.0.2.1  1.0 ms  bogus\n", []string{"analyze", "--strict", "-"}, "stdin: line 2: "},
		{"unrecognised input", "hello world\n", []string{"analyze", "-"}, "stdin: unrecognised traceroute output"},
		{"empty input", "", []string{"analyze", "-"}, "stdin:"},
		{"unknown output format", "", []string{"analyze", "--format", "pdf", analyzeSeed}, `--format "pdf": want one of text, json, markdown, html`},
		{"json and markdown", "", []string{"analyze", "--json", "--format", "markdown", analyzeSeed}, "--json and --format markdown disagree"},
		{"unknown input format", "", []string{"analyze", "--input-format", "pcap", analyzeSeed}, `--input-format "pcap": want one of`},
		{"wrong input format", "", []string{"analyze", "--input-format", "mtr-json", analyzeSeed}, "(read as mtr-json)"},
		{"unknown city", "", []string{"analyze", "--from-location", "Xanadunowhere", analyzeSeed}, `"Xanadunowhere" is not a city hopscope knows`},
		{"latitude out of range", "", []string{"analyze", "--from-location", "91,2", analyzeSeed}, "latitude must be within ±90"},
		{"missing argument", "", []string{"analyze"}, "accepts 1 arg"},
		{"unreadable mmdb", "", []string{"analyze", "--mmdb", "testdata/does-not-exist.mmdb", analyzeSeed}, "does-not-exist.mmdb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := analyzeCLI(t, tc.stdin, tc.args...)
			if code != ExitBadInput {
				t.Errorf("exit %d, want %d", code, ExitBadInput)
			}
			if out != "" {
				t.Errorf("stdout should be empty, got:\n%s", out)
			}
			if !strings.Contains(errs, tc.wantErr) {
				t.Errorf("stderr = %q, want it to contain %q", errs, tc.wantErr)
			}
		})
	}
}

func TestAnalyzeSeveralTraces(t *testing.T) {
	var in strings.Builder
	for _, name := range []string{"ripe-atlas-traceroute-v4-udp-mpls-icmpext-fw4550.txt", "ripe-atlas-traceroute-v4-udp-responding-target-fw4610.txt"} {
		data, err := os.ReadFile(filepath.Join(analyzeCorpus, name))
		if err != nil {
			t.Skipf("corpus not available: %v", err)
		}
		in.Write(bytes.TrimSpace(data))
		in.WriteString("\n")
	}
	r := analyzeJSON(t, in.String(), "-")
	if r.Path != nil || len(r.Paths) != 2 {
		t.Fatalf("want two paths in \"paths\", got path=%v paths=%d", r.Path != nil, len(r.Paths))
	}
	if r.Paths[0].Target.Addr != "121.244.76.25" || r.Paths[1].Target.Addr != "220.226.205.30" {
		t.Errorf("targets = %s, %s", r.Paths[0].Target.Addr, r.Paths[1].Target.Addr)
	}
	code, out, _ := analyzeCLI(t, in.String(), "--color", "never", "analyze", "-")
	if code != ExitOK || strings.Count(out, "Path to ") != 2 {
		t.Errorf("text: exit %d, %d paths", code, strings.Count(out, "Path to "))
	}
}

// analyzeCorpus holds the saved outputs of every supported tool (shared with the importers' tests).
const analyzeCorpus = "../tracefile/testdata/corpus"

func TestAnalyzeCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(analyzeCorpus, "*.txt"))
	if len(files) == 0 {
		t.Skip("corpus not available in " + analyzeCorpus)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			r := analyzeJSON(t, "", file)
			if r.Path == nil || len(r.Path.Hops) == 0 || r.Path.Summary == "" {
				t.Fatalf("empty report: %+v", r.Path)
			}
			for _, format := range []string{"text", "markdown"} {
				if code, out, errs := analyzeCLI(t, "", "--color", "never", "analyze", "--format", format, file); code != ExitOK || !strings.Contains(out, "Summary") {
					t.Errorf("%s: exit %d: %s", format, code, errs)
				}
			}
		})
	}
}

func TestVersion(t *testing.T) {
	code, out, errs := analyzeCLI(t, "", "version")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"hopscope dev", "go:          go1.", "embedded db: built ", "@ip-location-db/"} {
		if !strings.Contains(out, want) {
			t.Errorf("version output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = analyzeCLI(t, "", "version", "--json")
	var v versionInfo
	if err := json.Unmarshal([]byte(out), &v); code != ExitOK || err != nil || v.Version != "dev" || v.EmbeddedDB.BuiltAt.IsZero() || len(v.EmbeddedDB.Sources) == 0 {
		t.Errorf("version --json = %+v (%v)", v, err)
	}
}

func BenchmarkAnalyzeSeed(b *testing.B) {
	for b.Loop() {
		if code, _, errs := analyzeCLI(b, "", "--color", "never", "analyze", analyzeSeed); code != ExitOK {
			b.Fatal(errs)
		}
	}
}

func TestAnalyzeColor(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		noColor string
		want    bool
	}{
		{"always", []string{"--color", "always"}, "", true},
		{"never", []string{"--color", "never"}, "", false},
		{"auto on a pipe", nil, "", false},
		{"always despite NO_COLOR", []string{"--color", "always"}, "1", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", tc.noColor)
			code, out, errs := analyzeCLI(t, "", append(tc.args, "analyze", analyzeSeed)...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if got := strings.Contains(out, "\x1b["); got != tc.want {
				t.Errorf("ANSI escapes present = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestAnalyzeReadsSchemaV1 re-analyses a report saved by the previous schema version (1): the measurement
// it carries still imports and gives the same conclusions.
func TestAnalyzeReadsSchemaV1(t *testing.T) {
	old := "../analysis/testdata/hopscope-v1-seed.json"
	data, err := os.ReadFile(old)
	if err != nil {
		t.Fatal(err)
	}
	var v1 struct {
		SchemaVersion int `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &v1); err != nil || v1.SchemaVersion != 1 {
		t.Fatalf("fixture is not a version 1 report: %v %d", err, v1.SchemaVersion)
	}
	got := analyzeJSON(t, "", old)
	want := analyzeJSON(t, "", analyzeSeed)
	if got.SchemaVersion != report.SchemaVersion || got.Path == nil || got.Path.Input != "traceroute-bsd" {
		t.Fatalf("re-analysis = %+v", got.Path)
	}
	if got.Path.Summary != want.Path.Summary || len(got.Path.Hops) != len(want.Path.Hops) {
		t.Errorf("summary from the v1 report:\n%s\nfrom the trace itself:\n%s", got.Path.Summary, want.Path.Summary)
	}
}

func TestAnalyzeStrict(t *testing.T) {
	data, err := os.ReadFile(analyzeSeed)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	// A pasted session: the prompt and command before, the prompt after, and a stray line inside.
	pasted := "user@host:~$ traceroute vweixinthumb.tc.qq.com\n" + strings.Join(lines[:5], "") + "(output trimmed)\n" +
		strings.Join(lines[5:], "") + "user@host:~$ \n"
	r := analyzeJSON(t, pasted, "-")
	if r.Path == nil || r.Path.Findings.Destination.ASN != 132203 || len(r.Path.Hops) != 17 {
		t.Fatalf("a pasted session lost the trace: %+v", r.Path)
	}
	warned := false
	for _, w := range r.Path.Warnings {
		warned = warned || strings.Contains(w, "line 7: skipped")
	}
	if !warned {
		t.Errorf("warnings = %q, want the stray line named by its number", r.Path.Warnings)
	}
	if code, out, errs := analyzeCLI(t, pasted, "analyze", "--strict", "-"); code != ExitBadInput || out != "" || !strings.Contains(errs, "line 7") {
		t.Errorf("--strict: exit %d, stderr %q; want the stray line refused at line 7", code, errs)
	}
}
