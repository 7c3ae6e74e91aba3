package tracefile

import (
	"net/netip"
	"strings"
	"time"
	"unicode"

	"hopscope/internal/path"
)

// FormatTracert is Windows tracert output.
const FormatTracert = "tracert"

// detectTracert is certain of tracert's header lines (in any language tracertHeader knows) and
// likely on its hop rows: whole "N ms" RTT columns (or "мс", "毫秒"), or three timeouts followed
// by a sentence ("Request timed out.", "Zeitüberschreitung der Anforderung.", "请求超时。").
func detectTracert(s *sniff) confidence {
	line := s.line
	if _, ok := tracertHeader(line); ok || strings.HasPrefix(line, "over a maximum of ") {
		return certain
	}
	rest, ok := hopNumber(line)
	if !ok || rest == "" || !isSpace(rest[0]) {
		return notMine
	}
	f := strings.Fields(rest)
	if len(f) >= 2 && isTracertUnit(f[1]) && (f[0] == "<1" || isInt(f[0])) {
		return likely
	}
	if len(f) >= 1 {
		if v, ok := cutTracertUnit(f[0]); ok && (v == "<1" || isInt(v)) {
			return likely
		}
	}
	if len(f) > 3 && f[0] == "*" && f[1] == "*" && f[2] == "*" && f[3] != "*" &&
		(strings.HasSuffix(line, ".") || strings.HasSuffix(line, "。")) {
		return likely // "  3     *        *        *     Request timed out."
	}
	return notMine
}

// parseTracert imports Windows tracert output, in any of the languages tracert_lang.go knows:
//
//	Tracing route to example.com [192.0.2.1]
//	over a maximum of 30 hops:
//
//	  1    <1 ms    <1 ms    <1 ms  router [192.168.1.1]
//	  2     *        *        *     Request timed out.
//	  3     4 ms     3 ms     4 ms  198.51.100.3
//	  4     9 ms     *        *     198.51.100.4 reports: Destination host unreachable.
//
//	Trace complete.
//
// "<1 ms" becomes 1 ms, the upper bound tracert states (it prints whole milliseconds). The text
// after three timeouts and the closing sentence are read in any language; a line between the
// header and the first hop that carries a number is the hop limit.
func parseTracert(data []byte, opts ParseOptions) ([]*path.Trace, error) {
	const format = FormatTracert
	var (
		traces    []*path.Trace
		cur       *path.Trace
		toks      []token
		sawHeader bool
		headed    bool   // the current trace opened with a "Tracing route to" header
		closed    bool   // "Trace complete." followed the current trace's hops
		command   string // the last "tracert ..." command line seen, for a trace that names no target
		elided    elisions
	)
	var wrapped []int
	if !opts.Strict {
		data, wrapped = unwrapTracert(data)
	}
	in := newTextInputOpts(format, data, opts)
	for _, n := range wrapped {
		in.note(n, "joined with the next line, where the console had wrapped the responder's address")
	}
	flush := func() {
		if cur != nil {
			if !cur.Target.Addr.IsValid() && cur.Target.Name == "" && command != "" {
				tracertTargetFromCommand(cur, command)
			}
			if !headed {
				tracertLastHopTarget(cur, closed)
			}
			command = ""
			cur.Warnings = append(cur.Warnings, in.takeNotes()...)
			if len(cur.Hops) > 0 {
				finishElided(cur, true, true, elided.take())
				traces = append(traces, cur)
			}
			cur = nil
		}
		headed, closed = false, false
		elided.take()
	}
	newTrace := func() {
		flush()
		cur = &path.Trace{Source: format, Protocol: path.ProtoICMP}
	}
	errf := in.errAt
	for in.scan() {
		if _, ok := tracertHeader(in.body()); ok || startsWithDigit(in.body()) {
			// "  1  1 ms  <1 ms  1 ms  h188a [192.168.1.1] # my gateway"
			if err := in.cutComment(); err != nil {
				return nil, err
			}
		}
		ln, start, body := in.ln, in.start, in.body()
		if target, ok := tracertHeader(body); ok {
			sawHeader = true
			if cur == nil || len(cur.Hops) > 0 || cur.Target.Name != "" || cur.Target.Addr.IsValid() {
				newTrace()
			}
			headed = true
			if err := tracertTarget(cur, target); err != nil {
				if err := in.tolerate(errf(start+1, "an IP address in brackets after the target name", target)); err != nil {
					return nil, err
				}
			}
			if n, ok := tracertLimitIn(body); ok {
				cur.MaxTTL = n // "Tracing route to 192.0.2.1 over a maximum of 30 hops"
			}
			continue
		}
		if n, ok := tracertMaxHops(body); ok && (cur == nil || len(cur.Hops) == 0) {
			if cur == nil {
				newTrace()
			}
			cur.MaxTTL = n
			continue
		}
		if c := body[0]; c >= '0' && c <= '9' {
			if cur == nil {
				newTrace()
			}
			if err := tracertHop(cur, in, ln, &toks); err != nil {
				if err := in.tolerate(err); err != nil {
					return nil, err
				}
			}
			continue
		}
		if cur != nil && len(cur.Hops) > 0 && (isClosingSentence(body) || isTracertClosing(body)) {
			closed = true
			flush() // "Trace complete." in any language
			continue
		}
		if isElisionLine(body) {
			if cur != nil && len(cur.Hops) > 0 {
				elided.mark(cur.Hops[len(cur.Hops)-1].TTL, in.line())
			}
			continue
		}
		if isPromptLine(ln) || isCmdExePrompt(body) {
			if cur == nil || len(cur.Hops) == 0 {
				command = body
			}
			continue
		}
		if isWindowsBanner(body) && (cur == nil || len(cur.Hops) == 0) {
			continue
		}
		if cur != nil && len(cur.Hops) == 0 && cur.MaxTTL > 0 && isWrappedLimitTail(body) {
			continue // "hops:" after "Tracing route to x [a] over a maximum of 30"
		}
		if err := in.tolerate(errf(start+1, `a hop line like "  3     4 ms     3 ms     4 ms  192.0.2.1" or "Tracing route to"`, body)); err != nil {
			return nil, err
		}
	}
	flush()
	if len(traces) == 0 {
		return nil, in.refuse(`"Tracing route to" and hop lines`, looksWithoutHops(sawHeader, describe(format)))
	}
	return traces, nil
}

