package tracefile

import (
	"net/netip"
	"strings"
)

// detectTracerouteLinux claims traceroute output that tracerouteFlavour calls Linux.
func detectTracerouteLinux(s *sniff) confidence { return detectTracerouteAs(s, FormatTraceroute) }

// detectTracerouteBSD claims traceroute output that tracerouteFlavour calls BSD/macOS.
func detectTracerouteBSD(s *sniff) confidence { return detectTracerouteAs(s, FormatTracerouteBSD) }

// detectTracerouteAs rates s.line as traceroute output and claims it when the input's flavour is format.
// A header or tool message is certain; a bare "N  ..." hop line is only plausible, since tracert's
// rows also open with a number and a space.
func detectTracerouteAs(s *sniff, format string) confidence {
	c := notMine
	switch line := s.line; {
	case strings.HasPrefix(line, "traceroute to ") || strings.HasPrefix(line, "traceroute6 to ") ||
		strings.HasPrefix(line, "traceroute: ") || strings.HasPrefix(line, "traceroute6: ") || isScamperTextHeader(line):
		c = certain
	default:
		if rest, ok := hopNumber(line); ok && rest != "" && isSpace(rest[0]) {
			c = plausible
		}
	}
	if c == notMine {
		return notMine
	}
	if s.flavour == "" {
		s.flavour = tracerouteFlavour(s.head)
	}
	if s.flavour != format {
		return notMine
	}
	return c
}

// tracerouteFlavour tells apart the tools that print "traceroute to" headers. JunOS: a "{master}"
// line or a "user@router>" prompt. NextTrace/besttrace: AS and place columns after the RTT. Huawei
// VRP/H3C: a header with "max hops:" or "hops at most" and "press CTRL_C to break".
// BSD marks: the "has multiple addresses" warning, further responders on indented lines, "[AS..]"
// lookups before the address, the 52-byte and 64-hop defaults and "traceroute6 ... from". Linux
// marks: several responders inline, "[AS..]" after the address (-A), 60-byte packets.
func tracerouteFlavour(data []byte) string {
	bsd, linux := 0, 0
	in := newTextInput("", data[:min(len(data), detectWindow)])
	for in.scan() {
		ln, start := in.ln, in.start
		body := strings.TrimRight(ln[start:], " \t")
		if isJunosBanner(body) || isJunosPrompt(body) {
			return FormatJunos
		}
		if isNextTraceMark(body) {
			return FormatNextTrace
		}
		if isHuaweiHeader(body) {
			return FormatTracerouteHuawei
		}
		switch {
		case strings.Contains(body, "has multiple addresses; using"):
			bsd += 3
		case strings.HasPrefix(body, "traceroute to ") || strings.HasPrefix(body, "traceroute6 to "):
			if strings.Contains(body, " 52 byte packets") || strings.Contains(body, " 64 hops max") {
				bsd++
			}
			if strings.Contains(body, " 60 byte packets") || strings.Contains(body, " 80 byte packets") {
				linux++
			}
			if strings.HasPrefix(body, "traceroute6 to ") && strings.Contains(body, ") from ") {
				bsd++
			}
		case body[0] >= '0' && body[0] <= '9':
			f := strings.Fields(body)
			if isNextTraceHop(f) {
				return FormatNextTrace
			}
			for i, w := range f {
				if strings.HasPrefix(w, "[AS") || w == "[*]" {
					if i == 1 {
						bsd++ // BSD -a: " 1  [AS64500] name (addr)  1.0 ms"
					} else {
						linux++ // Linux -A: " 1  name (addr) [AS64500]  1.0 ms"
					}
					break
				}
			}
			// Linux prints every responder of a hop on its line: count address tokens.
			parens, addrs := 0, 0
			for _, w := range f[1:] {
				if len(w) > 2 && w[0] == '(' {
					parens++
				} else if _, err := netip.ParseAddr(w); err == nil {
					addrs++
				}
			}
			if parens > 1 || parens == 0 && addrs > 1 {
				linux += 2
			}
		case start > 0 && !isPromptLine(ln):
			bsd += 2 // an indented further responder
		}
	}
	if bsd > linux {
		return FormatTracerouteBSD
	}
	return FormatTraceroute
}
