package mda

import (
	"net/netip"
	"slices"

	"hopscope/internal/path"
)

// obsState is what became of a flow's probe at one TTL.
type obsState uint8

const (
	unprobed obsState = iota
	pending           // sent, reply awaited
	answered
	lost // its wait passed without a reply (a reply may still come, late)
)

// obs is what one flow showed at one TTL.
type obs struct {
	state obsState
	// final marks a reply that ends the path: the destination, or an unreachable.
	final bool
	addr  netip.Addr
}

// anchor names the interface a group of flows was last seen at: addr at ttl. The root anchor (the
// source, every flow) has an invalid addr and ttl FirstTTL-1.
type anchor struct {
	addr netip.Addr
	ttl  int
}

// want is one probe the plan asks for: flow at ttl.
type want struct {
	flow, ttl int
}

// graph is the MDA's bookkeeping: what every flow showed at every TTL, and the silent hops.
// It does no I/O: plan says what to send next, record and expire take the outcomes.
type graph struct {
	first, max int
	gapLimit   int
	rule       *stopRule
	maxFlows   int
	// flows[f-1][ttl-first] is what flow f showed at ttl.
	flows [][]obs
	// silent[ttl] lists the anchors whose flows all went unanswered at ttl (a silent hop), so that
	// the next TTL is probed from them across the gap.
	silent map[int][]anchor
	// incomplete lists the TTLs where the stopping rule did not hold.
	incomplete []int
}

func newGraph(cfg Config, rule *stopRule) *graph {
	return &graph{first: cfg.FirstTTL, max: cfg.MaxTTL, gapLimit: cfg.GapLimit, rule: rule, maxFlows: cfg.MaxFlows,
		silent: map[int][]anchor{}}
}

// root is the anchor every flow starts from.
func (g *graph) root() anchor { return anchor{ttl: g.first - 1} }

// at returns what flow f showed at ttl (the zero obs for TTLs out of range).
func (g *graph) at(f, ttl int) obs {
	if ttl < g.first || ttl > g.max || f < 1 || f > len(g.flows) {
		return obs{}
	}
	return g.flows[f-1][ttl-g.first]
}

func (g *graph) set(f, ttl int, o obs) { g.flows[f-1][ttl-g.first] = o }

// newFlow allocates the next flow identifier; 0 when MaxFlows are in use.
func (g *graph) newFlow() int {
	if len(g.flows) >= g.maxFlows {
		return 0
	}
	g.flows = append(g.flows, make([]obs, g.max-g.first+1))
	return len(g.flows)
}

// parent returns the anchor flow f continues from when probed at ttl+1 (having been probed up to
// ttl): the interface it answered from at ttl, or, across a silent hop, the anchor whose silent
// continuation includes it. ok is false when the flow ended (destination, unreachable) or its branch
// was given up.
func (g *graph) parent(f, ttl int) (anchor, bool) { return g.parentIn(f, ttl, g.silent[ttl]) }

// parentIn is parent with the silent continuations at ttl given.
func (g *graph) parentIn(f, ttl int, silent []anchor) (anchor, bool) {
	if ttl >= g.first && ttl <= g.max {
		// The common case: the flow answered at ttl itself.
		if o := g.flows[f-1][ttl-g.first]; o.state == answered {
			if o.final {
				return anchor{}, false
			}
			return anchor{addr: o.addr, ttl: ttl}, true
		}
	}
	if len(silent) == 0 && ttl >= g.first {
		return anchor{}, false
	}
	for t := ttl; t >= g.first; t-- {
		o := g.at(f, t)
		if o.state == answered {
			if o.final {
				return anchor{}, false
			}
			a := anchor{addr: o.addr, ttl: t}
			if t == ttl || slices.Contains(silent, a) {
				return a, true
			}
			return anchor{}, false
		}
	}
	if ttl < g.first || slices.Contains(silent, g.root()) {
		return g.root(), true
	}
	return anchor{}, false
}

// succ is what the flows of one parent showed at the next TTL.
type succ struct {
	members  int   // flows of the parent
	answered int   // of those, answered at the next TTL
	lost     int   // probed there without an answer
	fresh    []int // not yet probed there
	hops     []netip.Addr
	// ends is set when a flow of the parent reached the end of the path (destination, unreachable)
	// at the next TTL.
	ends bool
}

// survey groups the flows by their parent at ttl and tallies what each group showed at ttl+1.
func (g *graph) survey(ttl int) map[anchor]*succ {
	out := map[anchor]*succ{}
	if ttl < g.first {
		out[g.root()] = &succ{}
	}
	silent := g.silent[ttl]
	for _, a := range silent {
		out[a] = &succ{}
	}
	var last anchor
	var s *succ
	for f := 1; f <= len(g.flows); f++ {
		a, ok := g.parentIn(f, ttl, silent)
		if !ok {
			continue
		}
		if s == nil || a != last {
			s = out[a]
			if s == nil {
				s = &succ{}
				out[a] = s
			}
			last = a
		}
		s.members++
		switch o := g.at(f, ttl+1); o.state {
		case unprobed:
			s.fresh = append(s.fresh, f)
		case answered:
			s.answered++
			if !slices.Contains(s.hops, o.addr) {
				s.hops = append(s.hops, o.addr)
			}
			s.ends = s.ends || o.final
		case lost:
			s.lost++
		}
	}
	return out
}

// plan is what to send next to enumerate the successors (at ttl+1) of every parent at ttl.
type plan struct {
	probes []want
	// short lists the parents whose stopping rule cannot be met (flows spent, too many losses).
	short []anchor
}

