package tracefile

import (
	"net/netip"
	"strconv"
	"strings"

	"hopscope/internal/path"
)

// FormatTracepath is iputils tracepath / tracepath6 output.
const FormatTracepath = "tracepath"

// detectTracepath is likely on a " 1:" or " 1?:" hop line (the colon followed by a space, which a
// clock time such as "12:00:01" at the start of a logged line is not).
func detectTracepath(s *sniff) confidence {
	rest, ok := hopNumber(s.line)
	if !ok {
		return notMine
	}
	rest = strings.TrimPrefix(rest, "?")
	if strings.HasPrefix(rest, ":") && (len(rest) == 1 || isSpace(rest[1])) {
		return likely
	}
	return notMine
}

// parseTracepath imports iputils tracepath / tracepath6 output:
//
//	1?: [LOCALHOST]                      pmtu 1500
//	1:  gateway.example                  4.063ms
//	2:  router.example (192.0.2.2)       9.114ms asymm  3
//	3:  no reply
//	4:  192.0.2.4                        12.100ms pmtu 1492
//	5:  192.0.2.5                        15.201ms reached
//	    Resume: pmtu 1492 hops 5 back 5
//
// A line whose hop number is lower than one already printed is a reply that arrived after tracepath
// had moved on: it is kept as a late probe. Path-MTU lines go to Meta["pmtu"] and Warnings.
func parseTracepath(data []byte, opts ParseOptions) ([]*path.Trace, error) {
	const format = FormatTracepath
	var (
		traces []*path.Trace
		cur    *path.Trace
		maxHop int
		toks   []token
		target path.Target // from a copied "tracepath DEST" command line, for the next trace
		names  responderNames
	)
	newTrace := func() {
		if cur != nil {
			finish(cur, true, false)
			traces = append(traces, cur)
		}
		cur = &path.Trace{Source: format, Protocol: path.ProtoUDP, FlowsVaried: true, Target: target}
		target = path.Target{}
		maxHop = 0
	}
	in := newTextInputOpts(format, data, opts)
	errf := in.errAt
	for in.scan() {
		if startsWithDigit(in.body()) {
			// a hop line with a comment appended: "# my router", "<---- sent the ICMP"
			if err := in.cutComment(); err != nil {
				return nil, err
			}
		}
		ln, start, body := in.ln, in.start, in.body()
		if strings.HasPrefix(body, "Resume:") || strings.HasPrefix(body, "Too many hops:") {
			if cur == nil {
				if err := in.tolerate(errf(start+1, "hop lines before the summary", body)); err != nil {
					return nil, err
				}
				continue
			}
			if strings.HasPrefix(body, "Too many hops:") {
				cur.Warnings = append(cur.Warnings, "tracepath: "+body)
			}
			f := strings.Fields(body)
			for i := 0; i+1 < len(f); i++ {
				switch f[i] {
				case "pmtu", "hops", "back":
					if _, ok := parseUint(f[i+1], 1<<20); ok {
						setMeta(cur, f[i], f[i+1])
					}
				}
			}
			continue
		}
		colon := strings.IndexByte(body, ':')
		if colon <= 0 {
			if isPromptLine(ln) {
				if t, ok := tracepathCommandTarget(body); ok {
					target = t
				}
				continue
			}
			if err := in.tolerate(errf(start+1, `a hop line like " 3:  192.0.2.1   4.063ms"`, body)); err != nil {
				return nil, err
			}
			continue
		}
		num := body[:colon]
		num = strings.TrimSuffix(num, "?") // "1?:" marks a guessed hop number
		ttl, ok := parseUint(num, maxTTL)
		if !ok || ttl == 0 {
			if isPromptLine(ln) {
				if t, ok := tracepathCommandTarget(body); ok {
					target = t
				}
				continue
			}
			if err := in.tolerate(errf(start+1, `a hop line like " 3:  192.0.2.1   4.063ms"`, body)); err != nil {
				return nil, err
			}
			continue
		}
		toks = tokenize(body[colon+1:], toks)
		for i := range toks {
			toks[i].col += start + colon + 1
		}
		if len(toks) == 0 {
			if err := in.tolerate(errf(len(ln)+1, `a responder, "no reply" or "[LOCALHOST]"`, "")); err != nil {
				return nil, err
			}
			continue
		}
		if toks[0].s == "[LOCALHOST]" {
			if cur == nil || len(cur.Hops) > 0 {
				newTrace()
			}
			for i := 1; i+1 < len(toks); i++ {
				if toks[i].s == "pmtu" {
					setMeta(cur, "pmtu", toks[i+1].s)
				}
			}
			continue
		}
		if cur == nil {
			newTrace()
		}
		h := cur.HopAt(ttl)
		late := ttl < maxHop
		maxHop = max(maxHop, ttl)
		var note func(rest []token)
		if !opts.Strict {
			note = func(rest []token) {
				in.note(in.line(), "ignored the note after hop "+itoa(ttl)+": "+strconv.Quote(shorten(joinTokens(rest))))
			}
		}
		if err := tracepathHop(cur, h, &names, toks, late, errf, note); err != nil {
			if err := in.tolerate(err); err != nil {
				return nil, err
			}
			continue
		}
	}
	if cur != nil {
		finish(cur, true, false)
		traces = append(traces, cur)
	}
	if len(traces) == 0 || len(traces[len(traces)-1].Hops) == 0 {
		return nil, in.refuse(`hop lines like " 1:  192.0.2.1   4.063ms"`, "")
	}
	traces[len(traces)-1].Warnings = append(traces[len(traces)-1].Warnings, in.takeNotes()...)
	return traces, nil
}

