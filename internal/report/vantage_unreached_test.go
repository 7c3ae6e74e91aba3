package report

import (
	"strings"
	"testing"
)

// TestSummaryLowerBounds: an origin whose destination did not answer has only a lower bound, which can
// make it slower than an answered origin but never faster or alike (issue 17, found on the recorded
// RIPE Atlas measurement 1000157, where neither probe reached the target).
func TestSummaryLowerBounds(t *testing.T) {
	origin := func(label string, ms float64, reached bool) Origin {
		return Origin{Label: label, Measured: true, HasRTT: true, MinRTTMs: ms, Reached: reached}
	}
	tests := []struct {
		name        string
		slow, fast  Origin
		want        string
		wantDiffers bool
	}{
		{"neither answered", origin("US", 271.8, false), origin("US #2", 198.4, false),
			"which is slower is unknown: the destination did not answer from US #2, so its 198.4 ms (at the last hop that answered) is only a lower bound, as is 271.8 ms from US.", false},
		{"only the slow one answered", origin("Paris", 250, true), origin("Tokyo", 20, false),
			"which is slower is unknown: the destination did not answer from Tokyo", false},
		{"unanswered bound close to an answer", origin("Lima", 110, false), origin("Quito", 100, true),
			"at least as slow from Lima (≥ 110.0 ms, the destination did not answer) as from Quito (100.0 ms); how much slower is unknown.", false},
		{"unanswered bound far above an answer", origin("Lima", 300, false), origin("Quito", 100, true),
			"slow from Lima", true},
		{"both answered, alike", origin("Lima", 110, true), origin("Quito", 100, true), "similar from every origin", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &Vantages{Origins: []Origin{tc.slow, tc.fast}, Slowest: 0, Fastest: 1}
			got := v.summary()
			if !strings.Contains(got, tc.want) || v.Differs != tc.wantDiffers {
				t.Errorf("summary %q (differs %v)\nwant it to contain %q (differs %v)", got, v.Differs, tc.want, tc.wantDiffers)
			}
		})
	}
}

// TestOriginLabels: origins read apart in every sentence. A probe the network described keeps its place
// as its name; a probe known only by its id (RIPE Atlas without metadata) is named by its id, its first
// network and the place its first hops suggest ("probe 426, AS6939, US"), never "US #2".
func TestOriginLabels(t *testing.T) {
	us := &Place{Country: "US", Label: "US", Source: "hops"}
	seattle := &Place{City: "Seattle", Country: "US", Label: "Seattle, US", Source: "hops"}
	paris := &Place{City: "Paris", Country: "FR", Label: "Paris, FR", Source: "globalping probe"}
	mk := func(meta map[string]string, src *Place, approx bool, asn uint32) *Path {
		p := &Path{Meta: meta, Hops: []PathHop{{TTL: 1}}}
		p.Findings.Source = Source{Known: src != nil, Place: src, Approximate: approx}
		if asn != 0 {
			p.Findings.ASPath = []ASRun{{ASN: asn, Operator: "Net"}}
		}
		return p
	}
	gp := func(asn string) map[string]string {
		return map[string]string{MetaProbeCity: "Paris", MetaProbeCountry: "FR", MetaProbeLatitude: "48.8", MetaProbeASN: asn}
	}
	tests := []struct {
		name string
		ps   []*Path
		want []string
	}{
		{"atlas probes without metadata, one country", []*Path{
			mk(map[string]string{MetaProbeID: "319"}, us, true, 1909),
			mk(map[string]string{MetaProbeID: "426"}, us, true, 6939)},
			[]string{"probe 319, AS1909, US", "probe 426, AS6939, US"}},
		{"estimated city", []*Path{
			mk(map[string]string{MetaProbeID: "22880"}, seattle, true, 26088),
			mk(map[string]string{MetaProbeID: "12185"}, us, true, 7922)},
			[]string{"probe 22880, AS26088, near Seattle, US", "probe 12185, AS7922, US"}},
		{"no id, no metadata", []*Path{mk(nil, us, true, 3356), mk(nil, nil, false, 0)},
			[]string{"AS3356, US", "unknown place"}},
		{"globalping probes keep their place", []*Path{mk(gp("12876"), paris, false, 12876), mk(map[string]string{MetaProbeCity: "Lyon", MetaProbeCountry: "FR"}, nil, false, 0)},
			[]string{"Paris, FR", "Lyon, FR"}},
		{"same city, networks apart", []*Path{mk(gp("12876"), paris, false, 12876), mk(gp("3215"), paris, false, 3215)},
			[]string{"Paris, FR, AS12876", "Paris, FR, AS3215"}},
		{"same city, same network", []*Path{mk(gp("3215"), paris, false, 3215), mk(gp("3215"), paris, false, 3215)},
			[]string{"Paris, FR, AS3215", "Paris, FR, AS3215 #2"}},
		{"nothing known", []*Path{mk(nil, nil, false, 0), mk(nil, nil, false, 0)},
			[]string{"unknown place", "unknown place #2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := NewVantages(tc.ps)
			for i, w := range tc.want {
				if got := v.Origins[i].Label; got != w {
					t.Errorf("origin %d: label %q, want %q", i, got, w)
				}
			}
		})
	}
}

// TestReasonsLargestRise: the slow path's largest rise is a reason only when it carries a good part
// (a quarter or more) of the difference; a 5 ms rise does not explain 200 ms.
func TestReasonsLargestRise(t *testing.T) {
	tests := []struct {
		name  string
		delta float64
		want  bool
	}{
		{"most of the difference", 150, true},
		{"a quarter", 50, true},
		{"a small rise", 5, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			slow := Origin{Label: "Lima", Measured: true, HasRTT: true, Reached: true, MinRTTMs: 300,
				Jump: &Jump{FromTTL: 4, ToTTL: 5, DeltaMs: tc.delta, Largest: true}}
			fast := Origin{Label: "Quito", Measured: true, HasRTT: true, Reached: true, MinRTTMs: 100}
			v := &Vantages{Origins: []Origin{slow, fast}, Slowest: 0, Fastest: 1}
			got := strings.Join(v.reasons(&v.Origins[0], &v.Origins[1]), "; ")
			if has := strings.Contains(got, "largest rise"); has != tc.want {
				t.Errorf("reasons %q: says the largest rise %v, want %v", got, has, tc.want)
			}
		})
	}
}
