package report

import (
	"fmt"
	"slices"
	"strings"

	"hopscope/internal/geo"
)

// responderAS is the AS shown for a responder: the database's, else the one the tool reported ("?").
func responderAS(r *PathResponder) string {
	switch {
	case r.Info.ASN != 0:
		return fmt.Sprintf("AS%d", r.Info.ASN)
	case r.ReportedASN != 0:
		return fmt.Sprintf("AS%d?", r.ReportedASN)
	}
	return ""
}

// responderOperator is the operator of a responder (its hop's carrier name when the enrichment has no
// organisation), or its special range's kind when it has no AS.
func responderOperator(r *PathResponder, h *PathHop) string {
	switch {
	case r.Info.Operator != "":
		return r.Info.Operator
	case r.Info.ASN != 0 && r.Info.ASN == h.ASN && h.Operator != "":
		return h.Operator
	case r.Info.Special != nil:
		return r.Info.Special.Kind
	}
	return ""
}

// placeText is a place label, starred when it comes from the hostname.
func placeText(p *Place) string {
	if p == nil {
		return ""
	}
	s := p.Label
	if p.Source == "hostname" {
		s += "*"
	}
	return s
}

// findingsByTTL indexes the jumps (by the TTL they rise to) and spikes of a path, so each hop's notes
// cost its own findings, not a pass over all of them.
type findingsByTTL struct {
	jumps  map[int][]Jump
	spikes map[int][]Spike
	loss   map[int]LossFinding
	jitter map[int]JitterFinding
}

func indexFindings(f *Findings) findingsByTTL {
	x := findingsByTTL{jumps: map[int][]Jump{}, spikes: map[int][]Spike{}, loss: map[int]LossFinding{}, jitter: map[int]JitterFinding{}}
	for _, l := range f.Loss {
		x.loss[l.TTL] = l
	}
	for _, j := range f.Jitter {
		x.jitter[j.TTL] = j
	}
	for _, j := range f.Jumps {
		x.jumps[j.ToTTL] = append(x.jumps[j.ToTTL], j)
	}
	for _, s := range f.Spikes {
		x.spikes[s.TTL] = append(x.spikes[s.TTL], s)
	}
	return x
}

// hopNotes turns a hop's marks into short notes, with the severity of the most serious one.
func hopNotes(h PathHop, f findingsByTTL) ([]string, string) {
	var out []string
	severity := ""
	for _, m := range h.Marks {
		switch m {
		case "jump", "contradiction", "loss", "dest-loss":
			severity = "alert"
		default:
			if severity == "" {
				severity = "note"
			}
		}
		switch m {
		case "jump":
			for _, j := range f.jumps[h.TTL] {
				s := fmt.Sprintf("jump +%.0f ms", j.DeltaMs)
				if !j.Persistent {
					s += " (unconfirmed)"
				}
				out = append(out, s)
			}
		case "spike":
			for _, s := range f.spikes[h.TTL] {
				out = append(out, fmt.Sprintf("slow ICMP (hop %d: %s ms)", s.LaterTTL, fmtMs(s.LaterMs)))
			}
		case "far-side":
			out = append(out, "far-end RTT")
		case "multi":
			out = append(out, fmt.Sprintf("%d responders", len(h.Responders)))
		case "special":
			kinds := []string{}
			for _, r := range h.Responders {
				if r.Info.Special != nil && !slices.Contains(kinds, r.Info.Special.Kind) {
					kinds = append(kinds, r.Info.Special.Kind)
				}
			}
			for i, k := range kinds {
				switch k {
				case "unannounced":
					kinds[i] = "internal (unannounced) address"
				case "cgnat":
					kinds[i] = "CGNAT address"
				default:
					kinds[i] = k + " address"
				}
			}
			out = append(out, strings.Join(kinds, ", "))
		case "contradiction":
			out = append(out, "location impossible at this RTT")
		case "stray":
			out = append(out, "stray AS")
		case "mpls":
			out = append(out, "MPLS")
		case "destination":
			out = append(out, "destination")
		case "loss", "dest-loss", "rate-limit", "last-loss", "weak-loss":
			if l, ok := f.loss[h.TTL]; ok {
				if n := lossNote(l); n != "" {
					out = append(out, n)
				}
			}
		case "queueing", "jittery":
			if j, ok := f.jitter[h.TTL]; ok {
				out = append(out, jitterNote(j))
			}
		}
	}
	return out, severity
}

