package tracefile

import (
	"net/netip"
	"strings"
	"time"

	"hopscope/internal/path"
)

// FormatPathping is Windows pathping output (also StorSimple's Trace-HcsRoute, which runs it): a
// tracert-like route listing followed by per-hop statistics.
const FormatPathping = "tracert-pathping"

// pathpingMarks are lines only pathping prints: the start of its statistics and its table's header.
var pathpingMarks = []string{"Computing statistics for ", "Source to Here", "This Node/Link"}

// detectPathping is certain of pathping's statistics lines, and of a tracert header when the input
// holds them.
func detectPathping(s *sniff) confidence {
	for _, m := range pathpingMarks {
		if strings.HasPrefix(s.line, m) || strings.Contains(s.line, "Lost/Sent = Pct") {
			return certain
		}
	}
	if _, ok := tracertHeader(s.line); ok && (s.has("Computing statistics for ") || s.has("This Node/Link")) {
		return certain
	}
	return notMine
}

// parsePathping imports Windows pathping output:
//
//	Tracing route to example.com [192.0.2.9]
//	over a maximum of 30 hops:
//	  0  mypc [192.168.1.10]
//	  1  router [192.168.1.1]
//	  2  example.com [192.0.2.9]
//
//	Computing statistics for 50 seconds...
//	            Source to Here   This Node/Link
//	Hop  RTT    Lost/Sent = Pct  Lost/Sent = Pct  Address
//	  0                                           mypc [192.168.1.10]
//	                                0/ 100 =  0%   |
//	  1    1ms     0/ 100 =  0%     0/ 100 =  0%  router [192.168.1.1]
//	                                0/ 100 =  0%   |
//	  2   12ms     0/ 100 =  0%     0/ 100 =  0%  example.com [192.0.2.9]
//
//	Trace complete.
//
// Hop 0 is the source, which becomes Trace.From, not a hop. pathping reports per hop only the average
// RTT and the loss from the source to there: each responder gets Stats with Sent and Received and the
// average as its every time (a warning says so). An address the console wrapped onto its own line is
// joined with its hop.
func parsePathping(data []byte, opts ParseOptions) ([]*path.Trace, error) {
	const format = FormatPathping
	data, joined := unwrapPathping(data)
	in := newTextInputOpts(format, data, opts)
	for _, n := range joined {
		in.note(n, "joined with the next line, where the console had wrapped the responder's address")
	}
	var (
		traces    []*path.Trace
		cur       *path.Trace
		toks      []token
		stats     bool // in the statistics part
		rows      bool // a hop row of the statistics was read
		sawHeader bool
	)
	flush := func() {
		if cur != nil && len(cur.Hops) > 0 {
			cur.Warnings = append(cur.Warnings, in.takeNotes()...)
			if rows {
				cur.Warnings = append(cur.Warnings, "pathping reports only the average RTT per hop: best, worst and last are that average")
			} else {
				pathpingRouteOnly(cur)
			}
			finish(cur, true, false)
			traces = append(traces, cur)
		}
		cur, stats, rows = nil, false, false
	}
	for in.scan() {
		if startsWithDigit(in.body()) {
			// a hop line with a comment appended: "# my router", "<---- sent the ICMP"
			if err := in.cutComment(); err != nil {
				return nil, err
			}
		}
		ln, start, body := in.ln, in.start, in.body()
		if target, ok := tracertHeader(body); ok {
			flush()
			sawHeader = true
			cur = &path.Trace{Source: format, Protocol: path.ProtoICMP}
			if err := tracertTarget(cur, target); err != nil {
				if err := in.tolerate(in.errAt(start+1, "an IP address in brackets after the target name", target)); err != nil {
					return nil, err
				}
			}
			continue
		}
		switch {
		case cur == nil:
			if isPromptLine(ln) || isCmdExePrompt(body) || strings.Contains(body, "Trace-HcsRoute") || isWindowsBanner(body) {
				continue
			}
		case strings.HasPrefix(body, "Computing statistics for "):
			stats = true
			continue
		case strings.HasPrefix(body, "Source to Here") || strings.HasPrefix(body, "Hop ") && strings.Contains(body, "Lost/Sent"):
			continue
		case len(cur.Hops) == 0 && !stats:
			if n, ok := tracertMaxHops(body); ok {
				cur.MaxTTL = n
				continue
			}
		case strings.HasSuffix(body, "|"):
			continue // a link row of the statistics: "0/ 100 =  0%   |"
		case isTracertClosing(body) || isClosingSentence(body):
			flush()
			continue
		}
		if cur != nil && startsWithDigit(body) {
			toks = tokenize(ln, toks)
			if err := pathpingHop(cur, in, toks, stats); err != nil {
				if err := in.tolerate(err); err != nil {
					return nil, err
				}
				continue
			}
			rows = rows || stats
			continue
		}
		if isPromptLine(ln) || isCmdExePrompt(body) {
			continue
		}
		if err := in.tolerate(in.errAt(start+1, `a hop line like "  1  router [192.0.2.1]" or a statistics row`, body)); err != nil {
			return nil, err
		}
	}
	flush()
	if len(traces) == 0 {
		return nil, in.refuse(`"Tracing route to" and hop lines`, looksWithoutHops(sawHeader, describe(format)))
	}
	return traces, nil
}

// pathpingNoStats is the warning for a pathping output whose statistics part is missing.
const pathpingNoStats = "pathping's statistics part is not in the input: no RTTs or loss"

