package tracefile

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/path"
)

// FormatMTRReport is mtr --report / --report-wide output, old and new layouts.
const FormatMTRReport = "mtr-report"

// detectMTRReport is certain of the "Start:" and "HOST:" lines and likely on a "  1.|--" row or an
// old-layout "  1. host ... 0.0%" row.
func detectMTRReport(s *sniff) confidence {
	line := s.line
	if strings.HasPrefix(line, "Start:") || strings.HasPrefix(line, "HOST:") {
		return certain
	}
	rest, ok := hopNumber(line)
	if ok && (strings.HasPrefix(rest, ".|--") || strings.HasPrefix(rest, ". ") && strings.Contains(rest, "%")) {
		return likely
	}
	return notMine
}

// mtrFields are the column titles mtr can print (mtr -o); mtrDefaultFields is the default set.
var (
	mtrFields        = []string{"Loss%", "Drop", "Rcv", "Snt", "Last", "Best", "Avg", "Wrst", "StDev", "Gmean", "Jttr", "Javg", "Jmax", "Jint"}
	mtrDefaultFields = []string{"Loss%", "Snt", "Last", "Avg", "Best", "Wrst", "StDev"}
)

func isMTRField(s string) bool {
	_, ok := mtrField(s)
	return ok
}

// mtrField is the column a title names: one of mtrFields, or "Loss", which some mtr front ends print
// for "Loss%".
func mtrField(s string) (string, bool) {
	if s == "Loss" {
		return "Loss%", true
	}
	for _, f := range mtrFields {
		if s == f {
			return f, true
		}
	}
	return "", false
}

// mtrTitles reads a line of column titles without "HOST:" ("Loss   Snt   Last   Avg  Best  Wrst StDev",
// where the host name was cut off): the fields, or false when a word is not a title.
func mtrTitles(toks []token) ([]string, bool) {
	if len(toks) < 2 {
		return nil, false
	}
	fields := make([]string, 0, len(toks))
	for _, t := range toks {
		f, ok := mtrField(t.s)
		if !ok {
			return nil, false
		}
		fields = append(fields, f)
	}
	return fields, true
}

