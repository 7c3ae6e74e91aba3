package render

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"hopscope/internal/analysis"
	"hopscope/internal/enrich"
	"hopscope/internal/htmltest"
	"hopscope/internal/report"
	"hopscope/internal/tracefile"
)

// Corpus traces the map tests draw.
const (
	sydneyTrace = "windows-tracert-optus-sydney-to-azure-amsterdam_phishing-scam-capture.txt"
	swedenTrace = "linux-traceroute-q1-sweden-sunet-telia-to-china_traceroute-mapper.txt"
)

// corpusReport analyses a corpus trace as `hopscope analyze` does, with the embedded database.
func corpusReport(t testing.TB, name string) *report.Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "tracefile", "testdata", "corpus", name))
	if err != nil {
		t.Fatal(err)
	}
	traces, err := tracefile.ParseWith(data, "", tracefile.ParseOptions{})
	if err != nil || len(traces) != 1 {
		t.Fatalf("parse %s: %d traces, %v", name, len(traces), err)
	}
	e, err := enrich.New(enrich.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	r := report.New(report.KindPath, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	r.Path = analysis.Path(traces[0], e, analysis.Options{})
	return r
}

// unlocatedInvestigation is an investigation of two hosts whose servers nothing places: only the
// source is on their routes.
func unlocatedInvestigation() *report.Report {
	paris := &report.Place{City: "Paris", Country: "FR", Lat: 48.86, Lon: 2.35, HasCoords: true, Label: "Paris, FR"}
	inv := &report.Investigation{Source: "hosts", Origin: "test", Summary: "two hosts nothing places"}
	for i, host := range []string{"api.app.test", "cdn.app.test"} {
		addr := fmt.Sprintf("192.0.2.%d", 10+i)
		p := &report.Path{Target: report.PathTarget{Name: host, Addr: addr},
			Hops: []report.PathHop{{TTL: 1, Sent: 3, Answered: 3, RTT: &report.RTT{MinMs: 1, MedianMs: 1, MaxMs: 1, Count: 3},
				Responders: []report.PathResponder{{Addr: addr}}, Marks: []string{"destination"}}},
			Findings: report.Findings{Source: report.Source{Known: true, Place: paris},
				Destination: report.Destination{Addr: addr, Reached: true, ReachedTTL: 1}},
			Route:     []report.RoutePoint{{Kind: "source", Lat: paris.Lat, Lon: paris.Lon, Label: "you: Paris, FR", Place: "Paris, FR", HasMs: true}},
			Unlocated: 1,
		}
		inv.Hosts = append(inv.Hosts, report.InvestigatedHost{Host: host, Port: 443, Addr: addr, Path: p})
	}
	return &report.Report{Schema: report.Schema, SchemaVersion: report.SchemaVersion, Kind: report.KindInvestigation, Investigation: inv}
}

func renderDOM(t *testing.T, r *report.Report) (*html.Node, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := HTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return doc, buf.Bytes()
}

// polylinePoints reads a polyline's points attribute.
func polylinePoints(t *testing.T, n *html.Node) [][2]float64 {
	t.Helper()
	var out [][2]float64
	for _, f := range strings.Fields(htmltest.Attr(n, "points")) {
		x, y, ok := strings.Cut(f, ",")
		fx, err1 := strconv.ParseFloat(x, 64)
		fy, err2 := strconv.ParseFloat(y, 64)
		if !ok || err1 != nil || err2 != nil {
			t.Fatalf("bad point %q", f)
		}
		out = append(out, [2]float64{fx, fy})
	}
	return out
}

func placeLabels(doc *html.Node) []string {
	var out []string
	for _, l := range htmltest.FindAll(doc, "text", "place-label") {
		out = append(out, htmltest.Text(l))
	}
	return out
}

func TestMapPacificLegGoesEast(t *testing.T) {
	doc, _ := renderDOM(t, corpusReport(t, sydneyTrace))
	var leg *html.Node
	for _, s := range htmltest.FindAll(doc, "polyline", "route-seg") {
		if htmltest.Attr(s, "data-to-ttl") == "8" { // hop 8 is Los Angeles, after Sydney's hops 5–7
			leg = s
		}
	}
	if leg == nil {
		t.Fatal("no segment reaches hop 8 (Los Angeles)")
	}
	pts := polylinePoints(t, leg)
	if len(pts) < 30 {
		t.Fatalf("the 12,000 km leg has %d points, want a great circle through one every ~200 km", len(pts))
	}
	for i := 1; i < len(pts); i++ {
		if pts[i][0] < pts[i-1][0] {
			t.Fatalf("point %d goes west (%v → %v): the leg must cross the Pacific eastward", i, pts[i-1], pts[i])
		}
	}
	// Sydney (151.2°E) to Los Angeles (118.4°W) eastward is 90.4° of longitude, 904 map units; westward
	// across Africa it would be 269.6°.
	if dx := pts[len(pts)-1][0] - pts[0][0]; dx < 850 || dx > 950 {
		t.Errorf("the leg spans %.0f map units east, want ~904 (90° across the Pacific)", dx)
	}
	// A great circle from Sydney bulges towards the pole: its middle lies north-west of the straight line.
	mid, a, b := pts[len(pts)/2], pts[0], pts[len(pts)-1]
	if lineY := a[1] + (b[1]-a[1])*(mid[0]-a[0])/(b[0]-a[0]); mid[1] >= lineY {
		t.Errorf("the leg is drawn straight (middle %v not above the chord at y %.1f)", mid, lineY)
	}
	if len(htmltest.FindAll(doc, "use", "world-copy")) == 0 {
		t.Error("the map wraps past 180° but draws no copy of the world there")
	}
}

func TestMapCountryOnlyDestination(t *testing.T) {
	doc, _ := renderDOM(t, corpusReport(t, swedenTrace))
	var dest *html.Node
	for _, m := range htmltest.FindAll(doc, "circle", "destination") {
		dest = m
	}
	if dest == nil {
		t.Fatal("the destination, known only to be in China, is not drawn")
	}
	if !htmltest.HasClass(dest, "approx") {
		t.Errorf("destination marker %q is not marked approximate", htmltest.Attr(dest, "class"))
	}
	lat, _ := strconv.ParseFloat(htmltest.Attr(dest, "data-lat"), 64)
	lon, _ := strconv.ParseFloat(htmltest.Attr(dest, "data-lon"), 64)
	if lat < 25 || lat > 45 || lon < 90 || lon > 115 {
		t.Errorf("destination at %.2f,%.2f, want inside China", lat, lon)
	}
	areas := htmltest.FindAll(doc, "ellipse", "uncertainty")
	if len(areas) != 1 {
		t.Fatalf("%d uncertainty marks, want one around China's centre", len(areas))
	}
	if km, _ := strconv.Atoi(htmltest.Attr(areas[0], "data-radius-km")); km < 1000 {
		t.Errorf("uncertainty radius %d km, want China's size", km)
	}
	if htmltest.Attr(areas[0], "cx") != htmltest.Attr(dest, "cx") {
		t.Errorf("the uncertainty mark is not around the destination")
	}
	labels := strings.Join(placeLabels(doc), "|")
	if !strings.Contains(labels, "somewhere in CN") {
		t.Errorf("no label says the server is somewhere in CN: %q", labels)
	}
	// The last leg into China is dashed: its length is to the country's centre, not to the server.
	for _, s := range htmltest.FindAll(doc, "polyline", "route-seg") {
		if htmltest.Attr(s, "data-asn") == "4808" && !htmltest.HasClass(s, "dashed") {
			t.Errorf("the leg to the country's centre is drawn solid")
		}
	}
}

func TestMapUnlocatedServersAreSaid(t *testing.T) {
	doc, _ := renderDOM(t, unlocatedInvestigation())
	if n := len(htmltest.FindAll(doc, "circle", "destination")); n != 0 {
		t.Errorf("%d server markers drawn for servers nothing places", n)
	}
	for _, l := range placeLabels(doc) {
		if strings.Contains(l, "server") {
			t.Errorf("label %q puts a server on the map", l)
		}
	}
	nl := htmltest.FindAll(doc, "div", "not-located")
	if len(nl) != 1 {
		t.Fatal("the map does not say which servers are not located")
	}
	text := htmltest.Text(nl[0])
	for _, want := range []string{"Not located", "192.0.2.10 (api.app.test)", "192.0.2.11 (cdn.app.test)"} {
		if !strings.Contains(text, want) {
			t.Errorf("not-located note %q lacks %q", text, want)
		}
	}
	if labels := placeLabels(doc); !slices.Contains(labels, "Paris, FR — you") {
		t.Errorf("labels %q, want the source alone: Paris, FR — you", labels)
	}
}

func TestMapLabelsLegendAndDistances(t *testing.T) {
	tests := []struct {
		name   string
		trace  string
		labels []string
		// legend is the one entry an operator of several ASes must have.
		legend string
	}{
		{"Sydney to Amsterdam", sydneyTrace,
			[]string{"Sydney, AU — you, hops 5–7", "Los Angeles, US — hop 8", "Washington, US — hops 14–15", "Amsterdam, NL — hops 19–21, server"},
			"4804 7474"},
		{"Sweden to China", swedenTrace, []string{"Los Angeles, US — hop 14", "Copenhagen, DK — hop 11"}, "4837 4808"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := corpusReport(t, tc.trace)
			doc, _ := renderDOM(t, r)
			labels := placeLabels(doc)
			for _, want := range tc.labels {
				if !slices.Contains(labels, want) {
					t.Errorf("no label %q among %q", want, labels)
				}
			}
			ops := map[string]int{}
			colours := map[string]string{}
			found := false
			for _, it := range htmltest.FindAll(doc, "span", "legend-item") {
				text := htmltest.Text(it)
				op := strings.TrimLeft(strings.TrimLeft(text, "AS0123456789, "), " ")
				ops[op]++
				found = found || htmltest.Attr(it, "data-asns") == tc.legend
				sw := htmltest.FindAll(it, "span", "swatch")
				colours[htmltest.Attr(sw[0], "style")] = text
			}
			for op, n := range ops {
				if n > 1 {
					t.Errorf("operator %q has %d legend entries", op, n)
				}
			}
			if len(colours) != len(ops) {
				t.Errorf("%d colours for %d operators: %v", len(colours), len(ops), colours)
			}
			if !found {
				t.Errorf("no single legend entry for ASes %s", tc.legend)
			}
			// Every distance on the map is one of the report's legs, and every leg is on the map.
			var js bytes.Buffer
			if err := JSON(&js, r); err != nil {
				t.Fatal(err)
			}
			var back struct {
				Path struct {
					Route []struct {
						LegKm float64 `json:"leg_km"`
					} `json:"route"`
				} `json:"path"`
			}
			if err := json.Unmarshal(js.Bytes(), &back); err != nil {
				t.Fatal(err)
			}
			legs := map[string]bool{}
			for _, p := range back.Path.Route {
				if p.LegKm > 0.5 {
					legs[fmt.Sprintf("%.0f", p.LegKm)] = true
				}
			}
			drawn := map[string]bool{}
			for _, s := range htmltest.FindAll(doc, "polyline", "route-seg") {
				km := htmltest.Attr(s, "data-km")
				drawn[km] = true
				if !legs[km] {
					t.Errorf("segment %s→%s says %s km, which no leg of the report has (%v)", htmltest.Attr(s, "data-from-ttl"),
						htmltest.Attr(s, "data-to-ttl"), km, legs)
				}
			}
			for km := range legs {
				if !drawn[km] {
					t.Errorf("the report's %s km leg is not on the map", km)
				}
			}
			for _, l := range htmltest.FindAll(doc, "text", "seg-label") {
				km := strings.ReplaceAll(strings.Fields(strings.TrimPrefix(htmltest.Text(l), "≈"))[0], ",", "")
				if !legs[km] {
					t.Errorf("label %q gives a distance no leg has", htmltest.Text(l))
				}
			}
		})
	}
}

