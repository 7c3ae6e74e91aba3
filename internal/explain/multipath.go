package explain

import (
	"fmt"
	"math"
	"net/netip"
	"strings"

	"hopscope/internal/path"
)

// MultipathFinding is what a multipath enumeration (hopscope's MDA, scamper's tracelb) says about
// load balancing on the path: the stopping rule's confidence and cost, and the diamonds, the
// stretches where flows split over parallel interfaces and merge again.
type MultipathFinding struct {
	// Confidence is the stopping rule's confidence (0.95, 0.99); 0 when the source did not say.
	Confidence float64
	// Probes and Flows are what the enumeration spent; 0 when unknown.
	Probes int
	Flows  int
	// Links is the number of edges of the multipath graph.
	Links int
	// Incomplete are the TTLs where the enumeration stopped before its stopping rule held.
	Incomplete []int
	// Diamonds in TTL order; empty when every hop had a single interface (no load balancing seen).
	Diamonds []Diamond
	// Lines are the findings in words, one per diamond, then the notes on the enumeration.
	Lines []string
}

// Diamond is one load-balanced stretch: flows split after the divergence interface and merge at the
// convergence interface (Augustin et al., "Measuring multipath routing in the Internet").
type Diamond struct {
	// DivergenceTTL and Divergence are the last interface before the split; TTL 0 and the trace's
	// source address when the split is at the source itself.
	DivergenceTTL int
	Divergence    netip.Addr
	// ConvergenceTTL and Convergence are the first interface after it where every branch meets again;
	// 0 and invalid when the trace ended (or fell silent) before they met.
	ConvergenceTTL int
	Convergence    netip.Addr
	// Width is the most interfaces seen at one TTL inside: the number of parallel paths.
	Width int
	// Length is the number of hops from divergence to convergence (to the last hop seen when open).
	Length int
	// Nested is set when a smaller diamond lies inside this one (Inner lists them).
	Nested bool
	Inner  []Diamond
	// Meshed is set when branches cross: a link runs from an interface that splits flows to one
	// that merges flows from several (between two consecutive hops).
	Meshed bool
	// LinksKnown is false when the source did not say which interface leads to which inside the
	// diamond (scamper's text form), so Nested and Meshed could not be read.
	LinksKnown bool
	// Branches are the interfaces at the widest TTL inside (the latest, on a tie) with their RTTs.
	Branches []Branch
}

// Branch is one interface at the widest hop of a diamond.
type Branch struct {
	TTL  int
	Addr netip.Addr
	// MinMs is the least RTT of the interface's replies; meaningful only when HasRTT.
	MinMs  float64
	HasRTT bool
}

// Thresholds for calling one branch slower than another: both must be exceeded.
const (
	branchSlowerMs   = 2.0
	branchSlowerFrac = 0.2
)

// Multipath reads the load balancing of a multipath trace; nil when t has no multipath graph.
func Multipath(t *path.Trace) *MultipathFinding {
	mp := t.Multipath
	if mp == nil {
		return nil
	}
	f := &MultipathFinding{Confidence: mp.Confidence, Probes: mp.Probes, Flows: mp.Flows, Links: len(mp.Links),
		Incomplete: mp.Incomplete, Diamonds: Diamonds(t)}
	for _, d := range f.Diamonds {
		f.Lines = append(f.Lines, d.sentence(f))
	}
	if len(f.Diamonds) == 0 {
		f.Lines = append(f.Lines, "no load balancing: every hop answered from a single interface"+mpEnumerated(f))
	}
	if len(f.Incomplete) > 0 {
		f.Lines = append(f.Lines, fmt.Sprintf("the enumeration stopped early at hop %s: paths there may be missing", mpJoinInts(f.Incomplete)))
	}
	return f
}

// multipathSentence is the summary's sentence on load balancing: "Flows split over 4 parallel paths
// between hop 1 and hop 4 (found at 95% confidence)."; "" without a multipath graph or diamonds.
func multipathSentence(f *Findings) string {
	if f.Multipath == nil {
		return ""
	}
	ds := f.Multipath.Diamonds
	if len(ds) == 0 {
		return ""
	}
	widest := ds[0]
	for _, d := range ds[1:] {
		if d.Width > widest.Width {
			widest = d
		}
	}
	s := fmt.Sprintf("Flows split over %d parallel paths after hop %d", widest.Width, widest.DivergenceTTL)
	if widest.DivergenceTTL == 0 {
		s = fmt.Sprintf("Flows split over %d parallel paths from the source", widest.Width)
	}
	if widest.ConvergenceTTL > 0 {
		s += fmt.Sprintf(" and merge at hop %d", widest.ConvergenceTTL)
	}
	if len(ds) > 1 {
		s += fmt.Sprintf(" (one of %d load-balanced stretches)", len(ds))
	}
	if f.Multipath.Confidence > 0 {
		s += fmt.Sprintf(", found at %g%% confidence", math.Round(f.Multipath.Confidence*1000)/10)
	}
	return s + "."
}

