package tracefile

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/path"
)

// Format names of Cisco's traceroute, as pasted from the router's CLI.
const (
	FormatCiscoIOS = "cisco-ios"   // IOS and IOS-XE: "  1 192.0.2.1 [AS 64500] 4 msec 4 msec 4 msec"
	FormatCiscoXR  = "cisco-iosxr" // IOS-XR: " 1  192.0.2.1 2 msec  1 msec  1 msec", dated, RP/0/... prompts
)

// detectCiscoIOS claims Cisco traceroute when the input does not look like IOS-XR.
func detectCiscoIOS(s *sniff) confidence { return detectCiscoAs(s, FormatCiscoIOS) }

// detectCiscoXR claims Cisco traceroute when the input carries IOS-XR's marks.
func detectCiscoXR(s *sniff) confidence { return detectCiscoAs(s, FormatCiscoXR) }

// detectCiscoAs is certain of "Tracing the route to" and "Type escape sequence to abort." and likely
// on a hop line with "msec" RTTs, a unit only Cisco prints, and on the extended traceroute's
// questions when the output follows them.
func detectCiscoAs(s *sniff, format string) confidence {
	c := notMine
	line := s.line
	switch {
	case strings.HasPrefix(line, "Tracing the route to ") || line == "Type escape sequence to abort." || isCiscoTranslating(line):
		c = certain
	case isDialogLine(line) && s.has("Tracing the route to "):
		c = likely // a question of the extended traceroute before the output
	default:
		if rest, ok := hopNumber(line); ok && rest != "" && isSpace(rest[0]) && strings.Contains(rest, " msec") {
			c = likely
		}
	}
	if c == notMine || ciscoFlavour(s.head) != format {
		return notMine
	}
	return c
}

// ciscoFlavour tells IOS-XR from IOS: XR prompts ("RP/0/RSP0/CPU0:router#"), XR's date line before
// the output, and XR's hop layout (" 1  addr", the number then two spaces).
func ciscoFlavour(head []byte) string {
	xr, ios := 0, 0
	in := newTextInput("", head)
	for in.scan() {
		ln := in.ln
		body := strings.TrimSpace(ln)
		switch {
		case strings.Contains(body, "CPU0:") && (strings.HasPrefix(body, "RP/") || strings.HasPrefix(body, "LC/")):
			xr += 3
		case isCiscoDate(body):
			xr += 2
		case strings.HasPrefix(body, "VRF info:"):
			ios += 2
		case startsWithDigit(body) && strings.Contains(body, "msec"):
			i := in.start
			for i < len(ln) && ln[i] >= '0' && ln[i] <= '9' {
				i++
			}
			if strings.HasPrefix(ln[i:], "  ") && in.start <= 1 {
				xr++
			} else {
				ios++
			}
		}
	}
	if xr > ios {
		return FormatCiscoXR
	}
	return FormatCiscoIOS
}

// isCiscoDate reports whether s is the timestamp IOS-XR prints before a command's output:
// "Mon Jan 11 10:00:00.123 UTC".
func isCiscoDate(s string) bool {
	f := strings.Fields(s)
	if len(f) != 5 || len(f[0]) != 3 || len(f[1]) != 3 || strings.Count(f[3], ":") != 2 {
		return false
	}
	return strings.Contains("MonTueWedThuFriSatSun", f[0]) && f[0][0] >= 'A' && f[0][0] <= 'Z'
}

// parseCiscoIOS imports Cisco IOS / IOS-XE traceroute.
func parseCiscoIOS(data []byte, opts ParseOptions) ([]*path.Trace, error) {
	return parseCisco(data, FormatCiscoIOS, opts)
}

// parseCiscoXR imports Cisco IOS-XR traceroute.
func parseCiscoXR(data []byte, opts ParseOptions) ([]*path.Trace, error) {
	return parseCisco(data, FormatCiscoXR, opts)
}

