package tracefile

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/path"
)

// Format names of the two traceroute flavours.
const (
	FormatTraceroute    = "traceroute"     // Linux traceroute (numeric or named, IPv4/IPv6)
	FormatTracerouteBSD = "traceroute-bsd" // macOS/BSD traceroute, including -a "[AS123]" output
)

// parseTracerouteLinux imports Linux traceroute output.
func parseTracerouteLinux(data []byte, opts ParseOptions) ([]*path.Trace, error) {
	return parseTraceroute(data, FormatTraceroute, opts)
}

// parseTracerouteBSD imports BSD/macOS traceroute output.
func parseTracerouteBSD(data []byte, opts ParseOptions) ([]*path.Trace, error) {
	return parseTraceroute(data, FormatTracerouteBSD, opts)
}

// trParser imports Linux and BSD/macOS traceroute output. Both print the same hop syntax:
//
//	traceroute to NAME (ADDR), 30 hops max, 60 byte packets
//	 1  name (addr)  1.234 ms  * name2 (addr2)  2.345 ms !H
//	    name3 (addr3)  3.456 ms            (BSD: a further responder on its own indented line)
//
// with optional "[AS123]" before a responder (-a / -A), "<MPLS:L=..,E=..,S=..,T=..>" extensions (Linux
// -e), "MPLS Label=.. CoS=.. TTL=.. S=.." entries (BSD, Junos: inline or on their own line) and "!X"
// annotations after an RTT.
type trParser struct {
	format    string
	traces    []*path.Trace
	cur       *path.Trace
	hop       *path.Hop // hop of the last hop line, for continuation lines
	pending   []string  // warnings printed before the header
	multi     string    // name from "NAME has multiple addresses; using ADDR"
	multiTo   netip.Addr
	toks      []token
	in        *textInput       // the input, for the current line and errors
	probeSlab []path.Probe     // slab the hops' probe slices are cut from
	respSlab  []path.Responder // slab for the hops' first responder
	slab      int              // slab length, scaled to the input
	command   string           // the last shell prompt line, for the probe method
	// header is the text of the last header line while no hop has followed it, so that a header
	// wrapped over two lines can be joined; empty otherwise.
	header string
	// marked is set once a header, a JunOS banner or a traceroute command line was read: the
	// input is this format even when no hop follows.
	marked bool
}

// trSnapshot is where a line began, so that a line read only in part can be taken back.
type trSnapshot struct {
	cur                *path.Trace
	hops               int
	hop                int // index of the current hop, -1 when none
	probes, responders int
}

func (p *trParser) snapshot() trSnapshot {
	sn := trSnapshot{cur: p.cur, hop: -1}
	if p.cur != nil {
		sn.hops = len(p.cur.Hops)
		if p.hop != nil && sn.hops > 0 {
			sn.hop = sn.hops - 1
			sn.probes, sn.responders = len(p.hop.Probes), len(p.hop.Responders)
		}
	}
	return sn
}

// restore takes back what the line read since sn: hops it added and probes or responders it gave
// the hop it continued. keepHop leaves the current hop open for further continuation lines.
func (p *trParser) restore(sn trSnapshot, keepHop bool) {
	if p.cur == nil {
		return
	}
	n := 0
	if p.cur == sn.cur {
		n = sn.hops
	}
	p.cur.Hops = p.cur.Hops[:min(n, len(p.cur.Hops))]
	p.hop = nil
	if p.cur == sn.cur && sn.hop >= 0 && sn.hop < len(p.cur.Hops) {
		h := &p.cur.Hops[sn.hop]
		h.Probes = h.Probes[:min(sn.probes, len(h.Probes))]
		h.Responders = h.Responders[:min(sn.responders, len(h.Responders))]
		if keepHop {
			p.hop = h
		}
	}
}

// slabSize is how many probes or responders are allocated at once.
const slabSize = 4096

// hopSlices gives a new hop room for n probes and one responder without further allocation.
func (p *trParser) hopSlices(h *path.Hop, n int) {
	if len(p.probeSlab) < n {
		p.probeSlab = make([]path.Probe, max(p.slab, n))
	}
	h.Probes = p.probeSlab[:0:n]
	p.probeSlab = p.probeSlab[n:]
	if len(p.respSlab) == 0 {
		p.respSlab = make([]path.Responder, p.slab)
	}
	h.Responders = p.respSlab[:0:1]
	p.respSlab = p.respSlab[1:]
}