// tracertLastHopTarget names the target of a trace pasted without its "Tracing route to" header (and
// without a command line naming it) after its last hop, as tracert stops at its target: when closed
// ("Trace complete." followed the hops), or when that hop answered all of three or more probes before
// the hop limit (the trace's, else tracert's default of 30). A paste that may have been cut (no closing
// line and fewer answers, or a timeout, at its last hop) keeps its target unknown.
func tracertLastHopTarget(t *path.Trace, closed bool) {
	if len(t.Hops) == 0 {
		return
	}
	if closed {
		lastHopTarget(t, `tracert stops at its target and said "Trace complete." after it, so the last hop`)
		return
	}
	h := &t.Hops[len(t.Hops)-1]
	limit := t.MaxTTL
	if limit <= 0 {
		limit = tracertDefaultMaxTTL
	}
	answered := 0
	for _, p := range h.Probes {
		if p.Status != path.StatusReply {
			return
		}
		answered++
	}
	if answered >= 3 && h.TTL < limit {
		lastHopTarget(t, "tracert stops at its target and the last hop answered every probe before the hop limit, so that hop")
	}
}

// tracertDefaultMaxTTL is tracert's hop limit when no -h is given.
const tracertDefaultMaxTTL = 30

// unwrapTracert joins a hop line that ends inside "[address" with the next line when that holds only the
// rest of the address and "]": old consoles wrapped at 80 columns and pastes keep the break
//
//	  5   368 ms   419 ms   439 ms  host137.190-225-249.telecom.net.ar [190.225.249.
//	137]
//
// The joined line keeps its number and an empty line takes the place of the second, so later line
// numbers still match the input; joined lists the (1-based) numbers of the lines joined.
func unwrapTracert(data []byte) (out []byte, joined []int) {
	lines := strings.Split(string(data), "\n")
	for i := 0; i+1 < len(lines); i++ {
		ln := strings.TrimRight(lines[i], "\r")
		open := strings.LastIndexByte(ln, '[')
		if open < 0 || strings.IndexByte(ln[open:], ']') >= 0 || !startsWithDigit(strings.TrimSpace(ln)) {
			continue
		}
		next := strings.TrimSpace(lines[i+1])
		if next == "" || !strings.HasSuffix(next, "]") || strings.ContainsAny(next, " \t[") {
			continue
		}
		lines[i], lines[i+1] = ln+next, ""
		joined = append(joined, i+1)
	}
	if len(joined) == 0 {
		return data, nil
	}
	return []byte(strings.Join(lines, "\n")), joined
}

// tracertTarget reads "name [addr]", "addr" or a name into t.Target.
func tracertTarget(t *path.Trace, target string) error {
	name, addr, bracket := splitBracket(target)
	if bracket && !addr.IsValid() {
		return errBadTarget
	}
	if a, err := netip.ParseAddr(name); err == nil {
		t.Target.Addr = a
	} else {
		t.Target.Name = name
		t.Target.Addr = addr
	}
	return nil
}

