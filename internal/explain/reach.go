package explain

import (
	"strconv"
	"strings"

	"hopscope/internal/enrich"
	"hopscope/internal/path"
)

// answered reports whether anything answered at h in this measurement: a reply or an unreachable
// among its probes, or an aggregate with something received (an mtr row can name a host that answered
// none of its probes).
func answered(h *path.Hop) bool {
	for _, r := range h.Responders {
		if responderAnswered(h, r) {
			return true
		}
	}
	return false
}

// responderAnswered reports whether responder r of hop h answered at least one probe.
func responderAnswered(h *path.Hop, r path.Responder) bool {
	if len(h.Probes) == 0 {
		return r.Stats == nil || r.Stats.Received > 0
	}
	if !r.Addr.IsValid() {
		return h.Answered() > 0
	}
	for _, p := range h.Probes {
		if p.From == r.Addr && (p.Status == path.StatusReply || p.Status == path.StatusUnreachable) {
			return true
		}
	}
	return false
}

// reachedTTL is the first hop where the target's address answered; 0 when it did not (or the trace
// does not give it).
func (e *explainer) reachedTTL() int {
	a := e.t.Target.Addr
	if !a.IsValid() {
		return 0
	}
	for i := range e.t.Hops {
		h := &e.t.Hops[i]
		if r := h.Responder(a); r != nil && responderAnswered(h, *r) {
			// The target's address answering at every TTL after this one too (a NAT64 translator,
			// or a middlebox answering in the target's name) is no arrival: the tool stops at the
			// target, so the last of the run is where it arrived.
			for j := i + 1; j < len(e.t.Hops); j++ {
				n := &e.t.Hops[j]
				r := n.Responder(a)
				if r == nil || !responderAnswered(n, *r) || n.TTL != e.t.Hops[j-1].TTL+1 {
					break
				}
				h = n
			}
			return h.TTL
		}
	}
	// Names only (mtr without -n): no responder carries an address, so the target's cannot show; a
	// tool that stops at the destination reached it at its final row when that row answered.
	if last := e.lastResponding(); last >= 0 && last == len(e.t.Hops)-1 && e.namesOnly() && e.stopsHere(last) {
		return e.t.Hops[last].TTL
	}
	return 0
}

// namesOnly reports whether some responder answered and none carries an address.
func (e *explainer) namesOnly() bool {
	if anyAddress(e.t) {
		return false
	}
	for i := range e.t.Hops {
		if len(e.t.Hops[i].Responders) > 0 {
			return true
		}
	}
	return false
}

// stopsHere reports whether a tool that stops at the destination (mtr and its relatives) stopped at hop
// index last because it reached it: the hop limit did not cut it, and its name is no router's between
// networks (an AS number or an interconnect word: "as33891.dusseldorf.megaport.net" is where a paste
// was cut short, not the target).
func (e *explainer) stopsHere(last int) bool {
	h := &e.t.Hops[last]
	if !stopsAtDestination[e.t.Source] || (e.maxTTL() > 0 && h.TTL >= e.maxTTL()) {
		return false
	}
	for _, r := range h.Responders {
		if in := e.responderInfo(r); in.Hint != nil && (in.Hint.Interconnect || in.Hint.Exchange != "") {
			return false
		}
	}
	return true
}

// stopsAtDestination names the tools whose output ends at the destination when it answers and goes on
// with silent rows when it does not (mtr, its relatives and RouterOS measure up to the hop that answers as the
// target): for them a trace whose last row answered ended at its target.
var stopsAtDestination = map[string]bool{
	"mtr-report": true, "mtr-json": true, "mtr-raw": true, "mtr-curses": true, "winmtr": true, "mikrotik": true,
}

// lastIsTarget reports whether the last answering hop (index last) is the target, for a trace that
// does not give the target's address: a responder there carries the target's name, or the tool stops
// at the destination and nothing follows that hop.
func (e *explainer) lastIsTarget(last int) bool {
	h := &e.t.Hops[last]
	for _, n := range []string{e.t.Target.Name, e.t.Target.Canonical} {
		n = normName(n)
		if n == "" {
			continue
		}
		for _, r := range h.Responders {
			if normName(r.Name) == n && responderAnswered(h, r) {
				return true
			}
		}
	}
	named := e.t.Target.Name != "" || e.t.Target.Canonical != ""
	return named && last == len(e.t.Hops)-1 && e.stopsHere(last)
}

// maxTTL is the hop limit the trace ran with: the importer's, else a -m N or --max-ttl N in the
// command line the tool printed (mtr's JSON keeps it); 0 when unknown.
func (e *explainer) maxTTL() int {
	if e.t.MaxTTL > 0 {
		return e.t.MaxTTL
	}
	f := strings.Fields(e.t.Meta["command"])
	for i, w := range f {
		v, ok := "", false
		switch {
		case (w == "-m" || w == "--max-ttl") && i+1 < len(f):
			v, ok = f[i+1], true
		case strings.HasPrefix(w, "--max-ttl="):
			v, ok = strings.TrimPrefix(w, "--max-ttl="), true
		}
		if n, err := strconv.Atoi(v); ok && err == nil && n > 0 {
			return n
		}
	}
	return 0
}

// normName lowercases a host name and drops its final dot.
func normName(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}

// responderInfo is what is known about responder r: its address's enrichment or, for a responder known
// only by name (mtr without addresses), what the name itself says (enrich.HintFromName).
func (e *explainer) responderInfo(r path.Responder) enrich.Info {
	if r.Addr.IsValid() || r.Name == "" {
		return e.info(r.Addr)
	}
	if in, ok := e.named[r.Name]; ok {
		return in
	}
	if e.named == nil {
		e.named = map[string]enrich.Info{}
	}
	in := enrich.Info{Hint: enrich.HintFromName(r.Name)}
	e.named[r.Name] = in
	return in
}

// confirmNameHints places hops known only by name whose name gives an ambiguous code (a low-confidence
// hint, which enrich keeps only when a database country confirms it) when the nearest located hop
// before or after is in the hint's country: the neighbours stand in for the database nobody could ask.
func (e *explainer) confirmNameHints() {
	for i := range e.out {
		if e.out[i].Place != nil {
			continue
		}
		for _, r := range e.t.Hops[i].Responders {
			if r.Addr.IsValid() {
				continue
			}
			h := e.responderInfo(r).Hint
			if h == nil || h.Confidence != enrich.ConfidenceLow || !h.HasCoords || h.Country == "" {
				continue
			}
			if e.neighbourCountry(i, -1) == h.Country || e.neighbourCountry(i, +1) == h.Country {
				e.out[i].Place = &Place{City: h.City, Country: h.Country, Lat: h.Lat, Lon: h.Lon, HasCoords: true,
					Source: "hostname", Confidence: h.Confidence}
				break
			}
		}
	}
}

// neighbourCountry is the country of the nearest placed hop from index i in direction dir, looking
// past at most two silent or unplaced hops; "" when none.
func (e *explainer) neighbourCountry(i, dir int) string {
	for j, n := i+dir, 0; j >= 0 && j < len(e.out) && n < 3; j, n = j+dir, n+1 {
		if p := e.out[j].Place; p != nil && p.Country != "" {
			return p.Country
		}
	}
	return ""
}
