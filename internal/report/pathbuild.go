package report

import (
	"net/netip"
	"time"

	"hopscope/internal/enrich"
	"hopscope/internal/explain"
	"hopscope/internal/path"
)

// BuildPath assembles the report section for trace t from the enrichment of its addresses and its
// findings. Missing enrichment leaves a responder's Info with only its address.
func BuildPath(t *path.Trace, infos map[netip.Addr]enrich.Info, f explain.Findings) *Path {
	p := &Path{
		Target:       target(t.Target),
		Input:        t.Source,
		Protocol:     string(t.Protocol),
		Started:      t.Started,
		MaxTTL:       t.MaxTTL,
		ProbesPerHop: t.ProbesPerHop,
		Warnings:     t.Warnings,
		Meta:         t.Meta,
		Hops:         make([]PathHop, 0, len(t.Hops)),
		Summary:      f.Summary,
		Findings:     newFindings(f),
		Trace:        t,
	}
	if t.From.IsValid() {
		p.From = t.From.String()
	}
	byTTL := make(map[int]*explain.Hop, len(f.Hops))
	for i := range f.Hops {
		byTTL[f.Hops[i].TTL] = &f.Hops[i]
	}
	ops := operatorNames{}
	for i := range t.Hops {
		e := byTTL[t.Hops[i].TTL]
		if e == nil {
			e = &explain.Hop{TTL: t.Hops[i].TTL}
		}
		p.Hops = append(p.Hops, buildHop(&t.Hops[i], e, infos, ops, t.Source == "hopscope"))
	}
	byTTLFindings := indexFindings(&p.Findings)
	for i := range p.Hops {
		p.Hops[i].Notes, p.Hops[i].Severity = hopNotes(p.Hops[i], byTTLFindings)
	}
	markerNotes(p)
	ruledOutPlaces(p)
	p.MTU, p.NAT = newPathMTU(t.PathMTU), newNAT(t.NAT, t.Hops)
	hopVerdicts(p)
	p.Sections = withLossSections(sections(&p.Findings), &p.Findings)
	lateNotes(p)
	if l := mtuLines(p.MTU); len(l) > 0 {
		p.Sections = append(p.Sections, Section{Label: "Path MTU", Lines: l})
	}
	if l := natLines(p.NAT); len(l) > 0 {
		p.Sections = append(p.Sections, Section{Label: "NAT", Lines: l})
	}
	multipathSection(p, f.Multipath, t)
	p.Route, p.Unlocated = route(p)
	p.Networks = networks(p)
	return p
}

// target converts the model's target to report strings.
func target(t path.Target) PathTarget {
	out := PathTarget{Name: t.Name, Canonical: t.Canonical, Aliases: t.Aliases, Port: t.Port}
	if t.Addr.IsValid() {
		out.Addr = t.Addr.String()
	}
	for _, a := range t.OtherAddrs {
		out.OtherAddrs = append(out.OtherAddrs, a.String())
	}
	return out
}

// buildHop merges one model hop with its explained view.
// own says the trace is hopscope's own, whose late replies are timed answers that came after the probe's
// wait (imported tools' "late" replies are not always timed to their probe).
func buildHop(h *path.Hop, e *explain.Hop, infos map[netip.Addr]enrich.Info, ops operatorNames, own bool) PathHop {
	o := PathHop{TTL: h.TTL, Silent: h.Silent(), Sent: len(h.Probes), Answered: h.Answered(),
		RTT: newRTT(e.RTT), Stats: newStats(e.Measure), Rounds: newRounds(h.Rounds), ASN: e.ASN, ASSource: e.ASSource, Operator: e.Operator,
		Place: newPlace(e.Place), Marks: e.Marks}
	if len(h.Probes) == 0 {
		o.Sent, o.Answered = 0, 0
		if h.Stats != nil {
			o.Sent, o.Answered = h.Stats.Sent, h.Stats.Received
		}
		for _, r := range h.Responders {
			if r.Stats != nil {
				o.Sent = max(o.Sent, r.Stats.Sent)
				o.Answered += r.Stats.Received
			}
		}
	}
	if len(h.Responders) > 0 {
		o.Responders = make([]PathResponder, len(h.Responders))
	}
	// Per-responder values come from one pass over the probes each, not a pass per responder: a hop
	// behind a large load balancer can have hundreds of thousands of responders.
	rtts := h.SummarizeEach()
	mpls := firstMPLS(h)
	late := lateRTTs(h)
	measures := explain.MeasureResponders(h, own)
	for i, r := range h.Responders {
		pr := &o.Responders[i]
		pr.Name, pr.ReportedASN = r.Name, r.ReportedASN
		if r.Addr.IsValid() {
			if in, ok := infos[r.Addr]; ok {
				pr.Info = newAddrInfo(in, ops)
				pr.Addr = pr.Info.Addr // the same text, formatted once
				if in.Addr != r.Addr {
					pr.Addr = r.Addr.String()
				}
			} else {
				pr.Addr = r.Addr.String()
				pr.Info = AddrInfo{Addr: pr.Addr}
			}
		}
		pr.AS, pr.Operator = responderAS(pr), responderOperator(pr, &o)
		if e.Place != nil {
			// A hop the analysis placed nowhere (a content network's registry, a place its RTT rules
			// out) shows no place in the table either.
			pr.PlaceLabel = placeText(pr.Info.Place)
		}
		if s := rtts[i]; s.OK {
			pr.RTT = &RTT{MinMs: msOf(s.Min), MedianMs: msOf(s.Median), MaxMs: msOf(s.Max), Count: s.Count}
		} else if l := late[r.Addr]; len(l) > 0 && r.Addr.IsValid() && own {
			s := path.SummarizeRTTs(l)
			pr.LateRTT = &RTT{MinMs: msOf(s.Min), MedianMs: msOf(s.Median), MaxMs: msOf(s.Max), Count: s.Count}
		}
		pr.Stats = newStats(measures[i])
		if r.Stats != nil {
			if l := r.Stats.Loss(); l >= 0 {
				pr.Loss = &l
			}
		}
		for _, l := range mpls[r.Addr] {
			pr.MPLS = append(pr.MPLS, MPLSLabel{Label: l.Label, TC: l.TC, S: l.S, TTL: l.TTL})
		}
	}
	return o
}

// lateRTTs maps each address to the RTTs of its replies that came after their probe's wait; nil when
// none did.
func lateRTTs(h *path.Hop) map[netip.Addr][]time.Duration {
	var m map[netip.Addr][]time.Duration
	for _, pb := range h.Probes {
		if pb.Late && pb.HasRTT && pb.From.IsValid() {
			if m == nil {
				m = map[netip.Addr][]time.Duration{}
			}
			m[pb.From] = append(m[pb.From], pb.RTT)
		}
	}
	return m
}

// firstMPLS maps each address to the label stack of its first probe at h that quoted one; nil when no
// probe did.
func firstMPLS(h *path.Hop) map[netip.Addr][]path.MPLSLabel {
	var m map[netip.Addr][]path.MPLSLabel
	for _, pb := range h.Probes {
		if len(pb.MPLS) == 0 {
			continue
		}
		if m == nil {
			m = map[netip.Addr][]path.MPLSLabel{}
		}
		if _, ok := m[pb.From]; !ok {
			m[pb.From] = pb.MPLS
		}
	}
	return m
}

// msOf converts a duration to milliseconds rounded to microseconds.
func msOf(d time.Duration) float64 {
	v := float64(d) / float64(time.Millisecond)
	return float64(int64(v*1000+0.5)) / 1000
}
