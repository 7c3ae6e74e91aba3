package tracefile

import (
	"bytes"
	"net/netip"
	"strings"
)

// detectWindow bounds how much of the input detection reads.
const detectWindow = 64 << 10

// Detect names the format of data by its first meaningful lines (shell prompt lines are skipped).
// The error, a *ParseError, says which line matched nothing and what was expected.
func Detect(data []byte) (string, error) {
	r := newLineReader(data[:min(len(data), detectWindow)])
	for {
		ln, ok := r.next()
		if !ok {
			break
		}
		if isBlank(ln) {
			continue
		}
		body := strings.TrimSpace(ln)
		if body == "" {
			continue // only Unicode spaces (U+3000, U+0085): blank to a reader
		}
		if (body[0] == '{' || body[0] == '[') && !isPromptLine(ln) {
			if f := detectJSON(data); f != "" {
				return f, nil
			}
			return "", &ParseError{Line: r.line, Col: firstNonSpace(ln) + 1,
				Expected: "JSON from mtr --json, RIPE Atlas (a traceroute result), scamper (trace/tracelb lines) or hopscope --json", Got: shorten(body)}
		}
		if f := detectText(body, data); f != "" {
			return f, nil
		}
		if isPromptLine(ln) {
			continue
		}
		return "", &ParseError{Line: r.line, Col: firstNonSpace(ln) + 1,
			Expected: `the output of traceroute ("traceroute to ..."), tracert ("Tracing route to ..."), tracepath (" 1:  ..."), mtr (--report, --json or --raw), RIPE Atlas or scamper JSON`,
			Got:      shorten(body)}
	}
	return "", &ParseError{Line: 0, Expected: "traceroute output", Got: ""}
}

// detectText classifies one trimmed, non-blank line of text output; "" means undecided.
func detectText(body string, data []byte) string {
	switch {
	case strings.HasPrefix(body, "traceroute to ") || strings.HasPrefix(body, "traceroute6 to ") ||
		strings.HasPrefix(body, "traceroute: ") || strings.HasPrefix(body, "traceroute6: "):
		return tracerouteFlavour(data)
	case strings.HasPrefix(body, "Tracing route to ") || strings.HasPrefix(body, "over a maximum of "):
		return FormatTracert
	case strings.HasPrefix(body, "Start:") || strings.HasPrefix(body, "HOST:"):
		return FormatMTRReport
	}
	if len(body) > 2 && strings.IndexByte("xhdp", body[0]) >= 0 && body[1] == ' ' {
		f := strings.Fields(body)
		if _, ok := parseUint(f[1], maxTTL); ok && len(f) >= 3 {
			return FormatMTRRaw
		}
	}
	i := 0
	for i < len(body) && body[i] >= '0' && body[i] <= '9' {
		i++
	}
	if i == 0 || i > 3 {
		return ""
	}
	rest := body[i:]
	switch {
	case strings.HasPrefix(rest, ".|--") || (strings.HasPrefix(rest, ". ") && strings.Contains(rest, "%")):
		return FormatMTRReport
	case strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "?:"):
		return FormatTracepath
	case rest != "" && isSpace(rest[0]):
		f := strings.Fields(rest)
		if len(f) >= 2 && f[1] == "ms" && (f[0] == "<1" || isInt(f[0])) {
			return FormatTracert
		}
		if len(f) > 3 && f[0] == "*" && f[1] == "*" && f[2] == "*" && f[3] != "*" && strings.HasSuffix(body, ".") {
			return FormatTracert // "  3     *        *        *     Request timed out."
		}
		return tracerouteFlavour(data)
	}
	return ""
}

func isInt(s string) bool {
	_, ok := parseUint(s, 1<<30)
	return ok
}

// tracerouteFlavour tells BSD/macOS traceroute from Linux traceroute. BSD marks: the "has multiple
// addresses" warning, further responders on indented lines, "[AS..]" lookups, the 52-byte and
// 64-hop defaults and "traceroute6 ... from". Linux marks: several responders inline, 60-byte packets.
func tracerouteFlavour(data []byte) string {
	bsd, linux := 0, 0
	r := newLineReader(data[:min(len(data), detectWindow)])
	for {
		ln, ok := r.next()
		if !ok {
			break
		}
		if isBlank(ln) {
			continue
		}
		start := firstNonSpace(ln)
		body := ln[start:]
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
			if strings.Contains(body, " [AS") {
				bsd++
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

// detectJSON classifies JSON input by the keys it carries.
func detectJSON(data []byte) string {
	head := data[:min(len(data), detectWindow)]
	has := func(s string) bool { return bytes.Contains(head, []byte(s)) }
	switch {
	case has(`"schema": "hopscope/report"`) || has(`"schema":"hopscope/report"`):
		return FormatHopscope
	case has(`"hubs"`) && has(`"report"`):
		return FormatMTRJSON
	case has(`"msm_id"`) || has(`"prb_id"`) || (has(`"type":"traceroute"`) || has(`"type": "traceroute"`)) && has(`"result"`):
		return FormatRIPEAtlas
	case has(`"cycle-start"`) || has(`"tracelb"`) || has(`"type":"trace"`) || has(`"type": "trace"`) || has(`"stop_reason"`):
		return FormatScamper
	}
	return ""
}
