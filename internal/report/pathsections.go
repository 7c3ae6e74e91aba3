package report

import (
	"fmt"
	"slices"
	"strings"
)

// asNums formats ASNs as "AS3215/AS5511".
func asNums(asns []uint32) string {
	parts := make([]string, len(asns))
	for i, a := range asns {
		parts[i] = fmt.Sprintf("AS%d", a)
	}
	return strings.Join(parts, "/")
}

// ttlRange is "9" or "9–13".
func ttlRange(a, b int) string {
	if a == b {
		return fmt.Sprint(a)
	}
	return fmt.Sprintf("%d–%d", a, b)
}

// ttlList compresses TTLs into ranges: "10, 12, 15–17".
func ttlList(ttls []int) string {
	var parts []string
	for i := 0; i < len(ttls); {
		j := i
		for j+1 < len(ttls) && ttls[j+1] == ttls[j]+1 {
			j++
		}
		parts = append(parts, ttlRange(ttls[i], ttls[j]))
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// km formats kilometres with thousands separators.
func kmText(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String() + " km"
}

// sections lays out the findings as labelled lines of plain English, skipping empty ones.
func sections(f *Findings) []Section {
	out := []Section{}
	add := func(label string, lines ...string) {
		if len(lines) > 0 {
			out = append(out, Section{Label: label, Lines: lines})
		}
	}
	add("Destination", destinationLines(f.Destination)...)
	add("Markers", markerLines(f)...)
	add("Carriers", carrierLines(f)...)
	add("Hand-offs", handOffLines(f)...)
	add("Source", sourceLines(f.Source)...)
	add("Latency", latencyLines(f)...)
	add("Distance", distanceLines(f.Distance)...)
	var mpls []string
	for _, m := range f.MPLS {
		labels := make([]string, len(m.Labels))
		for i, l := range m.Labels {
			labels[i] = fmt.Sprint(l)
		}
		mpls = append(mpls, fmt.Sprintf("hop %d: label %s (inside a label-switched path: its RTT is likely the tunnel end's)", m.TTL, strings.Join(labels, "/")))
	}
	add("MPLS", mpls...)
	var multi []string
	for _, m := range f.MultiResponders {
		why := "load balancing or a path change"
		if m.SameOperator {
			why = "load balancing inside one operator"
		}
		// The hop's table lists every responder; the section names the first few (a load balancer's hop
		// may have thousands) and counts the rest.
		list := strings.Join(m.Addrs[:min(len(m.Addrs), multiListMax)], ", ")
		if n := len(m.Addrs) - multiListMax; n > 0 {
			list += fmt.Sprintf(" and %d more", n)
		}
		multi = append(multi, fmt.Sprintf("hop %d: %s (%s)", m.TTL, list, why))
	}
	add("Responders", multi...)
	if len(f.SilentHops) > 0 {
		add("Silent", "hops "+ttlList(f.SilentHops))
	}
	add("Special", specialLines(f.Special)...)
	var contra []string
	for _, c := range f.Contradictions {
		contra = append(contra, fmt.Sprintf("hop %d: the %s says %s, but it answers in %s ms from %s: at most %s away, and %s is at least %s: not stated",
			c.TTL, c.Place.Source, c.Place.LabelOf(), fmtMs(c.MinMs), c.Reference, kmText(c.MaxKm), c.Place.LabelOf(), kmText(c.DistanceKm)))
	}
	add("Impossible", contra...)
	return out
}

func destinationLines(d Destination) []string {
	if d.Addr == "" {
		if d.Reached && d.Name != "" {
			// Names only (mtr without addresses): the target answered under its name or as the last row.
			s := d.Name
			if d.ASN != 0 {
				s += fmt.Sprintf(": %s (AS%d)", d.Operator, d.ASN)
			}
			return []string{s, fmt.Sprintf("answered at hop %d (the trace gives names only, no addresses)", d.ReachedTTL)}
		}
		return nil
	}
	who := d.Addr
	if d.Name != "" {
		who += " " + d.Name
	}
	var parts []string
	if d.ASN != 0 {
		parts = append(parts, fmt.Sprintf("%s (AS%d)", d.Operator, d.ASN))
	}
	if l := d.Place.LabelOf(); l != "" {
		parts = append(parts, l)
	} else if d.Country != "" {
		parts = append(parts, d.Country)
	}
	lines := []string{who + ": " + strings.Join(parts, ", ")}
	if d.PlaceBasis != "" && (d.Anycast || d.Place == nil || d.Place.Source == "inferred") {
		lines = append(lines, "location: "+d.PlaceBasis)
	}
	switch {
	case d.Reached:
		lines = append(lines, fmt.Sprintf("answered at hop %d", d.ReachedTTL))
	case d.LastRespondingTTL > 0:
		s := fmt.Sprintf("the destination did not answer; the last responding hop is %d", d.LastRespondingTTL)
		if d.TrailingSilent > 0 {
			s += fmt.Sprintf(" (%d silent hop%s after it)", d.TrailingSilent, map[bool]string{true: "", false: "s"}[d.TrailingSilent == 1])
		}
		lines = append(lines, s)
	default:
		lines = append(lines, "nothing answered")
	}
	return lines
}

func carrierLines(f *Findings) []string {
	if len(f.Carriers) == 0 {
		return nil
	}
	var parts []string
	for _, c := range f.Carriers {
		s := fmt.Sprintf("%s (%s", c.Name, asNums(c.ASNs))
		switch {
		case !c.Observed:
			s += ", destination, no hop answered inside it)"
		case c.Transit:
			s += ", hop " + ttlRange(c.FirstTTL, c.LastTTL) + ", interconnect)"
		default:
			s += ", hops " + ttlRange(c.FirstTTL, c.LastTTL) + ")"
		}
		parts = append(parts, s)
	}
	var runs []string
	for _, r := range f.ASPath {
		s := fmt.Sprintf("AS%d %s", r.ASN, ttlRange(r.FirstTTL, r.LastTTL))
		for _, st := range r.Strays {
			s += fmt.Sprintf(" (stray AS%d at hop %d)", st.ASN, st.TTL)
		}
		runs = append(runs, s)
	}
	return []string{strings.Join(parts, " → "), "AS path: " + strings.Join(runs, " → ")}
}

func handOffLines(f *Findings) []string {
	var lines []string
	for _, h := range f.HandOffs {
		s := fmt.Sprintf("hop %d → %d: %s (%s) → %s (%s)", h.AfterTTL, h.AtTTL, h.From, asNums(h.FromASNs), h.To, asNums(h.ToASNs))
		if h.Entry {
			s = fmt.Sprintf("hop %d → %d: into %s (%s) from addresses of no known network", h.AfterTTL, h.AtTTL, h.To, asNums(h.ToASNs))
			if h.Place != nil {
				s += " in " + h.Place.LabelOf()
			}
			lines = append(lines, s)
			continue
		}
		if h.Within != "" {
			s = fmt.Sprintf("hop %d → %d: within %s, %s → %s", h.AfterTTL, h.AtTTL, h.Within, asNums(h.FromASNs), asNums(h.ToASNs))
		}
		if h.Place != nil {
			s += " in " + h.Place.LabelOf()
		}
		if len(h.Via) > 0 {
			s += ", via " + strings.Join(h.Via, ", ")
		}
		lines = append(lines, s)
		if h.Interconnect != "" {
			lines = append(lines, fmt.Sprintf("hop %d %s names the other carrier: one end of the link between them", h.InterconnectTTL, h.Interconnect))
		}
	}
	return lines
}

func sourceLines(s Source) []string {
	if !s.Known {
		return []string{"unknown: " + s.Basis}
	}
	l := s.Place.LabelOf()
	if s.Approximate {
		l += " (approximate)"
	}
	return []string{l + ": " + s.Basis}
}

func latencyLines(f *Findings) []string {
	var lines []string
	for _, j := range f.Jumps {
		s := fmt.Sprintf("hops %d → %d: %s → %s ms (+%s)", j.FromTTL, j.ToTTL, fmtMs(j.FromMs), fmtMs(j.ToMs), fmtMs(j.DeltaMs))
		if j.Persistent {
			s += fmt.Sprintf(", kept by later hops (≥ %s ms)", fmtMs(j.LevelMs))
		} else {
			s += ", last responding hop: not confirmed"
		}
		switch {
		case j.FromPlace != nil && j.ToPlace != nil:
			s += fmt.Sprintf("; %s → %s", j.FromPlace.LabelOf(), j.ToPlace.LabelOf())
		case j.ToPlace != nil:
			s += fmt.Sprintf("; into %s", j.ToPlace.LabelOf())
		}
		if j.Largest {
			s += " [largest]"
		}
		lines = append(lines, s)
	}
	for _, s := range f.Spikes {
		where := ""
		if s.Place != nil {
			where = " (" + s.Place.LabelOf() + ")"
		}
		if s.Bypassed {
			lines = append(lines, fmt.Sprintf("hop %d%s: %s–%s ms, as its distance from the source needs, but hop %d answers in %s ms: the later hops were reached another way (a path that differs per flow, an anycast destination), not through it",
				s.TTL, where, fmtMs(s.MinMs), fmtMs(s.MaxMs), s.LaterTTL, fmtMs(s.LaterMs)))
			continue
		}
		lines = append(lines, fmt.Sprintf("hop %d%s: %s–%s ms, but hop %d answers in %s ms: slow ICMP generation on that router, not path latency",
			s.TTL, where, fmtMs(s.MinMs), fmtMs(s.MaxMs), s.LaterTTL, fmtMs(s.LaterMs)))
	}
	lines = append(lines, farSideLines(f.FarSide)...)
	if f.NoRTT {
		return []string{"no hop carries an RTT (the input lists the route without times): latency cannot be judged"}
	}
	if len(lines) == 0 && f.Destination.LastRespondingTTL == 0 {
		return []string{"no hop answered: latency cannot be judged"}
	}
	if len(lines) == 0 {
		lines = append(lines, "no jump: the RTT rises smoothly along the path")
	}
	if f.ClockStepMs > 0 {
		lines = append(lines, fmt.Sprintf("every RTT comes in steps of %s ms: a coarse clock (old or virtual equipment); rises under two steps are not counted as jumps", fmtMs(f.ClockStepMs)))
	}
	return lines
}

func distanceLines(d *Distance) []string {
	if d == nil {
		return nil
	}
	s := fmt.Sprintf("%s → %s: %s great circle; light in fibre needs ≥ %s ms RTT", d.From.LabelOf(), d.To.LabelOf(), kmText(d.Km), fmtMs(d.LightMinMs))
	lines := []string{s}
	if d.MeasuredTTL > 0 {
		lines = append(lines, fmt.Sprintf("measured %s ms at hop %d: %.1f× the minimum", fmtMs(d.MeasuredMs), d.MeasuredTTL, d.Stretch))
	}
	if d.Approximate {
		lines = append(lines, "an end is approximate (see Source and Destination)")
	}
	return lines
}

// specialLines groups consecutive special addresses that share a kind and a note into one line.
func specialLines(ss []SpecialAddr) []string {
	var lines []string
	for i := 0; i < len(ss); {
		j := i
		for j+1 < len(ss) && ss[j+1].Kind == ss[i].Kind && ss[j+1].Note == ss[i].Note && ss[j+1].Name == ss[i].Name {
			j++
		}
		var ttls []int
		var addrs, prefixes []string
		for _, s := range ss[i : j+1] {
			if len(ttls) == 0 || ttls[len(ttls)-1] != s.TTL {
				ttls = append(ttls, s.TTL)
			}
			addrs = append(addrs, s.Addr)
			if !slices.Contains(prefixes, s.Prefix) {
				prefixes = append(prefixes, s.Prefix)
			}
		}
		label := "hop "
		if len(ttls) > 1 {
			label = "hops "
		}
		s := ss[i]
		lines = append(lines, fmt.Sprintf("%s%s: %s in %s: %s; %s", label, ttlList(ttls), strings.Join(addrs, ", "), strings.Join(prefixes, ", "), s.Name, s.Note))
		i = j + 1
	}
	return lines
}

// fmtMs formats milliseconds with one decimal.
func fmtMs(v float64) string { return fmt.Sprintf("%.1f", v) }

// multiListMax is how many addresses the Responders section names for one hop before counting the rest.
const multiListMax = 16