// parseCisco imports Cisco traceroute as IOS, IOS-XE and IOS-XR print it:
//
//	R1#traceroute 192.0.2.9
//	Type escape sequence to abort.
//	Tracing the route to 192.0.2.9
//	VRF info: (vrf in name/id, vrf out name/id)
//	  1 198.51.100.1 [AS 64500] 0 msec 0 msec 1 msec
//	  2 198.51.100.5 [MPLS: Labels 16022/24004 Exp 0] 54 msec 68 msec 45 msec
//	  3 198.51.100.9 1 msec
//	    198.51.100.13 0 msec *
//	  4 192.0.2.9 !A  *  !A
//
// A further responder of a hop is on its own indented line. "*" is a timeout, "?" an unknown reply
// type (an error probe); A, H, N, P, Q (with or without "!") are unreachable codes, U is the port
// unreachable of an answering destination. An MPLS bracket gives the labels of that responder's
// probes. Cisco prints whole milliseconds.
func parseCisco(data []byte, format string, opts ParseOptions) ([]*path.Trace, error) {
	in := newTextInputOpts(format, data, opts)
	p := &ciscoParser{in: in, format: format}
	for in.scan() {
		if err := p.line(); err != nil {
			if err := in.tolerate(err); err != nil {
				return nil, err
			}
		}
	}
	p.flush()
	if len(p.traces) == 0 {
		looks := looksWithoutHops(p.sawHeader, describe(format))
		if p.ping {
			looks = "Cisco ping output, not a traceroute"
		}
		return nil, in.refuse(`hop lines like "  1 192.0.2.1 4 msec 4 msec 4 msec" after "Tracing the route to"`, looks)
	}
	return p.traces, nil
}

type ciscoParser struct {
	in        *textInput
	format    string
	traces    []*path.Trace
	cur       *path.Trace
	hop       int // index of the current hop in cur.Hops, -1 when none
	sawHeader bool
	ping      bool
	command   string
	toks      []token
	// dialogTarget is the answer to the extended traceroute's "Target IP address:" question, for a
	// header that names the target without its address.
	dialogTarget netip.Addr
}

func (p *ciscoParser) flush() {
	if p.cur == nil {
		return
	}
	p.cur.Warnings = append(p.cur.Warnings, p.in.takeNotes()...)
	if len(p.cur.Hops) > 0 {
		finish(p.cur, true, true)
		p.traces = append(p.traces, p.cur)
	}
	p.cur, p.hop = nil, -1
}

func (p *ciscoParser) newTrace() {
	p.flush()
	p.cur = &path.Trace{Source: p.format, Protocol: path.ProtoUDP, FlowsVaried: true}
	if p.command != "" {
		setMeta(p.cur, "command", p.command)
		p.command = ""
	}
	p.hop = -1
}

// line reads the current line.
func (p *ciscoParser) line() error {
	in := p.in
	ln, start, body := in.ln, in.start, in.body()
	switch {
	case body == "Type escape sequence to abort." || strings.HasPrefix(body, "VRF info:") || isCiscoDate(body) || isCiscoTranslating(body):
		return nil
	case strings.HasPrefix(body, "Sending ") && strings.Contains(body, "ICMP Echos"):
		p.ping = true
		return nil
	case strings.HasPrefix(body, "Tracing the route to "):
		p.newTrace()
		p.sawHeader = true
		target := strings.TrimSpace(body[len("Tracing the route to "):])
		name, paren, _ := strings.Cut(target, " (")
		if a, err := netip.ParseAddr(name); err == nil {
			p.cur.Target.Addr = a
		} else {
			p.cur.Target.Name = name
			if a, err := netip.ParseAddr(strings.TrimSuffix(paren, ")")); err == nil {
				p.cur.Target.Addr = a
			}
		}
		if !p.cur.Target.Addr.IsValid() && p.dialogTarget.IsValid() {
			p.cur.Target.Addr = p.dialogTarget
		}
		p.dialogTarget = netip.Addr{}
		return nil
	case (p.cur == nil || len(p.cur.Hops) == 0) && isDialogLine(body):
		// The extended traceroute's questions and answers ("Target IP address: 192.0.2.1",
		// "Probe count [3]: "): the target is the one answer the header repeats.
		if q, a, _ := strings.Cut(body, ":"); strings.TrimSpace(q) == "Target IP address" {
			if addr, err := netip.ParseAddr(strings.TrimSpace(a)); err == nil {
				p.dialogTarget = addr
			}
		}
		return nil
	case startsWithDigit(body) && isInt(firstField(body)):
		return p.hopLine(ln, start)
	case start > 0 && p.cur != nil && p.hop >= 0 && !startsLikePrompt(body):
		return p.probes(ln, start, &p.cur.Hops[p.hop])
	case isPromptLine(ln):
		p.hop = -1
		p.command = body
		return nil
	}
	return in.errAt(start+1, `a hop line like "  1 192.0.2.1 4 msec 4 msec 4 msec" or "Tracing the route to"`, body)
}

