package analysis

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"hopscope/internal/enrich"
	"hopscope/internal/geo"
	"hopscope/internal/report"
	"hopscope/internal/tracefile"
)

// realCorpusDir holds real outputs of traceroute-family tools from public sources, byte for byte as
// published (SOURCES.md says where each came from), and the facts an expert reads from each (facts.txt).
const realCorpusDir = "testdata/realcorpus"

// The scorer's floors are a ratchet: today's measured figures less a small margin, so that a change which
// makes the analysis worse on real traces fails here. Raise them as the analysis improves. Issue 11's
// target is ≥ 95% of files imported, ≥ 85% of facts right and ≤ 2% wrong (BENCHMARKS.md records the
// figures over time).
const (
	minImportedRate = 0.98  // measured 1.000 over 204 files on 2026-12-05 04:50 UTC (0.995 at 04:15; 1.000 over 48 before); target 0.95
	minRightRate    = 0.96  // measured 0.979 over 1,588 facts on 2026-12-05 06:20 with 127 new source facts (0.962 before the source rules; 0.984 over 1,461 at 04:50; 0.850 at first); target 0.85
	maxWrongRate    = 0.015 // measured 0.000 over 1,588 facts at 07:10 (0.001 before the stranded-registry rule) (0.004 with the new source facts before the source rules; 0.048 at first); target 0.02
)

// corpusTrace is one corpus file as imported and analysed.
type corpusTrace struct {
	file   string
	format string // the importer that read it; "" when refused
	err    error  // why the import refused it
	p      *report.Path
}

var (
	realCorpusOnce sync.Once
	realCorpus     []corpusTrace
	realCorpusErr  error
)

// loadRealCorpus imports and analyses every trace of the corpus once per test binary (the first trace of
// files that hold several), on the embedded database alone, as `hopscope analyze FILE` would.
func loadRealCorpus(t testing.TB) []corpusTrace {
	t.Helper()
	realCorpusOnce.Do(func() {
		entries, err := os.ReadDir(realCorpusDir)
		if err != nil {
			realCorpusErr = err
			return
		}
		e, err := enrich.New(enrich.Config{})
		if err != nil {
			realCorpusErr = err
			return
		}
		defer e.Close()
		for _, ent := range entries {
			if ent.IsDir() || !isCorpusTrace(ent.Name()) {
				continue
			}
			data, err := os.ReadFile(filepath.Join(realCorpusDir, ent.Name()))
			if err != nil {
				realCorpusErr = err
				return
			}
			ct := corpusTrace{file: ent.Name()}
			traces, err := tracefile.Parse(data, "")
			if err == nil && len(traces) == 0 {
				err = fmt.Errorf("no trace")
			}
			if err != nil {
				ct.err = err
			} else {
				ct.p = Path(traces[0], e, Options{})
				ct.format = ct.p.Input
			}
			realCorpus = append(realCorpus, ct)
		}
	})
	if realCorpusErr != nil {
		t.Fatal(realCorpusErr)
	}
	return realCorpus
}

// isCorpusTrace tells trace files from the corpus's own documents.
func isCorpusTrace(name string) bool {
	return !isCorpusDoc(name, "facts", ".txt") && !isCorpusDoc(name, "SOURCES", ".md") && name != "README.md"
}

// isCorpusDoc reports whether name is one of the corpus's documents of a kind: facts.txt and
// facts-<part>.txt, SOURCES.md and SOURCES-<part>.md (each contributor of a part keeps its own).
func isCorpusDoc(name, stem, ext string) bool {
	return name == stem+ext || (strings.HasPrefix(name, stem+"-") && strings.HasSuffix(name, ext))
}

// readCorpusDocs concatenates every corpus document of a kind, main file first, the parts in name order.
func readCorpusDocs(stem, ext string) ([]byte, error) {
	entries, err := os.ReadDir(realCorpusDir)
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, e := range entries { // ReadDir sorts by name: "facts-x.txt" sorts before "facts.txt"
		if e.Name() == stem+ext {
			data, err := os.ReadFile(filepath.Join(realCorpusDir, e.Name()))
			if err != nil {
				return nil, err
			}
			out = append(data, out...)
		} else if isCorpusDoc(e.Name(), stem, ext) {
			data, err := os.ReadFile(filepath.Join(realCorpusDir, e.Name()))
			if err != nil {
				return nil, err
			}
			out = append(append(out, '\n'), data...)
		}
	}
	return out, nil
}

// tally counts verdicts.
type tally [3]int

func (c tally) total() int { return c[right] + c[wrong] + c[missing] }

func (c tally) rate(v verdict) float64 {
	if c.total() == 0 {
		return 0
	}
	return float64(c[v]) / float64(c.total())
}

