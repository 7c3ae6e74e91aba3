package netlab

import (
	"net/netip"
	"slices"
)

// edge is one way across a link: from a node to its neighbour, reaching the
// neighbour at addr.
type edge struct {
	to   *nodePlan
	addr netip.Addr
}

// autoRoutes computes shortest-path static routes of one address family: every
// node gets a route to every link subnet and loopback prefix it is not attached
// to, through the neighbours that are one hop closer. Only routers forward, so a
// path never crosses a host; equal-cost neighbours make a multipath route.
func autoRoutes(p *plan, is4 bool) map[*nodePlan][]routePlan {
	adj := map[*nodePlan][]edge{}
	owners := map[netip.Prefix][]*nodePlan{}
	for _, l := range p.links {
		pa, oka := firstOf(l.aAddrs, is4)
		pb, okb := firstOf(l.bAddrs, is4)
		if !oka || !okb {
			continue
		}
		adj[l.a] = append(adj[l.a], edge{to: l.b, addr: pb.Addr()})
		adj[l.b] = append(adj[l.b], edge{to: l.a, addr: pa.Addr()})
		dst := pa.Masked()
		owners[dst] = appendUnique(owners[dst], l.a, l.b)
	}
	for _, n := range p.nodes {
		for _, pf := range n.lo {
			if pf.Addr().Is4() == is4 {
				owners[pf.Masked()] = appendUnique(owners[pf.Masked()], n)
			}
		}
	}
	dsts := make([]netip.Prefix, 0, len(owners))
	for d := range owners {
		dsts = append(dsts, d)
	}
	slices.SortFunc(dsts, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})

	out := map[*nodePlan][]routePlan{}
	for _, dst := range dsts {
		own := owners[dst]
		dist := map[*nodePlan]int{}
		queue := []*nodePlan{}
		for _, o := range own {
			dist[o] = 0
			queue = append(queue, o)
		}
		// Breadth-first search outwards from the owners; a node passes the
		// destination on to its neighbours only if it owns it or forwards.
		for len(queue) > 0 {
			y := queue[0]
			queue = queue[1:]
			if dist[y] > 0 && !y.spec.Router {
				continue
			}
			for _, e := range adj[y] {
				if _, seen := dist[e.to]; !seen {
					dist[e.to] = dist[y] + 1
					queue = append(queue, e.to)
				}
			}
		}
		for _, x := range p.nodes {
			d, ok := dist[x]
			if !ok || d == 0 {
				continue
			}
			var via []netip.Addr
			for _, e := range adj[x] {
				dy, ok := dist[e.to]
				if !ok || dy != d-1 || (dy > 0 && !e.to.spec.Router) {
					continue
				}
				if !slices.Contains(via, e.addr) {
					via = append(via, e.addr)
				}
			}
			slices.SortFunc(via, netip.Addr.Compare)
			if len(via) > 0 {
				out[x] = append(out[x], routePlan{dst: dst, via: via})
			}
		}
	}
	return out
}

func appendUnique(s []*nodePlan, ns ...*nodePlan) []*nodePlan {
	for _, n := range ns {
		if !slices.Contains(s, n) {
			s = append(s, n)
		}
	}
	return s
}
