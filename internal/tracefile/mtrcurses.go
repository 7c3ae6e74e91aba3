package tracefile

import (
	"net/netip"
	"strings"

	"hopscope/internal/path"
)

// FormatMTRCurses is mtr's interactive screen, copied from the terminal.
const FormatMTRCurses = "mtr-curses"

// detectMTRCurses is certain of the screen's title, key line and column header.
func detectMTRCurses(s *sniff) confidence {
	line := s.line
	if strings.HasPrefix(line, "My traceroute") || strings.HasPrefix(line, "Keys:") && strings.Contains(line, "Display mode") ||
		isMTRCursesHeader(line) {
		return certain
	}
	return notMine
}

// isMTRCursesHeader reports whether line is the screen's column header: "Host  Loss%  Snt  Last ...".
func isMTRCursesHeader(line string) bool {
	f := strings.Fields(line)
	return len(f) >= 2 && f[0] == "Host" && isMTRField(f[1])
}

// isMTRCursesHostLine reports whether line is the screen's host line: a name, its address in
// parentheses, and possibly the time ("myhost (192.0.2.10)   2021-02-21T12:14:36+0100").
func isMTRCursesHostLine(line string) bool {
	f := strings.Fields(line)
	if len(f) < 2 || !strings.HasPrefix(f[1], "(") || !strings.HasSuffix(f[1], ")") {
		return false
	}
	_, err := netip.ParseAddr(strings.Trim(f[1], "()"))
	return err == nil
}

// isMTRCursesTargetTime reports whether line is an address or host name and an ISO time, nothing else
// ("8.8.8.8 2022-07-10T15:08:38+0200"): the right part of the screen's title line.
func isMTRCursesTargetTime(line string) bool {
	f := strings.Fields(line)
	if len(f) != 2 || len(f[1]) < 19 || f[1][4] != '-' || f[1][10] != 'T' {
		return false
	}
	if _, err := netip.ParseAddr(f[0]); err == nil {
		return true
	}
	return looksLikeHostname(f[0])
}

// mtrCursesFrom reads the local host's address from "myhost (192.0.2.10)" into t.From, unless it is
// unspecified (0.0.0.0).
func mtrCursesFrom(t *path.Trace, host string) {
	f := strings.Fields(host)
	if len(f) < 2 {
		return
	}
	if a, err := netip.ParseAddr(strings.Trim(f[1], "()")); err == nil && !a.IsUnspecified() {
		t.From = a
	}
}

// mtrCursesTime reads the time the screen prints after the last ")" of line into t.Started
// ("2021-02-21T12:14:36+0100", or "Mon Mar  1 13:50:36 2021" with its double space).
func mtrCursesTime(t *path.Trace, line string) {
	if i := strings.LastIndexByte(line, ')'); i >= 0 {
		if ts, err := parseMTRStart(strings.TrimSpace(line[i+1:])); err == nil {
			t.Started = ts
		}
	}
}