func (p *ciscoParser) hopLine(ln string, start int) error {
	j := start
	for j < len(ln) && ln[j] >= '0' && ln[j] <= '9' {
		j++
	}
	ttl, ok := parseUint(ln[start:j], maxTTL)
	if !ok || ttl == 0 || (j < len(ln) && !isSpace(ln[j])) {
		return p.in.errAt(start+1, "a hop number from 1 to 255", ln[start:j])
	}
	if p.cur == nil {
		p.newTrace()
	}
	if n := len(p.cur.Hops); n > 0 && p.cur.Hops[n-1].TTL >= ttl {
		return p.in.errAt(start+1, "hop "+itoa(p.cur.Hops[n-1].TTL+1)+" or later", ln[start:j])
	}
	p.cur.Hops = append(p.cur.Hops, path.Hop{TTL: ttl})
	p.hop = len(p.cur.Hops) - 1
	h := &p.cur.Hops[p.hop]
	err := p.probes(ln, j, h)
	if err == nil {
		return nil
	}
	if len(h.Probes) == 0 {
		p.cur.Hops = p.cur.Hops[:p.hop] // nothing usable: take the hop back
		p.hop = -1
		return err
	}
	if p.in.strict {
		return err
	}
	// A line cut short in the paste ("1 mse"): keep what came before the break.
	pe := err.(*ParseError)
	p.in.note(pe.Line, "kept the start of the line; from column "+itoa(pe.Col)+" expected "+pe.Expected+", got "+strconv.Quote(pe.Got))
	return nil
}

// isCiscoTranslating reports whether s is the line IOS prints while it resolves the target name:
// `Translating "www.example.com"...domain server (192.0.2.53) [OK]`.
func isCiscoTranslating(s string) bool {
	return strings.HasPrefix(s, `Translating "`) && strings.Contains(s, "domain server")
}

// isDialogLine reports whether body is a question of Cisco's extended traceroute with its answer:
// words, perhaps a default in brackets, then a colon ("Protocol [ip]: ", "Numeric display? [no]: ",
// "Loose, Strict, Record, Timestamp, Verbose[none]: ", "Target IP address: 10.100.1.7").
func isDialogLine(body string) bool {
	q, _, ok := strings.Cut(body, ":")
	if !ok || q == "" || !(q[0] >= 'A' && q[0] <= 'Z') {
		return false
	}
	words := 0
	for _, f := range strings.Fields(q) {
		if strings.HasPrefix(f, "[") || strings.Contains(f, "[") {
			return strings.HasSuffix(q, "]") // the default in brackets closes the question
		}
		words++
	}
	for i := 0; i < len(q); i++ {
		c := q[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == ' ' || c == ',' || c == '?' || c == '(' || c == ')') {
			return false
		}
	}
	return words >= 2
}

// firstField is the first whitespace-separated word of s.
func firstField(s string) string {
	s = strings.TrimLeft(s, " \t")
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i]
	}
	return s
}

