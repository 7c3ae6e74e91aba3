package explain

import (
	"net/netip"
	"testing"

	"hopscope/internal/enrich"
	"hopscope/internal/explain/explaintest"
)

// TestPlaceFromNames: a name whose code alone is too ambiguous to state (enrich keeps it only when the
// database's country agrees) is stated when the trace's RTTs decide: the database's place was ruled
// out, or there is none and a neighbour is in the name's country; never when the name's place itself
// breaks a bound.
func TestPlaceFromNames(t *testing.T) {
	a := netip.MustParseAddr
	us, se := dbCity("", "US", 0, 0), dbCity("", "SE", 0, 0)
	madrid := enrich.Hint{City: "Madrid", Country: "ES", Lat: 40.42, Lon: -3.70, HasCoords: true, Confidence: "high"}
	tests := []struct {
		name  string
		hops  []string
		infos map[netip.Addr]enrich.Info
		want  map[int]string // hop TTL → "label/source", "" for unplaced
	}{
		{
			name:  "a registry country the RTT rules out gives way to the name's code",
			hops:  []string{"192.0.2.1/0.2", "192.0.2.2=phx-b5-link.ip.twelve99.net/1.4", "192.0.2.3=lax-b22-link.ip.twelve99.net/9.6"},
			infos: map[netip.Addr]enrich.Info{a("192.0.2.1"): us, a("192.0.2.2"): se, a("192.0.2.3"): se},
			want:  map[int]string{1: "US/database", 2: "Phoenix, US/hostname", 3: "Los Angeles, US/hostname"},
		},
		{
			name:  "a registry country the RTT allows is kept over an ambiguous code",
			hops:  []string{"192.0.2.1/0.2", "192.0.2.2=phx-b5-link.ip.twelve99.net/140"},
			infos: map[netip.Addr]enrich.Info{a("192.0.2.1"): us, a("192.0.2.2"): se},
			want:  map[int]string{2: "SE/database"},
		},
		{
			name:  "a code whose place breaks the bound is not stated",
			hops:  []string{"192.0.2.1=r1.ldn.example.net/0.2", "192.0.2.2=syd-b1-link.ip.twelve99.net/1.0"},
			infos: map[netip.Addr]enrich.Info{a("192.0.2.1"): {Hint: &london}, a("192.0.2.2"): se},
			want:  map[int]string{1: "London, GB/hostname", 2: "London, GB/rtt"},
		},
		{
			name:  "a hop with no place takes its name's code when a neighbour is in that country",
			hops:  []string{"192.0.2.1/0.2", "192.0.2.2=phx-b5-link.example.net/1.4", "192.0.2.3/2"},
			infos: map[netip.Addr]enrich.Info{a("192.0.2.1"): us, a("192.0.2.3"): us},
			want:  map[int]string{2: "Phoenix, US/hostname"},
		},
		{
			name:  "of a city's namesakes the RTT leaves only one: Valencia beside a hop named in Madrid is in Spain",
			hops:  []string{"192.0.2.1/1", "192.0.2.2=ae1.valencia.example.net/5", "192.0.2.3/6"},
			infos: map[netip.Addr]enrich.Info{a("192.0.2.1"): {Hint: &madrid}, a("192.0.2.3"): dbCity("", "ES", 0, 0)},
			want:  map[int]string{2: "Valencia, ES/hostname"},
		},
		{
			name:  "namesakes the RTT cannot tell apart are not stated",
			hops:  []string{"192.0.2.1/1", "192.0.2.2=ae1.valencia.example.net/100"},
			infos: map[netip.Addr]enrich.Info{a("192.0.2.1"): {Hint: &madrid}, a("192.0.2.2"): dbCity("", "NZ", 0, 0)},
			want:  map[int]string{2: ""},
		},
		{
			name:  "a hop with no place and no neighbour in the name's country stays unplaced",
			hops:  []string{"192.0.2.1/0.2", "192.0.2.2=phx-b5-link.example.net/1.4", "192.0.2.3/2"},
			infos: map[netip.Addr]enrich.Info{a("192.0.2.1"): dbCity("", "CA", 0, 0), a("192.0.2.3"): dbCity("", "CA", 0, 0)},
			want:  map[int]string{2: ""},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Explain(explaintest.Trace("", tc.hops...), tc.infos, Options{})
			everyPlaceSourced(t, f)
			for ttl, want := range tc.want {
				got := placeLabel(f.Hops[ttl-1].Place, "")
				if got != want {
					t.Errorf("hop %d placed %q, want %q", ttl, got, want)
				}
			}
		})
	}
}

// TestPlaceBetween: a hop whose only place is a registry country, between located hops that agree on
// another country (one of them placed by more than a registry), is stated in theirs, as an inference.
func TestPlaceBetween(t *testing.T) {
	a := netip.MustParseAddr
	la := enrich.Hint{City: "Los Angeles", Country: "US", Lat: 34.05, Lon: -118.24, HasCoords: true, Confidence: "medium"}
	hk, us := dbCity("", "HK", 0, 0), dbCity("", "US", 0, 0)
	tests := []struct {
		name  string
		hops  []string
		infos map[netip.Addr]enrich.Info
		want  string // hop 2's "label/source"
	}{
		{"a registry country between a named hop and a registry hop of another country", []string{"192.0.2.1/197", "192.0.2.2/210", "192.0.2.3/181"},
			map[netip.Addr]enrich.Info{a("192.0.2.1"): {Hint: &la}, a("192.0.2.2"): hk, a("192.0.2.3"): us}, "US/inferred"},
		{"both sides only registries: nothing stronger to go by", []string{"192.0.2.1/197", "192.0.2.2/210", "192.0.2.3/181"},
			map[netip.Addr]enrich.Info{a("192.0.2.1"): us, a("192.0.2.2"): hk, a("192.0.2.3"): us}, "HK/database"},
		{"the sides disagree", []string{"192.0.2.1/197", "192.0.2.2/210", "192.0.2.3/181"},
			map[netip.Addr]enrich.Info{a("192.0.2.1"): {Hint: &la}, a("192.0.2.2"): hk, a("192.0.2.3"): dbCity("", "JP", 0, 0)}, "HK/database"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Explain(explaintest.Trace("", tc.hops...), tc.infos, Options{})
			everyPlaceSourced(t, f)
			got := placeLabel(f.Hops[1].Place, "")
			if got != tc.want {
				t.Errorf("hop 2 placed %q, want %q", got, tc.want)
			}
		})
	}
}

// everyPlaceSourced fails t when a stated hop place lacks its source or confidence.
func everyPlaceSourced(t *testing.T, f Findings) {
	t.Helper()
	for _, h := range f.Hops {
		if p := h.Place; p != nil && (p.Source == "" || p.Confidence == "") {
			t.Errorf("hop %d place %s has source %q, confidence %q", h.TTL, p.Label(), p.Source, p.Confidence)
		}
	}
}
