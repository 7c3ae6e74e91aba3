package render

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"hopscope/internal/explain"
	"hopscope/internal/explain/explaintest"
	"hopscope/internal/htmltest"
	"hopscope/internal/report"
)

var htmlOut = flag.String("html-out", "", "also write the seed's HTML report to this file (for a look in a browser)")

// seedPathReport is the article's traceroute, enriched by the fixtures, explained and built into a report.
func seedPathReport(t testing.TB) *report.Report {
	t.Helper()
	tr := explaintest.SeedTrace()
	infos := explaintest.SeedInfos()
	f := explain.Explain(tr, infos, explain.Options{})
	return &report.Report{Schema: report.Schema, SchemaVersion: report.SchemaVersion, Kind: report.KindPath,
		Tool: "hopscope test", Path: report.BuildPath(tr, infos, f)}
}

func TestHTMLSeedRouteMap(t *testing.T) {
	var buf bytes.Buffer
	if err := HTML(&buf, seedPathReport(t)); err != nil {
		t.Fatal(err)
	}
	if *htmlOut != "" {
		if err := os.WriteFile(*htmlOut, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := buf.String()
	for _, bad := range []string{"<script", "http://", "https://", "@import", "url("} {
		// The SVG namespace URI is an identifier, not a fetch.
		if strings.Contains(strings.ReplaceAll(out, `xmlns="http://www.w3.org/2000/svg"`, ""), bad) {
			t.Errorf("report is not self-contained: contains %q", bad)
		}
	}
	doc, err := html.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(htmltest.FindAll(doc, "path", "country")); n < 200 {
		t.Errorf("map has %d country shapes, want the world", n)
	}
	segs := htmltest.FindAll(doc, "polyline", "route-seg")
	if len(segs) < 2 {
		t.Fatalf("route has %d segments", len(segs))
	}
	colorOf := map[string]string{}
	longHaul := 0
	for _, s := range segs {
		colorOf[htmltest.Attr(s, "data-asn")] = htmltest.Attr(s, "stroke")
		if htmltest.HasClass(s, "long-haul") {
			longHaul++
		}
	}
	if colorOf["6453"] == "" {
		t.Fatalf("no segment coloured for Tata AS6453: %v", colorOf)
	}
	if longHaul == 0 {
		t.Error("no long-haul segment labelled (Paris/Marseille → Singapore)")
	}
	// Orange and Tata in different colours, in the legend too.
	legend := map[string]string{}
	for _, it := range htmltest.FindAll(doc, "span", "legend-item") {
		legend[htmltest.Attr(it, "data-asn")] = htmltest.Text(it)
	}
	for _, asn := range []string{"6453"} {
		if legend[asn] == "" {
			t.Errorf("legend lacks AS%s: %v", asn, legend)
		}
	}
	chain := htmltest.FindAll(doc, "div", "as")
	var chainASNs []string
	colors := map[string]string{}
	for _, c := range chain {
		chainASNs = append(chainASNs, htmltest.Attr(c, "data-asn"))
		colors[htmltest.Attr(c, "data-asn")] = htmltest.Attr(c, "style")
	}
	joined := strings.Join(chainASNs, ",")
	if !strings.Contains(joined, "3215") || !strings.Contains(joined, "6453") || !strings.Contains(joined, "132203") {
		t.Errorf("AS chain = %s, want Orange AS3215 … Tata AS6453 … Tencent AS132203", joined)
	}
	if colors["3215"] == colors["6453"] {
		t.Errorf("Orange and Tata share a colour: %q", colors["3215"])
	}
	// Markers: a destination marker, and hop markers in Paris, Marseille and Singapore.
	var titles []string
	for _, m := range htmltest.FindAll(doc, "circle", "marker") {
		titles = append(titles, htmltest.Text(m))
	}
	all := strings.Join(titles, "|")
	for _, want := range []string{"Paris", "Marseille", "Singapore"} {
		if !strings.Contains(all, want) {
			t.Errorf("no marker in %s among %q", want, all)
		}
	}
	if len(htmltest.FindAll(doc, "circle", "destination")) == 0 {
		t.Error("destination not marked on the map")
	}
	if rows := htmltest.FindAll(doc, "tr", ""); len(rows) < 17 {
		t.Errorf("hop table has %d rows, want a row per hop", len(rows))
	}
	if bars := htmltest.FindAll(doc, "g", "bar"); len(bars) != 17 {
		t.Errorf("RTT chart has %d bars, want 17", len(bars))
	}
	if s := htmltest.FindAll(doc, "p", "summary"); len(s) == 0 || !strings.Contains(htmltest.Text(s[0]), "Singapore") {
		t.Error("summary missing or does not name Singapore")
	}
}

func TestHTMLOtherKinds(t *testing.T) {
	tests := []struct {
		name string
		r    *report.Report
		want string
	}{
		{"empty path report is an error", &report.Report{Kind: report.KindPath}, "error"},
		{"domains without section is an error", &report.Report{Kind: report.KindDomains}, "error"},
		{"investigation without section is an error", &report.Report{Kind: report.KindInvestigation}, "error"},
		{"unknown kind is an error", &report.Report{Kind: "nope"}, "error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := HTML(&bytes.Buffer{}, tc.r)
			if (err != nil) != (tc.want == "error") {
				t.Errorf("err = %v, want %s", err, tc.want)
			}
		})
	}
}

func BenchmarkHTMLSeed(b *testing.B) {
	r := seedPathReport(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := HTML(&bytes.Buffer{}, r); err != nil {
			b.Fatal(err)
		}
	}
}

var _ = filepath.Join

// investigationOf makes an investigation of n hosts that all took the seed's path.
func investigationOf(t testing.TB, n int) *report.Report {
	seed := seedPathReport(t).Path
	inv := &report.Investigation{Source: "hosts", Origin: "bench", Summary: "bench"}
	for i := 0; i < n; i++ {
		inv.Hosts = append(inv.Hosts, report.InvestigatedHost{Host: fmt.Sprintf("h%03d.app.test", i), Port: 443,
			Addr: "101.33.110.25", Requests: i, Bytes: int64(i * 1000), ASN: 132203, Country: "SG", HasRTT: true, MinRTTMs: 236, Path: seed})
	}
	return &report.Report{Schema: report.Schema, SchemaVersion: report.SchemaVersion, Kind: report.KindInvestigation, Investigation: inv}
}

func TestHTMLInvestigationSize(t *testing.T) {
	var buf bytes.Buffer
	if err := HTML(&buf, investigationOf(t, 500)); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 5<<20 {
		t.Errorf("a 500-host report is %d bytes, want under 5 MB", buf.Len())
	}
	t.Logf("500-host report: %d bytes", buf.Len())
}

func BenchmarkHTMLInvestigation500(b *testing.B) {
	r := investigationOf(b, 500)
	b.ReportAllocs()
	for b.Loop() {
		if err := HTML(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
