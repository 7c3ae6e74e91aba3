package tracefile

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	"hopscope/internal/path"
)

// mpGraph gathers the links of a multipath trace (scamper tracelb) as its importer reads them: which
// interface at one TTL led to which at a later one. Where one side of a step is a single interface,
// every interface of the other side is linked to it; where both sides hold several, only the pairs a
// probe flow crossed are linked (the flow that reached a at TTL t reached b at TTL t+1), since
// scamper's output does not otherwise say which leads to which.
type mpGraph struct {
	links map[mpKey]*path.Link
	// flows maps TTL → flow ID → the interface that flow reached there (from the trace's probes).
	flows map[int]map[int]netip.Addr
	// byAddr maps TTL → interface → the flows that reached it there: flows turned around, so that
	// counting an interface's flows costs its own flows, not every flow at the TTL.
	byAddr map[int]map[netip.Addr][]int
	// reached caches flowsFrom, whose result the links of a wide hop ask for once per interface.
	reached map[reachKey]map[netip.Addr]int
}

// reachKey names the flows that reached interface a at TTL ta, followed to TTL tb.
type reachKey struct {
	a      netip.Addr
	ta, tb int
}

type mpKey struct {
	ttl      int
	from, to netip.Addr
}

// newMPGraph starts a graph, reading the flow of every answered probe of t.
func newMPGraph(t *path.Trace) *mpGraph {
	g := &mpGraph{links: map[mpKey]*path.Link{}, flows: map[int]map[int]netip.Addr{},
		byAddr: map[int]map[netip.Addr][]int{}, reached: map[reachKey]map[netip.Addr]int{}}
	for _, h := range t.Hops {
		for _, p := range h.Probes {
			if p.FlowID == 0 || !p.From.IsValid() {
				continue
			}
			m := g.flows[h.TTL]
			if m == nil {
				m = map[int]netip.Addr{}
				g.flows[h.TTL] = m
			}
			m[p.FlowID] = p.From
		}
	}
	for ttl, m := range g.flows {
		work(len(m))
		at := map[netip.Addr][]int{}
		for f, a := range m {
			at[a] = append(at[a], f)
		}
		g.byAddr[ttl] = at
	}
	return g
}

// flowsFrom counts, for each interface at TTL tb, the flows that reached a at TTL ta and it at tb
// (flowsFrom(a, ta, tb)[b] flows between a and b). The result is shared: callers do not change it.
func (g *mpGraph) flowsFrom(a netip.Addr, ta, tb int) map[netip.Addr]int {
	k := reachKey{a, ta, tb}
	if m, ok := g.reached[k]; ok {
		work(1)
		return m
	}
	fs := g.byAddr[ta][a]
	work(len(fs) + 1)
	m := make(map[netip.Addr]int, len(fs))
	for _, f := range fs {
		if b, ok := g.flows[tb][f]; ok {
			m[b]++
		}
	}
	g.reached[k] = m
	return m
}

// seen reports whether some flow of the input reached a at TTL ttl.
func (g *mpGraph) seen(a netip.Addr, ttl int) bool { return g.flowsAt(a, ttl) > 0 }

// flowsAt counts the flows that reached a at TTL ttl.
func (g *mpGraph) flowsAt(a netip.Addr, ttl int) int {
	work(1)
	return len(g.byAddr[ttl][a])
}

// connect links the interfaces from (at TTL fttl) to those of to (at TTL tttl > fttl, the TTLs in
// between silent). It returns the interfaces of to that no link could be given (both sides held
// several interfaces and no flow crossed to them).
func (g *mpGraph) connect(from []netip.Addr, fttl int, to []netip.Addr, tttl int) (unlinked []netip.Addr) {
	if len(from) == 0 || len(to) == 0 || tttl <= fttl {
		return nil
	}
	gap := tttl - fttl - 1
	if len(from) == 1 || len(to) == 1 {
		// Every pair is linked (there are len(from)+len(to)-1 of them), with the flows that crossed.
		for _, b := range to {
			for _, a := range from {
				n := g.flowsFrom(a, fttl, tttl)[b]
				if n == 0 && len(from) == 1 && !g.seen(a, fttl) {
					// The one interface before, whose own probes are not in the input (scamper's first
					// node): every flow that reached b came through it.
					n = g.flowsAt(b, tttl)
				}
				g.add(path.Link{TTL: fttl, From: a, To: b, Gap: gap, Flows: n})
			}
		}
		return nil
	}
	// Several on both sides: only the pairs a flow crossed, found from each a's flows rather than
	// by trying every pair.
	work(len(to))
	wanted := make(map[netip.Addr]bool, len(to))
	for _, b := range to {
		wanted[b] = true
	}
	linked := map[netip.Addr]bool{}
	for _, a := range from {
		for b, n := range g.flowsFrom(a, fttl, tttl) {
			work(1)
			if wanted[b] {
				g.add(path.Link{TTL: fttl, From: a, To: b, Gap: gap, Flows: n})
				linked[b] = true
			}
		}
	}
	for _, b := range to {
		if !linked[b] {
			unlinked = append(unlinked, b)
		}
	}
	return unlinked
}

// add records l, keeping the larger flow count when the same link is seen twice.
func (g *mpGraph) add(l path.Link) {
	if !l.From.IsValid() || !l.To.IsValid() || l.From == l.To {
		return
	}
	k := mpKey{l.TTL, l.From, l.To}
	if old := g.links[k]; old != nil {
		old.Flows = max(old.Flows, l.Flows)
		return
	}
	g.links[k] = &l
}

// sorted returns the links in TTL order, then by address.
func (g *mpGraph) sorted() []path.Link {
	out := make([]path.Link, 0, len(g.links))
	for _, l := range g.links {
		out = append(out, *l)
	}
	slices.SortFunc(out, func(a, b path.Link) int {
		return cmp.Or(cmp.Compare(a.TTL, b.TTL), a.From.Compare(b.From), a.To.Compare(b.To))
	})
	return out
}

// distinctFlows counts the flow IDs of a trace's probes.
func (g *mpGraph) distinctFlows() int {
	seen := map[int]bool{}
	for _, m := range g.flows {
		for f := range m {
			seen[f] = true
		}
	}
	return len(seen)
}

// answeredLinks keeps the links whose two ends answered at their TTLs (responders of those hops): an
// input can name an interface its probes never heard from (a node whose probes have no reply), and a
// link to it would point at nothing in the trace. A warning says how many were left out.
func answeredLinks(t *path.Trace, links []path.Link) []path.Link {
	answered := func(a netip.Addr, ttl int) bool {
		h := t.Hop(ttl)
		return h != nil && h.Responder(a) != nil
	}
	out := links[:0]
	for _, l := range links {
		if answered(l.From, l.TTL) && answered(l.To, l.TTL+1+l.Gap) {
			out = append(out, l)
		}
	}
	if n := len(links) - len(out); n > 0 {
		t.Warnings = append(t.Warnings, fmt.Sprintf("%d links left out: an end of each never answered at its hop", n))
	}
	return out
}