// parseMTRReport imports mtr --report / --report-wide output, old and new layouts:
//
//	Start: 2024-01-02T03:04:05+0000
//	HOST: myhost                      Loss%   Snt   Last   Avg  Best  Wrst StDev
//	  1.|-- 192.0.2.1                  0.0%    10    0.5   0.6   0.4   0.9   0.1
//	  2.|-- ???                       100.0    10    0.0   0.0   0.0   0.0   0.0
//	  3.|-- 198.51.100.3               0.0%    10    5.1   5.0   4.9   5.3   0.1
//	    |  `|-- 198.51.100.33
//
// The old layout has "  1. host" rows and no Start line; -z adds an "AS123" column before the host.
// Only aggregates are known: each responder gets Stats, and a "???" row becomes a hop with Stats and
// no responder. A shell prompt line naming the target ("$ mtr -r example.com") fills Target.
func parseMTRReport(data []byte, opts ParseOptions) ([]*path.Trace, error) {
	const format = FormatMTRReport
	var (
		traces  []*path.Trace
		cur     *path.Trace
		hop     *path.Hop
		fields  = mtrDefaultFields
		toks    []token
		command string
		names   responderNames
	)
	flush := func() {
		if cur != nil && len(cur.Hops) > 0 {
			finish(cur, true, false)
			inferMTRProbes(cur)
			warnTruncatedNames(cur)
			mtrLastRowTarget(cur)
			traces = append(traces, cur)
		}
		cur, hop = nil, nil
	}
	ensure := func() {
		if cur == nil {
			cur = &path.Trace{Source: format}
			fields = mtrDefaultFields
			if command != "" {
				targetFromCommand(cur, command)
				command = ""
			}
		}
	}
	in := newTextInputOpts(format, data, opts)
	errf := in.errAt
	for in.scan() {
		if b := in.body(); startsWithDigit(b) || b[0] == '|' || b[0] == '`' {
			// "  1.|-- 192.168.1.1  0.0%  10  0.5  0.6  0.4  0.9  0.1  # my router"
			if err := in.cutComment(); err != nil {
				return nil, err
			}
		}
		ln, start, body := in.ln, in.start, in.body()
		switch {
		case strings.HasPrefix(body, "Start:"):
			flush()
			ensure()
			v := strings.TrimSpace(body[len("Start:"):])
			if t, err := parseMTRStart(v); err == nil {
				cur.Started = t
			} else {
				setMeta(cur, "start", v)
			}
			continue
		case strings.HasPrefix(body, "HOST:"):
			if cur != nil && len(cur.Hops) > 0 {
				flush()
			}
			ensure()
			toks = tokenize(body[len("HOST:"):], toks)
			k := len(toks)
			for k > 0 && isMTRField(toks[k-1].s) {
				k--
			}
			if k == len(toks) {
				if err := in.tolerate(errf(start+1, `column titles such as "Loss%   Snt   Last   Avg  Best  Wrst StDev"`, body)); err != nil {
					return nil, err
				}
				continue
			}
			fields = nil
			for _, t := range toks[k:] {
				f, _ := mtrField(t.s)
				fields = append(fields, f)
			}
			if k > 0 {
				setMeta(cur, "host", toks[0].s)
			}
			continue
		}
		if c := body[0]; c >= '0' && c <= '9' {
			dot := strings.IndexByte(body, '.')
			if ttl, ok := parseUint(body[:max(dot, 0)], maxTTL); dot > 0 && ok && ttl > 0 {
				ensure()
				if n := len(cur.Hops); n > 0 && cur.Hops[n-1].TTL >= ttl {
					if err := in.tolerate(errf(start+1, "hop "+itoa(cur.Hops[n-1].TTL+1)+" or later", body[:dot])); err != nil {
						return nil, err
					}
					continue
				}
				h, err := mtrRow(cur, &names, ttl, ln, start+dot+1, fields, &toks, errf)
				if err != nil {
					if err := in.tolerate(err); err != nil {
						return nil, err
					}
					continue
				}
				hop = h
				continue
			}
		}
		if c := body[0]; c == '|' || c == '`' || c == '+' || strings.HasPrefix(body, "[MPLS") || (hop != nil && strings.HasPrefix(body, "AS")) {
			if hop == nil {
				if err := in.tolerate(errf(start+1, "a hop row before the load-balancing line", body)); err != nil {
					return nil, err
				}
				continue
			}
			if err := mtrContinuation(cur, hop, &names, ln, start, errf); err != nil {
				if err := in.tolerate(err); err != nil {
					return nil, err
				}
				continue
			}
			continue
		}
		if isPromptLine(ln) {
			flush()
			command = body
			continue
		}
		if (cur == nil || len(cur.Hops) == 0) && body[0] >= 'A' && body[0] <= 'Z' {
			if f, ok := mtrTitles(tokenize(body, toks)); ok {
				ensure()
				fields = f
				continue
			}
		}
		if err := in.tolerate(errf(start+1, `a report row like "  1.|-- 192.0.2.1  0.0%  10  0.5  0.6  0.4  0.9  0.1"`, body)); err != nil {
			return nil, err
		}
		continue
	}
	flush()
	if len(traces) == 0 {
		return nil, in.refuse(`report rows like "  1.|-- 192.0.2.1  0.0%  10  0.5  0.6  0.4  0.9  0.1"`, "")
	}
	traces[len(traces)-1].Warnings = append(traces[len(traces)-1].Warnings, in.takeNotes()...)
	return traces, nil
}

