package explain

import (
	"net/netip"
	"strings"
	"testing"

	"hopscope/internal/enrich"
	"hopscope/internal/explain/explaintest"
)

// TestHopBound: two hops answering in t1 and t2 ms are within (t1 + t2) × 100 km of each other, known
// source or not; a place that breaks that against a hop placed by stronger evidence is not stated.
func TestHopBound(t *testing.T) {
	a := netip.MustParseAddr
	frankfurt := enrich.Hint{City: "Frankfurt", Country: "DE", Lat: 50.11, Lon: 8.68, HasCoords: true, Confidence: "high"}
	tests := []struct {
		name       string
		target     string
		hops       []string
		infos      map[netip.Addr]enrich.Info
		wantPlaces map[int]string // hop TTL → "label/source", "" for unplaced
		wantContra []int
		wantDest   string          // the destination's label/source; "-" for none; "" to skip
		wantText   map[string]bool // phrases the summary must (true) or must not (false) hold
	}{
		{
			name:       "a registry country 1 ms from a hop named in Tokyo is dropped though the source is unknown",
			hops:       []string{"192.0.2.1/1", "192.0.2.2/20", "192.0.2.3/21"},
			infos:      map[netip.Addr]enrich.Info{a("192.0.2.2"): {Hint: &tokyo}, a("192.0.2.3"): dbCity("", "BR", 0, 0)},
			wantPlaces: map[int]string{2: "Tokyo, JP/hostname", 3: ""},
			wantContra: []int{3},
		},
		{
			name: "a small bound places the hop near the stronger one",
			hops: []string{"192.0.2.1/0.4", "192.0.2.2/0.9"},
			infos: map[netip.Addr]enrich.Info{a("192.0.2.1"): dbCity("Sydney", "AU", -33.87, 151.21),
				a("192.0.2.2"): {Hint: &tokyo}},
			wantPlaces: map[int]string{1: "Tokyo, JP/rtt", 2: "Tokyo, JP/hostname"},
			wantContra: []int{1},
		},
		{
			name: "the stronger place stands whichever comes first",
			hops: []string{"192.0.2.1/30", "192.0.2.2/31"},
			infos: map[netip.Addr]enrich.Info{a("192.0.2.1"): {Hint: &tokyo},
				a("192.0.2.2"): dbCity("London", "GB", 51.51, -0.13)},
			wantPlaces: map[int]string{1: "Tokyo, JP/hostname", 2: ""},
			wantContra: []int{2},
		},
		{
			// RIPE Atlas measurement 1000157, probe 426: Hurricane Electric's hops (registered in the US)
			// and Arelion's (registered in Sweden) all answer in ~2.9 ms, so they are within ~600 km of
			// each other; nothing says which registry is right, so neither country is stated.
			name: "two registry countries tied by the bound are both dropped",
			hops: []string{"192.0.2.1/2.895", "192.0.2.2/7.6", "192.0.2.3/6.0", "192.0.2.4/2.901", "192.0.2.5/2.9", "192.0.2.6/2.888"},
			infos: map[netip.Addr]enrich.Info{a("192.0.2.1"): dbCity("", "US", 0, 0), a("192.0.2.2"): dbCity("", "US", 0, 0),
				a("192.0.2.3"): dbCity("", "US", 0, 0), a("192.0.2.4"): dbCity("", "SE", 0, 0),
				a("192.0.2.5"): dbCity("", "SE", 0, 0), a("192.0.2.6"): dbCity("", "SE", 0, 0)},
			wantPlaces: map[int]string{1: "", 2: "", 3: "", 4: "", 5: "", 6: ""},
			wantContra: []int{1, 2, 3, 4, 5, 6},
			wantText:   map[string]bool{"run from somewhere in": false},
		},
		{
			name: "places the RTTs allow are all kept",
			hops: []string{"192.0.2.1/1", "192.0.2.2/120", "192.0.2.3/121"},
			infos: map[netip.Addr]enrich.Info{a("192.0.2.1"): {Hint: &london}, a("192.0.2.2"): {Hint: &tokyo},
				a("192.0.2.3"): dbCity("", "JP", 0, 0)},
			wantPlaces: map[int]string{1: "London, GB/hostname", 2: "Tokyo, JP/hostname", 3: "JP/database"},
		},
		{
			name: "of two equal places the one that breaks the bound with more hops goes",
			hops: []string{"192.0.2.1/2", "192.0.2.2/3", "192.0.2.3/4"},
			infos: map[netip.Addr]enrich.Info{a("192.0.2.1"): dbCity("Osaka", "JP", 34.69, 135.50),
				a("192.0.2.2"): dbCity("Sydney", "AU", -33.87, 151.21), a("192.0.2.3"): dbCity("Tokyo", "JP", 35.68, 139.69)},
			wantPlaces: map[int]string{1: "Osaka, JP/database", 2: "", 3: "Tokyo, JP/database"},
			wantContra: []int{2},
		},
		{
			name:       "the bound uses the RTT of the responder the place is of, not a faster one beside it",
			hops:       []string{"192.0.2.1/1", "192.0.2.2/1 192.0.2.3/60"},
			infos:      map[netip.Addr]enrich.Info{a("192.0.2.1"): {Hint: &london}, a("192.0.2.3"): {Hint: &frankfurt}},
			wantPlaces: map[int]string{1: "London, GB/hostname", 2: "Frankfurt, DE/hostname"},
		},
		{
			name:   "a destination's registry country 1 ms from a hop named in Frankfurt is not stated",
			target: "203.0.113.9",
			hops:   []string{"192.0.2.1/9", "192.0.2.2/10", "203.0.113.9/10.5"},
			infos: map[netip.Addr]enrich.Info{a("192.0.2.1"): dbCity("", "DE", 0, 0), a("192.0.2.2"): {Hint: &frankfurt},
				a("203.0.113.9"): dbCity("", "US", 0, 0)},
			wantContra: []int{3},
			wantDest:   "-",
			wantText:   map[string]bool{"in the United States": false},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Explain(explaintest.Trace(tc.target, tc.hops...), tc.infos, Options{})
			everyPlaceSourced(t, f)
			for ttl, want := range tc.wantPlaces {
				got := placeLabel(f.Hops[ttl-1].Place, "")
				if got != want {
					t.Errorf("hop %d placed %q, want %q", ttl, got, want)
				}
			}
			var contra []int
			for _, c := range f.Contradictions {
				contra = append(contra, c.TTL)
				if !strings.Contains(c.Reference, "hop ") {
					t.Errorf("contradiction reference %q names no hop", c.Reference)
				}
			}
			if itoaList(contra) != itoaList(tc.wantContra) {
				t.Errorf("contradictions at %v, want %v", contra, tc.wantContra)
			}
			if tc.wantDest != "" {
				got := placeLabel(f.Destination.Place, "-")
				if got != tc.wantDest {
					t.Errorf("destination placed %q (%s), want %q", got, f.Destination.PlaceBasis, tc.wantDest)
				}
			}
			for phrase, want := range tc.wantText {
				if strings.Contains(f.Summary, phrase) != want {
					t.Errorf("summary holds %q: %v, want %v: %s", phrase, !want, want, f.Summary)
				}
			}
		})
	}
}

// placeLabel is a place as "label/source" for comparing with a test's want, or none when nil.
func placeLabel(p *Place, none string) string {
	if p == nil {
		return none
	}
	return p.Label() + "/" + p.Source
}
