package tracefile

import (
	"net/netip"
	"strconv"
	"strings"

	"hopscope/internal/path"
)

// FormatNextTrace is the text output of NextTrace and of besttrace (AS and place after each hop).
const FormatNextTrace = "nexttrace"

// detectNextTrace is certain of NextTrace's banners and "bytes payload" header, likely on a hop
// line with AS and place columns, and claims a "traceroute to" header when the input has those.
func detectNextTrace(s *sniff) confidence {
	if isNextTraceMark(s.line) {
		return certain
	}
	if rest, ok := hopNumber(s.line); ok && rest != "" && isSpace(rest[0]) && isNextTraceHop(strings.Fields(s.line)) {
		return likely
	}
	return detectTracerouteAs(s, FormatNextTrace)
}

// isNextTraceMark reports whether line is one only NextTrace or besttrace prints.
func isNextTraceMark(line string) bool {
	return strings.HasPrefix(line, "NextTrace ") || strings.HasPrefix(line, "[NextTrace API]") ||
		strings.HasPrefix(line, "IP Geo Data Provider:") || strings.HasPrefix(line, "MapTrace URL:") ||
		strings.HasPrefix(line, "BestTrace") || strings.HasPrefix(line, "traceroute to ") && strings.Contains(line, " bytes payload") ||
		isNextTraceArrowHeader(line)
}

// isNextTraceArrowHeader reports whether line is the header NextTrace 1.6 and later print, source first:
// "192.168.0.102 -> 110.242.74.102 (baidu.com), 30 hops max, 28 byte packets, ICMP mode".
func isNextTraceArrowHeader(line string) bool {
	src, rest, ok := strings.Cut(line, " -> ")
	if !ok || strings.ContainsAny(src, " \t") || !strings.Contains(rest, " hops max") {
		return false
	}
	_, err := netip.ParseAddr(src)
	return err == nil
}

// isSeparatorLine reports whether line is a rule of dashes or equals signs, as scripts that run
// NextTrace or besttrace to several targets print between the traces.
func isSeparatorLine(line string) bool {
	return len(line) >= 10 && (strings.Trim(line, "-") == "" || strings.Trim(line, "=") == "")
}

// isNextTraceBanner reports whether line is NextTrace's chatter around the trace (skipped).
func isNextTraceBanner(line string) bool {
	return isNextTraceMark(line) && !strings.HasPrefix(line, "traceroute to ") && !isNextTraceArrowHeader(line) ||
		strings.HasPrefix(line, "Please Choose the IP") || strings.HasPrefix(line, "Your Option:") ||
		strings.HasPrefix(line, "Route-Path") || strings.HasPrefix(line, "[NextTrace")
}

// isNextTraceHop reports whether the fields of a hop line carry NextTrace's columns: an address and
// then "AS4837" or "*" with no RTT on the line (NextTrace, RTTs on the next line), or RTTs followed
// by "AS4837,..." or "*" and place text (besttrace and the classic NextTrace layout).
func isNextTraceHop(f []string) bool {
	if len(f) < 3 || !isInt(f[0]) {
		return false
	}
	hasMS := false
	for _, w := range f {
		if w == "ms" {
			hasMS = true
		}
	}
	if !hasMS {
		_, err := netip.ParseAddr(f[1])
		return (err == nil || isRedacted(f[1])) && (f[2] == "*" || isASColumn(f[2])) && len(f) >= 4
	}
	for i := 1; i+1 < len(f); i++ {
		if f[i] != "ms" {
			continue
		}
		next := f[i+1]
		if isASColumn(next) {
			return true
		}
		if next == "*" && i+2 < len(f) && isPlaceWord(f[i+2]) && (i+3 >= len(f) || !strings.HasPrefix(f[i+3], "(") && f[i+3] != "ms") {
			return true // besttrace's empty AS column, then the place
		}
	}
	return false
}

