package tracefile

import (
	"net/netip"
	"strings"
	"time"

	"hopscope/internal/path"
)

// FormatTracert is Windows tracert output.
const FormatTracert = "tracert"

// detectTracert is certain of tracert's header lines and likely on its hop rows: whole "N ms" RTT
// columns, or three timeouts followed by a sentence ("Request timed out.").
func detectTracert(s *sniff) confidence {
	line := s.line
	if strings.HasPrefix(line, "Tracing route to ") || strings.HasPrefix(line, "over a maximum of ") {
		return certain
	}
	rest, ok := hopNumber(line)
	if !ok || rest == "" || !isSpace(rest[0]) {
		return notMine
	}
	f := strings.Fields(rest)
	if len(f) >= 2 && f[1] == "ms" && (f[0] == "<1" || isInt(f[0])) {
		return likely
	}
	if len(f) > 3 && f[0] == "*" && f[1] == "*" && f[2] == "*" && f[3] != "*" && strings.HasSuffix(line, ".") {
		return likely // "  3     *        *        *     Request timed out."
	}
	return notMine
}

// parseTracert imports Windows tracert output:
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
// "<1 ms" becomes 1 ms, the upper bound tracert states (it prints whole milliseconds).
func parseTracert(data []byte) ([]*path.Trace, error) {
	const format = FormatTracert
	var (
		traces []*path.Trace
		cur    *path.Trace
		toks   []token
	)
	flush := func() {
		if cur != nil {
			finish(cur, true, true)
			traces = append(traces, cur)
			cur = nil
		}
	}
	newTrace := func() {
		flush()
		cur = &path.Trace{Source: format, Protocol: path.ProtoICMP}
	}
	in := newTextInput(format, data)
	errf := in.errAt
	for in.scan() {
		ln, start, body := in.ln, in.start, in.body()
		switch {
		case strings.HasPrefix(body, "Tracing route to "):
			newTrace()
			target := strings.TrimSpace(body[len("Tracing route to "):])
			// An address target comes with the limit on the same line: "Tracing route to 192.0.2.1 over a maximum of 30 hops".
			if i := strings.Index(target, " over a maximum of "); i >= 0 {
				f := strings.Fields(target[i:])
				if len(f) >= 5 {
					if n, ok := parseUint(f[4], 1<<16); ok {
						cur.MaxTTL = n
					}
				}
				target = strings.TrimSpace(target[:i])
			}
			name, addr, bracket := splitBracket(target)
			if bracket && !addr.IsValid() {
				return nil, errf(start+1, "an IP address in brackets after the target name", target)
			}
			if a, err := netip.ParseAddr(name); err == nil {
				cur.Target.Addr = a
			} else {
				cur.Target.Name = name
				cur.Target.Addr = addr
			}
			continue
		case strings.HasPrefix(body, "over a maximum of "):
			if cur == nil {
				newTrace()
			}
			f := strings.Fields(body)
			if len(f) >= 5 {
				if n, ok := parseUint(f[4], 1<<16); ok {
					cur.MaxTTL = n
					continue
				}
			}
			return nil, errf(start+1, `"over a maximum of N hops:"`, body)
		case body == "Trace complete." || body == "Trace complete":
			flush()
			continue
		}
		if c := body[0]; c >= '0' && c <= '9' {
			if cur == nil {
				newTrace()
			}
			if err := tracertHop(cur, ln, start, &toks, errf); err != nil {
				return nil, err
			}
			continue
		}
		if isPromptLine(ln) {
			continue
		}
		return nil, errf(start+1, `a hop line like "  3     4 ms     3 ms     4 ms  192.0.2.1" or "Tracing route to"`, body)
	}
	flush()
	if len(traces) == 0 {
		return nil, in.errEnd(`"Tracing route to" and hop lines`)
	}
	return traces, nil
}

func tracertHop(cur *path.Trace, ln string, start int, toks *[]token, errf func(int, string, string) error) error {
	*toks = tokenize(ln, *toks)
	ts := *toks
	ttl, ok := parseUint(ts[0].s, maxTTL)
	if !ok || ttl == 0 {
		return errf(ts[0].col, "a hop number from 1 to 255", ts[0].s)
	}
	if n := len(cur.Hops); n > 0 && cur.Hops[n-1].TTL >= ttl {
		return errf(ts[0].col, "hop "+itoa(cur.Hops[n-1].TTL+1)+" or later", ts[0].s)
	}
	h := cur.HopAt(ttl)
	var probes []path.Probe
	i := 1
	for i < len(ts) {
		s := ts[i].s
		if s == "*" {
			probes = append(probes, path.Probe{Status: path.StatusTimeout})
			i++
			continue
		}
		num := strings.TrimSuffix(s, "ms")
		hasUnit := num != s
		less := strings.HasPrefix(num, "<")
		num = strings.TrimPrefix(num, "<")
		d, ok := parseMillis(num)
		if !ok || strings.Contains(num, ".") {
			break
		}
		if !hasUnit {
			if i+1 >= len(ts) || ts[i+1].s != "ms" {
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
	if len(probes) == 0 {
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
	// The text after the RTTs: a responder, optionally with a report, or a message.
	host, report, _ := strings.Cut(rest, " reports: ")
	host = strings.TrimSpace(host)
	name, addr, bracket := splitBracket(host)
	if !bracket {
		if a, err := netip.ParseAddr(host); err == nil {
			name, addr = "", a
		}
	}
	switch {
	case addr.IsValid():
	case bracket && name != "":
		// A name with a non-address in brackets, such as a redacted "[REDACTED]": keep the name.
		cur.Warnings = append(cur.Warnings, "hop "+itoa(ttl)+": "+strings.TrimSpace(host[strings.IndexByte(host, '['):])+" is not an IP address; kept the name only")
	case allTimeout:
		// "Request timed out." or a translation of it.
		for _, p := range probes {
			h.AddProbe(p, "")
		}
		return nil
	case strings.HasSuffix(host, ".") && report == "":
		// A tool message such as "General failure." or "Transmit error: code 1231."
		for _, p := range probes {
			if p.Status == path.StatusReply {
				p.Status = path.StatusError
				p.HasRTT, p.RTT = false, 0
			}
			h.AddProbe(p, "")
		}
		cur.Warnings = append(cur.Warnings, "hop "+itoa(ttl)+": "+host)
		return nil
	default:
		return errf(col, `a responder like "192.0.2.1" or "name [192.0.2.1]", or "Request timed out."`, rest)
	}
	code := ""
	if report != "" {
		switch r := strings.ToLower(report); {
		case strings.Contains(r, "host unreachable"):
			code = "H"
		case strings.Contains(r, "net unreachable"):
			code = "N"
		case strings.Contains(r, "protocol unreachable"):
			code = "P"
		case strings.Contains(r, "port unreachable"):
		default:
			code = "X"
		}
		cur.Warnings = append(cur.Warnings, "hop "+itoa(ttl)+": "+host+" reports: "+report)
	}
	if name == addr.String() {
		name = ""
	}
	h.AddResponder(path.Responder{Addr: addr, Name: name})
	for _, p := range probes {
		if p.Status == path.StatusReply {
			p.From = addr
			if code != "" {
				p.Status, p.Unreachable = path.StatusUnreachable, code
			}
		}
		h.AddProbe(p, name)
	}
	return nil
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
