package report_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"hopscope/internal/analysis"
	"hopscope/internal/enrich"
	"hopscope/internal/path"
	"hopscope/internal/report"
	"hopscope/internal/tracefile"
)

// TestProbeMetaKeys: the report reads the Meta keys the Globalping importer writes.
func TestProbeMetaKeys(t *testing.T) {
	for _, k := range [][2]string{
		{report.MetaProbeCity, tracefile.MetaProbeCity},
		{report.MetaProbeCountry, tracefile.MetaProbeCountry},
		{report.MetaProbeASN, tracefile.MetaProbeASN},
		{report.MetaProbeNetwork, tracefile.MetaProbeNetwork},
		{report.MetaProbeLatitude, tracefile.MetaProbeLatitude},
		{report.MetaProbeLongitude, tracefile.MetaProbeLongitude},
		{report.MetaProbeStatus, tracefile.MetaGlobalpingStatus},
	} {
		if k[0] != k[1] {
			t.Errorf("report reads %q, the importer writes %q", k[0], k[1])
		}
	}
}

// vantages imports a recorded Globalping measurement and compares its probes.
func vantages(t *testing.T, file string) *report.Vantages {
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
	ps, v := analysis.Vantages(traces, e)
	if len(ps) != len(traces) || v == nil {
		t.Fatalf("%d reports, comparison %v", len(ps), v)
	}
	return v
}

// TestVantagesGlobalping checks the conclusions on a three-probe measurement to a Frankfurt host:
// Shenzhen (China Telecom, via Los Angeles and Ashburn), Paris (Scaleway, via Arelion) and an offline
// probe in Sydney.
func TestVantagesGlobalping(t *testing.T) {
	v := vantages(t, "testdata/globalping-vantages.json")
	if len(v.Origins) != 3 {
		t.Fatalf("%d origins", len(v.Origins))
	}
	sz, pa, syd := v.Origins[0], v.Origins[1], v.Origins[2]
	tests := []struct {
		name      string
		got, want any
	}{
		{"target", v.Target, "shop.example.com"},
		{"slowest", v.Slowest, 0},
		{"fastest", v.Fastest, 1},
		{"differs", v.Differs, true},
		{"Shenzhen label", sz.Label, "Shenzhen, CN"},
		{"Shenzhen place from the probe", sz.Place.Source, analysis.SourceGlobalping},
		{"Shenzhen network", sz.NetworkLabel(), "China Telecom (AS4134)"},
		{"Shenzhen RTT", fmt.Sprintf("%.1f", sz.MinRTTMs), "264.9"},
		{"Shenzhen reached", sz.Reached, true},
		{"Shenzhen distance", sz.DistanceKm, 9132.0},
		{"Shenzhen light minimum", sz.LightMinMs, 91.3},
		{"Shenzhen stretch", sz.Stretch, 2.9},
		{"Shenzhen AS path", sz.ASPathLabel(), "AS4134 → AS2914 → AS24940"},
		{"Shenzhen exit", sz.ExitLabel(), "hop 7, Los Angeles, US (AS2914)"},
		{"Shenzhen detour", sz.Detour != nil && sz.Detour.Place == "Ashburn, US" && sz.Detour.TTL == 8, true},
		{"Shenzhen joins", sz.JoinLabel(), "hop 10 at 263.0 ms"},
		{"Shenzhen largest jump", sz.Jump != nil && sz.Jump.FromTTL == 6 && sz.Jump.ToTTL == 7, true},
		{"Paris label", pa.Label, "Paris, FR"},
		{"Paris RTT", fmt.Sprintf("%.1f", pa.MinRTTMs), "9.6"},
		{"Paris distance", pa.DistanceKm, 478.0},
		{"Paris stretch", pa.Stretch, 2.0},
		{"Paris AS path", pa.ASPathLabel(), "AS12876 → AS1299 → AS24940"},
		{"Paris exit", pa.ExitLabel(), "hop 4, Frankfurt, DE (AS1299)"},
		{"Paris no detour", pa.Detour == nil, true},
		{"Paris joins", pa.JoinLabel(), "hop 6 at 8.9 ms"},
		{"Sydney offline", syd.Measured, false},
		{"Sydney RTT label", syd.RTTLabel(), "not measured (probe offline)"},
		{"shared segment", strings.Join(v.Shared.Addrs, " "), "213.239.252.34 88.198.20.10"},
		{"shared first", v.Shared.First, "core24.fra.hetzner.com (213.239.252.34, Frankfurt, DE)"},
		{"shared to destination", v.Shared.ToDestination, true},
		{"shared ASes", len(v.SharedASNs) == 1 && v.SharedASNs[0] == 24940, true},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	for _, want := range []string{
		"3 vantage points (1 without a measurement): slow from Shenzhen, CN (264.9 ms), not from Paris, FR (9.6 ms), because",
		"distance accounts for 86.5 ms of the 255.3 ms difference (the light-speed minimum over 9,132 km from Shenzhen, CN against 478 km from Paris, FR)",
		"2.9× that minimum against 2.0× from Paris, FR, so the other 168.8 ms come from the path itself (a longer route than the great circle, or queueing)",
		"detours through Ashburn, US (hop 8",
		"leaving CN at hop 7 in Los Angeles, US",
		"largest rise is +145.2 ms between hops 6 and 7 (CN → Los Angeles, US)",
		"the difference lies before that shared segment",
	} {
		if !strings.Contains(v.Summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, v.Summary)
		}
	}
	if strings.Contains(v.Summary, "different addresses") {
		t.Errorf("summary claims different addresses:\n%s", v.Summary)
	}
}