// mtrRow parses one report row starting after "N." at byte offset off of ln; names finds the hop's
// name-only responders.
func mtrRow(cur *path.Trace, names *responderNames, ttl int, ln string, off int, fields []string, toks *[]token, errf func(int, string, string) error) (*path.Hop, error) {
	rest := strings.TrimPrefix(ln[off:], "|--")
	base := len(ln) - len(rest)
	ts := tokenize(rest, *toks)
	*toks = ts
	for i := range ts {
		ts[i].col += base
	}
	nh := len(ts) - len(fields)
	if nh < 1 {
		return nil, errf(len(ln)+1, "a host and the columns "+strings.Join(fields, " "), strings.TrimSpace(rest))
	}
	var st path.Stats
	loss := -1.0
	rcv, drop := -1, -1
	for i, f := range fields {
		t := ts[nh+i]
		v := strings.TrimSuffix(t.s, "%")
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x < 0 || x > 1e9 || math.IsNaN(x) {
			return nil, errf(t.col, "a number in column "+f, t.s)
		}
		d := time.Duration(x*1e6 + 0.5)
		switch f {
		case "Loss%":
			loss = x
		case "Snt":
			st.Sent = int(x)
		case "Rcv":
			rcv = int(x)
		case "Drop":
			drop = int(x)
		case "Last":
			st.Last = d
		case "Avg":
			st.Avg = d
		case "Best":
			st.Best = d
		case "Wrst":
			st.Worst = d
		case "StDev":
			st.StdDev = d
		}
	}
	switch {
	case rcv >= 0:
		st.Received = rcv
	case drop >= 0:
		st.Received = max(st.Sent-drop, 0)
	case loss >= 0:
		st.Received = int(math.Round(float64(st.Sent) * (100 - loss) / 100))
	}
	st.Received = min(max(st.Received, 0), st.Sent)
	h := cur.HopAt(ttl)
	asn, addr, name, err := mtrHost(ts[:nh], errf)
	if err != nil {
		return nil, err
	}
	if !addr.IsValid() && name == "" {
		h.Stats = &st
		return h, nil
	}
	r := names.add(h, addr, name)
	r.ReportedASN = asn
	r.Stats = &st
	return h, nil
}

// mtrHost parses the host cell: optional "AS123"/"AS???", then "???", "addr", "name" or "name (addr)".
// name and addr are both empty for "???".
func mtrHost(ts []token, errf func(int, string, string) error) (asn uint32, addr netip.Addr, name string, err error) {
	if len(ts) > 1 && strings.HasPrefix(ts[0].s, "AS") {
		if n, e := strconv.ParseUint(ts[0].s[2:], 10, 32); e == nil {
			asn = uint32(n)
		} else if ts[0].s != "AS???" {
			return 0, addr, "", errf(ts[0].col, `an AS number like "AS15169" or "AS???"`, ts[0].s)
		}
		ts = ts[1:]
	}
	host := ts[0].s
	switch {
	case host == "???" && len(ts) == 1:
		return asn, addr, "", nil
	case len(ts) == 2 && strings.HasPrefix(ts[1].s, "(") && strings.HasSuffix(ts[1].s, ")"):
		a, e := netip.ParseAddr(ts[1].s[1 : len(ts[1].s)-1])
		if e != nil {
			return 0, addr, "", errf(ts[1].col, "an IP address in parentheses", ts[1].s)
		}
		if host == a.String() {
			host = ""
		}
		return asn, a, host, nil
	case len(ts) == 1:
		if a, e := netip.ParseAddr(host); e == nil {
			return asn, a, "", nil
		}
		if looksLikeHostname(host) {
			return asn, addr, host, nil
		}
	}
	return 0, addr, "", errf(ts[0].col, `a host: "???", an address, a name or "name (address)"`, host)
}

// mtrContinuation parses the further-responder and MPLS lines printed under a row; names finds the
// hop's name-only responders.
func mtrContinuation(cur *path.Trace, h *path.Hop, names *responderNames, ln string, start int, errf func(int, string, string) error) error {
	i := start
	for i < len(ln) && strings.IndexByte("|`+- \t", ln[i]) >= 0 {
		i++
	}
	rest := strings.TrimSpace(ln[i:])
	if rest == "" {
		return errf(i+1, "an address after the load-balancing marker", "")
	}
	if strings.HasPrefix(rest, "[MPLS") {
		cur.Warnings = append(cur.Warnings, "hop "+itoa(h.TTL)+": "+rest)
		return nil
	}
	ts := tokenize(rest, nil)
	for k := range ts {
		ts[k].col += i
	}
	asn, addr, name, err := mtrHost(ts, errf)
	if err != nil {
		return err
	}
	if !addr.IsValid() && name == "" {
		return nil
	}
	r := names.add(h, addr, name)
	if r.ReportedASN == 0 {
		r.ReportedASN = asn
	}
	return nil
}

