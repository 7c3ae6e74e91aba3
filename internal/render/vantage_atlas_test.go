package render

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"hopscope/internal/analysis"
	"hopscope/internal/enrich"
	"hopscope/internal/report"
	"hopscope/internal/tracefile"
)

// Recorded RIPE Atlas measurements with two probes each (their facts: ../atlas/testdata/*.facts).
const (
	atlas1000157 = "../atlas/testdata/latest-msm1000157-recorded.json"
	atlas3606560 = "../atlas/testdata/results-msm3606560-recorded.json"
)

// atlasReport analyses a recorded multi-probe RIPE Atlas measurement as analyze does.
func atlasReport(t testing.TB, file string) *report.Report {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	traces, err := tracefile.Parse(data, "")
	if err != nil {
		t.Fatal(err)
	}
	e, err := enrich.New(enrich.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	rep := report.New(report.KindPath, time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC))
	rep.Paths, rep.Vantages = analysis.Vantages(traces, e)
	if rep.Vantages == nil {
		t.Fatalf("%s: no comparison", file)
	}
	return rep
}

// unescapeHTML undoes the entities html/template writes in text.
func unescapeHTML(s string) string {
	return strings.NewReplacer("&#39;", "'", "&amp;", "&", "&gt;", ">", "&lt;", "<", "&#34;", `"`).Replace(s)
}

// TestHTMLImpossiblePlaces: the HTML says why a place is impossible in the text report's words (the
// findings list and each marked hop), not a bare "contradiction" mark, and what it says passes through
// the sanitiser like every other string.
func TestHTMLImpossiblePlaces(t *testing.T) {
	rep := atlasReport(t, atlas1000157)
	var buf bytes.Buffer
	if err := HTML(&buf, rep); err != nil {
		t.Fatal(err)
	}
	out := unescapeHTML(buf.String())
	var line string
	for _, p := range rep.Paths {
		if l := sectionLines(p, "Impossible"); len(l) > 0 {
			line = l[0]
		}
	}
	if line == "" {
		t.Fatal("the recording has no impossible place: the test needs one")
	}
	rest := line[strings.Index(line, ": ")+2:]
	for _, want := range []string{
		`<li class="contradiction">Impossible place, ` + line + `</li>`,
		`title="` + rest + `">location impossible at this RTT</span>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, never := range []string{">contradiction</span>", "the database location is wrong"} {
		if strings.Contains(out, never) {
			t.Errorf("HTML says %q", never)
		}
	}

	// A line with a bidirectional override and a terminal escape reaches the page as visible escapes.
	for _, p := range rep.Paths {
		for i := range p.Sections {
			if p.Sections[i].Label == "Impossible" {
				p.Sections[i].Lines = append([]string(nil), p.Sections[i].Lines...)
				p.Sections[i].Lines[0] += " \u202eevil\x1b[2J"
			}
		}
	}
	buf.Reset()
	if err := HTML(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); strings.Contains(out, "\u202e") || strings.Contains(out, "\x1b") || !strings.Contains(out, `\u202eevil\x1b[2J`) {
		t.Errorf("the impossible place's wording is not sanitised:\n%s", out[strings.Index(out, "Impossible place"):][:400])
	}
}