// tracepathCommandTarget reads the destination of a copied "tracepath [-n] [-l LEN] DEST" command
// line; the trace names its target only on the hop that reached it.
func tracepathCommandTarget(line string) (path.Target, bool) {
	return commandTarget(line, []string{"tracepath", "tracepath6"}, map[string]bool{"-l": true, "-m": true, "-p": true})
}

// tracepathHop reads one hop line's tokens into h, finding its name-only responders through names.
// note, when not nil (lenient reading), takes a trailing note the person who pasted the output added
// after the tool's fields ("<---- this one"), which is then dropped instead of the hop.
func tracepathHop(cur *path.Trace, h *path.Hop, names *responderNames, toks []token, late bool, errf func(int, string, string) error, note func([]token)) error {
	first := toks[0].s
	if first == "no" && len(toks) == 2 && toks[1].s == "reply" {
		h.AddProbe(path.Probe{Status: path.StatusTimeout}, "")
		return nil
	}
	if first == "send" || first == "recvmsg" || first == "sendto" {
		msg := " " + joinTokens(toks) // one join: adding word by word copies the line once per word
		work(len(msg))
		h.AddProbe(path.Probe{Status: path.StatusError}, "")
		cur.Warnings = append(cur.Warnings, "hop "+itoa(h.TTL)+":"+msg)
		return nil
	}
	i := 0
	addr, err := netip.ParseAddr(first)
	name := ""
	if err != nil {
		name = first
		if !looksLikeHostname(name) {
			return errf(toks[0].col, `a responder name or address, or "no reply"`, first)
		}
	}
	i++
	if i < len(toks) {
		n := toks[i].s
		if len(n) > 2 && n[0] == '(' && n[len(n)-1] == ')' {
			a, err := netip.ParseAddr(n[1 : len(n)-1])
			if err != nil {
				return errf(toks[i].col, "an IP address in parentheses", n)
			}
			addr = a
			if name == a.String() {
				name = ""
			}
			i++
		}
	}
	pr := path.Probe{Status: path.StatusReply, From: addr, Late: late}
	if i+1 < len(toks) && toks[i].s == "asymm" && isInt(toks[i+1].s) {
		i += 2 // older tracepath prints "asymm N" before the RTT: "router (192.0.2.7)  asymm  8   9.496ms"
	}
	if i < len(toks) {
		s := toks[i].s
		if d, ok := parseMillis(strings.TrimSuffix(s, "ms")); ok && strings.HasSuffix(s, "ms") {
			pr.RTT, pr.HasRTT = d, true
			i++
		}
	}
	if !pr.HasRTT {
		got := ""
		col := 0
		if i < len(toks) {
			got, col = toks[i].s, toks[i].col
		}
		return errf(col, `an RTT like "4.063ms"`, got)
	}
	reached := false
loop:
	for ; i < len(toks); i++ {
		switch toks[i].s {
		case "asymm":
			if i+1 < len(toks) {
				if _, ok := parseUint(toks[i+1].s, maxTTL); ok {
					i++
					continue
				}
			}
			return errf(toks[i].col, `a hop count after "asymm"`, toks[i].s)
		case "pmtu":
			if i+1 < len(toks) {
				if _, ok := parseUint(toks[i+1].s, 1<<20); ok {
					setMeta(cur, "pmtu", toks[i+1].s)
					cur.Warnings = append(cur.Warnings, "hop "+itoa(h.TTL)+": path MTU "+toks[i+1].s)
					i++
					continue
				}
			}
			return errf(toks[i].col, `an MTU after "pmtu"`, toks[i].s)
		case "reached":
			reached = true
		default:
			if note != nil && trailingNote(toks[i:]) {
				note(toks[i:])
				break loop
			}
			return errf(toks[i].col, `"asymm N", "pmtu N" or "reached"`, toks[i].s)
		}
	}
	if reached && !addr.IsValid() && cur.Target.Addr.IsValid() {
		// "reached" means the reply came from the destination: a hop printed by name alone is the
		// address a copied command named.
		addr, pr.From = cur.Target.Addr, cur.Target.Addr
	}
	names.add(h, addr, name)
	h.Probes = append(h.Probes, pr)
	if reached {
		if !cur.Target.Addr.IsValid() {
			cur.Target.Addr = addr
		}
		if cur.Target.Name == "" {
			cur.Target.Name = name
		}
	}
	return nil
}

// looksLikeHostname reports whether s is made of host name characters and has a letter or dot.
func looksLikeHostname(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}