// route returns the located points of a path in order (source, hops, destination) with the leg to each,
// and how many answering hops have no location.
func route(p *Path) (pts []RoutePoint, unlocated int) {
	pts = []RoutePoint{}
	f := &p.Findings
	if f.Source.Known && f.Source.Place.Located() {
		pl := f.Source.Place
		pts = append(pts, RoutePoint{Kind: "source", Lat: pl.Lat, Lon: pl.Lon, Label: "you: " + pl.Label, Place: pl.Label, HasMs: true})
	}
	var via []uint32
	for _, h := range p.Hops {
		if h.Silent {
			continue
		}
		if !h.Place.Located() {
			unlocated++
			if h.ASN != 0 && (len(via) == 0 || via[len(via)-1] != h.ASN) {
				via = append(via, h.ASN)
			}
			continue
		}
		rp := RoutePoint{Kind: "hop", Lat: h.Place.Lat, Lon: h.Place.Lon, TTL: h.TTL, ASN: h.ASN,
			Label: fmt.Sprintf("hop %d: %s", h.TTL, h.Place.Label), Place: h.Place.Label, Via: via}
		via = nil
		if h.RTT != nil {
			rp.MinMs, rp.HasMs = h.RTT.MinMs, true
		}
		if slices.Contains(h.Marks, "destination") {
			rp.Kind = "destination"
		}
		pts = append(pts, rp)
	}
	d := f.Destination
	last := len(pts) - 1
	switch {
	case !d.Reached && d.Place.Located():
		pts = append(pts, RoutePoint{Kind: "destination", Lat: d.Place.Lat, Lon: d.Place.Lon, ASN: d.ASN,
			Label: "destination " + d.Addr + ": " + d.Place.Label + " (did not answer)", Place: d.Place.Label, Via: via})
	case d.Reached && last >= 0 && pts[last].Kind == "hop" && pts[last].TTL == d.ReachedTTL:
		pts[last].Kind = "destination"
	case d.Reached && last >= 0 && pts[last].Kind == "destination":
	default:
		// Not located: at its country's centre with the country's size as its uncertainty, else not drawn
		// (never on the last located point, which may be the source).
		if cp, ok := countryPoint(d); ok {
			cp.Via = via
			pts = append(pts, cp)
		}
	}
	for i := 1; i < len(pts); i++ {
		km := geo.DistanceKm(pts[i-1].Lat, pts[i-1].Lon, pts[i].Lat, pts[i].Lon)
		pts[i].LegKm, pts[i].LegLightMs = km, geo.LightMinRTTMs(km)
	}
	addArcs(pts)
	return pts, unlocated
}

// networks lists the ASes of a path with their operators' names, in path order.
func networks(p *Path) []Network {
	out := []Network{}
	idx := map[uint32]int{}
	add := func(asn uint32, op string) {
		if asn == 0 {
			return
		}
		if i, ok := idx[asn]; ok {
			if out[i].Operator == "" {
				out[i].Operator = op
			}
			return
		}
		idx[asn] = len(out)
		out = append(out, Network{ASN: asn, Operator: op})
	}
	for _, h := range p.Hops {
		if h.Operator != "" {
			add(h.ASN, h.Operator)
		}
	}
	for _, r := range p.Findings.ASPath {
		add(r.ASN, r.Operator)
	}
	add(p.Findings.Destination.ASN, p.Findings.Destination.Operator)
	return out
}