func parseTraceroute(data []byte, format string, opts ParseOptions) ([]*path.Trace, error) {
	in := newTextInputOpts(format, data, opts)
	p := &trParser{format: format, in: in, slab: min(max(len(data)/16, 16), slabSize)}
	for in.scan() {
		sn := p.snapshot()
		if err := p.parseLine(in.ln, in.start); err != nil {
			p.restore(sn, !startsWithDigit(in.body()))
			if err := in.tolerate(err); err != nil {
				return nil, err
			}
		}
	}
	p.flush()
	if len(p.traces) == 0 {
		return nil, in.refuse(`a header like "traceroute to example.com (192.0.2.1), 30 hops max, 60 byte packets" and hop lines`,
			looksWithoutHops(p.marked, describe(format)))
	}
	return p.traces, nil
}

// looksWithoutHops says "a FORMAT without hop lines" when only a header was read.
func looksWithoutHops(sawHeader bool, desc string) string {
	if !sawHeader {
		return ""
	}
	return "a " + desc + " without hop lines"
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

func (p *trParser) errf(col int, expected, got string) error { return p.in.errAt(col, expected, got) }

func (p *trParser) flush() {
	if p.cur == nil {
		return
	}
	p.cur.Warnings = append(p.cur.Warnings, p.in.takeNotes()...)
	if len(p.cur.Hops) == 0 {
		// A header with no hop line read: nothing to import (refuse says why when it is all).
		p.cur, p.hop = nil, nil
		return
	}
	finish(p.cur, true, true)
	p.traces = append(p.traces, p.cur)
	p.cur, p.hop = nil, nil
}

func (p *trParser) newTrace() *path.Trace {
	p.flush()
	t := &path.Trace{Source: sourceName(p.format), Hops: make([]path.Hop, 0, 32)}
	t.Warnings = append(t.Warnings, p.pending...)
	p.pending = nil
	if p.command != "" {
		applyTracerouteCommand(t, p.command)
		p.command = ""
	}
	p.cur = t
	return t
}

// parseLine reads one non-blank line whose first non-blank byte is at start.
func (p *trParser) parseLine(ln string, start int) error {
	body := strings.TrimRight(ln[start:], " \t")
	header := p.header
	p.header = ""
	switch {
	case strings.HasPrefix(body, "traceroute to ") || strings.HasPrefix(body, "traceroute6 to "):
		return p.newHeader(body, start)
	case isScamperTextHeader(body):
		return p.scamperHeader(body, start)
	case strings.HasPrefix(body, "traceroute:") || strings.HasPrefix(body, "traceroute6:"):
		p.toolMessage(body)
		return nil
	case header != "" && p.cur != nil && len(p.cur.Hops) == 0 && isHeaderTail(body):
		// The header wrapped over two lines: read the two as one.
		p.header = header + " " + body
		return p.fillHeader(p.cur, p.header, start)
	case isJunosBanner(body):
		p.marked = true
		return nil
	}
	if c := body[0]; c >= '0' && c <= '9' {
		j := 0
		for j < len(body) && body[j] >= '0' && body[j] <= '9' {
			j++
		}
		if j == len(body) || isSpace(body[j]) {
			return p.hopLine(ln, start, body[:j])
		}
	}
	// An indented line after a hop line is a further responder (BSD) unless it opens with a prompt sign.
	if isPromptLine(ln) && (start == 0 || p.hop == nil || startsLikePrompt(body)) {
		p.hop = nil
		p.command = strings.TrimSpace(ln)
		p.marked = p.marked || isTracerouteCommand(p.command)
		return nil
	}
	if (start > 0 || strings.HasPrefix(body, "MPLS Label=")) && p.hop != nil {
		// BSD/macOS: a further responder of the same hop on an indented line.
		p.toks = tokenize(ln, p.toks)
		return p.probes(p.hop, p.toks)
	}
	return p.errf(start+1, `a hop line like " 7  192.0.2.1  4.393 ms" or a "traceroute to" header`, body)
}

// toolMessage records a warning the tool printed, such as
// "traceroute: Warning: example.com has multiple addresses; using 192.0.2.1".
func (p *trParser) toolMessage(body string) {
	msg := strings.TrimSpace(body)
	if i := strings.Index(msg, " has multiple addresses; using "); i >= 0 {
		head := msg[:i]
		if j := strings.LastIndexByte(head, ' '); j >= 0 {
			head = head[j+1:]
		}
		using := strings.TrimSpace(msg[i+len(" has multiple addresses; using "):])
		if k := strings.IndexAny(using, " ,;"); k >= 0 {
			using = using[:k]
		}
		p.multi = head
		p.multiTo, _ = netip.ParseAddr(using)
	}
	if p.cur != nil && len(p.cur.Hops) == 0 {
		p.cur.Warnings = append(p.cur.Warnings, msg)
		return
	}
	p.pending = append(p.pending, msg)
}

// isHeaderTail reports whether s is the second half of a wrapped "traceroute to" header:
// "(192.0.2.1), 30 hops max, 60 byte packets", "60 byte packets", "packets".
func isHeaderTail(s string) bool {
	return strings.Contains(s, "hops max") || strings.Contains(s, "byte packets") ||
		strings.HasPrefix(s, "(") || s == "packets" || s == "byte packets"
}

// newHeader starts a trace from a "traceroute to" header line.
func (p *trParser) newHeader(body string, start int) error {
	t := p.newTrace()
	p.header, p.marked = body, true
	return p.fillHeader(t, body, start)
}

// isScamperTextHeader reports whether body is the header scamper's text output (scamper -O text,
// sc_warts2text) prints: "traceroute from 192.0.2.1 to 198.51.100.9".
func isScamperTextHeader(body string) bool {
	f := strings.Fields(body)
	if len(f) != 5 || f[0] != "traceroute" || f[1] != "from" || f[3] != "to" {
		return false
	}
	_, err1 := netip.ParseAddr(f[2])
	_, err2 := netip.ParseAddr(f[4])
	return err1 == nil && err2 == nil
}

// scamperHeader starts a trace from scamper's "traceroute from SRC to DST" header; its hop lines
// are traceroute's (" 1  192.0.2.254  0.512 ms"), its MPLS lines BSD's ("MPLS Label=16 TC=0 S=1 TTL=1").
func (p *trParser) scamperHeader(body string, start int) error {
	t := p.newTrace()
	p.marked = true
	f := strings.Fields(body)
	t.From, _ = netip.ParseAddr(f[2])
	t.Target = path.Target{}
	t.Target.Addr, _ = netip.ParseAddr(f[4])
	return nil
}

// fillHeader parses "traceroute to NAME (ADDR)[ from SRC], N hops max, M byte packets" into t.
func (p *trParser) fillHeader(t *path.Trace, body string, start int) error {
	t.Target = path.Target{}
	rest := body[strings.Index(body, " to ")+4:]
	rest = strings.TrimLeft(rest, " ")
	sp := strings.IndexByte(rest, ' ')
	name := rest
	if sp >= 0 {
		name, rest = rest[:sp], strings.TrimLeft(rest[sp:], " ")
	} else {
		rest = ""
	}
	name = strings.TrimSuffix(name, ",")
	if k := strings.IndexByte(name, '('); k > 0 && strings.HasSuffix(name, ")") {
		// Huawei VRP's "traceroute to  10.1.1.1(10.1.1.1), max hops: 30 ,packet length: 40": no space
		// before the address.
		name, rest = name[:k], name[k:]+" "+rest
	}
	if strings.HasPrefix(rest, "(") {
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return p.errf(start+1, `an address in parentheses after the target name`, rest)
		}
		a, err := netip.ParseAddr(rest[1:end])
		if err != nil {
			return p.errf(start+1, `an IP address in parentheses after the target name`, rest[:end+1])
		}
		t.Target.Addr = a
		rest = rest[end+1:]
	}
	if a, err := netip.ParseAddr(name); err == nil {
		if !t.Target.Addr.IsValid() {
			t.Target.Addr = a
		}
	} else {
		t.Target.Name = name
	}
	if p.multi != "" && (!p.multiTo.IsValid() || p.multiTo == t.Target.Addr) {
		if p.multi != t.Target.Name && t.Target.Name != "" {
			t.Target.Canonical = t.Target.Name
		}
		t.Target.Name = p.multi
		p.multi, p.multiTo = "", netip.Addr{}
	}
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		f := strings.Fields(part)
		switch {
		case len(f) == 2 && f[0] == "from":
			if a, err := netip.ParseAddr(f[1]); err == nil {
				t.From = a
			}
		case len(f) == 3 && f[1] == "hops" && f[2] == "max":
			if n, ok := parseUint(f[0], 1<<16); ok {
				t.MaxTTL = n
			}
		case len(f) == 3 && f[1] == "byte" && f[2] == "packets":
			if n, ok := parseUint(f[0], 1<<20); ok {
				t.PacketSize = n
			}
		}
	}
	return nil
}

