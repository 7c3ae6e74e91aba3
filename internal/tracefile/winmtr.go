package tracefile

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/path"
)

// FormatWinMTR is WinMTR's "Copy Text to clipboard" / "Export TEXT" table.
const FormatWinMTR = "winmtr"

// detectWinMTR is certain of the table's title and header and likely on its rows.
func detectWinMTR(s *sniff) confidence {
	line := s.line
	switch {
	case strings.Contains(line, "WinMTR statistics"), isWinMTRHeader(line):
		return certain
	case strings.HasPrefix(line, "|") && strings.HasSuffix(line, "|") && strings.Count(line, "|") >= 8 && strings.Contains(line, " - "):
		return likely
	case strings.HasPrefix(line, "|---") && strings.Trim(line, "|-") == "":
		return plausible
	}
	return notMine
}

func isWinMTRHeader(line string) bool {
	return strings.HasPrefix(line, "|") && strings.Contains(line, "Host") && strings.Contains(line, "Sent") && strings.Contains(line, "Recv")
}

// parseWinMTR imports WinMTR's text table:
//
//	|------------------------------------------------------------------------------------------|
//	|                                      WinMTR statistics                                   |
//	|                       Host              -   %  | Sent | Recv | Best | Avrg | Wrst | Last |
//	|------------------------------------------------|------|------|------|------|------|------|
//	|                             192.168.1.1 -    0 |   10 |   10 |    0 |    0 |    1 |    0 |
//	|                   No response from host -  100 |   10 |    0 |    0 |    0 |    0 |    0 |
//	|________________________________________________|______|______|______|______|______|______|
//	   WinMTR v0.92 GPL V2 by Appnor MSP - Fully Managed Hosting & Cloud Provider
//
// Rows are hops in order (the table has no hop numbers). Only aggregates are known, in whole
// milliseconds: each responder gets Stats; "No response from host" is a silent hop with Stats.
// WinMTR shows a name instead of the address when it resolved one, so such responders have a name
// and no address. The target is not in the table.
func parseWinMTR(data []byte, opts ParseOptions) ([]*path.Trace, error) {
	const format = FormatWinMTR
	in := newTextInputOpts(format, data, opts)
	t := &path.Trace{Source: format, Protocol: path.ProtoICMP}
	cols := []string{"Sent", "Recv", "Best", "Avrg", "Wrst", "Last"}
	sawTable := false
	var names responderNames
	for in.scan() {
		ln, start, body := in.ln, in.start, in.body()
		switch {
		case strings.Contains(body, "WinMTR statistics") || strings.HasPrefix(body, "WinMTR") ||
			strings.Trim(body, "|-_") == "":
			sawTable = true
			continue
		case isWinMTRHeader(body):
			sawTable = true
			cells := strings.Split(strings.Trim(body, "|"), "|")
			cols = cols[:0]
			for _, c := range cells[1:] {
				cols = append(cols, strings.TrimSpace(c))
			}
			continue
		case strings.HasPrefix(body, "|"):
			if err := winMTRRow(t, &names, in, body, cols); err != nil {
				if err := in.tolerate(err); err != nil {
					return nil, err
				}
			}
			continue
		}
		if isPromptLine(ln) {
			continue
		}
		if err := in.tolerate(in.errAt(start+1, `a table row like "|  192.0.2.1 -    0 |   10 |   10 |    0 |    0 |    1 |    0 |"`, body)); err != nil {
			return nil, err
		}
	}
	if len(t.Hops) == 0 {
		looks := ""
		if sawTable {
			looks = "a WinMTR table without rows"
		}
		return nil, in.refuse(`rows like "|  192.0.2.1 -    0 |   10 |   10 |    0 |    0 |    1 |    0 |"`, looks)
	}
	finish(t, false, false)
	inferMTRProbes(t)
	t.Warnings = append(t.Warnings, in.takeNotes()...)
	return []*path.Trace{t}, nil
}

// winMTRRow reads one "| host - loss | sent | recv | best | avg | worst | last |" row as the next
// hop; names finds the hop's name-only responders.
func winMTRRow(t *path.Trace, names *responderNames, in *textInput, body string, cols []string) error {
	cells := strings.Split(strings.Trim(body, "|"), "|")
	if len(cells) != len(cols)+1 {
		return in.errAt(in.start+1, "a row with a host and "+itoa(len(cols))+" columns ("+strings.Join(cols, ", ")+")", body)
	}
	host, lossText, ok := cutLast(strings.TrimSpace(cells[0]), " - ")
	if !ok {
		return in.errAt(in.start+1, `"host - loss%" in the first column`, cells[0])
	}
	if _, err := strconv.ParseFloat(strings.TrimSpace(lossText), 64); err != nil {
		return in.errAt(in.start+1, "a loss percentage after the host", lossText)
	}
	var st path.Stats
	for i, c := range cols {
		v, err := strconv.ParseUint(strings.TrimSpace(cells[i+1]), 10, 31)
		if err != nil {
			return in.errAt(in.start+1, "a whole number in column "+c, cells[i+1])
		}
		d := time.Duration(v) * time.Millisecond
		switch c {
		case "Sent":
			st.Sent = int(v)
		case "Recv":
			st.Received = int(v)
		case "Best":
			st.Best = d
		case "Avrg":
			st.Avg = d
		case "Wrst":
			st.Worst = d
		case "Last":
			st.Last = d
		}
	}
	st.Received = min(st.Received, st.Sent)
	ttl := len(t.Hops) + 1
	if ttl > maxTTL {
		return in.errAt(in.start+1, "at most 255 rows", body)
	}
	h := t.HopAt(ttl)
	host = strings.TrimSpace(host)
	switch {
	case host == "No response from host" || host == "":
		h.Stats = &st
		return nil
	case strings.Contains(host, " "):
		h.Stats = &st
		t.Warnings = append(t.Warnings, "hop "+itoa(ttl)+": "+host)
		return nil
	}
	addr, err := netip.ParseAddr(host)
	name := ""
	if err != nil {
		name = host
	}
	r := names.add(h, addr, name)
	r.Stats = &st
	return nil
}

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
