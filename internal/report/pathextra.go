package report

import (
	"fmt"
	"strings"

	"hopscope/internal/path"
)

// PathMTU is what path MTU discovery found (trace --mtu).
type PathMTU struct {
	// Local is the first link's MTU in bytes; 0 when unknown.
	Local int `json:"local,omitempty"`
	// MTU is the largest packet, IP header included, that crossed the path as far as discovery got.
	MTU int `json:"mtu,omitempty"`
	// Complete is true when a packet of MTU bytes reached the last hop probed.
	Complete bool `json:"complete"`
	// Drops are the routers that reported a smaller next link, in path order.
	Drops []MTUDrop `json:"drops,omitempty"`
	// Note says why discovery stopped early or was skipped.
	Note string `json:"note,omitempty"`
}

// MTUDrop is one router that reported a smaller next link.
type MTUDrop struct {
	// TTL is that router's hop (the smaller link starts after it); 0 when it was not seen in the trace.
	TTL  int    `json:"ttl,omitempty"`
	From string `json:"from"`
	MTU  int    `json:"mtu"`
}

// NAT is where the probes were seen rewritten on the way (from the packets quoted in ICMP errors).
type NAT struct {
	// TTL is the first hop whose quote differs from what was sent (where Trippy and Dublin traceroute
	// flag it).
	TTL     int      `json:"ttl"`
	From    string   `json:"from"`
	Changes []string `json:"changes"`
	// RouterTTL is the hop whose router (or the link after it) rewrote the probes: the last hop that
	// still quoted them as sent, TTL-1; 0 when the first hop already quoted them changed.
	RouterTTL int `json:"router_ttl,omitempty"`
	// Router is what answered at RouterTTL, when anything did.
	Router string `json:"router,omitempty"`
}

// newPathMTU converts the measurement's MTU discovery; nil stays nil.
func newPathMTU(m *path.PathMTU) *PathMTU {
	if m == nil {
		return nil
	}
	out := &PathMTU{Local: m.Local, MTU: m.MTU, Complete: m.Complete, Note: m.Note}
	for _, d := range m.Drops {
		md := MTUDrop{TTL: d.TTL, MTU: d.MTU}
		if d.From.IsValid() {
			md.From = d.From.String()
		}
		out.Drops = append(out.Drops, md)
	}
	return out
}

// newNAT converts what the measurement saw of a NAT, naming the router before the first rewritten
// quote from the trace's hops; nil stays nil.
func newNAT(n *path.NAT, hops []path.Hop) *NAT {
	if n == nil {
		return nil
	}
	out := &NAT{TTL: n.TTL, Changes: n.Changes}
	if n.From.IsValid() {
		out.From = n.From.String()
	}
	if n.TTL > 1 {
		out.RouterTTL = n.TTL - 1
		for i := range hops {
			if hops[i].TTL == out.RouterTTL && len(hops[i].Responders) > 0 {
				out.Router = hops[i].Responders[0].Addr.String()
			}
		}
	}
	return out
}

// mtuLines says what MTU discovery found, in plain words.
func mtuLines(m *PathMTU) []string {
	if m == nil {
		return nil
	}
	if m.MTU == 0 {
		return []string{"not measured: " + m.Note}
	}
	var lines []string
	s := fmt.Sprintf("%d bytes", m.MTU)
	if m.Local > 0 && m.Local != m.MTU {
		s += fmt.Sprintf(" (the first link carries %d)", m.Local)
	}
	if !m.Complete {
		s += ", as far as discovery got"
	}
	lines = append(lines, s)
	for _, d := range m.Drops {
		where := fmt.Sprintf("a router not seen in the trace (%s)", d.From)
		if d.TTL > 0 {
			// tracepath prints the drop on the next hop's line: name both ends of the link.
			where = fmt.Sprintf("hop %d (%s), on its link to hop %d", d.TTL, d.From, d.TTL+1)
		}
		lines = append(lines, fmt.Sprintf("drops to %d bytes after %s: larger packets need fragmenting or are lost there", d.MTU, where))
	}
	if m.Note != "" && m.MTU != 0 {
		lines = append(lines, m.Note)
	}
	return lines
}

// natLines says where a NAT rewrote the probes.
func natLines(n *NAT) []string {
	if n == nil {
		return nil
	}
	at := "before hop 1 (on this host or its first link)"
	switch {
	case n.RouterTTL > 0 && n.Router != "":
		at = fmt.Sprintf("at hop %d (%s) or on its link to hop %d", n.RouterTTL, n.Router, n.TTL)
	case n.RouterTTL > 0:
		at = fmt.Sprintf("at hop %d (silent) or on its link to hop %d", n.RouterTTL, n.TTL)
	}
	line := fmt.Sprintf("a NAT %s rewrote the probes: hop %d (%s) quoted them changed (%s)", at, n.TTL, n.From, strings.Join(n.Changes, "; "))
	if n.RouterTTL > 0 {
		line += fmt.Sprintf(", hop %d still as sent", n.RouterTTL)
	}
	return []string{line}
}

// lateNotes tells of responders that answered only after their probes' wait, on the hop and in the
// Latency section: a router slow to generate ICMP, whose delay is not the path's.
func lateNotes(p *Path) {
	var lines []string
	for i := range p.Hops {
		h := &p.Hops[i]
		for _, r := range h.Responders {
			if r.LateRTT == nil {
				continue
			}
			h.Notes = append(h.Notes, fmt.Sprintf("late replies (%s ms)", fmtMs(r.LateRTT.MinMs)))
			if h.Severity == "" {
				h.Severity = "note"
			}
			lines = append(lines, fmt.Sprintf("hop %d (%s) answered only after its probes' wait, in %s–%s ms: a router slow to generate ICMP; that delay is not path latency",
				h.TTL, r.Addr, fmtMs(r.LateRTT.MinMs), fmtMs(r.LateRTT.MaxMs)))
		}
	}
	if len(lines) == 0 {
		return
	}
	for i := range p.Sections {
		if p.Sections[i].Label == "Latency" {
			if len(p.Sections[i].Lines) == 1 && strings.HasPrefix(p.Sections[i].Lines[0], "no jump") {
				p.Sections[i].Lines = append(lines, p.Sections[i].Lines...)
			} else {
				p.Sections[i].Lines = append(p.Sections[i].Lines, lines...)
			}
			return
		}
	}
	p.Sections = append(p.Sections, Section{Label: "Latency", Lines: lines})
}
