package render

import (
	"bytes"
	"io"
	"iter"
	"slices"
	"strings"
	"unicode/utf8"
)

// DefaultWidth is the width text output fits when the caller gives none (output that is not a terminal
// and no COLUMNS): wide enough for a hop table with short names, narrow enough for a code review.
const DefaultWidth = 100

// MinWidth is the narrowest width text output honours; a smaller one is raised to it.
const MinWidth = 60

// fitWidth is the width to fit: w, or DefaultWidth when w is 0, never below MinWidth.
func fitWidth(w int) int {
	switch {
	case w <= 0:
		return DefaultWidth
	case w < MinWidth:
		return MinWidth
	}
	return w
}

// visibleLen counts the runes of s a terminal shows: ANSI SGR sequences (ESC [ ... m) count for nothing.
func visibleLen(s string) int {
	if strings.IndexByte(s, 0x1b) < 0 {
		return utf8.RuneCountInString(s)
	}
	n := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && s[j] != 'm' {
				j++
			}
			i = j + 1
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return n
}

// visibleLenBytes is visibleLen for text in a buffer.
func visibleLenBytes(b []byte) int {
	if bytes.IndexByte(b, 0x1b) < 0 {
		return utf8.RuneCount(b)
	}
	return visibleLen(string(b))
}

// wrapHang breaks text into lines of at most width visible runes at spaces: the first line starts with
// first, the others with rest. A word longer than a line is cut in the middle.
func wrapHang(first, rest, text string, width int) []string {
	var lines []string
	for l := range wrapLines(first, rest, text, width) {
		lines = append(lines, string(l))
	}
	return lines
}

// wrapLines yields the lines of wrapHang one by one, built in a buffer that the next line reuses: a
// paragraph of any length is wrapped without holding its words or its lines.
func wrapLines(first, rest, text string, width int) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		cur := append(make([]byte, 0, max(width, 16)+8), first...)
		curLen := visibleLen(first)
		empty, lines := true, 0
		for word := range strings.FieldsSeq(text) {
			wl := visibleLen(word)
			if !empty && curLen+1+wl > width {
				if !yield(cur) {
					return
				}
				lines++
				cur, curLen, empty = append(cur[:0], rest...), visibleLen(rest), true
			}
			if room := width - curLen - 1; empty && wl > room+1 && !strings.Contains(word, "\x1b") {
				word = shorten(word, max(room+1, 3))
				wl = visibleLen(word)
			}
			if !empty {
				cur = append(cur, ' ')
				curLen++
			}
			cur = append(cur, word...)
			curLen += wl
			empty = false
		}
		if !empty || lines == 0 {
			yield(cur)
		}
	}
}

// leadingSpaces returns the run of spaces s starts with.
func leadingSpaces(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, " "))]
}

// fitLine returns s as lines no wider than width: s itself when it fits, else broken at the last space
// that fits (the spacing inside each piece kept, so aligned columns stay aligned), the continuation lines
// indented two more than s. A piece without a space is cut where the width ends.
func fitLine(s string, width int) []string {
	if width <= 0 || visibleLen(s) <= width {
		return []string{s}
	}
	lead := leadingSpaces(s)
	indent := lead + "  "
	if len(indent) > width/2 {
		indent = "  "
	}
	var out []string
	cur := s
	for visibleLen(cur) > width {
		cut := breakAt(cur, width, len(leadingSpaces(cur)))
		out = append(out, strings.TrimRight(cur[:cut], " "))
		rest := strings.TrimLeft(cur[cut:], " ")
		if rest == "" {
			return out
		}
		cur = indent + rest
	}
	return append(out, cur)
}