// TestVantagesSummary covers the cases the recorded measurement does not: similar origins, one
// origin measured, unknown causes, different addresses, and a difference that is only distance.
func TestVantagesSummary(t *testing.T) {
	hop := func(ttl int, addr string, ms float64, asn uint32, place *report.Place) report.PathHop {
		return report.PathHop{TTL: ttl, ASN: asn, Place: place, RTT: &report.RTT{MinMs: ms},
			Responders: []report.PathResponder{{Addr: addr, RTT: &report.RTT{MinMs: ms}}}}
	}
	at := func(city, cc string, lat, lon float64) *report.Place {
		return &report.Place{City: city, Country: cc, Lat: lat, Lon: lon, HasCoords: true, Source: "globalping probe", Label: city + ", " + cc}
	}
	tokyo, paris, fra := at("Tokyo", "JP", 35.68, 139.69), at("Paris", "FR", 48.86, 2.35), at("Frankfurt", "DE", 50.11, 8.68)
	mk := func(from *report.Place, dest string, hops ...report.PathHop) *report.Path {
		p := &report.Path{Hops: hops, Target: report.PathTarget{Name: "x.example"}}
		p.Findings.Source = report.Source{Known: from != nil, Place: from}
		last := hops[len(hops)-1]
		p.Findings.Destination = report.Destination{Addr: dest, Reached: true, ReachedTTL: last.TTL, LastRespondingTTL: last.TTL, Place: fra}
		return p
	}
	tests := []struct {
		name    string
		ps      []*report.Path
		want    []string
		notWant []string
	}{
		{"similar", []*report.Path{
			mk(paris, "192.0.2.1", hop(1, "198.51.100.1", 5, 0, nil), hop(2, "192.0.2.1", 9, 0, nil)),
			mk(fra, "192.0.2.1", hop(1, "198.51.100.2", 2, 0, nil), hop(2, "192.0.2.1", 3, 0, nil))},
			[]string{"similar from every origin (3.0 ms from Frankfurt, DE to 9.0 ms from Paris, FR)"}, []string{"because"}},
		{"one measured", []*report.Path{
			mk(paris, "192.0.2.1", hop(1, "192.0.2.1", 9, 0, nil)),
			{Meta: map[string]string{report.MetaProbeStatus: "offline", report.MetaProbeCity: "Sydney", report.MetaProbeCountry: "AU"}}},
			[]string{"2 vantage points (1 without a measurement): fewer than two origins measured an RTT, so which is slower is unknown."}, nil},
		{"unknown cause", []*report.Path{
			mk(nil, "192.0.2.1", hop(1, "198.51.100.1", 150, 0, nil)),
			mk(nil, "192.0.2.1", hop(1, "198.51.100.2", 10, 0, nil))},
			[]string{"slow from unknown place (150.0 ms), not from unknown place #2 (10.0 ms); why is unknown"}, nil},
		{"different addresses, distance only", []*report.Path{
			mk(tokyo, "192.0.2.1", hop(1, "198.51.100.1", 1, 0, nil), hop(2, "192.0.2.1", 190, 0, fra)),
			mk(paris, "192.0.2.2", hop(1, "198.51.100.2", 1, 0, nil), hop(2, "192.0.2.2", 9, 0, fra))},
			[]string{"the two reach different addresses (192.0.2.1 in Frankfurt, DE from Tokyo, JP, 192.0.2.2 in Frankfurt, DE from Paris, FR)",
				"distance: the destination is 9,333 km from Tokyo, JP against 478 km from Paris, FR, and both paths run at about the same multiple"},
			[]string{"shared segment", "detour"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := report.NewVantages(tc.ps)
			for _, w := range tc.want {
				if !strings.Contains(v.Summary, w) {
					t.Errorf("summary lacks %q:\n%s", w, v.Summary)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(v.Summary, w) {
					t.Errorf("summary says %q:\n%s", w, v.Summary)
				}
			}
		})
	}
	if report.NewVantages([]*report.Path{{}}) != nil {
		t.Error("one path compared")
	}
}

// TestProbePlace: the vantage point comes from the probe's coordinates, flagged for Atlas.
func TestProbePlace(t *testing.T) {
	tr := &path.Trace{Meta: map[string]string{report.MetaProbeLatitude: "22.5", report.MetaProbeLongitude: "114", report.MetaProbeCity: "Shenzhen"}}
	if p := analysis.ProbePlace(tr); p == nil || p.Lat != 22.5 || p.Source != analysis.SourceGlobalping || p.City != "Shenzhen" {
		t.Errorf("globalping place %+v", p)
	}
	tr.Meta[report.MetaProbeObfuscated] = "true"
	if p := analysis.ProbePlace(tr); p == nil || p.Source != analysis.SourceAtlas {
		t.Errorf("atlas place %+v", p)
	}
	tr.Meta[report.MetaProbeLatitude] = "91"
	if p := analysis.ProbePlace(tr); p != nil {
		t.Errorf("latitude 91 accepted: %+v", p)
	}
	if p := analysis.ProbePlace(&path.Trace{}); p != nil {
		t.Errorf("no meta: %+v", p)
	}
}