// probes reads responders and probes from byte off of ln into h. On an error the probes read so far
// stay (a line cut short in the paste keeps its start) and the error says where reading stopped.
func (p *ciscoParser) probes(ln string, off int, h *path.Hop) error {
	p.toks = tokenize(ln[off:], p.toks)
	toks := p.toks
	for i := range toks {
		toks[i].col += off
	}
	if len(toks) == 0 {
		return p.in.errAt(len(ln)+1, `"*" or a responder after the hop number`, "")
	}
	var (
		cur      netip.Addr
		haveCur  bool
		curCount int // probes read from cur
		mpls     []path.MPLSLabel
		lastRTT  bool
	)
	add := func(pr path.Probe) {
		if haveCur && pr.Status != path.StatusTimeout && pr.Status != path.StatusError {
			pr.From = cur
			curCount++
		}
		pr.MPLS = mpls
		h.Probes = append(h.Probes, pr)
	}
	for i := 0; i < len(toks); i++ {
		s := toks[i].s
		switch {
		case s == "*":
			add(path.Probe{Status: path.StatusTimeout})
			lastRTT = false
		case s == "?":
			add(path.Probe{Status: path.StatusError})
			lastRTT = false
		case ciscoCode(s) != "":
			code := ciscoCode(s)
			if lastRTT && s[0] == '!' {
				pr := &h.Probes[len(h.Probes)-1]
				if code != "U" {
					pr.Status, pr.Unreachable = path.StatusUnreachable, code
				}
				continue
			}
			if !haveCur {
				return p.in.errAt(toks[i].col, "a responder before the code "+s, s)
			}
			if code == "U" {
				add(path.Probe{Status: path.StatusReply})
			} else {
				add(path.Probe{Status: path.StatusUnreachable, Unreachable: code})
			}
			lastRTT = false
		case strings.HasPrefix(s, "[AS"):
			text, n := bracketed(toks, i)
			i += n
			asn, ok := asnToken("[" + strings.ReplaceAll(strings.Trim(text, "[]"), " ", "") + "]")
			if !ok || !haveCur {
				return p.in.errAt(toks[i-n].col, `an AS number like "[AS 64500]" after a responder`, text)
			}
			if r := h.Responder(cur); r != nil && r.ReportedASN == 0 {
				r.ReportedASN = asn
			}
		case s[0] == '(' && haveCur:
			// The VRF info the header announces ("VRF info: (vrf in name/id, vrf out name/id)"),
			// after the responder: "10.1.1.2 (red/1001, blue/2001)".
			_, n := parenthesized(toks, i)
			i += n
		case strings.HasPrefix(s, "[MPLS:") || s == "[MPLS":
			text, n := bracketed(toks, i)
			labels, ok := ciscoMPLS(text)
			if !ok {
				return p.in.errAt(toks[i].col, `MPLS labels like "[MPLS: Label 16 Exp 0]"`, text)
			}
			i += n
			mpls = labels
		default:
			if ms, n, ok := ciscoRTT(toks, i); ok {
				if !haveCur {
					return p.in.errAt(toks[i].col, "a responder before the RTT", s)
				}
				add(path.Probe{Status: path.StatusReply, RTT: ms, HasRTT: true})
				i += n
				lastRTT = true
				continue
			}
			addr, name, n, err := p.responder(toks, i)
			if err != nil {
				return err
			}
			i += n
			if err := p.unmeasured(h, haveCur, curCount, cur, toks[i].col); err != nil {
				return err
			}
			cur, haveCur, curCount, mpls, lastRTT = addr, true, 0, nil, false
			h.AddResponder(path.Responder{Addr: addr, Name: name})
		}
	}
	return p.unmeasured(h, haveCur, curCount, cur, len(ln)+1)
}

// unmeasured handles a responder shown with no RTT and no code after it ("8 10.1.1.2 (red/1001,
// blue/2001)" as pasted): read leniently, it answered, so it gets one reply without an RTT and a
// warning; read strictly, it is an error at col.
func (p *ciscoParser) unmeasured(h *path.Hop, haveCur bool, curCount int, cur netip.Addr, col int) error {
	if !haveCur || curCount > 0 {
		return nil
	}
	if p.in.strict {
		return p.in.errAt(col, `an RTT like "4 msec" after the responder`, "")
	}
	h.Probes = append(h.Probes, path.Probe{Status: path.StatusReply, From: cur})
	p.in.note(p.in.line(), "hop "+itoa(h.TTL)+": a responder with no RTT; counted as one reply without a time")
	return nil
}

// parenthesized joins the tokens from toks[i] through the one that ends with ")"; n is the number
// of extra tokens used.
func parenthesized(toks []token, i int) (string, int) {
	for j := i; j < len(toks); j++ {
		if strings.HasSuffix(toks[j].s, ")") {
			return joinTokens(toks[i : j+1]), j - i
		}
	}
	return joinTokens(toks[i:]), len(toks) - 1 - i
}