func tracertHop(cur *path.Trace, in *textInput, ln string, toks *[]token) error {
	errf := in.errAt
	*toks = tokenize(ln, *toks)
	ts := *toks
	ttl, ok := parseUint(ts[0].s, maxTTL)
	if !ok || ttl == 0 {
		return errf(ts[0].col, "a hop number from 1 to 255", ts[0].s)
	}
	if n := len(cur.Hops); n > 0 && cur.Hops[n-1].TTL >= ttl {
		return errf(ts[0].col, "hop "+itoa(cur.Hops[n-1].TTL+1)+" or later", ts[0].s)
	}
	var probes []path.Probe
	i := 1
	for i < len(ts) {
		s := ts[i].s
		if s == "*" {
			probes = append(probes, path.Probe{Status: path.StatusTimeout})
			i++
			continue
		}
		num, hasUnit := cutTracertUnit(s)
		less := strings.HasPrefix(num, "<")
		num = strings.TrimPrefix(num, "<")
		d, ok := parseMillis(num)
		if !ok || strings.Contains(num, ".") {
			break
		}
		if !hasUnit {
			if i+1 >= len(ts) || !isTracertUnit(ts[i+1].s) {
				break
			}
			i++
		}
		if less {
			d = time.Millisecond // "<1 ms": under a millisecond; keep the stated bound
		}
		probes = append(probes, path.Probe{Status: path.StatusReply, RTT: d, HasRTT: true})
		i++
	}
	if len(probes) == 0 && i < len(ts) && isTracertMessage(ts[i:]) {
		// "  1  Transmit error: code 1231." / "  1  Erreur de transmission : code 1231": the probes
		// failed on this host before any reply could come.
		h := appendHop(cur, ttl)
		h.Probes = append(h.Probes, path.Probe{Status: path.StatusError})
		cur.Warnings = append(cur.Warnings, "hop "+itoa(ttl)+": "+strings.TrimSpace(ln[ts[i].col-1:]))
		return nil
	}
	if len(probes) == 0 && !tracertReportsFirst(ts[i:]) {
		col := len(ln) + 1
		got := ""
		if i < len(ts) {
			col, got = ts[i].col, ts[i].s
		}
		return errf(col, `an RTT like "4 ms", "<1 ms" or "*"`, got)
	}
	rest := ""
	col := len(ln) + 1
	if i < len(ts) {
		col = ts[i].col
		rest = strings.TrimSpace(ln[col-1:])
	}
	allTimeout := true
	for _, p := range probes {
		if p.Status != path.StatusTimeout {
			allTimeout = false
		}
	}
	// The text after the RTTs: a responder ("addr" or "name [addr]"), optionally followed by a
	// report ("reports: Destination host unreachable." in some language), or a message.
	var (
		name, report string
		addr         netip.Addr
		found        bool
	)
	rt := ts[i:]
	switch {
	case len(rt) == 0:
	case len(rt) >= 2 && strings.HasPrefix(rt[1].s, "[") && strings.HasSuffix(rt[1].s, "]"):
		name, found = rt[0].s, true
		addr, _ = netip.ParseAddr(rt[1].s[1 : len(rt[1].s)-1])
		if !addr.IsValid() {
			// A name with a non-address in brackets, such as a redacted "[REDACTED]": keep the name.
			cur.Warnings = append(cur.Warnings, "hop "+itoa(ttl)+": "+rt[1].s+" is not an IP address; kept the name only")
		}
		report = tracertRest(ln, rt[2:])
	default:
		if a, err := parseTracertAddr(rt[0].s); err == nil {
			addr, found = a, true
			report = tracertRest(ln, rt[1:])
		} else if !in.strict && !allTimeout && isRedacted(rt[0].s) {
			name, found = rt[0].s, true
			in.note(in.line(), "address "+rt[0].s+" redacted in the input; kept its RTTs")
			report = tracertRest(ln, rt[1:])
		} else if !in.strict && !allTimeout && len(rt) == 1 && isBareHostname(rt[0].s) {
			// A pasted or edited trace that shows the name without its "[address]": keep the name.
			name, found = rt[0].s, true
			in.note(in.line(), "hop "+itoa(ttl)+": "+rt[0].s+" has no address in brackets; kept the name and its RTTs")
		}
	}
	h := appendHop(cur, ttl)
	switch {
	case found:
	case allTimeout:
		// "Request timed out." or a translation of it.
		h.Probes = append(h.Probes, probes...)
		return nil
	case (strings.HasSuffix(rest, ".") || strings.HasSuffix(rest, "。")) && rest != "":
		// A tool message such as "General failure." or "Transmit error: code 1231."
		for _, p := range probes {
			if p.Status == path.StatusReply {
				p.Status = path.StatusError
				p.HasRTT, p.RTT = false, 0
			}
			h.Probes = append(h.Probes, p)
		}
		cur.Warnings = append(cur.Warnings, "hop "+itoa(ttl)+": "+rest)
		return nil
	default:
		cur.Hops = cur.Hops[:len(cur.Hops)-1]
		return errf(col, `a responder like "192.0.2.1" or "name [192.0.2.1]", or "Request timed out."`, rest)
	}
	code := ""
	if report != "" {
		code = tracertReportCode(report)
		cur.Warnings = append(cur.Warnings, "hop "+itoa(ttl)+": "+rest)
	}
	if name == addr.String() {
		name = ""
	}
	h.AddResponder(path.Responder{Addr: addr, Name: name})
	replied := false
	for _, p := range probes {
		if p.Status == path.StatusReply {
			replied = true
			p.From = addr
			if code != "" {
				p.Status, p.Unreachable = path.StatusUnreachable, code
			}
		}
		h.AddProbe(p, name)
	}
	if report != "" && !replied {
		// "  1  192.0.2.1  reports: Destination net unreachable." or "  7  *  *  192.0.2.7  reports: ...":
		// tracert prints no time for the probe the report answered; keep it as an answer without RTT.
		p := path.Probe{Status: path.StatusReply, From: addr}
		if code != "" {
			p.Status, p.Unreachable = path.StatusUnreachable, code
		}
		h.AddProbe(p, name)
	}
	return nil
}

