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

// atlasInvestigation is an investigation of two hosts, each traced from two RIPE Atlas probes (the two
// recordings), built as investigate --via builds its hosts: the first measured path, the comparison,
// and the comparison's summary as the host's one line.
func atlasInvestigation(t testing.TB) *report.Report {
	t.Helper()
	inv := &report.Investigation{Source: "hosts", Origin: "two hosts", Summary: "2 hosts, each traced from 2 RIPE Atlas probes."}
	for i, file := range []string{atlas1000157, atlas3606560} {
		rep := atlasReport(t, file)
		p, v := rep.Paths[0], rep.Vantages
		d := p.Findings.Destination
		inv.Hosts = append(inv.Hosts, report.InvestigatedHost{Host: []string{"app.example.in", "dns.example.net"}[i], Port: 443,
			Addr: d.Addr, ASN: d.ASN, Operator: d.Operator, Country: d.Country, HasRTT: true, MinRTTMs: v.Origins[0].MinRTTMs,
			Reached: d.Reached, Why: v.Summary, Path: p, Vantages: v})
	}
	r := report.New(report.KindInvestigation, time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC))
	r.Investigation = inv
	return r
}

// TestInvestigationVantages: investigate --via shows every host's full comparison (the summary, one row
// or block per origin, the shared segment), in text within 80 and 100 columns, in Markdown and in HTML,
// written by the same functions as trace --via.
func TestInvestigationVantages(t *testing.T) {
	r := atlasInvestigation(t)
	perHost := [][]string{
		{"Vantage points compared: 121.244.76.25", "probe 319, AS1909, US", "probe 426, AS6939,",
			"AS6939 → AS1299 → AS6453", "no router is common to every path; they share AS6453"},
		{"Vantage points compared: 194.0.25.10", "probe 22880, AS26088, US", "probe 12185, AS7922, US",
			"AS7922 → AS3356 → AS3549 → AS4637 → AS1921", "hop 12 at 41.2 ms", "202.147.51.46 (US)"},
	}
	for _, tc := range []struct {
		name, format string
		width        int
	}{{"text-80", "text", 80}, {"text-100", "text", 100}, {"markdown", "markdown", 0}, {"html", "html", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			rf, err := ByNameOptions(tc.format, Options{Width: tc.width})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := rf(&buf, r); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if tc.format == "html" {
				out = unescapeHTML(out)
			}
			flat := strings.Join(strings.Fields(out), " ")
			last := -1
			for i, facts := range perHost {
				for _, f := range facts {
					if !strings.Contains(flat, f) {
						t.Errorf("host %d: lacks %q", i, f)
					}
				}
				at := strings.Index(flat, facts[0])
				if at < last {
					t.Errorf("host %d's comparison is not after host %d's", i, i-1)
				}
				last = at
			}
			switch tc.format {
			case "text":
				for n, l := range strings.Split(out, "\n") {
					if w := visibleLen(l); w > tc.width {
						t.Errorf("line %d is %d columns wide, over %d: %q", n+1, w, tc.width, l)
					}
				}
			case "markdown":
				if !strings.Contains(out, "## Vantage points compared: 194.0.25.10\n") || strings.Count(out, "| Origin | Network |") != 2 {
					t.Errorf("Markdown lacks a section and table per host:\n%s", out)
				}
			case "html":
				for _, id := range []string{`<section id="vantages-1" class="vantages">`, `<section id="vantages-2" class="vantages">`} {
					if !strings.Contains(out, id) {
						t.Errorf("HTML lacks %s", id)
					}
				}
			}
		})
	}
}
