package tracefile

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/path"
)

// FormatMikroTik is MikroTik RouterOS's "/tool traceroute" table (RouterOS 6 and 7).
const FormatMikroTik = "mikrotik"

// detectMikroTik is certain of the table's column titles ("# ADDRESS LOSS SENT LAST ...", with or
// without the "#" column), of RouterOS 7's "Columns: ADDRESS, LOSS, SENT, ..." line and of a RouterOS
// traceroute command ("[admin@MikroTik] > /tool traceroute 192.0.2.1", "/tool/traceroute address=...").
func detectMikroTik(s *sniff) confidence {
	line := s.line
	if _, ok := mikrotikTitles(line); ok || isMikroTikColumnsLine(line) {
		return certain
	}
	if _, ok := mikrotikCommand(line); ok {
		return certain
	}
	return notMine
}

// mikrotikColumns are the titles RouterOS prints after ADDRESS, in its order.
var mikrotikColumns = []string{"LOSS", "SENT", "LAST", "AVG", "BEST", "WORST", "STD-DEV", "STATUS"}

// mikrotikTitles reads a line of column titles: the titles after ADDRESS (a title the terminal cut,
// "STA..", counts as STATUS), or false when the line is not one. LOSS and SENT must be there.
func mikrotikTitles(line string) ([]string, bool) {
	f := strings.Fields(line)
	if len(f) > 0 && f[0] == "#" {
		f = f[1:]
	}
	if len(f) < 3 || f[0] != "ADDRESS" || f[1] != "LOSS" || f[2] != "SENT" {
		return nil, false
	}
	out := make([]string, 0, len(f)-1)
	for _, w := range f[1:] {
		switch {
		case isMikroTikColumn(w):
			out = append(out, w)
		case strings.HasSuffix(w, "..") && strings.HasPrefix("STATUS", strings.TrimRight(w, ".")):
			out = append(out, "STATUS")
		default:
			return nil, false
		}
	}
	return out, true
}

func isMikroTikColumn(w string) bool {
	for _, c := range mikrotikColumns {
		if w == c {
			return true
		}
	}
	return false
}

// isMikroTikColumnsLine reports RouterOS 7's legend above a table: "Columns: ADDRESS, LOSS, SENT, ...".
func isMikroTikColumnsLine(line string) bool {
	return strings.HasPrefix(line, "Columns: ADDRESS, LOSS")
}

// isMikroTikFooter reports the line RouterOS prints under each repaint of a running command.
func isMikroTikFooter(line string) bool {
	return strings.HasPrefix(line, "-- [Q quit|")
}

// mikrotikCommand finds a RouterOS traceroute command in line ("[admin@MikroTik] > /tool traceroute
// 192.0.2.1", "tool traceroute 192.0.2.1", "[admin@MikroTik] tool> traceroute ...",
// "/tool/traceroute address=192.0.2.1 count=3") and returns the words after it.
func mikrotikCommand(line string) ([]string, bool) {
	words := strings.Fields(line)
	for i, w := range words {
		switch {
		case strings.HasSuffix(w, "/tool/traceroute") || w == "tool/traceroute":
			return words[i+1:], true
		case w == "traceroute" && i > 0:
			switch p := words[i-1]; {
			case p == "tool" || p == "/tool" || strings.HasSuffix(p, "tool>") || strings.HasSuffix(p, "/tool"):
				return words[i+1:], true
			}
		}
	}
	return nil, false
}

// mikrotikTarget fills t's target, protocol and limits from a command's words: "address=X" or the
// first bare word is the target; "protocol=udp" probes with UDP (ICMP otherwise), "max-hops=N" and
// "size=N" set the hop limit and packet size.
func mikrotikTarget(t *path.Trace, args []string) {
	t.Protocol = path.ProtoICMP
	for _, a := range args {
		k, v, kv := strings.Cut(a, "=")
		if !kv {
			k, v = "address", a
		}
		switch k {
		case "address":
			if t.Target.Name != "" || t.Target.Addr.IsValid() {
				continue
			}
			if addr, err := netip.ParseAddr(v); err == nil {
				t.Target.Addr = addr
			} else if looksLikeHostname(v) {
				t.Target.Name = v
			}
		case "protocol":
			if strings.EqualFold(v, "udp") {
				t.Protocol = path.ProtoUDP
			}
		case "max-hops":
			if n, ok := parseUint(v, maxTTL); ok {
				t.MaxTTL = n
			}
		case "size":
			if n, ok := parseUint(v, 65535); ok {
				t.PacketSize = n
			}
		}
	}
}

