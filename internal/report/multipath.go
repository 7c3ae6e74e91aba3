package report

import (
	"fmt"
	"net/netip"
	"slices"

	"hopscope/internal/explain"
	"hopscope/internal/path"
)

// Multipath is the load balancing a multipath enumeration found (hopscope's MDA, an imported scamper
// tracelb): the stopping rule's confidence and cost, the diamonds where flows split and merge, and
// the links between interfaces of consecutive hops. Absent on a trace that followed one flow.
type Multipath struct {
	// Confidence is the stopping rule's (0.95 or 0.99); absent when the source did not say.
	Confidence float64 `json:"confidence,omitempty"`
	// Probes and Flows are what the enumeration spent; absent when unknown.
	Probes int `json:"probes,omitempty"`
	Flows  int `json:"flows,omitempty"`
	// Incomplete are the hops where the enumeration stopped before its stopping rule held.
	Incomplete []int `json:"incomplete,omitempty"`
	// Diamonds in TTL order; empty when no hop had more than one interface.
	Diamonds []Diamond `json:"diamonds"`
	// Links are the edges of the multipath graph in TTL order.
	Links []MultipathLink `json:"links"`
	// Lines are the findings in words (one per diamond, then notes), as the "Multipath" section.
	Lines []string `json:"lines"`
}

// Diamond is one load-balanced stretch: flows split after Divergence and merge at Convergence.
type Diamond struct {
	Divergence DiamondEnd `json:"divergence"`
	// Convergence is absent when the branches had not merged when the trace ended.
	Convergence *DiamondEnd `json:"convergence,omitempty"`
	// Width is the number of parallel paths (the most interfaces at one hop inside); Length the hops
	// from divergence to convergence.
	Width  int `json:"width"`
	Length int `json:"length"`
	// Nested is set when Inner holds smaller diamonds inside this one; Meshed when branches cross.
	Nested bool      `json:"nested"`
	Inner  []Diamond `json:"inner,omitempty"`
	Meshed bool      `json:"meshed"`
	// LinksKnown is false when the input did not say which interface leads to which (scamper's text
	// form): Nested and Meshed are then unknown rather than false.
	LinksKnown bool `json:"links_known"`
	// Branches are the interfaces at the widest hop, with their least RTT.
	Branches []DiamondBranch `json:"branches,omitempty"`
}

// DiamondEnd is the interface where a diamond opens or closes. TTL 0 is the source itself.
type DiamondEnd struct {
	TTL int `json:"ttl"`
	// Addr is empty when unknown (a split right after a silent hop).
	Addr string `json:"addr,omitempty"`
}

// DiamondBranch is one interface at the widest hop of a diamond.
type DiamondBranch struct {
	TTL  int    `json:"ttl"`
	Addr string `json:"addr"`
	// MinMs is the least RTT of its replies; absent when none was timed.
	MinMs *float64 `json:"min_ms,omitempty"`
}

// MultipathLink is one edge: a flow that reached From at TTL reached To at TTL+1+Gap.
type MultipathLink struct {
	TTL  int    `json:"ttl"`
	From string `json:"from"`
	To   string `json:"to"`
	// Gap counts silent hops between From and To; Flows the flows seen crossing (0 when unknown).
	Gap   int `json:"gap,omitempty"`
	Flows int `json:"flows,omitempty"`
}

// NewMultipath builds the section from the explanation and the trace's links; nil when f is nil.
func NewMultipath(f *explain.MultipathFinding, mp *path.Multipath) *Multipath {
	if f == nil {
		return nil
	}
	out := &Multipath{Confidence: f.Confidence, Probes: f.Probes, Flows: f.Flows, Incomplete: f.Incomplete,
		Diamonds: make([]Diamond, 0, len(f.Diamonds)), Links: []MultipathLink{}, Lines: f.Lines}
	for _, d := range f.Diamonds {
		out.Diamonds = append(out.Diamonds, newDiamond(d))
	}
	if mp != nil {
		for _, l := range mp.Links {
			out.Links = append(out.Links, MultipathLink{TTL: l.TTL, From: mpAddrText(l.From), To: mpAddrText(l.To), Gap: l.Gap, Flows: l.Flows})
		}
	}
	return out
}

func newDiamond(d explain.Diamond) Diamond {
	out := Diamond{Divergence: DiamondEnd{TTL: d.DivergenceTTL, Addr: mpAddrText(d.Divergence)}, Width: d.Width, Length: d.Length,
		Nested: d.Nested, Meshed: d.Meshed, LinksKnown: d.LinksKnown}
	if d.ConvergenceTTL > 0 {
		out.Convergence = &DiamondEnd{TTL: d.ConvergenceTTL, Addr: mpAddrText(d.Convergence)}
	}
	for _, in := range d.Inner {
		out.Inner = append(out.Inner, newDiamond(in))
	}
	for _, b := range d.Branches {
		db := DiamondBranch{TTL: b.TTL, Addr: mpAddrText(b.Addr)}
		if b.HasRTT {
			v := b.MinMs
			db.MinMs = &v
		}
		out.Branches = append(out.Branches, db)
	}
	return out
}

// mpAddrText is the address as text, "" when invalid.
func mpAddrText(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// multipathSection sets p.Multipath from the stage's finding f and trace t's graph, and adds its
// "Multipath" section.
func multipathSection(p *Path, f *explain.MultipathFinding, t *path.Trace) {
	p.Multipath = NewMultipath(f, t.Multipath)
	if p.Multipath == nil {
		return
	}
	if len(p.Multipath.Diamonds) > 0 {
		// The diamonds name every interface of every load-balanced hop, and say it is load balancing:
		// the "Responders" section's "load balancing or a path change" would only repeat them less surely.
		p.Sections = slices.DeleteFunc(p.Sections, func(s Section) bool { return s.Label == "Responders" })
	}
	if len(p.Multipath.Lines) > 0 {
		p.Sections = append(p.Sections, Section{Label: "Multipath", Lines: p.Multipath.Lines})
	}
	// The hops where flows split and merge say so in their notes (the CSV's notes column, the tables).
	for _, d := range p.Multipath.Diamonds {
		to := "no merge seen"
		if d.Convergence != nil {
			to = fmt.Sprintf("to hop %d", d.Convergence.TTL)
			addHopNote(p, d.Convergence.TTL, fmt.Sprintf("%d paths merge (from hop %d)", d.Width, d.Divergence.TTL))
		}
		addHopNote(p, d.Divergence.TTL, fmt.Sprintf("splits into %d paths (%s)", d.Width, to))
	}
}

// addHopNote appends note to the hop with the given TTL, if the path has it.
func addHopNote(p *Path, ttl int, note string) {
	for i := range p.Hops {
		if p.Hops[i].TTL == ttl {
			p.Hops[i].Notes = append(p.Hops[i].Notes, note)
			return
		}
	}
}
