package explain

import (
	"net/netip"
	"strings"
	"testing"

	"hopscope/internal/enrich"
	"hopscope/internal/explain/explaintest"
)

var (
	tokyo  = enrich.Hint{City: "Tokyo", Country: "JP", Lat: 35.68, Lon: 139.69, HasCoords: true, Confidence: "high"}
	london = enrich.Hint{City: "London", Country: "GB", Lat: 51.51, Lon: -0.13, HasCoords: true, Confidence: "high"}
)

// dbCity is what a database says of an address: a city with coordinates, or only a country.
func dbCity(city, cc string, lat, lon float64) enrich.Info {
	return enrich.Info{City: city, Country: cc, Lat: lat, Lon: lon, HasCoords: city != "", GeoSource: "embedded"}
}

func TestPhysicsRulesOutPlaces(t *testing.T) {
	a := netip.MustParseAddr
	tests := []struct {
		name       string
		target     string
		hops       []string
		infos      map[netip.Addr]enrich.Info
		wantSource string          // the source's label, "" for unknown
		wantBasis  string          // in the source's basis
		wantPlaces map[int]string  // hop TTL → "label/source", "" for unplaced
		wantContra []int           // hops whose place was ruled out
		wantDest   string          // the destination's label/source; "-" for none
		wantText   map[string]bool // phrases the summary must (true) or must not (false) hold
		anycast    *enrich.Anycast // marks the target as listed anycast
	}{
		{
			name:       "a database city 0.9 ms from a source near Tokyo cannot be Sydney",
			hops:       []string{"192.0.2.1/0.9", "192.0.2.2/1.2", "192.0.2.3/120"},
			infos:      map[netip.Addr]enrich.Info{a("192.0.2.1"): {Hint: &tokyo}, a("192.0.2.2"): dbCity("Sydney", "AU", -33.87, 151.21), a("192.0.2.3"): dbCity("Sydney", "AU", -33.87, 151.21)},
			wantSource: "Tokyo, JP", wantBasis: "near Tokyo (within 90 km by RTT)",
			wantPlaces: map[int]string{1: "Tokyo, JP/hostname", 2: "Tokyo, JP/rtt", 3: "Sydney, AU/database"},
			wantContra: []int{2},
		},
		{
			name:       "a database country alone is ruled out too, and a hop too far to say is left unplaced",
			hops:       []string{"192.0.2.1/0.9", "192.0.2.2/9"},
			infos:      map[netip.Addr]enrich.Info{a("192.0.2.1"): {Hint: &tokyo}, a("192.0.2.2"): dbCity("", "AU", 0, 0)},
			wantSource: "Tokyo, JP",
			wantPlaces: map[int]string{2: ""},
			wantContra: []int{2},
		},
		{
			name:       "a hop placed by its name beats a faster one placed by a database city",
			hops:       []string{"192.0.2.1/0.5", "192.0.2.2/1.0"},
			infos:      map[netip.Addr]enrich.Info{a("192.0.2.1"): dbCity("Osaka", "JP", 34.69, 135.50), a("192.0.2.2"): {Hint: &tokyo}},
			wantSource: "Tokyo, JP", wantBasis: "hop 2 (hostname) answers in 1.0 ms",
		},
		{
			name: "a hop slow to answer is bounded by a faster later hop, which the path to it crosses",
			hops: []string{"192.0.2.1/1", "192.0.2.2/15", "192.0.2.3/2"},
			infos: map[netip.Addr]enrich.Info{a("192.0.2.1"): dbCity("", "DE", 0, 0), a("192.0.2.2"): dbCity("Munich", "DE", 48.14, 11.58),
				a("192.0.2.3"): dbCity("Hamburg", "DE", 53.55, 9.99)},
			wantSource: "Munich, DE", wantBasis: "answers in 15 ms and a later hop in 2.0 ms",
			wantPlaces: map[int]string{3: "Hamburg, DE/database"},
		},
		{
			name: "a source borrowed from the first located hop in the country keeps that hop's RTT as its radius",
			hops: []string{"192.0.2.1/1", "192.0.2.2/15", "192.0.2.3/16"},
			infos: map[netip.Addr]enrich.Info{a("192.0.2.1"): dbCity("", "DE", 0, 0), a("192.0.2.2"): dbCity("Munich", "DE", 48.14, 11.58),
				a("192.0.2.3"): dbCity("Hamburg", "DE", 53.55, 9.99)},
			wantSource: "Munich, DE", wantBasis: "the first located hop there",
			wantPlaces: map[int]string{3: "Hamburg, DE/database"},
		},
		{
			name:       "the registry's country for a destination 11 ms from London is likely anycast",
			target:     "203.0.113.9",
			hops:       []string{"192.0.2.1/1", "192.0.2.2/10", "203.0.113.9/11"},
			infos:      map[netip.Addr]enrich.Info{a("192.0.2.2"): {Hint: &london}, a("203.0.113.9"): dbCity("", "AU", 0, 0)},
			wantSource: "London, GB",
			wantContra: []int{3},
			wantDest:   "-",
			wantText:   map[string]bool{"likely anycast": true, "in Australia": false},
		},
		{
			name:       "a listed anycast address is never placed by its registry",
			target:     "203.0.113.9",
			hops:       []string{"192.0.2.1/1", "192.0.2.2/10", "203.0.113.9/30"},
			infos:      map[netip.Addr]enrich.Info{a("192.0.2.2"): {Hint: &london}, a("203.0.113.9"): dbCity("", "US", 0, 0)},
			anycast:    &enrich.Anycast{Operator: "Example", Service: "public DNS resolver", Source: "example.net/anycast"},
			wantSource: "London, GB",
			wantDest:   "-",
			wantText:   map[string]bool{"anycast: Example public DNS resolver": true, "within 4,000 km of the source": true, "in the United States": false},
		},
		{
			name:       "a registry country the RTT rules out from a source known only by its country is likely anycast",
			target:     "203.0.113.9",
			hops:       []string{"192.0.2.1/1", "192.0.2.2/10", "203.0.113.9/19"},
			infos:      map[netip.Addr]enrich.Info{a("192.0.2.1"): dbCity("", "US", 0, 0), a("192.0.2.2"): dbCity("", "US", 0, 0), a("203.0.113.9"): dbCity("", "AT", 0, 0)},
			wantSource: "US",
			wantContra: []int{3},
			wantDest:   "-",
			wantText:   map[string]bool{"likely anycast": true, "in Austria": false},
		},
		{
			name:       "a registry country the RTT allows from a country source is kept",
			target:     "203.0.113.9",
			hops:       []string{"192.0.2.1/1", "192.0.2.2/10", "203.0.113.9/19"},
			infos:      map[netip.Addr]enrich.Info{a("192.0.2.1"): dbCity("", "DE", 0, 0), a("192.0.2.2"): dbCity("", "DE", 0, 0), a("203.0.113.9"): dbCity("", "AT", 0, 0)},
			wantSource: "DE",
			wantText:   map[string]bool{"anycast": false, "in Austria": true},
		},
		{
			name:       "a destination the RTT allows keeps its place",
			target:     "203.0.113.9",
			hops:       []string{"192.0.2.1/1", "192.0.2.2/10", "203.0.113.9/300"},
			infos:      map[netip.Addr]enrich.Info{a("192.0.2.2"): {Hint: &london}, a("203.0.113.9"): dbCity("Sydney", "AU", -33.87, 151.21)},
			wantSource: "London, GB",
			wantDest:   "Sydney, AU/database",
			wantText:   map[string]bool{"anycast": false},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.anycast != nil {
				in := tc.infos[a(tc.target)]
				in.Anycast = tc.anycast
				tc.infos[a(tc.target)] = in
			}
			f := Explain(explaintest.Trace(tc.target, tc.hops...), tc.infos, Options{})
			if got := f.Source.Place.Label(); got != tc.wantSource {
				t.Errorf("source = %q (%s), want %q", got, f.Source.Basis, tc.wantSource)
			}
			if !strings.Contains(f.Source.Basis, tc.wantBasis) {
				t.Errorf("source basis %q lacks %q", f.Source.Basis, tc.wantBasis)
			}
			for ttl, want := range tc.wantPlaces {
				got := placeLabel(f.Hops[ttl-1].Place, "")
				if got != want {
					t.Errorf("hop %d placed %q, want %q", ttl, got, want)
				}
			}
			var contra []int
			for _, c := range f.Contradictions {
				contra = append(contra, c.TTL)
				if !strings.Contains(c.Reference, "source") {
					t.Errorf("contradiction reference %q names no source", c.Reference)
				}
			}
			if itoaList(contra) != itoaList(tc.wantContra) {
				t.Errorf("contradictions at %v, want %v", contra, tc.wantContra)
			}
			if tc.wantDest != "" {
				got := placeLabel(f.Destination.Place, "-")
				if got != tc.wantDest {
					t.Errorf("destination placed %q, want %q", got, tc.wantDest)
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

// itoaList writes TTLs as "2 5".
func itoaList(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = itoa(x)
	}
	return strings.Join(s, " ")
}

// TestEveryPlaceHasConfidence: every place the explanation states carries a source and a confidence.
func TestEveryPlaceHasConfidence(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   enrich.Info
		want string // source/confidence
	}{
		{"database city", dbCity("Osaka", "JP", 34.69, 135.50), "database/medium"},
		{"database country", dbCity("", "JP", 0, 0), "database/low"},
		{"hostname", enrich.Info{Hint: &tokyo}, "hostname/high"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := PlaceOf(tc.in)
			if got := p.Source + "/" + p.Confidence; got != tc.want {
				t.Errorf("place = %s, want %s", got, tc.want)
			}
		})
	}
	f := Explain(explaintest.Trace("203.0.113.9", "192.0.2.1/0.9", "192.0.2.2/1.2", "203.0.113.9/2"), map[netip.Addr]enrich.Info{
		netip.MustParseAddr("192.0.2.1"): {Hint: &tokyo}, netip.MustParseAddr("192.0.2.2"): dbCity("Sydney", "AU", -33.87, 151.21),
		netip.MustParseAddr("203.0.113.9"): dbCity("", "JP", 0, 0)}, Options{})
	for _, p := range []*Place{f.Source.Place, f.Hops[0].Place, f.Hops[1].Place, f.Destination.Place} {
		if p != nil && (p.Source == "" || p.Confidence == "") {
			t.Errorf("place %s has source %q, confidence %q", p.Label(), p.Source, p.Confidence)
		}
	}
}