// TestScorer scores the analysis against the expert facts of every corpus file: facts right, wrong (the
// report states something else) and missing (the report does not say), per file and in total, plus the
// share of files imported. Run `go test -run Scorer -v ./internal/analysis/` to see every verdict.
func TestScorer(t *testing.T) {
	data, err := readCorpusDocs("facts", ".txt")
	if err != nil {
		t.Fatal(err)
	}
	files, facts, err := parseFacts(data)
	if err != nil {
		t.Fatal(err)
	}
	corpus := loadRealCorpus(t)
	sources, err := readCorpusDocs("SOURCES", ".md")
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range corpus {
		if _, ok := facts[ct.file]; !ok {
			t.Errorf("%s has no facts in facts.txt", ct.file)
		}
		if !strings.Contains(string(sources), "| "+ct.file+" |") {
			t.Errorf("%s has no row in SOURCES.md", ct.file)
		}
	}
	byFile := map[string]corpusTrace{}
	for _, ct := range corpus {
		byFile[ct.file] = ct
	}
	var all tally
	perKind := map[string]*tally{}
	imported := 0
	for _, file := range files {
		ct, ok := byFile[file]
		if !ok {
			t.Errorf("facts.txt names %s, which is not in %s", file, realCorpusDir)
			continue
		}
		var c tally
		var notes []string
		if ct.p != nil {
			imported++
		}
		for _, f := range facts[file] {
			v, why := missing, "not imported"
			if ct.p != nil {
				v, why = judge(f, ct.format, ct.p)
			}
			c[v]++
			k := perKind[f.kind]
			if k == nil {
				k = new(tally)
				perKind[f.kind] = k
			}
			k[v]++
			if v != right {
				notes = append(notes, fmt.Sprintf("    %-7s %-28s %s", v, f, why))
			}
		}
		for v := range c {
			all[v] += c[v]
		}
		status := ct.format
		if ct.p == nil {
			status = "REFUSED: " + firstLine(ct.err.Error())
		}
		t.Logf("%-72s %2d right %2d wrong %2d missing  %s", file, c[right], c[wrong], c[missing], status)
		for _, n := range notes {
			t.Log(n)
		}
	}
	kinds := make([]string, 0, len(perKind))
	for k := range perKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		c := perKind[k]
		t.Logf("fact %-15s %3d: %5.1f%% right %5.1f%% wrong %5.1f%% missing", k, c.total(), 100*c.rate(right), 100*c.rate(wrong), 100*c.rate(missing))
	}
	var findings tally // the facts about what the path means, leaving out import, hops, reached and last
	for _, k := range kinds {
		if !slices.Contains([]string{"import", "hops", "reached", "last"}, k) {
			for v := range findings {
				findings[v] += perKind[k][v]
			}
		}
	}
	t.Logf("findings only (%d facts): %.1f%% right, %.1f%% wrong, %.1f%% missing",
		findings.total(), 100*findings.rate(right), 100*findings.rate(wrong), 100*findings.rate(missing))
	importRate := float64(imported) / float64(max(len(files), 1))
	t.Logf("TOTAL %d files, %.1f%% imported; %d facts: %.1f%% right, %.1f%% wrong, %.1f%% missing",
		len(files), 100*importRate, all.total(), 100*all.rate(right), 100*all.rate(wrong), 100*all.rate(missing))
	if importRate < minImportedRate {
		t.Errorf("imported %.1f%% of files, below the floor of %.1f%%", 100*importRate, 100*minImportedRate)
	}
	if all.rate(right) < minRightRate {
		t.Errorf("%.1f%% of facts right, below the floor of %.1f%%", 100*all.rate(right), 100*minRightRate)
	}
	if all.rate(wrong) > maxWrongRate {
		t.Errorf("%.1f%% of facts wrong, above the ceiling of %.1f%%", 100*all.rate(wrong), 100*maxWrongRate)
	}
}