// mikrotikRow is one row of the table as printed.
type mikrotikRow struct {
	// ttl is the "#" column; 0 when the table has none.
	ttl int
	// host is the ADDRESS cell: an address, a name (use-dns=yes), a cell cut with "..." or "" when
	// nothing answered.
	host   string
	st     path.Stats
	status string
}

// parseMikroTik imports RouterOS's traceroute table:
//
//	[admin@MikroTik] > /tool traceroute 192.0.2.9
//	 # ADDRESS                          LOSS SENT    LAST     AVG    BEST   WORST STD-DEV STATUS
//	 1 192.0.2.1                          0%    3   1.1ms     1.2     0.9     1.7     0.2 <MPLS:L=17,E=0>
//	 2                                  100%    3 timeout
//	 3 192.0.2.9                          0%    3   0.6ms     0.6     0.4       1     0.1
//
// The "#" column is absent in some releases (rows are then hops in order), and the columns after SENT
// follow the title line. Only aggregates are known, as with mtr: each responder gets Stats (AVG, BEST,
// WORST and STD-DEV in milliseconds), a row without an address is a silent hop with Stats. RouterOS
// repaints the table while it runs, so a paste may hold it several times (new titles, a "-- [Q quit|..."
// footer, hop numbers starting again, or SENT growing from one row to the next): the last complete
// repaint is read. The STATUS column describes the last probe: its MPLS labels become that probe,
// carrying the LAST time, beside the row's Stats. The command line gives the target; without one, the
// last row is taken as it (RouterOS stops at the destination).
func parseMikroTik(data []byte, opts ParseOptions) ([]*path.Trace, error) {
	const format = FormatMikroTik
	in := newTextInputOpts(format, data, opts)
	var (
		traces  []*path.Trace
		frames  [][]mikrotikRow
		cols    = mikrotikColumns
		args    []string
		command string
		newRun  = true // the next row opens a repaint
		sawHdr  bool
		elided  elisions
	)
	flush := func() {
		if t := mikrotikTrace(frames, command, args, elided.take()); t != nil {
			t.Warnings = append(t.Warnings, in.takeNotes()...)
			traces = append(traces, t)
		}
		frames, args, command, newRun, cols = nil, nil, "", true, mikrotikColumns
	}
	for in.scan() {
		ln, start, body := in.ln, in.start, in.body()
		if a, ok := mikrotikCommand(body); ok {
			flush()
			args, command = a, body
			continue
		}
		if c, ok := mikrotikTitles(body); ok {
			cols, newRun, sawHdr = c, true, true
			continue
		}
		switch {
		case isMikroTikColumnsLine(body):
			continue
		case isElisionLine(body):
			if n := len(frames); n > 0 && !newRun {
				f := frames[n-1]
				elided.mark(f[len(f)-1].ttl, in.line())
			}
			continue
		case isMikroTikFooter(body):
			newRun = true
			continue
		case body[0] == '[' && strings.IndexByte(body, ']') > 0 || isPromptLine(ln):
			flush() // the router's prompt again: the command ended
			continue
		}
		row, err := mikrotikParseRow(in, ln[start:], start, cols)
		if err != nil {
			if err := in.tolerate(err); err != nil {
				return nil, err
			}
			continue
		}
		if n := len(frames); newRun || n == 0 || startsRepaint(frames[n-1], row) {
			frames = append(frames, nil)
			newRun = false
		}
		frames[len(frames)-1] = append(frames[len(frames)-1], row)
	}
	flush()
	if len(traces) == 0 {
		looks := ""
		if sawHdr {
			looks = "a RouterOS traceroute table without rows"
		}
		return nil, in.refuse(`rows like " 1 192.0.2.1   0%   3   1.1ms   1.2   0.9   1.7   0.2"`, looks)
	}
	return traces, nil
}