// isPlaceWord reports whether w can open besttrace's place column ("美国,", "局域网", "RFC1918")
// rather than be a responder or an RTT of a traceroute line.
func isPlaceWord(w string) bool {
	if w == "*" || strings.ContainsAny(w, ".:()") {
		return false
	}
	_, ok := parseMillis(w)
	return !ok
}

// isASColumn reports whether s is "AS4837" or "AS50131,AS201106".
func isASColumn(s string) bool {
	first, _, _ := strings.Cut(s, ",")
	if !strings.HasPrefix(first, "AS") || len(first) < 3 {
		return false
	}
	_, err := strconv.ParseUint(first[2:], 10, 32)
	return err == nil
}

// parseNextTrace imports NextTrace and besttrace text. NextTrace prints RTTs on the line under
// each responder, besttrace after the address:
//
//	traceroute to 192.0.2.9 (example.com), 30 hops max, 52 bytes payload, ICMP mode
//	1   192.168.5.1     *                         RFC1918
//	                                              1.90 ms / 1.94 ms / 1.81 ms
//	3   198.51.100.3    AS64500  [EXAMPLE-NET]    Country Province City  example.net
//	    r3.example.net                            8.74 ms / * ms / 8.65 ms
//	    198.51.100.4    AS64500  [EXAMPLE-NET]    Country Province City  example.net
//	                                              9.01 ms
//	4   *
//
//	traceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 32 byte packets
//	 1  198.51.100.1  5.29 ms  AS64500,AS64501  Country, Province, City, example.net
//	 2  r2.example.net (198.51.100.2)  6.15 ms  *  Country, Province, City
//	 3  *
//
// The AS number becomes the responder's ReportedASN; the place columns are the tool's own lookup
// and are not kept. A hidden address ("2xx.x.xxx.xxx") keeps its RTTs, known by that text.
func parseNextTrace(data []byte, opts ParseOptions) ([]*path.Trace, error) {
	const format = FormatNextTrace
	in := newTextInputOpts(format, data, opts)
	p := &ntParser{in: in}
	for in.scan() {
		if err := p.line(); err != nil {
			if err := in.tolerate(err); err != nil {
				return nil, err
			}
		}
	}
	p.flush()
	if len(p.traces) == 0 {
		return nil, in.refuse(`hop lines like "1   192.0.2.1   AS64500  place" and RTT lines like "1.90 ms / 1.94 ms"`,
			looksWithoutHops(p.sawHeader, describe(format)))
	}
	return p.traces, nil
}

type ntParser struct {
	in        *textInput
	traces    []*path.Trace
	cur       *path.Trace
	hop       int        // index of the current hop, -1 when none
	resp      netip.Addr // the responder RTT lines belong to
	haveResp  bool
	sawHeader bool
	toks      []token
	names     responderNames // the hops' responders known only by (hidden address) text
}

func (p *ntParser) flush() {
	if p.cur == nil {
		return
	}
	p.cur.Warnings = append(p.cur.Warnings, p.in.takeNotes()...)
	if len(p.cur.Hops) > 0 {
		finish(p.cur, true, false)
		p.traces = append(p.traces, p.cur)
	}
	p.cur, p.hop, p.haveResp = nil, -1, false
}

func (p *ntParser) ensure() {
	if p.cur == nil {
		p.cur = &path.Trace{Source: FormatNextTrace}
		p.hop = -1
	}
}

func (p *ntParser) line() error {
	in := p.in
	ln, start, body := in.ln, in.start, in.body()
	switch {
	case isNextTraceBanner(body):
		return nil
	case strings.HasPrefix(body, "traceroute to "):
		p.flush()
		p.ensure()
		p.sawHeader = true
		ntHeader(p.cur, body)
		return nil
	case isNextTraceArrowHeader(body):
		// "SRC -> DST (NAME), 30 hops max, ...": the same header with the source in front
		src, rest, _ := strings.Cut(body, " -> ")
		p.flush()
		p.ensure()
		p.sawHeader = true
		ntHeader(p.cur, "traceroute to "+rest)
		p.cur.From, _ = netip.ParseAddr(src)
		return nil
	case isSeparatorLine(body) && !in.strict:
		return nil // not NextTrace's own output: strict reading refuses it
	case start == 0 && len(body) > 2 && body[1] == '.' && startsWithDigit(body) && p.cur == nil:
		return nil // "0. 2001:db8::1": NextTrace's list of addresses to choose from
	case startsWithDigit(body) && start <= 2 && isInt(firstField(body)):
		return p.hopLine(ln, start)
	case start > 0 && p.cur != nil && p.hop >= 0:
		return p.continuation(ln, start)
	case isPromptLine(ln):
		return nil
	}
	return in.errAt(start+1, `a hop line like "1   192.0.2.1   AS64500  place" or a "traceroute to" header`, body)
}