// pathpingRouteOnly completes a trace read from pathping's route listing alone (the statistics cut
// off, or never computed): pathping sent one probe per hop to list the route, and a listed router
// answered it, so each of its responders gets one reply probe without an RTT (pathping prints no time
// there), and a hop shown as "*" one timeout. A warning says the RTTs and loss are not in the input.
func pathpingRouteOnly(t *path.Trace) {
	for i := range t.Hops {
		h := &t.Hops[i]
		if len(h.Probes) > 0 {
			continue
		}
		if len(h.Responders) == 0 {
			h.Probes = append(h.Probes, path.Probe{Status: path.StatusTimeout})
			continue
		}
		for _, r := range h.Responders {
			h.Probes = append(h.Probes, path.Probe{Status: path.StatusReply, From: r.Addr})
		}
	}
	t.Warnings = append(t.Warnings, pathpingNoStats)
}

// pathpingHop reads a hop line of the route listing ("  1  name [addr]", "  3     *        *        *")
// or, in the statistics part, a hop row ("  1   12ms     0/ 100 =  0%     0/ 100 =  0%  name [addr]").
func pathpingHop(cur *path.Trace, in *textInput, ts []token, stats bool) error {
	ttl, ok := parseUint(ts[0].s, maxTTL)
	if !ok {
		return in.errAt(ts[0].col, "a hop number from 0 to 255", ts[0].s)
	}
	rest := ts[1:]
	var st *path.Stats
	if stats && len(rest) > 0 && (rest[0].s == "---" || strings.HasSuffix(rest[0].s, "ms")) {
		// RTT, then "Lost/ Sent = Pct" from the source to here (the node's own figures follow).
		var rtt time.Duration
		if rest[0].s != "---" {
			if rtt, ok = parseMillis(strings.TrimSuffix(rest[0].s, "ms")); !ok {
				return in.errAt(rest[0].col, `an average RTT like "12ms" or "---"`, rest[0].s)
			}
		}
		lost, sent, n, ok := pathpingLoss(rest[1:])
		if !ok {
			return in.errAt(rest[0].col, `a loss like "0/ 100 =  0%"`, rest[0].s)
		}
		rest = rest[1+n:]
		if _, _, n, ok := pathpingLoss(rest); ok {
			rest = rest[n:]
		}
		st = &path.Stats{Sent: sent, Received: sent - lost}
		if st.Received > 0 {
			st.Avg, st.Best, st.Worst, st.Last = rtt, rtt, rtt, rtt
		}
	}
	if len(rest) == 0 {
		return in.errAt(ts[0].col, "a responder after the hop number", "")
	}
	if rest[0].s == "*" {
		if !stats && ttl > 0 {
			appendHop(cur, ttl) // silent in the route listing
		}
		return nil
	}
	addrText := strings.TrimSpace(joinTokens(rest))
	name, addr, bracket := splitBracket(addrText)
	if !bracket {
		a, err := netip.ParseAddr(addrText)
		if err != nil {
			return in.errAt(rest[0].col, `a responder like "192.0.2.1" or "name [192.0.2.1]"`, addrText)
		}
		name, addr = "", a
	} else if !addr.IsValid() {
		return in.errAt(rest[0].col, "an IP address in brackets", addrText)
	}
	if ttl == 0 {
		cur.From = addr // the source itself, not a hop
		return nil
	}
	if n := len(cur.Hops); n > 0 && cur.Hops[n-1].TTL > ttl && !stats {
		return in.errAt(ts[0].col, "hop "+itoa(cur.Hops[n-1].TTL+1)+" or later", ts[0].s)
	}
	h := cur.HopAt(ttl)
	r := h.AddResponder(path.Responder{Addr: addr, Name: name})
	if st != nil {
		r.Stats = st
	}
	return nil
}

// pathpingLoss reads "0/ 100 =  0%" (or "100/ 100 =100%") at the start of ts: lost, sent and the number
// of tokens used.
func pathpingLoss(ts []token) (lost, sent, n int, ok bool) {
	var b strings.Builder
	for n < len(ts) && n < 5 {
		b.WriteString(ts[n].s)
		n++
		if strings.HasSuffix(ts[n-1].s, "%") {
			break
		}
	}
	s := b.String() // "0/100=0%"
	l, rest, ok1 := strings.Cut(s, "/")
	snt, _, ok2 := strings.Cut(rest, "=")
	if !ok1 || !ok2 || !strings.HasSuffix(s, "%") {
		return 0, 0, 0, false
	}
	lost, ok1 = parseUint(l, 1<<20)
	sent, ok2 = parseUint(snt, 1<<20)
	if !ok1 || !ok2 || lost > sent {
		return 0, 0, 0, false
	}
	return lost, sent, n, true
}

// unwrapPathping joins a line holding only "[address]" to the line before it, where the console
// wrapped a hop's responder ("  1    0ms  0/ 100 =  0%  0/ 100 =  0%  contoso.com" then
// " [10.126.174.25]"); an empty line keeps the line numbers. joined lists the lines joined (1-based).
func unwrapPathping(data []byte) ([]byte, []int) {
	lines := strings.Split(string(data), "\n")
	var joined []int
	for i := 1; i < len(lines); i++ {
		next := strings.TrimSpace(lines[i])
		if len(next) < 3 || next[0] != '[' || next[len(next)-1] != ']' {
			continue
		}
		if _, err := netip.ParseAddr(next[1 : len(next)-1]); err != nil {
			continue
		}
		prev := strings.TrimRight(lines[i-1], " \t\r")
		if prev == "" || strings.HasSuffix(prev, "]") || !startsWithDigit(strings.TrimSpace(prev)) {
			continue
		}
		lines[i-1], lines[i] = prev+" "+next, ""
		joined = append(joined, i)
	}
	if len(joined) == 0 {
		return data, nil
	}
	return []byte(strings.Join(lines, "\n")), joined
}
