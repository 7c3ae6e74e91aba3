package explain

import (
	"fmt"
	"net/netip"
	"strconv"

	"hopscope/internal/path"
)

// Kinds of marker: what a hop's replies say beyond "here is a router".
const (
	// MarkerUnreachable: an ICMP destination unreachable (traceroute's !H, !N, !P, !X, !A, !S, !F, !<n>,
	// RIPE Atlas "err"): the router there cannot or will not forward, so the path ends at the hop (or,
	// from the destination itself, it answered with a refusal).
	MarkerUnreachable = "unreachable"
	// MarkerReplyTTL: replies arrived with an IP TTL of 1 or less (BSD traceroute's bare "!"): the
	// responder sent them with the probe's own small TTL or from very far, a quirk of its stack.
	MarkerReplyTTL = "reply-ttl"
	// MarkerLate: replies that came after the tool had given up on the probe (RIPE Atlas "late"): a router
	// slow to send ICMP; the probe was not lost.
	MarkerLate = "late"
	// MarkerDup: more than one reply to one probe (RIPE Atlas "dup"): a duplicated packet or a loop.
	MarkerDup = "dup"
	// MarkerQuotedTTL: the probe came back quoted with a TTL other than 1 (RIPE Atlas "ittl"): a router
	// before the hop did not decrement it (an MPLS tunnel without TTL propagation, a middlebox), so the
	// hop numbers after it are shifted.
	MarkerQuotedTTL = "quoted-ttl"
)

// unreachableMeaning says what each traceroute unreachable annotation means, without the "!".
var unreachableMeaning = map[string][2]string{
	"N": {"network unreachable", "the router has no route to the destination's network"},
	"H": {"host unreachable", "the router has a route but cannot deliver to the host (down, or no ARP/ND answer)"},
	"P": {"protocol unreachable", "the probe's protocol is not served there"},
	"X": {"communication administratively prohibited", "a filter refuses the traffic"},
	"A": {"communication administratively prohibited", "a filter refuses the traffic"},
	"S": {"source route failed", "the router refused the probe's source route"},
	"F": {"fragmentation needed", "the packet is too big for the next link and may not be fragmented"},
	"V": {"host precedence violation", "the router refuses the probe's precedence"},
	"C": {"precedence cut-off", "the router refuses the probe's precedence"},
	"U": {"port unreachable", "nothing listens on the probe's port"},
}

// UnreachableText names an unreachable code ("N" → "network unreachable") and says what it means;
// numeric codes are ICMP destination-unreachable codes.
func UnreachableText(code string) (name, meaning string) {
	if m, ok := unreachableMeaning[code]; ok {
		return m[0], m[1]
	}
	if n, err := strconv.Atoi(code); err == nil {
		return fmt.Sprintf("destination unreachable (code %d)", n), "the router cannot or will not forward the probe"
	}
	return "destination unreachable (" + code + ")", "the router cannot or will not forward the probe"
}

// markers lists, per hop in TTL order, what its replies say beyond an answer: unreachables, replies
// with TTL ≤ 1, late and duplicate replies, quoted TTLs other than 1. own says the trace is hopscope's
// (whose late replies the report already times, so they are left to it).
func (e *explainer) markers(d Destination, own bool) []Marker {
	out := []Marker{}
	target := e.t.Target.Addr
	for _, h := range e.t.Hops {
		type key struct{ kind, code string }
		var order []key
		found := map[key]*Marker{}
		note := func(kind, code string, a netip.Addr) {
			k := key{kind, code}
			m := found[k]
			if m == nil {
				from := "" // formatted only for a marker's first probe: a hop may have many
				if a.IsValid() {
					from = a.String()
				}
				m = &Marker{TTL: h.TTL, Kind: kind, Code: code, Addr: from, Probes: len(h.Probes)}
				found[k] = m
				order = append(order, k)
			}
			m.Count++
		}
		for _, p := range h.Probes {
			from := p.From
			switch {
			case p.Status == path.StatusUnreachable:
				note(MarkerUnreachable, p.Unreachable, from)
			case p.Status == path.StatusReply && p.ReplyTTL == 1:
				note(MarkerReplyTTL, "", from)
			}
			if p.Late && !own {
				note(MarkerLate, "", from)
			}
			if p.Dup {
				note(MarkerDup, "", from)
			}
			if p.Status == path.StatusReply && p.QuotedTTL > 1 && !(target.IsValid() && p.From == target) {
				note(MarkerQuotedTTL, strconv.Itoa(p.QuotedTTL), from)
			}
		}
		for _, k := range order {
			m := found[k]
			m.Destination = target.IsValid() && m.Addr == target.String()
			m.Ends = m.Kind == MarkerUnreachable && !m.Destination && h.TTL >= d.LastRespondingTTL
			m.Meaning = markerMeaning(*m)
			out = append(out, *m)
		}
	}
	return out
}