// ntHeader reads "traceroute to ADDR (NAME), 30 hops max, 52 bytes payload, ICMP mode" (NextTrace
// puts the address first) or "traceroute to NAME (ADDR), ..." (besttrace).
func ntHeader(t *path.Trace, body string) {
	parts := strings.Split(body[len("traceroute to "):], ",")
	f := strings.Fields(parts[0])
	for _, w := range f {
		w = strings.Trim(w, "()")
		if a, err := netip.ParseAddr(w); err == nil {
			t.Target.Addr = a
		} else if w != "" && t.Target.Name == "" {
			t.Target.Name = w
		}
	}
	for _, part := range parts[1:] {
		w := strings.Fields(part)
		switch {
		case len(w) == 3 && w[1] == "hops" && w[2] == "max":
			t.MaxTTL, _ = parseUint(w[0], 1<<16)
		case len(w) == 2 && w[1] == "mode":
			switch strings.ToLower(w[0]) {
			case "icmp":
				t.Protocol = path.ProtoICMP
			case "tcp":
				t.Protocol = path.ProtoTCP
			case "udp":
				t.Protocol = path.ProtoUDP
			}
		}
	}
}

func (p *ntParser) hopLine(ln string, start int) error {
	in := p.in
	p.toks = tokenize(ln, p.toks)
	ts := p.toks
	ttl, ok := parseUint(ts[0].s, maxTTL)
	if !ok || ttl == 0 {
		return in.errAt(ts[0].col, "a hop number from 1 to 255", ts[0].s)
	}
	p.ensure()
	if n := len(p.cur.Hops); n > 0 && p.cur.Hops[n-1].TTL >= ttl {
		return in.errAt(ts[0].col, "hop "+itoa(p.cur.Hops[n-1].TTL+1)+" or later", ts[0].s)
	}
	p.cur.Hops = append(p.cur.Hops, path.Hop{TTL: ttl})
	p.hop = len(p.cur.Hops) - 1
	p.haveResp = false
	if len(ts) == 1 {
		return in.errAt(len(ln)+1, `"*" or a responder after the hop number`, "")
	}
	if ts[1].s == "*" && (len(ts) == 2 || ts[2].s == "*") {
		for _, t := range ts[1:] {
			if t.s == "*" {
				p.cur.Hops[p.hop].Probes = append(p.cur.Hops[p.hop].Probes, path.Probe{Status: path.StatusTimeout})
			}
		}
		return nil
	}
	return p.responderLine(ts[1:])
}