// parseMTRCurses imports mtr's interactive display pasted as text:
//
//	                             My traceroute  [v0.95]
//	myhost (192.0.2.10) -> example.com (192.0.2.9)              2024-01-02T03:04:05+0000
//	Keys:  Help   Display mode   Restart statistics   Order of fields   quit
//	                                       Packets               Pings
//	 Host                                Loss%   Snt   Last   Avg  Best  Wrst StDev
//	 1. _gateway                          0.0%    10    0.4   0.5   0.4   0.7   0.1
//	 2. (waiting for reply)
//	 3. 198.51.100.3                      0.0%    10    5.0   5.2   4.9   5.8   0.3
//	    198.51.100.33
//
// Rows read like mtr --report's old layout (columns from the header, AS with -z); "(waiting for
// reply)" is a silent hop; an indented address under a row is a further responder of that hop.
func parseMTRCurses(data []byte, opts ParseOptions) ([]*path.Trace, error) {
	const format = FormatMTRCurses
	in := newTextInputOpts(format, data, opts)
	var (
		t         = &path.Trace{Source: format}
		fields    = mtrDefaultFields
		toks      []token
		hop       = -1
		sawScreen bool
		names     responderNames
	)
	for in.scan() {
		if startsWithDigit(in.body()) {
			// a hop line with a comment appended: "# my router", "<---- sent the ICMP"
			if err := in.cutComment(); err != nil {
				return nil, err
			}
		}
		ln, start, body := in.ln, in.start, in.body()
		switch {
		case strings.HasPrefix(body, "My traceroute") || strings.HasPrefix(body, "Keys:") || body == "Packets Pings" ||
			strings.HasPrefix(body, "Packets") && strings.HasSuffix(body, "Pings"):
			sawScreen = true
			continue
		case len(t.Hops) == 0 && isMTRCursesHostLine(body) && !strings.Contains(body, " -> "):
			// "myhost (192.0.2.10)   2021-02-21T12:14:36+0100": the local host and the time, the
			// target left out (older releases, or cut by whoever pasted it)
			mtrCursesFrom(t, body)
			mtrCursesTime(t, body)
			continue
		case len(t.Hops) == 0 && !sawScreen && isMTRCursesTargetTime(body):
			// "8.8.8.8 2022-07-10T15:08:38+0200": the title's right part, the target and the time,
			// its left part (the local host and "->") cut by whoever pasted the screen
			f := strings.Fields(body)
			if a, err := netip.ParseAddr(f[0]); err == nil {
				t.Target.Addr = a
			} else {
				t.Target.Name = f[0]
			}
			if ts, err := parseMTRStart(f[1]); err == nil {
				t.Started = ts
			}
			continue
		case strings.Contains(body, " -> ") && len(t.Hops) == 0:
			// "myhost (192.0.2.10) -> example.com (192.0.2.9)   date"
			src, dst, _ := strings.Cut(body, " -> ")
			mtrCursesFrom(t, src)
			mtrCursesTime(t, dst)
			f := strings.Fields(dst)
			if len(f) > 0 {
				if a, err := netip.ParseAddr(f[0]); err == nil {
					t.Target.Addr = a
				} else {
					t.Target.Name = f[0]
					if len(f) > 1 && strings.HasPrefix(f[1], "(") {
						t.Target.Addr, _ = netip.ParseAddr(strings.Trim(f[1], "()"))
					}
				}
			}
			continue
		case isMTRCursesHeader(body):
			sawScreen = true
			fields = nil
			for _, w := range strings.Fields(body)[1:] {
				if f, ok := mtrField(w); ok {
					fields = append(fields, f)
				}
			}
			continue
		}
		if startsWithDigit(body) {
			dot := strings.IndexByte(body, '.')
			ttl, ok := parseUint(body[:max(dot, 0)], maxTTL)
			if dot > 0 && ok && ttl > 0 && (dot+1 == len(body) || body[dot+1] == ' ') {
				if n := len(t.Hops); n > 0 && t.Hops[n-1].TTL >= ttl {
					if err := in.tolerate(in.errAt(start+1, "hop "+itoa(t.Hops[n-1].TTL+1)+" or later", body[:dot])); err != nil {
						return nil, err
					}
					continue
				}
				if rest := strings.TrimSpace(body[dot+1:]); rest == "(waiting for reply)" || rest == "???" {
					t.HopAt(ttl)
					hop = len(t.Hops) - 1
					continue
				}
				if _, err := mtrRow(t, &names, ttl, ln, start+dot+1, fields, &toks, in.errAt); err != nil {
					if err := in.tolerate(err); err != nil {
						return nil, err
					}
					continue
				}
				hop = len(t.Hops) - 1
				continue
			}
		}
		if start > 0 && hop >= 0 {
			if f := strings.Fields(body); len(f) == 1 {
				h := &t.Hops[hop]
				if a, err := netip.ParseAddr(f[0]); err == nil {
					h.AddResponder(path.Responder{Addr: a})
					continue
				}
				if looksLikeHostname(f[0]) {
					names.add(h, netip.Addr{}, f[0])
					continue
				}
			}
		}
		if isPromptLine(ln) {
			continue
		}
		if err := in.tolerate(in.errAt(start+1, `a row like " 1. 192.0.2.1  0.0%  10  0.4  0.5  0.4  0.7  0.1"`, body)); err != nil {
			return nil, err
		}
	}
	if len(t.Hops) == 0 {
		looks := ""
		if sawScreen {
			looks = "the mtr screen without hop rows"
		}
		return nil, in.refuse(`rows like " 1. 192.0.2.1  0.0%  10  0.4  0.5  0.4  0.7  0.1" under the "Host  Loss%" header`, looks)
	}
	finish(t, true, false)
	inferMTRProbes(t)
	warnTruncatedNames(t)
	mtrLastRowTarget(t)
	t.Warnings = append(t.Warnings, in.takeNotes()...)
	return []*path.Trace{t}, nil
}