// startsRepaint reports whether row begins a new repaint of the table whose rows so far are frame:
// its hop number is not past the last one's, or (without hop numbers) more probes were sent to it
// than to the row before (a later hop never has more probes than an earlier one in one repaint).
func startsRepaint(frame []mikrotikRow, row mikrotikRow) bool {
	last := frame[len(frame)-1]
	if row.ttl > 0 && last.ttl > 0 {
		return row.ttl <= last.ttl
	}
	return row.st.Sent > last.st.Sent
}

// mikrotikParseRow reads one table row, s, which starts at byte offset off of its line, against
// the column titles cols.
func mikrotikParseRow(in *textInput, s string, off int, cols []string) (mikrotikRow, error) {
	var row mikrotikRow
	toks := tokenize(s, nil)
	for i := range toks {
		toks[i].col += off
	}
	if len(toks) > 1 && isInt(toks[0].s) {
		n, ok := parseUint(toks[0].s, maxTTL)
		if !ok || n == 0 {
			return row, in.errAt(toks[0].col, "a hop number from 1 to 255", toks[0].s)
		}
		row.ttl, toks = n, toks[1:]
	}
	if len(toks) == 0 || !strings.HasSuffix(toks[0].s, "%") {
		if len(toks) < 2 {
			return row, in.errAt(off+1, `a row like "192.0.2.1   0%   3   1.1ms   1.2   0.9   1.7   0.2"`, s)
		}
		row.host, toks = toks[0].s, toks[1:]
	}
	loss := -1.0
	for ci, c := range cols {
		if len(toks) == 0 {
			break
		}
		t := toks[0]
		if c == "STATUS" {
			row.status = joinTokens(toks)
			toks = nil
			break
		}
		switch c {
		case "LOSS":
			v, err := strconv.ParseFloat(strings.TrimSuffix(t.s, "%"), 64)
			if !strings.HasSuffix(t.s, "%") || err != nil || v < 0 || v > 100 || math.IsNaN(v) {
				return row, in.errAt(t.col, `a loss such as "0%"`, t.s)
			}
			loss = v
		case "SENT":
			n, ok := parseUint(t.s, 1<<30)
			if !ok {
				return row, in.errAt(t.col, "the number of probes sent", t.s)
			}
			row.st.Sent = n
		default:
			if c == "LAST" && t.s == "timeout" {
				break
			}
			d, ok := routerOSTime(t.s)
			if !ok {
				if ci >= 3 { // past LAST: the rest is a status RouterOS printed without a STATUS title
					row.status = joinTokens(toks)
					toks = nil
					continue
				}
				return row, in.errAt(t.col, "a time in column "+c, t.s)
			}
			switch c {
			case "LAST":
				row.st.Last = d
			case "AVG":
				row.st.Avg = d
			case "BEST":
				row.st.Best = d
			case "WORST":
				row.st.Worst = d
			case "STD-DEV":
				row.st.StdDev = d
			}
		}
		if toks != nil {
			toks = toks[1:]
		}
	}
	if len(toks) > 0 {
		row.status = joinTokens(toks)
	}
	if loss < 0 {
		return row, in.errAt(off+len(s)+1, "the LOSS and SENT columns", "")
	}
	row.st.Received = min(max(int(math.Round(float64(row.st.Sent)*(100-loss)/100)), 0), row.st.Sent)
	return row, nil
}

// routerOSTime parses a RouterOS time: a bare number of milliseconds ("1.2") or numbers with units
// run together ("1.1ms", "850us", "3ms431us", "1s").
func routerOSTime(s string) (d time.Duration, ok bool) {
	if v, ok := parseMillis(s); ok || s == "" {
		return v, ok
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, false
		}
		v, ok := parseMillis(s[:i])
		if !ok {
			return 0, false
		}
		s = s[i:]
		j := 0
		for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
			j++
		}
		switch s[:j] {
		case "ms":
			total += v
		case "us":
			total += v / 1000
		case "s":
			total += v * 1000
		default:
			return 0, false
		}
		s = s[j:]
	}
	return total, true
}

