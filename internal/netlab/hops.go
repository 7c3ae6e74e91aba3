package netlab

import (
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Hop is what a traceroute from one node to another should find at one TTL
// of a lab, derived from its Spec.
type Hop struct {
	// TTL is the hop number, 1 for the first router.
	TTL int
	// Responders are the nodes at this distance on a shortest path, sorted by
	// name: one, or several where multipath routes split the path.
	Responders []Responder
}

// Responder is one node that a probe with a given TTL reaches.
type Responder struct {
	// Node is the node's name.
	Node string
	// Addr4 and Addr6 are the addresses its ICMP errors come from: its
	// interface on the link back toward the source. They are invalid when the
	// link has no address of that family. When several links lead back
	// (multipath back to the source), the kernel picks one per reply by hash and
	// this is the lowest-numbered one. For the destination hop the reply comes
	// from the probed address instead.
	Addr4, Addr6 netip.Addr
	// Name4 and Name6 are the PTR names of Addr4 and Addr6 (Node.Names), "" when none.
	Name4, Name6 string
	// Silent reports that the node sends no ICMP errors (Node.Silent).
	Silent bool
	// Drop is the node's Node.Drop: probes of these protocols addressed to it get no answer.
	Drop Protocols
	// MPLS is the label stack its time-exceeded messages carry (Node.MPLS).
	MPLS []MPLSLabel
	// SlowICMP is how late its ICMP errors come (Node.SlowICMP), on top of RTT.
	SlowICMP time.Duration
	// RTT is the round trip of the configured link delays between the source
	// and this node (twice the one-way sum). Jitter, relay and stack time come on top.
	RTT time.Duration
}

// ExpectedHops returns the hops a traceroute from node from to node to should
// see in the lab that spec describes (with the computed routes; Spec.Routes
// are not taken into account). The last hop is the destination.
func ExpectedHops(spec Spec, from, to string) ([]Hop, error) {
	p, err := buildPlan(spec, "")
	if err != nil {
		return nil, err
	}
	src, dst := p.byName[from], p.byName[to]
	if src == nil || dst == nil {
		return nil, fmt.Errorf("netlab %s: ExpectedHops: unknown node %q or %q", p.name, from, to)
	}
	type nb struct {
		n     *nodePlan
		link  int
		delay time.Duration
	}
	adj := map[*nodePlan][]nb{}
	for i, l := range p.links {
		adj[l.a] = append(adj[l.a], nb{l.b, i, l.spec.Delay})
		adj[l.b] = append(adj[l.b], nb{l.a, i, l.spec.Delay})
	}
	// bfs returns hop distances from start, passing only through routers.
	bfs := func(start *nodePlan) map[*nodePlan]int {
		d := map[*nodePlan]int{start: 0}
		q := []*nodePlan{start}
		for len(q) > 0 {
			y := q[0]
			q = q[1:]
			if y != start && !y.spec.Router {
				continue
			}
			for _, e := range adj[y] {
				if _, ok := d[e.n]; !ok {
					d[e.n] = d[y] + 1
					q = append(q, e.n)
				}
			}
		}
		return d
	}
	dFrom, dTo := bfs(src), bfs(dst)
	total, ok := dFrom[dst]
	if !ok {
		return nil, fmt.Errorf("netlab %s: ExpectedHops: no path from %s to %s", p.name, from, to)
	}
	onPath := func(n *nodePlan) bool {
		a, okA := dFrom[n]
		b, okB := dTo[n]
		return okA && okB && a+b == total
	}
	// Smallest configured one-way delay from the source along shortest paths.
	delay := map[*nodePlan]time.Duration{src: 0}
	hops := make([]Hop, 0, total)
	layer := []*nodePlan{src}
	for ttl := 1; ttl <= total; ttl++ {
		var next []*nodePlan
		for _, y := range layer {
			for _, e := range adj[y] {
				if dFrom[e.n] != ttl || !onPath(e.n) {
					continue
				}
				dd := delay[y] + e.delay
				if old, seen := delay[e.n]; !seen || dd < old {
					delay[e.n] = dd
				}
				if !slices.Contains(next, e.n) {
					next = append(next, e.n)
				}
			}
		}
		slices.SortFunc(next, func(a, b *nodePlan) int {
			switch {
			case a.spec.Name < b.spec.Name:
				return -1
			case a.spec.Name > b.spec.Name:
				return 1
			}
			return 0
		})
		h := Hop{TTL: ttl}
		for _, n := range next {
			r := Responder{Node: n.spec.Name, Silent: n.spec.Silent, Drop: n.spec.Drop, MPLS: n.spec.MPLS, SlowICMP: n.spec.SlowICMP, RTT: 2 * delay[n]}
			// The interface back toward the source: the lowest-numbered link to
			// a neighbour one hop closer.
			back := -1
			for _, e := range adj[n] {
				if dFrom[e.n] == ttl-1 && (e.n == src || e.n.spec.Router) && (back < 0 || e.link < back) {
					back = e.link
				}
			}
			if back >= 0 {
				l := p.links[back]
				addrs := l.aAddrs
				if l.b == n {
					addrs = l.bAddrs
				}
				if a, ok := firstOf(addrs, true); ok {
					r.Addr4, r.Name4 = a.Addr(), n.names[a.Addr()]
				}
				if a, ok := firstOf(addrs, false); ok {
					r.Addr6, r.Name6 = a.Addr(), n.names[a.Addr()]
				}
			}
			h.Responders = append(h.Responders, r)
		}
		hops = append(hops, h)
		layer = next
	}
	return hops, nil
}