// markerMeaning is the sentence that says what a marker means on this path.
func markerMeaning(m Marker) string {
	from := ""
	if m.Addr != "" {
		from = " from " + m.Addr
	}
	switch m.Kind {
	case MarkerUnreachable:
		name, why := UnreachableText(m.Code)
		switch {
		case m.Destination:
			return fmt.Sprintf("the destination answers at hop %d with %s (!%s): %s", m.TTL, name, m.Code, why)
		case m.Ends:
			return fmt.Sprintf("the path ends at hop %d: %s%s (!%s): %s", m.TTL, name, from, m.Code, why)
		}
		return fmt.Sprintf("hop %d answered %s%s (!%s) to %d of %d probes, yet later hops answer: %s on some flows only", m.TTL, name, from, m.Code, m.Count, m.Probes, why)
	case MarkerReplyTTL:
		return fmt.Sprintf("hop %d's replies%s arrived with TTL ≤ 1 (traceroute's \"!\"): its stack answers with the probe's own TTL; the hop is real, its reply TTL says nothing", m.TTL, from)
	case MarkerLate:
		return fmt.Sprintf("hop %d: %d repl%s%s came after the tool's wait: a router slow to send ICMP, not lost probes", m.TTL, m.Count, plural2(m.Count, "y", "ies"), from)
	case MarkerDup:
		return fmt.Sprintf("hop %d: %d duplicate repl%s%s: a duplicated packet or a loop on the way back", m.TTL, m.Count, plural2(m.Count, "y", "ies"), from)
	case MarkerQuotedTTL:
		return fmt.Sprintf("hop %d%s quotes the probe with TTL %s, not 1: a router before it did not count itself (a tunnel or a middlebox), so hop numbers from here on are shifted", m.TTL, from, m.Code)
	}
	return ""
}

// plural2 picks the singular or plural ending.
func plural2(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// pathEnd is the unreachable marker that ends the path, or nil.
func pathEnd(f *Findings) *Marker {
	for i := range f.Markers {
		if f.Markers[i].Ends {
			return &f.Markers[i]
		}
	}
	return nil
}

// unreachableSentence tells where an unreachable ends the path, for the summary.
func unreachableSentence(f *Findings) string {
	m := pathEnd(f)
	if m == nil {
		return ""
	}
	name, why := UnreachableText(m.Code)
	from := ""
	if m.Addr != "" {
		from = " from " + m.Addr
	}
	return fmt.Sprintf("The path ends at hop %d: %s%s (!%s), so %s; the hops before it are the route as far as it goes.", m.TTL, name, from, m.Code, why)
}

// unreachableOnly reports whether every answer at hop h with an RTT is an unreachable: such a reply
// proves nothing about the path beyond it (it may come from an earlier router), so the latency
// analysis does not measure later floors with it.
func unreachableOnly(h *path.Hop) bool {
	n := 0
	for _, p := range h.Probes {
		if p.Status == path.StatusReply {
			return false
		}
		if p.Status == path.StatusUnreachable {
			n++
		}
	}
	return n > 0
}