// mikrotikTrace builds the trace of one command's output from its repaints (frames): the last one with
// the most rows, the earlier ones being the table as it grew or refreshed. command and args are the
// command line, if any; marks are the lines that stand for rows the author left out (hop numbers
// needed). nil when no row was read.
func mikrotikTrace(frames [][]mikrotikRow, command string, args []string, marks []elision) *path.Trace {
	if len(frames) == 0 {
		return nil
	}
	best := 0
	for i, f := range frames {
		if len(f) >= len(frames[best]) {
			best = i
		}
	}
	t := &path.Trace{Source: FormatMikroTik, Protocol: path.ProtoICMP}
	if command != "" {
		setMeta(t, "command", command)
		mikrotikTarget(t, args)
	}
	if len(frames) > 1 {
		t.Warnings = append(t.Warnings, "RouterOS repainted the table "+itoa(len(frames))+" times while it ran; repaint "+
			itoa(best+1)+" ("+itoa(len(frames[best]))+" rows), the last complete one, is read")
	}
	var names responderNames
	running := false
	for i, row := range frames[best] {
		ttl := row.ttl
		if ttl == 0 {
			ttl = i + 1
		}
		if n := len(t.Hops); n > 0 && t.Hops[n-1].TTL >= ttl {
			continue // a hop number out of order: startsRepaint keeps them rising, so only a cut paste
		}
		if row.st.Sent == 0 {
			// RouterOS lists the next hop before probing it: nothing measured yet, not a silent hop.
			t.Warnings = append(t.Warnings, "hop "+itoa(ttl)+": no probe sent yet (the table was copied while RouterOS ran)")
			running = true
			continue
		}
		st := row.st
		h := appendHop(t, ttl)
		if row.host == "" {
			h.Stats = &st
			mikrotikStatus(t, h, netip.Addr{}, row)
			continue
		}
		addr, name := mikrotikHost(t, ttl, row.host)
		r := names.add(h, addr, name)
		r.Stats = &st
		mikrotikStatus(t, h, addr, row)
	}
	if len(t.Hops) == 0 {
		return nil
	}
	last := t.Hops[len(t.Hops)-1].TTL
	for _, m := range marks {
		if m.after == last {
			t.Warnings = append(t.Warnings, "line "+itoa(m.line)+" after hop "+itoa(last)+" stands for rows left out by whoever pasted the table")
			running = true // the last row shown is not where RouterOS stopped
		}
	}
	finishElided(t, true, false, marks)
	inferMTRProbes(t)
	if !running {
		lastHopTarget(t, "RouterOS's traceroute stops at its target, so the last row")
	}
	return t
}

// mikrotikHost reads an ADDRESS cell: an address, a name (use-dns=yes), or either cut to the column's
// width and ended with "..." (long IPv6 addresses). A cut cell that begins the target's address or
// name is the target; otherwise it is kept as a name, with a warning, since no address can be made
// of part of one.
func mikrotikHost(t *path.Trace, ttl int, host string) (netip.Addr, string) {
	if a, err := netip.ParseAddr(host); err == nil {
		return a, ""
	}
	cut, ok := strings.CutSuffix(host, "...")
	if !ok {
		return netip.Addr{}, host
	}
	switch {
	case t.Target.Addr.IsValid() && cut != "" && strings.HasPrefix(t.Target.Addr.String(), cut):
		return t.Target.Addr, ""
	case t.Target.Name != "" && cut != "" && strings.HasPrefix(t.Target.Name, cut):
		return netip.Addr{}, t.Target.Name
	}
	t.Warnings = append(t.Warnings, "hop "+itoa(ttl)+": RouterOS cut the address to fit its column ("+strconv.Quote(host)+"); it is kept as a name")
	return netip.Addr{}, host
}

// mikrotikStatus reads a row's STATUS, which describes the hop's last probe: MPLS labels
// ("<MPLS:L=17,E=0>") become that probe, from the row's responder with the LAST time; any other
// status ("host unreachable") is kept as a warning.
func mikrotikStatus(t *path.Trace, h *path.Hop, addr netip.Addr, row mikrotikRow) {
	if row.status == "" {
		return
	}
	if labels, ok := mplsToken(row.status); ok && len(labels) > 0 && addr.IsValid() {
		h.Probes = append(h.Probes, path.Probe{Status: path.StatusReply, From: addr, RTT: row.st.Last, HasRTT: true, MPLS: labels})
		return
	}
	t.Warnings = append(t.Warnings, "hop "+itoa(h.TTL)+": RouterOS status "+strconv.Quote(row.status))
}
