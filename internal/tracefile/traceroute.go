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
	// probeMeta is the vantage point the Globalping CLI printed before the next trace
	// ("> EU, DE, Frankfurt, ASN:210546"), for that trace's Meta; nil when none.
	probeMeta map[string]string
	// labels finds the current hop's probes by responder, for MPLS label lines.
	labels probesByFrom
	// elided marks the current trace's elision lines ("...", "······").
	elided elisions
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
		p.labels.truncate(h, min(sn.probes, len(h.Probes)))
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
		if b := in.body(); startsWithDigit(b) || strings.HasPrefix(b, "traceroute") || in.start > 0 && p.hop != nil && !isPromptLine(in.ln) {
			// a hop, header or further responder's line: " 4  bbtec.net (221.111.178.241)  3.591 ms // Softbank"
			if err := in.cutComment(); err != nil {
				return nil, err
			}
		}
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
		p.elided.take()
		p.cur, p.hop = nil, nil
		return
	}
	finishElided(p.cur, true, true, p.elided.take())
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
	for k, v := range p.probeMeta {
		setMeta(t, k, v)
	}
	p.probeMeta = nil
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
	case isElisionLine(body):
		// "...", "······": hops the author left out, not silent ones.
		if p.cur != nil && len(p.cur.Hops) > 0 {
			p.elided.mark(p.cur.Hops[len(p.cur.Hops)-1].TTL, p.in.line())
		}
		p.hop = nil
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
	if meta, ok := globalpingCLIProbe(body); ok {
		p.probeMeta, p.hop, p.marked = meta, nil, true
		return nil
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
	p.toks = splitGluedMPLS(p.toks)
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
		case s == "[MPLS":
			// Huawei VRP tracert -v: "10.1.12.2[MPLS Label=1024/1028 Exp=0/0 S=0/1 TTL=1/1] 50 ms".
			labels, n, ok := huaweiMPLS(toks[i+1:])
			if !ok {
				return p.errf(t.col, `a label stack like "[MPLS Label=1024/1028 Exp=0/0 S=0/1 TTL=1/1]"`, s)
			}
			i += n
			if lastRTT {
				h.Probes[len(h.Probes)-1].MPLS = labels
			} else {
				pendMPLS = labels
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
				for _, k := range p.labels.lastResponderProbes(h) {
					pr := &h.Probes[k]
					pr.MPLS = append(pr.MPLS, l)
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