// TestMapScreenshots keeps Chromium's pictures of the maps as test artefacts (go test -artifacts keeps
// them; -v prints where).
func TestMapScreenshots(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (Debian package; .ci/run installs it)")
	}
	if testing.Short() {
		t.Skip("screenshots take a few seconds each; not in -short")
	}
	reports := []struct {
		name string
		r    func(testing.TB) *report.Report
	}{
		{"seed", seedPathReport},
		{"sydney-amsterdam", func(t testing.TB) *report.Report { return corpusReport(t, sydneyTrace) }},
		{"sweden-china", func(t testing.TB) *report.Report { return corpusReport(t, swedenTrace) }},
		{"unlocated-servers", func(testing.TB) *report.Report { return unlocatedInvestigation() }},
	}
	art := t.ArtifactDir()
	for _, rc := range reports {
		t.Run(rc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := HTML(&buf, rc.r(t)); err != nil {
				t.Fatal(err)
			}
			page := filepath.Join(art, rc.name+".html")
			if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			shot := filepath.Join(art, rc.name+".png")
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			// The proxy points at a closed port: the page must need no network.
			cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--user-data-dir="+t.TempDir(), "--proxy-server=socks5://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
				"--window-size=1280,900", "--screenshot="+shot, "file://"+page)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("chromium screenshot: %v\n%s", err, out)
			}
			st, err := os.Stat(shot)
			if err != nil || st.Size() < 20_000 {
				t.Fatalf("screenshot %s missing or blank (%v)", shot, err)
			}
			t.Logf("screenshot: %s (%d bytes)", shot, st.Size())
		})
	}
}
