package enrich

import (
	"strings"
	"testing"
)

// TestPlaceCandidates: an ambiguous spelled-out city gives every namesake of similar size, most populous
// first; an unambiguous name or a code gives its one place; a name without a place gives none.
func TestPlaceCandidates(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string // "City CC" joined by ", "
	}{
		{"ae1.valencia.example.net", "Valencia VE, Valencia ES, Valencia US"},
		{"xe-1.hyderabad.example.net", "Hyderabad IN, Hyderabad PK"},
		{"ae-1.par2.he.net", "Paris FR"},
		{"if-ae-2-2.tcore2.svw-singapore.as6453.net", "Singapore SG"},
		{"lag-10.nenly00z.rbci.orange.net", ""},
		{"", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, h := range PlaceCandidates(tc.name) {
				got = append(got, h.City+" "+h.Country)
				if !h.HasCoords || h.Confidence == "" {
					t.Errorf("candidate %+v lacks coordinates or confidence", h)
				}
			}
			if s := strings.Join(got, ", "); s != tc.want {
				t.Errorf("PlaceCandidates = %q, want %q", s, tc.want)
			}
		})
	}
}