// mtrLastRowTarget takes the last row as the target when the output names none (a report's HOST line is
// the local host; a screen's title may leave the target out): mtr probes up to its target and shows it
// on the last row, with its loss when it did not answer, so a last row of one responder is the target.
// A last row of "???" names nothing, and the target stays unknown.
func mtrLastRowTarget(t *path.Trace) {
	lastHopTarget(t, "mtr stops at its target, so the last row")
}

// parseMTRStart parses the "Start:" time in the ISO layout of mtr 0.87+ or the ctime layout before.
func parseMTRStart(v string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339, time.ANSIC, "Mon Jan _2 15:04:05 2006 MST"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Parse(time.RFC3339, v)
}

// inferMTRProbes sets ProbesPerHop to the sent count when every row reports the same one.
func inferMTRProbes(t *path.Trace) {
	n := -1
	for _, h := range t.Hops {
		var s *path.Stats
		if h.Stats != nil {
			s = h.Stats
		} else if len(h.Responders) > 0 {
			s = h.Responders[0].Stats
		}
		if s == nil {
			continue
		}
		if n >= 0 && s.Sent != n {
			return
		}
		n = s.Sent
	}
	if n > 0 {
		t.ProbesPerHop = n
	}
}

// mtrValueOptions are mtr options that take a value as the next word.
var mtrValueOptions = map[string]bool{
	"-c": true, "-i": true, "-s": true, "-B": true, "-a": true, "-f": true, "-m": true, "-U": true, "-E": true,
	"-o": true, "-Q": true, "-P": true, "-L": true, "-G": true, "-M": true, "-I": true, "-y": true, "-F": true,
	"--report-cycles": true, "--interval": true, "--psize": true, "--bitpattern": true, "--address": true,
	"--first-ttl": true, "--max-ttl": true, "--max-unknown": true, "--max-display-path": true, "--order": true,
	"--tos": true, "--port": true, "--localport": true, "--gracetime": true, "--mark": true, "--interface": true,
	"--ipinfo": true, "--filename": true, "--timeout": true,
}

// targetFromCommand fills t.Target (when still unknown) and the probe protocol (-u UDP, -T TCP, else
// ICMP) from a copied "mtr ... TARGET" command line, and keeps the line in Meta.
func targetFromCommand(t *path.Trace, line string) {
	words := strings.Fields(line)
	at := -1
	for i, w := range words {
		if toolBase(w) == "mtr" {
			at = i
			break
		}
	}
	if at < 0 {
		return
	}
	setMeta(t, "command", strings.Join(words[at:], " "))
	t.Protocol = path.ProtoICMP // mtr's default
	for i := at + 1; i < len(words); i++ {
		w := words[i]
		if w == "|" || w == ">" || w == "&&" || w == ";" || w == "|&" {
			break
		}
		if strings.HasPrefix(w, "-") {
			switch {
			case w == "--udp" || len(w) > 1 && w[1] != '-' && strings.ContainsRune(w, 'u'):
				t.Protocol = path.ProtoUDP
			case w == "--tcp" || len(w) > 1 && w[1] != '-' && strings.ContainsRune(w, 'T'):
				t.Protocol = path.ProtoTCP
			}
			if mtrValueOptions[w] {
				i++
			}
		}
	}
	if t.Target.Name != "" || t.Target.Addr.IsValid() {
		return
	}
	if target, ok := commandTarget(line, []string{"mtr"}, mtrValueOptions); ok {
		t.Target = target
	}
}

// warnTruncatedNames notes when several host names share the same, long length: mtr --report cuts
// names to fit its column, so such names are probably incomplete (--report-wide prints them whole).
func warnTruncatedNames(t *path.Trace) {
	longest, count := 0, 0
	for _, h := range t.Hops {
		for _, r := range h.Responders {
			switch n := len(r.Name); {
			case n > longest:
				longest, count = n, 1
			case n == longest && n > 0:
				count++
			}
		}
	}
	if longest >= 20 && count >= 2 {
		t.Warnings = append(t.Warnings, strconv.Itoa(count)+" host names are exactly "+strconv.Itoa(longest)+
			" characters long: mtr --report probably cut them (--report-wide prints them whole)")
	}
}