// breakAt returns the byte offset where s should break to show at most width runes: after the last
// space past its indentation that keeps the piece within width, else at width itself. ANSI sequences
// are not split.
func breakAt(s string, width, indent int) int {
	n, lastSpace, hard := 0, -1, -1
	for i := 0; i < len(s); {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && s[j] != 'm' {
				j++
			}
			i = j + 1
			continue
		}
		if n == width {
			hard = i
			break
		}
		if s[i] == ' ' && i > indent {
			lastSpace = i
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	if hard >= 0 && hard < len(s) && s[hard] == ' ' {
		return hard
	}
	if lastSpace > 0 {
		return lastSpace
	}
	if hard < 0 {
		return len(s)
	}
	return hard
}

// fitWriter writes what renderers without a layout of their own produce, wrapping every line wider
// than width (fitLine): the safety net that keeps any text report inside the terminal.
type fitWriter struct {
	w     io.Writer
	width int
	buf   bytes.Buffer
}

func (f *fitWriter) Write(p []byte) (int, error) { return f.buf.Write(p) }

// flush writes the buffered text, line by line, fitted to the width.
func (f *fitWriter) flush() error {
	var out bytes.Buffer
	text := f.buf.String()
	trailing := strings.HasSuffix(text, "\n")
	text = strings.TrimSuffix(text, "\n")
	for _, l := range strings.Split(text, "\n") {
		for _, fl := range fitLine(l, f.width) {
			out.WriteString(fl)
			out.WriteByte('\n')
		}
	}
	if !trailing && out.Len() > 0 {
		out.Truncate(out.Len() - 1)
	}
	_, err := f.w.Write(out.Bytes())
	return err
}

// column describes one column of a fitted table.
type column struct {
	head  string
	right bool
	// min is the narrowest a shrinkable column may be cut to (in the middle, the full text staying in
	// JSON); 0 means the column is never cut.
	min int
	// order is when the column gives up width: columns of order 1 shrink first (widest first), then 2, ...
	order int
	// cutEnd cuts a long cell at its end rather than in the middle (operator names: "Tata Commun…").
	cutEnd bool
	// drop removes the column entirely at its order when shrinking the others was not enough.
	drop bool
	// below moves the column (the last one) onto its own indented line under each row when it would
	// be narrower than min; 0 wraps it inside the column always.
	below int
}

// fitColumns returns the widths of cols for rows within width: natural widths, then the shrinkable
// columns cut (order 1 widest first, then 2, ...); a dropped column has width -1. The last column, when
// wrapped, gets the rest of the line; belowLast reports that it goes under the row instead.
func fitColumns(cols []column, rows [][]cell, width int) (w []int, belowLast bool) {
	return fitColumnsSeq(cols, slices.Values(rows), width)
}

// fitColumnsSeq is fitColumns for rows read once from a sequence.
func fitColumnsSeq(cols []column, rows iter.Seq[[]cell], width int) (w []int, belowLast bool) {
	n := len(cols)
	w = make([]int, n)
	for i, c := range cols {
		w[i] = utf8.RuneCountInString(c.head)
		if c.min > 0 {
			cols[i].min = max(c.min, w[i]) // a header is never cut
		}
	}
	for r := range rows {
		for i := range min(len(r), n) {
			w[i] = max(w[i], utf8.RuneCountInString(r[i].text))
		}
	}
	if width <= 0 {
		return w, false
	}
	last := n - 1
	total := func(withLast bool) int {
		t, k := 0, 0
		for i := range n {
			if w[i] < 0 || (i == last && !withLast) {
				continue
			}
			t += w[i]
			k++
		}
		return t + 2*max(k-1, 0)
	}
	// The last column takes what is left, down to its own minimum, before it goes below.
	lastMin := w[last]
	if cols[last].below > 0 {
		lastMin = min(w[last], cols[last].below)
	}
	fits := func(withLast bool) bool {
		if withLast {
			return total(false)+2+lastMin <= width
		}
		return total(false) <= width
	}
	withLast := true
	if cols[last].below == 0 {
		lastMin = min(w[last], 12)
	}
	natural := append([]int(nil), w...)
	for attempt := 0; attempt < 2; attempt++ {
		copy(w, natural)
		maxOrder := 6
		if withLast && cols[last].below > 0 {
			maxOrder = 2 // keep every column before giving the last its own line
		}
		for order := 1; order <= maxOrder && !fits(withLast); order++ {
			for !fits(withLast) {
				best := -1
				for i := range n {
					if i == last || cols[i].order != order || cols[i].min == 0 || w[i] <= cols[i].min {
						continue
					}
					if best < 0 || w[i] > w[best] {
						best = i
					}
				}
				if best < 0 {
					break
				}
				w[best]--
			}
			if !fits(withLast) && (maxOrder == 6 || !withLast) {
				// Drop this order's droppable columns, first to last, until the rest fits.
				for i := range n {
					if i != last && cols[i].order == order && cols[i].drop && w[i] >= 0 {
						w[i] = -1
						if fits(withLast) {
							break
						}
					}
				}
			}
		}
		if fits(withLast) || cols[last].below == 0 {
			break
		}
		withLast = false
	}
	if withLast {
		w[last] = max(min(w[last], width-total(false)-2), 1)
		return w, false
	}
	// Width freed by a later drop goes back to the columns cut before it, the last cut first.
	for order := 6; order >= 1; order-- {
		for i := range n {
			if i == last || w[i] < 0 || cols[i].order != order || w[i] >= natural[i] {
				continue
			}
			w[i] += max(min(natural[i]-w[i], width-total(false)), 0)
		}
	}
	return w, true
}

// fitTable writes rows under their header within t.width (fitColumns): cut cells keep both ends, the
// last column wraps inside its width or, when it would be too narrow, goes on its own line under the
// row, indented past the first column. Styles apply after padding so colour never shifts the columns.
func (t *textOut) fitTable(cols []column, rows [][]cell) {
	t.fitTableSeq(cols, slices.Values(rows))
}

// fitTableSeq is fitTable for rows from a sequence, read twice (widths, then lines): a table of any
// length is laid out without holding its rows. A row is used only while the sequence yields it.
func (t *textOut) fitTableSeq(cols []column, rows iter.Seq[[]cell]) {
	w, below := fitColumnsSeq(cols, rows, t.width)
	last := len(cols) - 1
	pad := func(s string, i int) string { // for the rare wrapped last column; rows use appendCell
		n := w[i] - utf8.RuneCountInString(s)
		if cols[i].right {
			return strings.Repeat(" ", n) + s
		}
		return s + strings.Repeat(" ", n)
	}
	// Text moved below a row waits for the end of its group: the next row with a first cell, or the end.
	var pending []cell
	flush := func() {
		indent := "      "
		if w[0] <= 4 {
			indent = strings.Repeat(" ", max(w[0], 0)+4) // under the second column's text
		}
		for _, c := range pending {
			for _, l := range wrapHang("", "", c.text, t.width-len(indent)) {
				t.line(indent + t.style(c.style, l))
			}
		}
		pending = nil
	}
	row := func(cells []cell, head bool) {
		if len(cells) > 0 && cells[0].text != "" {
			flush()
		}
		// The row is built in t.row, reused from row to row.
		b := t.row[:0]
		first := true
		for i := range min(len(cells), last) {
			if w[i] < 0 {
				continue
			}
			if !first {
				b = append(b, "  "...)
			}
			first = false
			text := cells[i].text
			n := utf8.RuneCountInString(text)
			if n > w[i] {
				if cols[i].cutEnd {
					text = string([]rune(text)[:max(w[i]-1, 0)]) + "…"
				} else {
					text = shorten(text, w[i])
				}
				n = utf8.RuneCountInString(text)
			}
			style := cells[i].style
			if head {
				style = ansiBold
			}
			b = t.appendCell(b, style, text, w[i]-n, cols[i].right)
		}
		var lc cell
		if last < len(cells) {
			lc = cells[last]
		}
		switch {
		case w[last] < 0 || lc.text == "" || (below && head):
			b = t.lineBytes(trimSpaces(b))
		case below:
			b = t.lineBytes(trimSpaces(b))
			pending = append(pending, lc)
		default:
			if !first {
				b = append(b, "  "...)
			}
			start := visibleLen(string(b))
			style := lc.style
			if head {
				style = ansiBold
			}
			for k, l := range wrapHang("", "", lc.text, max(w[last], 1)) {
				if cols[last].right {
					l = pad(l, last)
				}
				if k == 0 {
					t.line(string(b) + t.style(style, l))
				} else {
					t.line(strings.Repeat(" ", start) + t.style(style, l))
				}
			}
		}
		t.row = b[:0]
	}
	hc := make([]cell, len(cols))
	for i, c := range cols {
		hc[i] = cell{text: c.head}
	}
	row(hc, true)
	for r := range rows {
		row(r, false)
	}
	flush()
}

// spaces pads table cells.
const spaces = "                                                                "

// appendCell appends text padded with n spaces (before it when right) and styled (t.style) to b.
func (t *textOut) appendCell(b []byte, style, text string, n int, right bool) []byte {
	styled := t.color && style != "" && len(text)+max(n, 0) > 0
	if styled {
		b = append(b, "\x1b["...)
		b = append(b, style...)
		b = append(b, 'm')
	}
	if !right {
		b = append(b, text...)
	}
	for n > 0 {
		k := min(n, len(spaces))
		b = append(b, spaces[:k]...)
		n -= k
	}
	if right {
		b = append(b, text...)
	}
	if styled {
		b = append(b, "\x1b[0m"...)
	}
	return b
}

// trimSpaces drops the spaces b ends with.
func trimSpaces(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}

// tableWidth is how wide rows under header are with every cell whole.
func tableWidth(header []string, rows [][]cell) int {
	cols := make([]column, len(header))
	for i, h := range header {
		cols[i].head = h
	}
	w, _ := fitColumns(cols, rows, 0)
	total := 2 * (len(w) - 1)
	for _, n := range w {
		total += n
	}
	return total
}

// records writes each row as a block when a table would not fit: the first cell as a title, then one
// "label: value" line per other non-empty cell, wrapped within the width.
func (t *textOut) records(header []string, rows [][]cell) {
	for _, r := range rows {
		if len(r) == 0 {
			continue
		}
		t.line(t.style(r[0].style, r[0].text))
		for i := 1; i < len(r) && i < len(header); i++ {
			if r[i].text == "" {
				continue
			}
			t.para("  "+header[i]+": ", "    ", t.style(r[i].style, r[i].text))
		}
	}
}
