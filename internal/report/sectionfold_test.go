package report

import (
	"slices"
	"testing"
)

func TestFarSideLines(t *testing.T) {
	sydney := &Place{Label: "Sydney, AU"}
	la := &Place{Label: "Los Angeles, US"}
	ams := &Place{Label: "Amsterdam, NL"}
	sg := &Place{Label: "Singapore, SG"}
	tests := []struct {
		name string
		in   []FarSide
		want []string
		n    int
	}{
		{"none", nil, nil, 0},
		{"one stays a sentence of its own", []FarSide{{TTL: 9, Place: sydney, MinMs: 240, FarTTL: 13, FarPlace: sg, DistanceKm: 6300}},
			[]string{"hop 9 (Sydney, AU) already answers in 240.0 ms, like hop 13 (Singapore, SG, 6,300 km away): its reply most likely returns through the far end (MPLS tunnel)"}, 0},
		{"hops like one far hop fold into one line", []FarSide{
			{TTL: 7, Place: sydney, MinMs: 295, FarTTL: 21, FarPlace: ams, DistanceKm: 16647},
			{TTL: 8, Place: la, MinMs: 303, FarTTL: 21, FarPlace: ams, DistanceKm: 8958},
			{TTL: 11, Place: la, MinMs: 294, FarTTL: 21, FarPlace: ams, DistanceKm: 8958}},
			[]string{"hops 7–8, 11 (Sydney, AU; Los Angeles, US) already answer in 294.0–303.0 ms, like hop 21 (Amsterdam, NL, 8,958–16,647 km away): their replies most likely return through the far end (MPLS tunnel)"}, 0},
		{"different far hops stay apart", []FarSide{
			{TTL: 9, Place: sydney, MinMs: 240, FarTTL: 13, FarPlace: sg, DistanceKm: 6300},
			{TTL: 14, Place: la, MinMs: 300, FarTTL: 21, FarPlace: ams, DistanceKm: 8958}}, nil, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := farSideLines(tc.in)
			if tc.want != nil && !slices.Equal(got, tc.want) {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
			if tc.n > 0 && len(got) != tc.n {
				t.Errorf("got %d lines, want %d: %q", len(got), tc.n, got)
			}
			if tc.in == nil && len(got) != 0 {
				t.Errorf("got %q for none", got)
			}
		})
	}
}