// Diamonds finds the diamonds of t: every stretch between a hop with one interface and the next
// hop with one interface where the hops between have several. Links (t.Multipath) tell nesting and
// meshing; without them only the shape is known.
func Diamonds(t *path.Trace) []Diamond {
	g := newMPGraph(t.Multipath)
	var out []Diamond
	hops := t.Hops
	for i := 0; i < len(hops); i++ {
		if len(hops[i].Responders) < 2 {
			continue
		}
		d := Diamond{}
		if i > 0 && len(hops[i-1].Responders) == 1 && hops[i-1].TTL == hops[i].TTL-1 {
			d.DivergenceTTL, d.Divergence = hops[i-1].TTL, hops[i-1].Responders[0].Addr
		} else if i == 0 && hops[0].TTL == 1 {
			d.DivergenceTTL, d.Divergence = 0, t.From
		} else {
			// No single interface before the split (a silent hop or a gap): start at the split.
			d.DivergenceTTL = hops[i].TTL - 1
		}
		j := i
		for j < len(hops) && len(hops[j].Responders) != 1 {
			j++
		}
		if j < len(hops) {
			d.ConvergenceTTL, d.Convergence = hops[j].TTL, hops[j].Responders[0].Addr
			d.Length = d.ConvergenceTTL - d.DivergenceTTL
		} else {
			d.Length = hops[j-1].TTL - d.DivergenceTTL
		}
		widest := i
		for k := i; k < j; k++ {
			if n := len(hops[k].Responders); n >= d.Width {
				d.Width, widest = n, k
			}
		}
		for _, r := range hops[widest].Responders {
			b := Branch{TTL: hops[widest].TTL, Addr: r.Addr}
			if s := hops[widest].Summarize(r.Addr); s.OK {
				b.MinMs, b.HasRTT = ms(s.Min), true
			}
			d.Branches = append(d.Branches, b)
		}
		g.shape(&d, hops[i:j])
		out = append(out, d)
		i = j - 1
	}
	return out
}

// mpNode is one interface at one TTL of the multipath graph.
type mpNode struct {
	ttl  int
	addr netip.Addr
}

// mpGraph is the multipath graph as successor and predecessor lists.
type mpGraph struct {
	succ, pred map[mpNode][]mpNode
}

func newMPGraph(mp *path.Multipath) *mpGraph {
	g := &mpGraph{succ: map[mpNode][]mpNode{}, pred: map[mpNode][]mpNode{}}
	if mp == nil {
		return g
	}
	for _, l := range mp.Links {
		a, b := mpNode{l.TTL, l.From}, mpNode{l.TTL + 1 + l.Gap, l.To}
		g.succ[a] = append(g.succ[a], b)
		g.pred[b] = append(g.pred[b], a)
	}
	return g
}

// shape fills LinksKnown, Nested, Inner and Meshed of d from the links among the hops inside it.
func (g *mpGraph) shape(d *Diamond, inside []path.Hop) {
	d.LinksKnown = len(g.succ) > 0
	end := d.ConvergenceTTL
	if end == 0 {
		end = math.MaxInt
	}
	var nodes []mpNode
	for _, h := range inside {
		for _, r := range h.Responders {
			n := mpNode{h.TTL, r.Addr}
			nodes = append(nodes, n)
			if len(g.pred[n]) == 0 || (len(g.succ[n]) == 0 && d.ConvergenceTTL != 0) {
				d.LinksKnown = false
			}
		}
	}
	if !d.LinksKnown {
		return
	}
	for _, n := range nodes {
		if len(g.succ[n]) < 2 {
			continue
		}
		if in, ok := g.inner(n, end); ok {
			d.Inner = append(d.Inner, in)
		}
	}
	d.Nested = len(d.Inner) > 0
	// Meshed (Augustin et al.): some link runs from an interface that splits its flows to one that
	// merges flows from several, so branches cross between two consecutive hops. A split that merges
	// again further on (a nested diamond) or not at all is not meshing.
	from := append([]mpNode{{d.DivergenceTTL, d.Divergence}}, nodes...)
	for _, x := range from {
		if len(g.succ[x]) < 2 {
			continue
		}
		for _, y := range g.succ[x] {
			if len(g.pred[y]) > 1 {
				d.Meshed = true
			}
		}
	}
}