func (p *trParser) hopLine(ln string, start int, num string) error {
	ttl, ok := parseUint(num, maxTTL)
	if !ok || ttl == 0 {
		return p.errf(start+1, "a hop number from 1 to 255", num)
	}
	if p.cur == nil {
		p.newTrace()
	}
	if n := len(p.cur.Hops); n > 0 && p.cur.Hops[n-1].TTL >= ttl {
		return p.errf(start+1, "hop "+itoa(p.cur.Hops[n-1].TTL+1)+" or later", num)
	}
	p.hop = appendHop(p.cur, ttl)
	p.toks = tokenize(ln[start+len(num):], p.toks)
	for i := range p.toks {
		p.toks[i].col += start + len(num)
	}
	if !p.in.strict {
		p.toks = rejoinWrapped(p.toks)
	}
	if len(p.toks) == 0 {
		return p.errf(len(ln)+1, `"*" or a responder after the hop number`, "")
	}
	n := 0
	for _, t := range p.toks {
		if t.s == "*" || strings.HasSuffix(t.s, "ms") {
			n++
		}
	}
	p.hopSlices(p.hop, n)
	return p.probes(p.hop, p.toks)
}

// wrapGap is the run of spaces that marks a line the terminal wrapped and the copy padded: a word
// cut there ("6." … "357 ms", "xe-0-0-0-10g" … ".M120-2-MURM.example.net") is far longer apart than
// traceroute's own two-space separators.
const wrapGap = 8