// tracertValueOptions are tracert's options that take a value.
var tracertValueOptions = map[string]bool{"-h": true, "-j": true, "-w": true, "-S": true, "/h": true, "/j": true, "/w": true, "/S": true}

// tracertTargetFromCommand names t's target from a command line such as "C:\>tracert -d -h 15
// example.com" or "tracert -4 192.0.2.1": the first word after "tracert" that is not an option.
func tracertTargetFromCommand(t *path.Trace, line string) {
	if target, ok := commandTarget(line, []string{"tracert"}, tracertValueOptions); ok {
		t.Target = target
	}
}

// isCmdExePrompt reports whether line opens with a cmd.exe prompt, whose path may hold spaces:
// "H:\Documents and Settings\user>tracert gmail.com", "C:\>".
func isCmdExePrompt(line string) bool {
	if len(line) < 4 || line[1] != ':' || line[2] != '\\' {
		return false
	}
	if c := line[0] | 0x20; c < 'a' || c > 'z' {
		return false
	}
	return strings.IndexByte(line, '>') > 2
}

// tracertReportsFirst reports whether toks, the text of a hop line where RTTs were expected, is a
// responder followed by a report ("192.0.2.1  reports: Destination net unreachable.", in any
// language): tracert prints no RTT columns for such a hop.
func tracertReportsFirst(toks []token) bool {
	if len(toks) < 2 {
		return false
	}
	if _, err := parseTracertAddr(toks[0].s); err == nil {
		return true
	}
	w := toks[1].s
	return len(toks) >= 3 && strings.HasPrefix(w, "[") && strings.HasSuffix(w, "]")
}

// isTracertMessage reports whether toks, the text of a hop line where RTTs were expected, is a message
// tracert printed instead ("Transmit error: code 1231.", "General failure."): words, no address first.
func isTracertMessage(toks []token) bool {
	w := toks[0].s
	if _, err := parseTracertAddr(w); err == nil || len(toks) < 2 {
		return false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// parseTracertAddr reads a responder address, also with the colon tracert may print after it ("192.0.2.1:"
// before a report); an IPv6 address ending in "::" keeps its colons.
func parseTracertAddr(s string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a, nil
	}
	return netip.ParseAddr(strings.TrimSuffix(s, ":"))
}

// isBareHostname reports whether s is a dotted host name such as "ae2.edge1.Osaka1.level3.net" (not
// an address, not a sentence word).
func isBareHostname(s string) bool {
	if !looksLikeHostname(s) || !strings.Contains(strings.Trim(s, "."), ".") {
		return false
	}
	_, err := netip.ParseAddr(s)
	return err != nil
}

// tracertRest is the text of ln from the first of toks on, "" when toks is empty.
func tracertRest(ln string, toks []token) string {
	if len(toks) == 0 {
		return ""
	}
	return strings.TrimSpace(ln[toks[0].col-1:])
}

// splitBracket splits "name [addr]" into its parts; bracket reports whether brackets were present.
// addr is invalid when the bracketed text is not an IP address.
func splitBracket(s string) (name string, addr netip.Addr, bracket bool) {
	i := strings.LastIndexByte(s, '[')
	if i < 0 || !strings.HasSuffix(s, "]") {
		return s, netip.Addr{}, false
	}
	name = strings.TrimSpace(s[:i])
	addr, _ = netip.ParseAddr(s[i+1 : len(s)-1])
	return name, addr, true
}