// firstLine shortens an error message to its first line.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// TestFactsGrammar pins what the facts file's grammar accepts and refuses.
func TestFactsGrammar(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"every fact kind", "== a.txt\nimport traceroute\nhops 9\nreached no\nlast 8\ndest-as 15169\nanycast\ncity 2 US Santa Clara\ncountry 3 FR\nhandoff * 15169 7-8\njump 1 2\nspike 3\nnojump\nmpls 4\nunreachable 5 N\nloss-ratelimit 3\nloss-from 6\n", true},
		{"fact before a file", "hops 9\n", false},
		{"unknown fact", "== a.txt\nfast yes\n", false},
		{"missing argument", "== a.txt\nhandoff 1 2\n", false},
		{"file twice", "== a.txt\n== a.txt\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := parseFacts([]byte(tc.in))
			if (err == nil) != tc.ok {
				t.Errorf("parseFacts = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// knownInvariantFailures are corpus files whose report breaks an invariant of TestRealCorpusInvariants
// today, with the class of failure. Fixing the analysis makes the test ask for the entry's removal.
var knownInvariantFailures = map[string]string{}

// lightSlackKm allows for a city's coordinates standing for the whole city.
const lightSlackKm = 50

// TestRealCorpusInvariants asserts over the whole corpus that no report states a location that breaks
// the speed-of-light bound of the trace's own RTTs (a hop answering in t ms is within t × 100 km of the
// source, when the report states both places), that no hop gets two contradicting verdicts (a real jump
// and slow ICMP), and that a destination whose address answered is never called silent.
func TestRealCorpusInvariants(t *testing.T) {
	for _, ct := range loadRealCorpus(t) {
		if ct.p == nil {
			continue
		}
		problems := invariantProblems(ct.p)
		known, isKnown := knownInvariantFailures[ct.file]
		switch {
		case len(problems) > 0 && !isKnown:
			t.Errorf("%s:\n  %s", ct.file, strings.Join(problems, "\n  "))
		case len(problems) == 0 && isKnown:
			t.Errorf("%s now keeps every invariant (was: %s): remove it from knownInvariantFailures", ct.file, known)
		case len(problems) > 0:
			t.Logf("known failure %s (%s):\n  %s", ct.file, known, strings.Join(problems, "\n  "))
		}
	}
	for file := range knownInvariantFailures {
		if !slices.ContainsFunc(loadRealCorpus(t), func(ct corpusTrace) bool { return ct.file == file && ct.p != nil }) {
			t.Errorf("knownInvariantFailures names %s, which is not an imported corpus file", file)
		}
	}
}

// placedMs is the fastest RTT of the responders at hop h that are at the hop's place (an ECMP hop's
// place is one responder's, whose own RTT bounds it), or the hop's when none says.
func placedMs(h report.PathHop) float64 {
	ms := math.NaN()
	for _, r := range h.Responders {
		if r.RTT != nil && len(h.Responders) > 1 && strings.HasPrefix(r.PlaceLabel, h.Place.Label) && !(r.RTT.MinMs >= ms) {
			ms = r.RTT.MinMs
		}
	}
	if math.IsNaN(ms) {
		return h.RTT.MinMs
	}
	return ms
}

// invariantProblems lists what in p breaks the corpus-wide invariants.
func invariantProblems(p *report.Path) []string {
	var out []string
	fd := &p.Findings
	src := fd.Source.Place
	if fd.Source.Known && src.Located() {
		for _, h := range p.Hops {
			if !h.Place.Located() || h.RTT == nil || slices.Contains(h.Marks, "contradiction") {
				continue
			}
			km := geo.DistanceKm(src.Lat, src.Lon, h.Place.Lat, h.Place.Lon)
			if ms := placedMs(h); km > geo.MaxDistanceKm(ms)+lightSlackKm {
				out = append(out, fmt.Sprintf("light: hop %d placed in %s (%s), %.0f km from the source in %s, answers in %.1f ms (≤ %.0f km)",
					h.TTL, h.Place.Label, h.Place.Source, km, src.Label, ms, geo.MaxDistanceKm(ms)+lightSlackKm))
			}
		}
		if d := fd.Destination; d.Reached && d.Place.Located() {
			if h := hopOf(p, d.ReachedTTL); h != nil && h.RTT != nil {
				km := geo.DistanceKm(src.Lat, src.Lon, d.Place.Lat, d.Place.Lon)
				if limit := geo.MaxDistanceKm(h.RTT.MinMs) + lightSlackKm; km > limit {
					out = append(out, fmt.Sprintf("light: destination placed in %s (%s), %.0f km from the source in %s, answers in %.1f ms",
						d.Place.Label, d.Place.Source, km, src.Label, h.RTT.MinMs))
				}
			}
		}
	}
	for _, j := range fd.Jumps {
		if slices.ContainsFunc(fd.Spikes, func(s report.Spike) bool { return s.TTL == j.ToTTL }) {
			out = append(out, fmt.Sprintf("verdicts: hop %d is both a jump and slow ICMP", j.ToTTL))
		}
	}
	if d := fd.Destination; !d.Reached && d.Addr != "" {
		for _, h := range p.Hops {
			if slices.ContainsFunc(h.Responders, func(r report.PathResponder) bool { return r.Addr == d.Addr }) {
				out = append(out, fmt.Sprintf("verdicts: destination %s answered at hop %d but is called silent", d.Addr, h.TTL))
				break
			}
		}
	}
	return out
}