// rejoinWrapped joins the two halves of a number or a host name that a terminal's wrap cut apart with
// a long run of spaces (a copy from a fixed-width console pads the wrapped line): a token ending in
// "." followed by digits, or a token followed by one opening with ".".
func rejoinWrapped(toks []token) []token {
	out := toks[:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if n := len(out); n > 0 {
			prev := &out[n-1]
			gap := t.col - (prev.col + len(prev.s))
			cutNumber := strings.HasSuffix(prev.s, ".") && isInt(t.s) && startsWithDigit(prev.s)
			cutName := strings.HasPrefix(t.s, ".") && len(t.s) > 1 && looksLikeHostname(prev.s) && !startsRTT([]token{*prev})
			if gap >= wrapGap && (cutNumber || cutName) {
				prev.s += t.s
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// probes parses the probe list of one hop line (or continuation line) into h.
func (p *trParser) probes(h *path.Hop, toks []token) error {
	var (
		cur      netip.Addr // current responder (invalid for a redacted one)
		haveCur  bool       // a responder has been read on this line
		curCount int        // probes seen from cur
		lastRTT  bool       // the previous token ended a reply (annotations and extensions attach to it)
		asn      uint32
		haveASN  bool
		pendMPLS []path.MPLSLabel
	)
	lineStart := len(h.Probes) // probes of this hop read from earlier lines
	endResponder := func(col int, got string) error {
		if haveCur && curCount == 0 {
			return p.errf(col, `an RTT like "4.393 ms"`, got)
		}
		return nil
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		s := t.s
		switch {
		case s == "*":
			h.Probes = append(h.Probes, path.Probe{Status: path.StatusTimeout})
			lastRTT = false
		case s[0] == '!':
			if !lastRTT {
				return p.errf(t.col, `an RTT before the "`+s+`" annotation`, s)
			}
			if code, ok := annotation(s); ok {
				pr := &h.Probes[len(h.Probes)-1]
				pr.Status = path.StatusUnreachable
				pr.Unreachable = code
			} else if s == "!" {
				// BSD/macOS: the reply arrived with a TTL of 1 or less (often a router answering with
				// the probe's remaining TTL, or a forwarding loop). Keep it as evidence.
				h.Probes[len(h.Probes)-1].ReplyTTL = 1
			} else {
				return p.errf(t.col, `an annotation such as "!H", "!N", "!X" or "!<10>"`, s)
			}
		case s[0] == '[' && !isRedacted(s):
			if s == "[AS" && i+1 < len(toks) && strings.HasSuffix(toks[i+1].s, "]") {
				s = "[AS" + toks[i+1].s // "[AS 15169]"
				i++
			}
			n, ok := asnToken(s)
			if !ok {
				return p.errf(t.col, `an AS number like "[AS15169]"`, s)
			}
			if haveCur && curCount == 0 && !haveASN {
				// Linux -A prints the AS after the address: "gw (192.0.2.1) [AS64500]  1.0 ms".
				if r := h.Responder(cur); r != nil && r.ReportedASN == 0 {
					r.ReportedASN = n
				}
				continue
			}
			asn, haveASN = n, true
			lastRTT = false
		case s == "MPLS" && i+1 < len(toks) && strings.HasPrefix(toks[i+1].s, "Label="):
			// BSD and Junos: "MPLS Label=299856 CoS=0 TTL=1 S=1" after an RTT or on its own line.
			l, n, ok := bsdMPLS(toks[i+1:])
			if !ok {
				return p.errf(toks[i+1].col, `an MPLS entry like "MPLS Label=24001 CoS=0 TTL=1 S=1"`, toks[i+1].s)
			}
			i += n
			switch {
			case lastRTT:
				pr := &h.Probes[len(h.Probes)-1]
				pr.MPLS = append(pr.MPLS, l)
			case len(h.Probes) > 0 && !haveCur:
				// Its own line: the label stack of the hop's last responder.
				var last netip.Addr
				for k := len(h.Probes) - 1; k >= 0 && !last.IsValid(); k-- {
					last = h.Probes[k].From
				}
				for k := range h.Probes {
					if pr := &h.Probes[k]; last.IsValid() && pr.From == last {
						pr.MPLS = append(pr.MPLS, l)
					}
				}
			default:
				pendMPLS = append(pendMPLS, l)
			}
		case s[0] == '<' && !isRedacted(s):
			labels, ok := mplsToken(s)
			if !ok {
				return p.errf(t.col, `an extension like "<MPLS:L=24001,E=0,S=1,T=1>"`, s)
			}
			if lastRTT {
				h.Probes[len(h.Probes)-1].MPLS = labels
			} else {
				pendMPLS = labels
			}
		case s[0] == '\'' || strings.HasPrefix(s, "F="):
			// --back "'-3'" and --mtu "F=1500" extras: informational only.
		default:
			rtt, isRTT := time.Duration(0), false
			if strings.HasSuffix(s, "ms") && len(s) > 2 {
				rtt, isRTT = parseMillis(s[:len(s)-2])
			} else if i+1 < len(toks) && toks[i+1].s == "ms" {
				if rtt, isRTT = parseMillis(s); isRTT {
					i++
				}
			}
			if isRTT {
				if !haveCur {
					return p.errf(t.col, `a responder address before the RTT`, s)
				}
				// cur is already among h's responders (added when its address was read), so append
				// directly rather than through AddProbe's responder search: this is the hot path.
				h.Probes = append(h.Probes, path.Probe{Status: path.StatusReply, From: cur, RTT: rtt, HasRTT: true, MPLS: pendMPLS})
				curCount++
				lastRTT = true
				continue
			}
			if err := endResponder(t.col, s); err != nil {
				return err
			}
			addr, name, skip, err := p.responder(toks, i)
			if err != nil {
				if !p.in.strict && len(h.Probes) > lineStart && trailingNote(toks[i:]) {
					p.in.note(p.in.line(), "ignored the note after hop "+itoa(h.TTL)+": "+strconv.Quote(shorten(joinTokens(toks[i:]))))
					return nil
				}
				return err
			}
			i += skip
			cur, haveCur, curCount, pendMPLS = addr, true, 0, nil
			r := h.AddResponder(path.Responder{Addr: addr, Name: name})
			if haveASN && r.ReportedASN == 0 {
				r.ReportedASN = asn
			}
			haveASN, lastRTT = false, false
		}
	}
	if haveASN {
		return p.errf(toks[len(toks)-1].col, "a responder after the AS number", "")
	}
	return endResponder(toks[len(toks)-1].col, "")
}

// responder parses "name (addr)" or "addr" at toks[i]; skip is the number of extra tokens consumed.
// Read leniently, a redacted address ("xx.xx.xx.xx", "<redacted>") is a responder known only by
// that text, with a warning.
func (p *trParser) responder(toks []token, i int) (addr netip.Addr, name string, skip int, err error) {
	s := toks[i].s
	if i+1 < len(toks) {
		n := toks[i+1].s
		if len(n) > 2 && n[0] == '(' && n[len(n)-1] == ')' {
			a, e := netip.ParseAddr(n[1 : len(n)-1])
			if e != nil {
				if !p.in.strict && isRedacted(n) {
					p.in.note(p.in.line(), "address "+n+" redacted in the input; kept the name and RTTs")
					return netip.Addr{}, s, 1, nil
				}
				return addr, "", 0, p.errf(toks[i+1].col, "an IP address in parentheses", n)
			}
			if s == n[1:len(n)-1] {
				s = ""
			}
			return a, s, 1, nil
		}
	}
	a, e := netip.ParseAddr(s)
	if e != nil {
		if !p.in.strict && isRedacted(s) {
			p.in.note(p.in.line(), "address "+s+" redacted in the input; kept its RTTs")
			return netip.Addr{}, s, 0, nil
		}
		if isDottedHostname(s) && !isRedacted(s) && i+1 < len(toks) && startsRTT(toks[i+1:]) {
			// KAME traceroute6 (older BSD and macOS) prints a resolved hop by its name alone:
			// " 3  10ge.cr2.bruvil.belnet.net  3.402 ms".
			return netip.Addr{}, s, 0, nil
		}
		return addr, "", 0, p.errf(toks[i].col, `a responder like "192.0.2.1" or "name (192.0.2.1)", "*" or an RTT like "4.393 ms"`, s)
	}
	return a, "", 0, nil
}

// isDottedHostname reports whether s is a dotted host name with a letter in it (not an address,
// which ParseAddr reads, nor a number).
func isDottedHostname(s string) bool {
	if !looksLikeHostname(s) || strings.IndexByte(s, '.') < 0 || s[0] == '.' || s[0] == '-' {
		return false
	}
	return strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
}

// startsRTT reports whether toks open with an RTT: "3.402 ms" or "3.402ms".
func startsRTT(toks []token) bool {
	s := toks[0].s
	if v, ok := strings.CutSuffix(s, "ms"); ok && v != "" {
		_, ok := parseMillis(v)
		return ok
	}
	if _, ok := parseMillis(s); ok && len(toks) > 1 && toks[1].s == "ms" {
		return true
	}
	return false
}

// annotation maps traceroute's "!H", "!N", "!X", "!F-1500", "!<10>", "!10" to the model's code.
func annotation(s string) (string, bool) {
	c := s[1:]
	switch {
	case c == "":
		return "", false
	case strings.HasPrefix(c, "<") && strings.HasSuffix(c, ">"):
		if _, ok := parseUint(c[1:len(c)-1], 1<<16); ok { // "!<500>" in pastes, too
			return c[1 : len(c)-1], true
		}
		return "", false
	case strings.HasPrefix(c, "F"):
		return "F", true // "!F-1500": fragmentation needed, with the next-hop MTU
	}
	if _, ok := parseUint(c, 255); ok {
		return c, true
	}
	if len(c) == 1 && c[0] >= 'A' && c[0] <= 'Z' {
		return c, true
	}
	return "", false
}

// asnToken parses "[AS15169]", "[AS15169/AS36040]" (first wins), "[*]" or "[AS0]" (no AS: 0).
func asnToken(s string) (uint32, bool) {
	if len(s) < 3 || s[len(s)-1] != ']' {
		return 0, false
	}
	in := s[1 : len(s)-1]
	if in == "*" || in == "" {
		return 0, true
	}
	if i := strings.IndexAny(in, "/,"); i >= 0 {
		in = in[:i]
	}
	if !strings.HasPrefix(in, "AS") && !strings.HasPrefix(in, "as") {
		return 0, false
	}
	n, err := strconv.ParseUint(in[2:], 10, 32)
	if err != nil {
		return 0, false
	}
	return uint32(n), true
}

// mplsToken parses Linux traceroute's "<MPLS:L=24001,E=0,S=1,T=1/L=...>" extension.
func mplsToken(s string) ([]path.MPLSLabel, bool) {
	if !strings.HasSuffix(s, ">") || !strings.HasPrefix(s, "<MPLS:") {
		return nil, strings.HasSuffix(s, ">") && len(s) > 2 // other extensions are accepted and ignored
	}
	var out []path.MPLSLabel
	for _, ent := range strings.Split(s[6:len(s)-1], "/") {
		var l path.MPLSLabel
		for _, kv := range strings.Split(ent, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, false
			}
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return nil, false
			}
			switch k {
			case "L":
				if n >= 1<<20 {
					return nil, false
				}
				l.Label = uint32(n)
			case "E", "TC":
				l.TC = uint8(n & 7)
			case "S":
				l.S = n != 0
			case "T":
				l.TTL = uint8(n & 0xff)
			default:
				return nil, false
			}
		}
		out = append(out, l)
	}
	return out, len(out) > 0
}

// applyTracerouteCommand sets the probe protocol from a copied "traceroute ..." command line:
// no method option means classic UDP with a new destination port per probe (FlowsVaried);
// -I/--icmp is ICMP echo, -T/--tcp TCP SYN and -U/--udp UDP to one fixed port (Linux), -P PROTO (BSD)
// and -M METHOD (Linux) name the protocol.
// isTracerouteCommand reports whether a prompt line runs traceroute.
func isTracerouteCommand(line string) bool {
	for _, w := range strings.Fields(line) {
		if b := toolBase(w); b == "traceroute" || b == "traceroute6" {
			return true
		}
	}
	return false
}

func applyTracerouteCommand(t *path.Trace, line string) {
	words := strings.Fields(line)
	at := -1
	for i, w := range words {
		if b := toolBase(w); b == "traceroute" || b == "traceroute6" {
			at = i
			break
		}
	}
	if at < 0 {
		return
	}
	setMeta(t, "command", strings.Join(words[at:], " "))
	proto, varied := path.ProtoUDP, true
	for i := at + 1; i < len(words); i++ {
		w := words[i]
		next := ""
		if i+1 < len(words) {
			next = strings.ToLower(words[i+1])
		}
		switch {
		case w == "|" || w == ">" || w == ";" || w == "&&":
			i = len(words)
		case w == "--icmp":
			proto, varied = path.ProtoICMP, false
		case w == "--tcp":
			proto, varied = path.ProtoTCP, false
		case w == "--udp":
			proto, varied = path.ProtoUDP, false
		case w == "-M" || w == "-P":
			switch {
			case strings.HasPrefix(next, "icmp"):
				proto, varied = path.ProtoICMP, false
			case strings.HasPrefix(next, "tcp"):
				proto, varied = path.ProtoTCP, false
			case strings.HasPrefix(next, "udp"):
				proto = path.ProtoUDP
			}
			i++
		case len(w) > 1 && w[0] == '-' && w[1] != '-':
			switch {
			case strings.ContainsRune(w, 'I'):
				proto, varied = path.ProtoICMP, false
			case strings.ContainsRune(w, 'T'):
				proto, varied = path.ProtoTCP, false
			case strings.ContainsRune(w, 'U'):
				proto, varied = path.ProtoUDP, false
			}
		}
	}
	t.Protocol, t.FlowsVaried = proto, varied
}

// bsdMPLS parses "Label=N CoS=N TTL=N S=N" (CoS may be "Exp"); n is the number of tokens used.
func bsdMPLS(toks []token) (l path.MPLSLabel, n int, ok bool) {
	for n < len(toks) && n < 4 {
		k, v, found := strings.Cut(toks[n].s, "=")
		if !found {
			break
		}
		x, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return l, n, false
		}
		switch k {
		case "Label":
			if x >= 1<<20 {
				return l, n, false
			}
			l.Label = uint32(x)
		case "CoS", "Exp", "TC":
			l.TC = uint8(x & 7)
		case "TTL":
			l.TTL = uint8(x & 0xFF)
		case "S":
			l.S = x != 0
		default:
			return l, n, false
		}
		n++
	}
	return l, n, n > 0
}