// inner follows every path from split n forward and returns the diamond it opens when all of them
// meet at one interface before TTL end.
func (g *mpGraph) inner(n mpNode, end int) (Diamond, bool) {
	d := Diamond{DivergenceTTL: n.ttl, Divergence: n.addr, LinksKnown: true}
	front := map[mpNode]bool{n: true}
	for len(front) > 0 {
		next := map[mpNode]bool{}
		minTTL := math.MaxInt
		for f := range front {
			for _, s := range g.succ[f] {
				minTTL = min(minTTL, s.ttl)
			}
		}
		// Advance only the nodes at the lowest TTL so that the front stays one hop deep.
		for f := range front {
			moved := false
			for _, s := range g.succ[f] {
				if s.ttl == minTTL {
					next[s], moved = true, true
				}
			}
			if !moved {
				next[f] = true
			}
		}
		if minTTL == math.MaxInt || minTTL >= end {
			return Diamond{}, false
		}
		width := 0
		for f := range next {
			if f.ttl == minTTL {
				width++
			}
		}
		if len(next) == 1 && minTTL > n.ttl+1 {
			for f := range next {
				d.ConvergenceTTL, d.Convergence = f.ttl, f.addr
			}
			d.Length = d.ConvergenceTTL - d.DivergenceTTL
			return d, true
		}
		d.Width = max(d.Width, width)
		front = next
	}
	return Diamond{}, false
}

// sentence says what one diamond is, for the report.
func (d Diamond) sentence(f *MultipathFinding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "load balancing: %d parallel paths between %s", d.Width, mpHopLabel(d.DivergenceTTL, d.Divergence))
	if d.ConvergenceTTL > 0 {
		fmt.Fprintf(&b, " and %s", mpHopLabel(d.ConvergenceTTL, d.Convergence))
	} else {
		b.WriteString(", not merging before the trace ends")
	}
	b.WriteString(mpEnumerated(f))
	for _, in := range d.Inner {
		fmt.Fprintf(&b, "; a nested diamond %d wide from %s to %s", in.Width, mpHopLabel(in.DivergenceTTL, in.Divergence), mpHopLabel(in.ConvergenceTTL, in.Convergence))
	}
	if d.Meshed {
		b.WriteString("; the branches cross (meshed)")
	}
	if !d.LinksKnown {
		b.WriteString("; which interface leads to which is not known")
	}
	if s := mpBranchRTTs(d.Branches); s != "" {
		b.WriteString("; " + s)
	}
	return b.String()
}

// mpEnumerated says how the enumeration found what it found: ", found at 95% confidence with 44 probes".
func mpEnumerated(f *MultipathFinding) string {
	var parts []string
	if f.Confidence > 0 {
		parts = append(parts, fmt.Sprintf("at %g%% confidence", math.Round(f.Confidence*1000)/10))
	}
	if f.Probes > 0 {
		parts = append(parts, fmt.Sprintf("with %d probes", f.Probes))
	}
	if len(parts) == 0 {
		return ""
	}
	return ", found " + strings.Join(parts, " ")
}

// mpHopLabel is "hop 3 (192.0.2.1)", or "the source" for TTL 0.
func mpHopLabel(ttl int, a netip.Addr) string {
	if ttl == 0 {
		if a.IsValid() {
			return "the source (" + a.String() + ")"
		}
		return "the source"
	}
	if !a.IsValid() {
		return fmt.Sprintf("hop %d", ttl)
	}
	return fmt.Sprintf("hop %d (%s)", ttl, a)
}

// mpBranchRTTs compares the branches' RTTs: "every branch about the same RTT (10.1-10.9 ms)" or
// "the branch via 192.0.2.7 is 12 ms slower than via 192.0.2.5"; "" when fewer than two were timed.
func mpBranchRTTs(bs []Branch) string {
	var fast, slow *Branch
	for i := range bs {
		b := &bs[i]
		if !b.HasRTT {
			continue
		}
		if fast == nil || b.MinMs < fast.MinMs {
			fast = b
		}
		if slow == nil || b.MinMs > slow.MinMs {
			slow = b
		}
	}
	if fast == nil || fast == slow {
		return ""
	}
	diff := slow.MinMs - fast.MinMs
	if diff >= branchSlowerMs && diff >= branchSlowerFrac*fast.MinMs {
		return fmt.Sprintf("the branch via %s is %s ms slower than via %s (hop %d)", slow.Addr, mpFmtMs(diff), fast.Addr, slow.TTL)
	}
	return fmt.Sprintf("every branch about the same RTT (%s-%s ms at hop %d)", mpFmtMs(fast.MinMs), mpFmtMs(slow.MinMs), fast.TTL)
}

// mpFmtMs writes milliseconds with the precision a reader needs.
func mpFmtMs(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 1:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// mpJoinInts writes "3, 5 and 7".
func mpJoinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
