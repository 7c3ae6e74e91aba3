package explain

import (
	"net/netip"
	"testing"

	"hopscope/internal/enrich"
	"hopscope/internal/explain/explaintest"
)

// TestDropStrandedRegistry: a hop registered at home (Germany) but answering with a foreign hop's RTT
// (Paris, by name) after a long link is not placed at home, though light cannot rule Germany out;
// without the rise, or without the foreign hop at its RTT, it is.
func TestDropStrandedRegistry(t *testing.T) {
	a := netip.MustParseAddr
	for _, tc := range []struct {
		name string
		hops []string
		want string // hop 3's place, "" for none
	}{
		{"far end of a long link", []string{"192.0.2.1/1", "192.0.2.2/2", "192.0.2.3/27", "192.0.2.4/27"}, ""},
		{"no rise from home", []string{"192.0.2.1/1", "192.0.2.2/2", "192.0.2.3/5", "192.0.2.4/6"}, "DE"},
		{"the foreign hop much slower", []string{"192.0.2.1/1", "192.0.2.2/2", "192.0.2.3/27", "192.0.2.4/60"}, "DE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			infos := map[netip.Addr]enrich.Info{
				a("192.0.2.1"): dbCity("", "DE", 0, 0), a("192.0.2.2"): dbCity("", "DE", 0, 0),
				a("192.0.2.3"): dbCity("", "DE", 0, 0), a("192.0.2.4"): {Hint: &explaintest.Paris},
			}
			f := Explain(explaintest.Trace("198.51.100.9", tc.hops...), infos, Options{})
			got := ""
			if p := f.Hops[2].Place; p != nil {
				got = p.Country
			}
			if got != tc.want {
				t.Errorf("hop 3 placed in %q, want %q", got, tc.want)
			}
		})
	}
}