// plan decides the next probes for TTL ttl+1, given that nothing is pending. It may allocate new
// flows. An empty plan means the hop is done: every parent's stopping rule holds, its successors are
// silent (recorded as a silent continuation), or it was given up (plan.short).
func (g *graph) plan(ttl int) plan {
	var p plan
	groups := g.survey(ttl)
	keys := make([]anchor, 0, len(groups))
	for a := range groups {
		keys = append(keys, a)
	}
	slices.SortFunc(keys, func(x, y anchor) int {
		if x.ttl != y.ttl {
			return x.ttl - y.ttl
		}
		return x.addr.Compare(y.addr)
	})
	// more[t] is how many new flows to send at TTL t to find more flows of parents anchored there.
	more := map[int]int{}
	direct := map[int]bool{} // whether those new flows can be sent at ttl+1 at once
	shares := map[int]map[netip.Addr]int{}
	for _, a := range keys {
		s := groups[a]
		k := len(s.hops)
		need := g.rule.need(k)
		switch {
		case s.answered >= need:
			continue
		case s.ends && len(s.hops) == 1:
			// The parent hands flows to the end of the path itself: a router does not balance the
			// traffic of a host on its own link over other next hops, so one answer settles it (as
			// Paris traceroute's MDA and scamper's tracelb stop there).
			continue
		case k == 0 && s.lost >= need:
			// Nothing answered after n_1 probes: a silent hop (or the end of a branch).
			if ttl+1-a.ttl < g.gapLimit && ttl+1 < g.max && !slices.Contains(g.silent[ttl+1], a) {
				g.silent[ttl+1] = append(g.silent[ttl+1], a)
			}
			continue
		case s.lost > 2*need:
			p.short = append(p.short, a)
			continue
		}
		deficit := need - s.answered
		if s.answered == 0 && s.lost == 0 {
			// A first probe alone: when it reaches the end of the path, no more are needed.
			deficit = 1
		}
		n := min(deficit, len(s.fresh))
		for _, f := range s.fresh[:n] {
			p.probes = append(p.probes, want{f, ttl + 1})
		}
		if rest := deficit - n; rest > 0 {
			if a == g.root() {
				for range rest {
					f := g.newFlow()
					if f == 0 {
						p.short = append(p.short, a)
						break
					}
					p.probes = append(p.probes, want{f, ttl + 1})
				}
				continue
			}
			if shares[a.ttl] == nil {
				shares[a.ttl] = g.shares(a.ttl)
			}
			hits, total := shares[a.ttl][a.addr], shares[a.ttl][netip.Addr{}]
			count := rest
			if hits < total {
				count = (rest*total + hits - 1) / max(hits, 1)
			}
			more[a.ttl] = max(more[a.ttl], count)
			direct[a.ttl] = hits == total && a.ttl == ttl
		}
	}
	ts := make([]int, 0, len(more))
	for t := range more {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	for _, t := range ts {
		for range more[t] {
			f := g.newFlow()
			if f == 0 {
				for _, a := range keys {
					if a.ttl == t && !slices.Contains(p.short, a) {
						p.short = append(p.short, a)
					}
				}
				break
			}
			p.probes = append(p.probes, want{f, t})
			if direct[t] {
				p.probes = append(p.probes, want{f, ttl + 1})
			}
		}
	}
	return p
}

// shares counts the flows that answered at ttl per address, and under the invalid address all of them.
func (g *graph) shares(ttl int) map[netip.Addr]int {
	out := map[netip.Addr]int{}
	for f := 1; f <= len(g.flows); f++ {
		if o := g.at(f, ttl); o.state == answered {
			out[o.addr]++
			out[netip.Addr{}]++
		}
	}
	return out
}

// markIncomplete records that the stopping rule did not hold at ttl.
func (g *graph) markIncomplete(ttl int) {
	if !slices.Contains(g.incomplete, ttl) {
		g.incomplete = append(g.incomplete, ttl)
		slices.Sort(g.incomplete)
	}
}

// parents reports whether any flow goes on beyond ttl (a responder that is not the end of the path,
// or a silent continuation).
func (g *graph) parents(ttl int) bool {
	if len(g.silent[ttl]) > 0 {
		return true
	}
	for f := 1; f <= len(g.flows); f++ {
		if o := g.at(f, ttl); o.state == answered && !o.final {
			return true
		}
	}
	return false
}

// links returns the edges the flows crossed: consecutive answers of one flow, across TTLs where it was
// probed and not answered (Gap), with the number of distinct flows on each, in TTL order.
func (g *graph) links() []path.Link {
	type key struct {
		ttl      int
		from, to netip.Addr
		gap      int
	}
	count := map[key]int{}
	for f := 1; f <= len(g.flows); f++ {
		last, lastTTL, gapOK := netip.Addr{}, 0, true
		for t := g.first; t <= g.max; t++ {
			o := g.at(f, t)
			switch o.state {
			case answered:
				if last.IsValid() && gapOK {
					count[key{lastTTL, last, o.addr, t - lastTTL - 1}]++
				}
				last, lastTTL, gapOK = o.addr, t, true
			case unprobed, pending:
				gapOK = false
			}
		}
	}
	out := make([]path.Link, 0, len(count))
	for k, n := range count {
		out = append(out, path.Link{TTL: k.ttl, From: k.from, To: k.to, Gap: k.gap, Flows: n})
	}
	slices.SortFunc(out, func(a, b path.Link) int {
		if a.TTL != b.TTL {
			return a.TTL - b.TTL
		}
		if c := a.From.Compare(b.From); c != 0 {
			return c
		}
		if c := a.To.Compare(b.To); c != 0 {
			return c
		}
		return a.Gap - b.Gap
	})
	return out
}