// responder reads "addr" or "name (addr)" at toks[i]; n is the number of extra tokens used.
func (p *ciscoParser) responder(toks []token, i int) (netip.Addr, string, int, error) {
	s := toks[i].s
	if i+1 < len(toks) {
		if n := toks[i+1].s; len(n) > 2 && n[0] == '(' && n[len(n)-1] == ')' {
			if a, err := netip.ParseAddr(n[1 : len(n)-1]); err == nil {
				return a, s, 1, nil
			}
			if !p.in.strict && isRedacted(n) {
				p.in.note(p.in.line(), "address "+n+" redacted in the input; kept the name and RTTs")
				return netip.Addr{}, s, 1, nil
			}
		}
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a, "", 0, nil
	}
	if !p.in.strict && isRedacted(s) {
		p.in.note(p.in.line(), "address "+s+" redacted in the input; kept its RTTs")
		return netip.Addr{}, s, 0, nil
	}
	if looksLikeHostname(s) && strings.ContainsRune(s, '.') && !startsWithDigit(s) {
		return netip.Addr{}, s, 0, nil // a name without its address (no "ip domain lookup" address shown)
	}
	return netip.Addr{}, "", 0, p.in.errAt(toks[i].col, `a responder like "192.0.2.1", "*" or an RTT like "4 msec"`, s)
}

// ciscoRTT reads "4 msec" (or "4msec", "<1 msec") at toks[i]; n is the number of extra tokens used.
func ciscoRTT(toks []token, i int) (time.Duration, int, bool) {
	s := strings.TrimPrefix(toks[i].s, "<")
	if v, ok := strings.CutSuffix(s, "msec"); ok && v != "" {
		d, ok := parseMillis(v)
		return d, 0, ok
	}
	if i+1 < len(toks) && (toks[i+1].s == "msec" || toks[i+1].s == "ms") {
		d, ok := parseMillis(s)
		return d, 1, ok
	}
	return 0, 0, false
}

// ciscoCode maps Cisco's probe characters to an unreachable code: "!A"/"A" administratively
// prohibited, H host, N network, P protocol, Q source quench, U port unreachable; "" otherwise.
func ciscoCode(s string) string {
	c := strings.TrimPrefix(s, "!")
	if len(c) == 1 && strings.IndexByte("AHNPQU", c[0]) >= 0 {
		if c == "A" {
			return "X" // communication administratively prohibited, traceroute's !X
		}
		return c
	}
	return ""
}

// bracketed joins the tokens from toks[i] through the one that ends with "]"; n is the number of
// extra tokens used.
func bracketed(toks []token, i int) (string, int) {
	parts := []string{toks[i].s}
	for j := i; j < len(toks); j++ {
		if j > i {
			parts = append(parts, toks[j].s)
		}
		if strings.HasSuffix(toks[j].s, "]") {
			return strings.Join(parts, " "), j - i
		}
	}
	return strings.Join(parts, " "), len(toks) - 1 - i
}

// ciscoMPLS parses "[MPLS: Label 16 Exp 0]" and "[MPLS: Labels 16022/16002/24004 Exp 0]".
func ciscoMPLS(text string) ([]path.MPLSLabel, bool) {
	f := strings.Fields(strings.Trim(text, "[]"))
	var out []path.MPLSLabel
	exp := uint8(0)
	for i := 0; i+1 < len(f); i++ {
		switch f[i] {
		case "Label", "Labels":
			for _, v := range strings.Split(f[i+1], "/") {
				n, err := strconv.ParseUint(v, 10, 32)
				if err != nil || n >= 1<<20 {
					return nil, false
				}
				out = append(out, path.MPLSLabel{Label: uint32(n)})
			}
		case "Exp":
			n, err := strconv.ParseUint(f[i+1], 10, 8)
			if err != nil {
				return nil, false
			}
			exp = uint8(n & 7)
		}
	}
	for k := range out {
		out[k].TC = exp
	}
	if len(out) > 0 {
		out[len(out)-1].S = true
	}
	return out, len(out) > 0
}
