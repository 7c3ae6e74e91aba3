package report_test

import (
	"net/netip"
	"strconv"
	"testing"
	"time"

	"hopscope/internal/analysis"
	"hopscope/internal/explain"
	"hopscope/internal/explain/explaintest"
	"hopscope/internal/inventory"
	"hopscope/internal/path"
	"hopscope/internal/report"
)

// pathWork runs f and returns the probes, responders and hops path's methods looked at meanwhile
// (path.WorkHook): the work that grows when a stage calls a per-address method once per responder.
func pathWork(t *testing.T, f func()) int {
	t.Helper()
	n := 0
	path.WorkHook = func(k int) { n += k }
	defer func() { path.WorkHook = nil }()
	f()
	return n
}

// aggregateWideTrace is WideTrace's shape from a source that gives aggregates only (mtr): the middle
// hop's n responders carry Stats and no probes.
func aggregateWideTrace(n int) *path.Trace {
	t := explaintest.WideTrace(1)
	h := &t.Hops[1]
	h.Probes, h.Responders = nil, make([]path.Responder, 0, n)
	for i := range n {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		h.Responders = append(h.Responders, path.Responder{Addr: a, Name: "r" + strconv.Itoa(i) + ".test",
			Stats: &path.Stats{Sent: 10, Received: 9, Best: time.Millisecond, Avg: 2 * time.Millisecond, Worst: 3 * time.Millisecond}})
	}
	return t
}

// ownWideTrace is WideTrace as hopscope measured it, with a late reply and an MPLS label for every
// responder, so the report's per-responder late RTTs and labels are built too.
func ownWideTrace(n int) *path.Trace {
	t := explaintest.WideTrace(n)
	t.Source = "hopscope"
	h := &t.Hops[1]
	for i := range n {
		p := &h.Probes[2*i+1]
		p.Late = true
		h.Probes[2*i].MPLS = []path.MPLSLabel{{Label: uint32(16000 + i), S: true, TTL: 1}}
	}
	return t
}

// TestBuildPathWorkIsLinear pins, without timing anything, that building the report of a hop with n
// responders (buildHop) and of a path of n hops costs work linear in n: ten times the input may cost at
// most maxRatio times the work path's methods do. A report that summarised each responder by a scan
// of the hop's probes (issue 16, finding 2: 200,000 responders on one hop) gives a ratio near 100.
// Explain runs outside the count in the BuildPath cases and inside it in the analysis cases.
func TestBuildPathWorkIsLinear(t *testing.T) {
	const n, maxRatio = 2_000, 13
	tests := []struct {
		name  string
		trace func(n int) *path.Trace
		whole bool // analysis.Path (enrich, explain, report) instead of BuildPath alone
	}{
		{"BuildPath, one hop of n responders", explaintest.WideTrace, false},
		{"BuildPath, one hop of n aggregate-only responders", aggregateWideTrace, false},
		{"BuildPath, one hop of n responders measured by hopscope, late replies and MPLS", ownWideTrace, false},
		{"BuildPath, n hops", explaintest.LongTrace, false},
		{"analysis.Path, one hop of n responders", explaintest.WideTrace, true},
		{"analysis.Path, one hop of n aggregate-only responders", aggregateWideTrace, true},
		{"analysis.Path, n hops", explaintest.LongTrace, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			measure := func(n int) int {
				tr := tc.trace(n)
				infos := explaintest.InfosFor(tr)
				var p *report.Path
				var w int
				if tc.whole {
					w = pathWork(t, func() { p = analysis.Path(tr, infos, analysis.Options{}) })
				} else {
					f := explain.Explain(tr, infos, explain.Options{})
					w = pathWork(t, func() { p = report.BuildPath(tr, infos, f) })
				}
				rs := 0
				for _, h := range p.Hops {
					rs += len(h.Responders)
				}
				if len(p.Hops) != len(tr.Hops) || rs < n*9/10 { // LongTrace leaves every tenth hop silent
					t.Fatalf("%d hops and %d responders in the report, want %d and at least %d", len(p.Hops), rs, len(tr.Hops), n*9/10)
				}
				return w
			}
			small, large := measure(n), measure(10*n)
			ratio := float64(large) / float64(max(small, 1))
			t.Logf("work for %d: %d, for %d: %d, ratio %.1f", n, small, 10*n, large, ratio)
			if small == 0 {
				t.Fatal("no work counted: the report reads the hop without path's methods, so this test sees nothing")
			}
			if ratio > maxRatio {
				t.Errorf("ten times the input cost %.1f times the work (at most %d for linear work)", ratio, maxRatio)
			}
		})
	}
}

// benchInventory makes an inventory of flows flows spread evenly over hosts host names (under
// hosts/10+1 registrable domains), each host with its own server address: the shape of a long proxy
// session or capture.
func benchInventory(flows, hosts int) *inventory.Inventory {
	t0 := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)
	inv := &inventory.Inventory{Source: "proxy", Origin: "bench", Flows: make([]inventory.Flow, 0, flows)}
	for i := range flows {
		h := i % hosts
		inv.Flows = append(inv.Flows, inventory.Flow{ID: strconv.Itoa(i),
			Host:     "h" + strconv.Itoa(h) + ".d" + strconv.Itoa(h/10) + ".example",
			Server:   netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(h >> 16), byte(h >> 8), byte(h)}), 443),
			Protocol: "tls", Start: t0.Add(time.Duration(i) * time.Millisecond), Duration: time.Second,
			BytesUp: 500, BytesDown: int64(1000 + i%5000)})
	}
	return inv
}

// BenchmarkDomainsScale summarises an inventory and builds its report section (inventory.Summarize and
// NewDomains, what `domains` does before rendering) at ten times the worst real case of each dimension
// (issue 16): a day of a browser through the proxy is about 20,000 flows to 2,000 host names, so
// 200,000 flows to 200 hosts (flows) and 200,000 flows to 20,000 hosts (hosts), with 2,000 hosts
// between them to show how the work grows with hosts.
func BenchmarkDomainsScale(b *testing.B) {
	shapes := []struct {
		name         string
		flows, hosts int
	}{
		{"flows=200000/hosts=200", 200_000, 200},
		{"flows=200000/hosts=2000", 200_000, 2_000},
		{"flows=200000/hosts=20000", 200_000, 20_000},
	}
	for _, sh := range shapes {
		b.Run(sh.name, func(b *testing.B) {
			inv := benchInventory(sh.flows, sh.hosts)
			b.ReportAllocs()
			for b.Loop() {
				d := report.NewDomains(inventory.Summarize(inv, inventory.DefaultRules()), nil, nil)
				n := 0
				for _, dom := range d.Domains {
					n += len(dom.Hosts)
				}
				if n != sh.hosts {
					b.Fatalf("%d hosts, want %d", n, sh.hosts)
				}
			}
		})
	}
}