// responderLine reads "addr|name (addr) [RTTs] AS|* place..." into the current hop.
func (p *ntParser) responderLine(ts []token) error {
	in := p.in
	h := &p.cur.Hops[p.hop]
	var (
		addr netip.Addr
		name string
		i    = 1
	)
	s := ts[0].s
	if a, err := netip.ParseAddr(s); err == nil {
		addr = a
	} else if len(ts) > 1 && strings.HasPrefix(ts[1].s, "(") && strings.HasSuffix(ts[1].s, ")") {
		a, err := netip.ParseAddr(strings.Trim(ts[1].s, "()"))
		if err != nil {
			return in.errAt(ts[1].col, "an IP address in parentheses", ts[1].s)
		}
		addr, name, i = a, s, 2
	} else if isRedacted(s) && !in.strict {
		name = s
		in.note(in.line(), "address "+s+" hidden in the input; kept its RTTs")
	} else if s == "*" && len(ts) > 1 && isASColumn(ts[1].s) {
		// "18  *  AS396856  place  example.net" and an RTT line: a hop that answered, shown without
		// its address (hidden by whoever pasted it); a responder known by no address, with its AS.
		// Known by the model's word for a hidden address, as a responder needs a name or an address.
		name = "(hidden)"
		in.note(in.line(), "hop "+itoa(h.TTL)+": a responder shown without its address; kept its AS and RTTs")
	} else {
		return in.errAt(ts[0].col, `a responder address like "192.0.2.1"`, s)
	}
	r := p.names.add(h, addr, name)
	p.resp, p.haveResp = addr, true
	// besttrace: RTTs right after the address.
	for i < len(ts) {
		if d, ok := parseMillis(ts[i].s); ok && i+1 < len(ts) && ts[i+1].s == "ms" {
			h.Probes = append(h.Probes, path.Probe{Status: path.StatusReply, From: addr, RTT: d, HasRTT: true})
			i += 2
			continue
		}
		break
	}
	if i < len(ts) && isASColumn(ts[i].s) {
		first, _, _ := strings.Cut(ts[i].s, ",")
		if n, err := strconv.ParseUint(first[2:], 10, 32); err == nil && r.ReportedASN == 0 {
			r.ReportedASN = uint32(n)
		}
	}
	return nil
}

// continuation reads an indented line: the RTT line of the last responder (optionally opening
// with its name), a further responder of the hop, or an MPLS line.
func (p *ntParser) continuation(ln string, start int) error {
	in := p.in
	p.toks = tokenize(ln, p.toks)
	ts := p.toks
	h := &p.cur.Hops[p.hop]
	first := ts[0].s
	if strings.HasPrefix(first, "[MPLS") || strings.HasPrefix(first, "MPLS") {
		return nil // label lines: kept by no column of the model we can place reliably
	}
	// An RTT line: "[name] 1.90 ms / * ms / 1.81 ms".
	rtts, at, ok := ntRTTs(ts)
	if ok {
		if !p.haveResp {
			return in.errAt(ts[0].col, "a responder line before the RTTs", first)
		}
		if at == 1 {
			if r := h.Responder(p.resp); r != nil && r.Name == "" && p.resp.IsValid() && first != p.resp.String() {
				r.Name = first
			}
		}
		for _, pr := range rtts {
			if pr.Status == path.StatusReply {
				pr.From = p.resp
			}
			h.Probes = append(h.Probes, pr)
		}
		return nil
	}
	if _, err := netip.ParseAddr(first); err == nil || isRedacted(first) || len(ts) > 1 && strings.HasPrefix(ts[1].s, "(") {
		return p.responderLine(ts)
	}
	return in.errAt(start+1, `an RTT line like "1.90 ms / 1.94 ms / 1.81 ms" or a further responder`, strings.TrimSpace(ln))
}

// ntRTTs reads "1.90 ms / * ms / 1.81 ms" from ts[0] or ts[1] (after a name); at is where the RTTs
// begin.
func ntRTTs(ts []token) ([]path.Probe, int, bool) {
	for at := 0; at <= 1 && at < len(ts); at++ {
		var out []path.Probe
		i := at
		for i < len(ts) {
			s := ts[i].s
			switch {
			case s == "/":
				i++
				continue
			case s == "*":
				out = append(out, path.Probe{Status: path.StatusTimeout})
				i++
				if i < len(ts) && ts[i].s == "ms" {
					i++
				}
				continue
			}
			d, ok := parseMillis(s)
			if !ok || i+1 >= len(ts) || ts[i+1].s != "ms" {
				break
			}
			out = append(out, path.Probe{Status: path.StatusReply, RTT: d, HasRTT: true})
			i += 2
		}
		if i == len(ts) && len(out) > 0 {
			return out, at, true
		}
	}
	return nil, 0, false
}
