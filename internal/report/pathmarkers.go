package report

import (
	"fmt"

	"hopscope/internal/explain"
)

// Marker is what one hop's replies say beyond an answer (docs/report-schema.md, "markers").
type Marker struct {
	TTL int `json:"ttl"`
	// Kind is "unreachable" (an ICMP destination unreachable: !H, !N, !X, ...), "reply-ttl" (replies with
	// TTL ≤ 1, BSD traceroute's "!"), "late", "dup" (RIPE Atlas) or "quoted-ttl" (the probe quoted with a
	// TTL other than 1, RIPE Atlas "ittl").
	Kind string `json:"kind"`
	// Code is the unreachable code without "!" ("N", "H", "X", "13"), or the quoted TTL; absent otherwise.
	Code string `json:"code,omitempty"`
	// Addr is the responder that sent it; absent when known only by name.
	Addr string `json:"addr,omitempty"`
	// Count is how many of the hop's Probes carried it.
	Count  int `json:"count"`
	Probes int `json:"probes"`
	// Destination is true when the target's own address sent it: an answer, not the end of the path.
	Destination bool `json:"destination,omitempty"`
	// Ends is true for an unreachable from a router at the last hop that answered: the path ends there.
	Ends bool `json:"ends,omitempty"`
	// Meaning says in one sentence what it means on this path.
	Meaning string `json:"meaning"`
}

// newMarkers converts the stage's markers; the result is never nil.
func newMarkers(ms []explain.Marker) []Marker {
	out := make([]Marker, 0, len(ms))
	for _, m := range ms {
		out = append(out, Marker{TTL: m.TTL, Kind: m.Kind, Code: m.Code, Addr: m.Addr, Count: m.Count, Probes: m.Probes,
			Destination: m.Destination, Ends: m.Ends, Meaning: m.Meaning})
	}
	return out
}

// markerLines are the Markers section: one line per marker, its meaning.
func markerLines(f *Findings) []string {
	var lines []string
	for _, m := range f.Markers {
		lines = append(lines, m.Meaning)
	}
	return lines
}

// markerNotes adds each marker's short note to its hop; an unreachable that ends the path is an alert.
func markerNotes(p *Path) {
	for _, m := range p.Findings.Markers {
		for i := range p.Hops {
			h := &p.Hops[i]
			if h.TTL != m.TTL {
				continue
			}
			h.Notes = append(h.Notes, markerNote(m))
			switch {
			case m.Ends:
				h.Severity = "alert"
			case h.Severity == "":
				h.Severity = "note"
			}
		}
	}
}

// markerNote is a marker in a few words for the hop table.
func markerNote(m Marker) string {
	switch m.Kind {
	case explain.MarkerUnreachable:
		name, _ := explain.UnreachableText(m.Code)
		if m.Ends {
			return fmt.Sprintf("%s (!%s): the path ends here", name, m.Code)
		}
		return fmt.Sprintf("%s (!%s)", name, m.Code)
	case explain.MarkerReplyTTL:
		return "reply TTL ≤ 1 (!)"
	case explain.MarkerLate:
		return fmt.Sprintf("%d late", m.Count)
	case explain.MarkerDup:
		return fmt.Sprintf("%d duplicate", m.Count)
	case explain.MarkerQuotedTTL:
		return "quoted TTL " + m.Code
	}
	return m.Kind
}
