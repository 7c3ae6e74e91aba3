package report

import (
	"net/netip"
	"strings"
	"testing"

	"hopscope/internal/explain"
	"hopscope/internal/explain/explaintest"
	"hopscope/internal/path"
)

func build(t *testing.T, tr *path.Trace) *Path {
	t.Helper()
	infos := explaintest.SeedInfos()
	return BuildPath(tr, infos, explain.Explain(tr, infos, explain.Options{}))
}

func TestComparePaths(t *testing.T) {
	seedAt := func(addr string) *Path {
		tr := explaintest.SeedTrace()
		tr.Target.Addr = netip.MustParseAddr(addr)
		return build(t, tr)
	}
	near := explaintest.Trace("80.10.253.29", "192.168.1.1/1.0", "80.10.253.29/4.0 80.10.253.29/4.1")
	tests := []struct {
		name  string
		paths []*Path
		want  []string
		part  int
	}{
		{"one path is no comparison", []*Path{seedAt("101.33.110.25")}, nil, -1},
		{"same route to two addresses", []*Path{seedAt("101.33.110.25"), seedAt("101.33.110.26")},
			[]string{"identical", "AS132203", "little difference"}, 0},
		{"a far and a near address", []*Path{seedAt("101.33.110.25"), build(t, near)},
			[]string{"share hops 1–2 and part at hop 3", "destinations differ", "matters", "80.10.253.29 is the fastest"}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ComparePaths(tc.paths)
			if tc.part < 0 {
				if c != nil {
					t.Fatalf("got %+v for one path", c)
				}
				return
			}
			if c == nil {
				t.Fatal("no comparison")
			}
			if c.PartAt != tc.part {
				t.Errorf("part at %d, want %d (%s)", c.PartAt, tc.part, c.Text)
			}
			for _, w := range tc.want {
				if !strings.Contains(c.Text, w) {
					t.Errorf("text %q lacks %q", c.Text, w)
				}
			}
		})
	}
}

func TestEndRTT(t *testing.T) {
	seed := build(t, explaintest.SeedTrace()) // silent destination: hop 14 is the last to answer (306.0 ms)
	reached := build(t, explaintest.Trace("80.10.253.29", "192.168.1.1/1.0", "80.10.253.29/4.0 80.10.253.29/4.1"))
	silent := build(t, explaintest.Trace("80.10.253.29", "* *", "* *"))
	tests := []struct {
		name string
		p    *Path
		ms   float64
		ok   bool
	}{
		{"destination answered", reached, 4.0, true},
		{"last responding hop", seed, 306.029, true},
		{"nothing answered", silent, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, ok := tc.p.EndRTT()
			if ok != tc.ok || (ok && (ms < tc.ms-0.01 || ms > tc.ms+0.01)) {
				t.Errorf("EndRTT = %v, %v; want %v, %v", ms, ok, tc.ms, tc.ok)
			}
		})
	}
}
