package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hopscope/internal/report"
)

// analyzeSeed is the article's traceroute (Orange in Paris to Tencent in Singapore via Tata).
const analyzeSeed = "testdata/macos-traceroute-orange-paris-to-tata-singapore_mincong-h.txt"

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

func TestAnalyzeSeedConclusions(t *testing.T) {
	r := analyzeJSON(t, "", analyzeSeed)
	if r.Schema != report.Schema || r.SchemaVersion != report.SchemaVersion || r.Kind != report.KindPath || r.Path == nil {
		t.Fatalf("envelope = %+v", r)
	}
	p := r.Path
	f := p.Findings
	hop := func(ttl int) report.PathHop { return p.Hops[ttl-1] }

	t.Run("destination is Tencent AS132203 in Singapore and did not answer", func(t *testing.T) {
		d := f.Destination
		if d.ASN != 132203 || d.Operator != "Tencent" || d.Country != "SG" || d.City != "Singapore" || d.Reached || d.LastRespondingTTL != 14 {
			t.Errorf("destination = %+v", d)
		}
	})
	t.Run("Orange AS3215/AS5511 then Tata AS6453", func(t *testing.T) {
		var got []string
		for _, c := range f.Carriers {
			got = append(got, c.Name)
		}
		if !slices.Equal(got, []string{"Orange", "Tata Communications", "Tencent"}) {
			t.Fatalf("carriers = %v", got)
		}
		if !slices.Equal(f.Carriers[0].ASNs, []uint32{3215, 5511}) || !slices.Equal(f.Carriers[1].ASNs, []uint32{6453}) {
			t.Errorf("carrier ASNs = %v, %v", f.Carriers[0].ASNs, f.Carriers[1].ASNs)
		}
	})
	t.Run("Orange hands off to Tata in Paris at hop 9", func(t *testing.T) {
		if len(f.HandOffs) != 1 {
			t.Fatalf("hand-offs = %+v", f.HandOffs)
		}
		h := f.HandOffs[0]
		if h.From != "Orange" || h.To != "Tata Communications" || h.AtTTL != 9 || h.Place == nil || h.Place.City != "Paris" {
			t.Errorf("hand-off = %+v", h)
		}
	})
	t.Run("latency jumps from ~6 ms to ~240 ms at hops 8-9, leaving France for Singapore", func(t *testing.T) {
		var largest *struct{ from, to int }
		for _, j := range f.Jumps {
			if j.Largest {
				largest = &struct{ from, to int }{j.FromTTL, j.ToTTL}
				if math.Abs(j.FromMs-6.442) > 0.01 || math.Abs(j.ToMs-239.959) > 0.01 || !j.Persistent {
					t.Errorf("jump = %+v", j)
				}
				if j.FromPlace == nil || j.FromPlace.Country != "FR" || j.ToPlace == nil || j.ToPlace.City != "Singapore" {
					t.Errorf("jump crossing = %+v → %+v", j.FromPlace, j.ToPlace)
				}
			}
		}
		if largest == nil || largest.from != 8 || largest.to != 9 {
			t.Errorf("largest jump = %+v, want 8→9", largest)
		}
	})
	t.Run("hop 11 is slow ICMP, not path latency", func(t *testing.T) {
		if len(f.Spikes) != 1 || f.Spikes[0].TTL != 11 {
			t.Errorf("spikes = %+v", f.Spikes)
		}
	})
	t.Run("hostnames place hops in Paris, Marseille and Singapore", func(t *testing.T) {
		for ttl, city := range map[int]string{9: "Paris", 11: "Marseille", 13: "Singapore"} {
			if pl := hop(ttl).Place; pl == nil || pl.City != city || pl.Source != "hostname" {
				t.Errorf("hop %d place = %+v, want %s from the hostname", ttl, pl, city)
			}
		}
	})
	t.Run("hops 13 and 14 have several responders", func(t *testing.T) {
		var ttls []int
		for _, m := range f.MultiResponders {
			ttls = append(ttls, m.TTL)
		}
		if !slices.Equal(ttls, []int{13, 14}) || len(hop(13).Responders) != 2 || len(hop(14).Responders) != 3 {
			t.Errorf("multi-responder hops = %v", ttls)
		}
	})
	t.Run("the 11.x hop is internal address space", func(t *testing.T) {
		n := 0
		for _, s := range f.Special {
			if s.TTL == 14 && strings.HasPrefix(s.Addr, "11.28.") && s.Kind == "unannounced" && s.Prefix == "11.0.0.0/8" && strings.Contains(s.Note, "internal address space") {
				n++
			}
		}
		if n != 3 {
			t.Errorf("special = %+v", f.Special)
		}
		if !slices.Contains(hop(14).Marks, "special") {
			t.Errorf("hop 14 marks = %v", hop(14).Marks)
		}
	})
	t.Run("distance Paris-Singapore and light-speed minimum", func(t *testing.T) {
		d := f.Distance
		if d == nil || d.From.City != "Paris" || d.To.City != "Singapore" || math.Abs(d.Km-10737) > 100 || math.Abs(d.LightMinMs-107.4) > 1 || d.Stretch < 2 || d.Stretch > 2.5 {
			t.Errorf("distance = %+v", d)
		}
	})
	t.Run("summary says why it is slow", func(t *testing.T) {
		for _, want := range []string{"Tencent (AS132203) in Singapore", "Orange (AS3215/AS5511) hands the traffic to Tata Communications (AS6453) in Paris",
			"~6 ms to ~240 ms between hops 8 and 9", "leaves France", "~10,700 km", "~107 ms", "the server is in Singapore"} {
			if !strings.Contains(p.Summary, want) {
				t.Errorf("summary lacks %q:\n%s", want, p.Summary)
			}
		}
	})
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
		{"broken traceroute", "traceroute to 192.0.2.1 (192.0.2.1), 30 hops max, 60 byte packets\n 1  192.0.2.1  1.0 ms  bogus\n", []string{"analyze", "-"}, "stdin: line 2: expected"},
		{"unrecognised input", "hello world\n", []string{"analyze", "-"}, "stdin: unrecognised traceroute output"},
		{"empty input", "", []string{"analyze", "-"}, "stdin:"},
		{"unknown output format", "", []string{"analyze", "--format", "pdf", analyzeSeed}, "unknown output format"},
		{"json and markdown", "", []string{"analyze", "--json", "--format", "markdown", analyzeSeed}, "--json and --format markdown disagree"},
		{"unknown input format", "", []string{"analyze", "--input-format", "pcap", analyzeSeed}, `--input-format "pcap": want one of`},
		{"wrong input format", "", []string{"analyze", "--input-format", "mtr-json", analyzeSeed}, "(read as mtr-json)"},
		{"unknown city", "", []string{"analyze", "--from-location", "Atlantis", analyzeSeed}, `"Atlantis" is not a city hopscope knows`},
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

func TestAnalyzeFromLocation(t *testing.T) {
	tests := []struct {
		name     string
		location string
		wantCity string
		wantKm   float64
	}{
		{"city", "Lyon", "Lyon", 10600},
		{"coordinates", "48.8566, 2.3522", "", 10737},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := analyzeJSON(t, "", "--from-location", tc.location, analyzeSeed)
			f := r.Path.Findings
			if f.Source.Basis != "--from-location" || f.Source.Place.City != tc.wantCity || f.Source.Approximate {
				t.Errorf("source = %+v", f.Source)
			}
			if f.Distance == nil || math.Abs(f.Distance.Km-tc.wantKm) > 150 {
				t.Errorf("distance = %+v, want ~%.0f km", f.Distance, tc.wantKm)
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

func TestParseLocation(t *testing.T) {
	tests := []struct {
		in      string
		want    string // Label, or the error's start
		wantErr bool
	}{
		{"Paris", "Paris, FR", false},
		{"new york", "New York, US", false},
		{"1.29,103.85", "1.29,103.85", false},
		{"-33.87, 151.21", "-33.87,151.21", false},
		{"", "empty location", true},
		{"12,500", "\"12,500\": latitude", true},
		{"Atlantis", "\"Atlantis\" is not a city", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			p, err := ParseLocation(tc.in)
			switch {
			case tc.wantErr && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Errorf("err = %v, want prefix %q", err, tc.want)
			case !tc.wantErr && (err != nil || p.Label() != tc.want):
				t.Errorf("ParseLocation = %v, %v; want %q", p, err, tc.want)
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

func FuzzParseLocation(f *testing.F) {
	for _, s := range []string{"Paris", "new york", "1.29,103.85", "-33.87, 151.21", "", "12,500", "NaN,1", "1e309,0", "São Paulo", ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseLocation(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if !p.HasCoords || !(p.Lat >= -90 && p.Lat <= 90) || !(p.Lon >= -180 && p.Lon <= 180) || p.Source != "user" {
			t.Fatalf("ParseLocation(%q) = %+v", s, p)
		}
	})
}

func TestAnalyzeContradiction(t *testing.T) {
	file := filepath.Join(analyzeCorpus, "linux-traceroute-aws-tokyo-pccw-facebook_jc-generic.txt")
	if _, err := os.Stat(file); err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	// Claiming the trace ran from Paris contradicts hops that answer within a few ms from Tokyo.
	r := analyzeJSON(t, "", "--from-location", "Paris", file)
	c := r.Path.Findings.Contradictions
	if len(c) == 0 || c[0].TTL != 1 || c[0].Place.City != "Tokyo" || c[0].DistanceKm < 9000 || c[0].MaxKm > 200 {
		t.Fatalf("contradictions = %+v", c)
	}
	// From Tokyo itself nothing contradicts.
	if r := analyzeJSON(t, "", "--from-location", "Tokyo", file); len(r.Path.Findings.Contradictions) != 0 {
		t.Errorf("contradictions from Tokyo = %+v", r.Path.Findings.Contradictions)
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
