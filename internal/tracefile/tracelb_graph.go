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
}

type mpKey struct {
	ttl      int
	from, to netip.Addr
}

// newMPGraph starts a graph, reading the flow of every answered probe of t.
func newMPGraph(t *path.Trace) *mpGraph {
	g := &mpGraph{links: map[mpKey]*path.Link{}, flows: map[int]map[int]netip.Addr{}}
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
	return g
}

// flowsBetween counts the flows that reached a at TTL ta and b at TTL tb.
func (g *mpGraph) flowsBetween(a netip.Addr, ta int, b netip.Addr, tb int) int {
	n := 0
	for f, x := range g.flows[ta] {
		if x == a && g.flows[tb][f] == b {
			n++
		}
	}
	return n
}

// seen reports whether some flow of the input reached a at TTL ttl.
func (g *mpGraph) seen(a netip.Addr, ttl int) bool { return g.flowsAt(a, ttl) > 0 }

// flowsAt counts the flows that reached a at TTL ttl.
func (g *mpGraph) flowsAt(a netip.Addr, ttl int) int {
	n := 0
	for _, x := range g.flows[ttl] {
		if x == a {
			n++
		}
	}
	return n
}

// connect links the interfaces from (at TTL fttl) to those of to (at TTL tttl > fttl, the TTLs in
// between silent). It returns the interfaces of to that no link could be given (both sides held
// several interfaces and no flow crossed to them).
func (g *mpGraph) connect(from []netip.Addr, fttl int, to []netip.Addr, tttl int) (unlinked []netip.Addr) {
	if len(from) == 0 || len(to) == 0 || tttl <= fttl {
		return nil
	}
	exact := len(from) == 1 || len(to) == 1
	for _, b := range to {
		linked := false
		for _, a := range from {
			n := g.flowsBetween(a, fttl, b, tttl)
			if n == 0 && len(from) == 1 && !g.seen(a, fttl) {
				// The one interface before, whose own probes are not in the input (scamper's first
				// node): every flow that reached b came through it.
				n = g.flowsAt(b, tttl)
			}
			if !exact && n == 0 {
				continue
			}
			g.add(path.Link{TTL: fttl, From: a, To: b, Gap: tttl - fttl - 1, Flows: n})
			linked = true
		}
		if !linked {
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
