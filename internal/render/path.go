package render

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"hopscope/internal/report"
)

// ANSI styles used by the text renderer when colour is on.
const (
	ansiBold   = "1"
	ansiDim    = "2"
	ansiRed    = "31"
	ansiYellow = "33"
	ansiCyan   = "36"
)

// reportPaths returns the path sections of a path report: Path first, then Paths.
func reportPaths(r *report.Report) ([]*report.Path, error) {
	var ps []*report.Path
	if r.Path != nil {
		ps = append(ps, r.Path)
	}
	ps = append(ps, r.Paths...)
	if len(ps) == 0 {
		return nil, errors.New("path report has no path")
	}
	return ps, nil
}

// textPath writes every path of r top-down: a header, the verdict (the summary), the hop table, then the
// evidence (the sections), all within width.
func textPath(w io.Writer, r *report.Report, color bool, width int) error {
	ps, err := reportPaths(r)
	if err != nil {
		return fmt.Errorf("render text: %w", err)
	}
	tw := &textOut{w: w, color: color, width: width}
	for i, p := range ps {
		if i > 0 {
			tw.line("")
			tw.line(tw.style(ansiDim, strings.Repeat("─", ruleWidth(width))))
			tw.line("")
		}
		writeTextPath(tw, p)
	}
	return tw.err
}

// textOut writes lines, remembers the first error and applies ANSI styles only when color is set. A
// line wider than width (when width > 0) is wrapped at spaces (fitLine).
type textOut struct {
	w     io.Writer
	color bool
	width int
	err   error
	// buf holds the line being written, row the table row being built (fitTable); both are reused.
	buf, row []byte
}

func (t *textOut) line(s string) {
	if t.err != nil {
		return
	}
	if t.width <= 0 || visibleLen(s) <= t.width {
		t.write(s)
		return
	}
	for _, l := range fitLine(s, t.width) {
		if t.write(l); t.err != nil {
			return
		}
	}
}

// write writes s and a newline in one Write.
func (t *textOut) write(s string) {
	t.buf = append(append(t.buf[:0], s...), '\n')
	_, t.err = t.w.Write(t.buf)
}

// lineBytes is line for a line built in b, which it returns (its bytes past len(b) overwritten).
func (t *textOut) lineBytes(b []byte) []byte {
	if t.err != nil {
		return b
	}
	if t.width > 0 && visibleLenBytes(b) > t.width {
		t.line(string(b))
		return b
	}
	b = append(b, '\n')
	_, t.err = t.w.Write(b)
	return b[:len(b)-1]
}

// para writes text wrapped within the width, the first line after first and the others after rest.
func (t *textOut) para(first, rest, text string) {
	if t.width <= 0 {
		t.line(first + text)
		return
	}
	for l := range wrapLines(first, rest, text, t.width) {
		t.lineBytes(l)
	}
}

func (t *textOut) style(code, s string) string {
	if !t.color || code == "" || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// cell is one table cell with an optional ANSI style.
type cell struct {
	text  string
	style string
}

// table writes rows aligned in columns within the width; right lists the right-aligned column indexes.
// Left-aligned columns are cut in the middle (widest first, to 8 runes) when the table is too wide, and
// the last column wraps.
func (t *textOut) table(header []string, rows [][]cell, right map[int]bool) {
	cols := make([]column, len(header))
	for i, h := range header {
		cols[i] = column{head: h, right: right[i]}
		if !right[i] && i < len(header)-1 {
			cols[i].min, cols[i].order = 8, 1
		}
	}
	t.fitTable(cols, rows)
}

// ruleWidth is the length of a horizontal rule: 72, or the width when narrower.
func ruleWidth(width int) int {
	if width > 0 {
		return min(72, width)
	}
	return 72
}

// shorten cuts s to n runes, keeping both ends.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head := (n - 1) / 2
	return string(r[:head]) + "…" + string(r[len(r)-(n-1-head):])
}

// pathTitle is "vweixinthumb.tc.qq.com (alias of socwxsns.video.qq.com, 101.33.110.25)".
func pathTitle(p *report.Path) string {
	t := p.Target
	var extra []string
	if t.Canonical != "" && t.Canonical != t.Name {
		extra = append(extra, "alias of "+t.Canonical)
	}
	if t.Addr != "" && t.Addr != t.Name {
		extra = append(extra, t.Addr)
	}
	name := t.Name
	if name == "" {
		name, extra = t.Addr, nil
	}
	if name == "" {
		return "unknown target"
	}
	if len(extra) == 0 {
		return name
	}
	return name + " (" + strings.Join(extra, ", ") + ")"
}

// pathFacts is the "udp, traceroute-bsd, 17 hops" line.
func pathFacts(p *report.Path) string {
	var facts []string
	switch p.Input {
	case "":
	case "hopscope":
		facts = append(facts, "measured by hopscope") // our own probes, not an import
	default:
		facts = append(facts, "imported from "+p.Input)
	}
	if p.Protocol != "" {
		facts = append(facts, strings.ToUpper(p.Protocol)+" probes")
	}
	facts = append(facts, fmt.Sprintf("%d hops", len(p.Hops)))
	if r := []rune(facts[0]); len(r) > 0 {
		facts[0] = strings.ToUpper(string(r[0])) + string(r[1:])
	}
	if p.From != "" {
		facts = append(facts, "source address "+p.From)
	}
	if !p.Started.IsZero() {
		facts = append(facts, p.Started.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	return strings.Join(facts, ", ")
}

// footnote explains the table's marks that appear in it: a starred location, an AS with "?"; empty
// when neither does.
func footnote(p *report.Path) (starred, guessed bool) {
	for _, h := range p.Hops {
		for _, r := range h.Responders {
			starred = starred || strings.HasSuffix(r.PlaceLabel, "*")
			guessed = guessed || strings.HasSuffix(r.AS, "?")
		}
	}
	return starred, guessed
}

// footnoteText is the footnote's sentence for the marks present; empty when none.
func footnoteText(starred, guessed bool) string {
	switch {
	case starred && guessed:
		return "* location read from the router's hostname; AS with ? as printed by the trace tool"
	case starred:
		return "* location read from the router's hostname"
	case guessed:
		return "AS with ? as printed by the trace tool"
	}
	return ""
}

// writeTextPath writes one path: title and facts, the summary (the verdict), the hop table, then the
// sections (the evidence).
func writeTextPath(t *textOut, p *report.Path) {
	f := &p.Findings
	t.line(t.style(ansiBold, "Path to "+pathTitle(p)))
	t.line(pathFacts(p))
	for _, w := range p.Warnings {
		t.para(t.style(ansiDim, "note: "), "  ", w)
	}
	if f.Summary != "" {
		t.line("")
		t.line(t.style(ansiBold, "Summary"))
		t.para("  ", "  ", f.Summary)
	}
	t.line("")
	ht := newHopTable(p)
	kept := ht.kept()
	t.fitTableSeq(pick(nil, kept, ht.columns()), shownRows(p, kept))
	if s := footnoteText(footnote(p)); s != "" {
		t.line(t.style(ansiDim, s))
	}
	writeTextMultipath(t, p)
	if len(p.Sections) > 0 {
		t.line("")
	}
	for _, s := range p.Sections {
		label := t.style(ansiCyan, fmt.Sprintf("%-12s", s.Label)) + " "
		indent := strings.Repeat(" ", 13)
		for i, text := range s.Lines {
			if i == 0 {
				t.para(label, indent, text)
			} else {
				t.para(indent, indent, text)
			}
		}
	}
}

// wrap breaks text into lines of at most n runes at spaces.
func wrap(text string, n int) []string {
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(text) {
		if cur.Len() > 0 && utf8.RuneCountInString(cur.String())+1+utf8.RuneCountInString(word) > n {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// markdownPath writes every path of r as GitHub-flavoured Markdown: title, summary, hop table, findings.
func markdownPath(w io.Writer, r *report.Report) error {
	ps, err := reportPaths(r)
	if err != nil {
		return fmt.Errorf("render markdown: %w", err)
	}
	t := &textOut{w: w}
	for i, p := range ps {
		if i > 0 {
			t.line("")
		}
		writeMarkdownPath(t, p)
	}
	return t.err
}

// mdEscaper escapes table-breaking characters; it is read-only after initialisation.
var mdEscaper = strings.NewReplacer("|", `\|`, "\n", " ")

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string { return mdEscaper.Replace(s) }

// appendMdHopRow appends a hop table row (full column order) as a Markdown table row of the kept
// columns to b: cells escaped (mdCell), the name as code, a silent hop's star escaped, loss on the path
// in bold.
func appendMdHopRow(b []byte, silent bool, row []cell, kept []int) []byte {
	b = append(b, '|')
	for _, i := range kept {
		b = append(b, ' ')
		c := row[i]
		switch {
		case i == colAddr && silent:
			b = append(b, `\*`...)
		case i == colName && c.text != "":
			b = append(b, '`')
			b = appendMdCell(b, c.text)
			b = append(b, '`')
		case i == colLoss && c.style == ansiRed:
			b = append(b, "**"...)
			b = appendMdCell(b, c.text)
			b = append(b, "**"...)
		default:
			b = appendMdCell(b, c.text)
		}
		b = append(b, " |"...)
	}
	return b
}

// appendMdCell appends s escaped as mdCell escapes it to b.
func appendMdCell(b []byte, s string) []byte {
	for {
		i := strings.IndexAny(s, "|\n")
		if i < 0 {
			return append(b, s...)
		}
		b = append(b, s[:i]...)
		if s[i] == '|' {
			b = append(b, `\|`...)
		} else {
			b = append(b, ' ')
		}
		s = s[i+1:]
	}
}

// writeMarkdownPath writes one path as Markdown.
func writeMarkdownPath(t *textOut, p *report.Path) {
	f := &p.Findings
	t.line("## Path to " + mdCell(pathTitle(p)))
	t.line("")
	t.line(pathFacts(p) + ".")
	for _, w := range p.Warnings {
		t.line("")
		t.line("> Note: " + mdCell(w))
	}
	t.line("")
	t.line("**Summary.** " + f.Summary)
	t.line("")
	ht := newHopTable(p)
	head := []string{"Hop", "Address", "Name", "AS", "Operator", "Location", "Loss %", "Sent", "Last ms", "Avg ms", "Best ms",
		"Worst ms", "StDev ms", "Jitter ms", "Min ms", "Median ms", "Notes"}
	align := []string{"---:", "---", "---", "---", "---", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---"}
	var hc []cell
	for _, h := range head {
		hc = append(hc, cell{text: h})
	}
	var ac []cell
	for _, a := range align {
		ac = append(ac, cell{text: a})
	}
	kept := ht.kept()
	mdRow := func(cs []cell) string {
		cells := make([]string, len(cs))
		for i, c := range cs {
			cells[i] = c.text
		}
		return "| " + strings.Join(cells, " | ") + " |"
	}
	t.line(mdRow(pick(nil, kept, hc)))
	t.line(strings.ReplaceAll(mdRow(pick(nil, kept, ac)), " ", ""))
	var b []byte
	row := make([]cell, numHopCols)
	for i := range p.Hops {
		h := &p.Hops[i]
		for k := range hopRowCount(*h) {
			hopRow(row, h, k)
			b = t.lineBytes(appendMdHopRow(b[:0], h.Silent, row, kept))
		}
	}
	starred, guessed := footnote(p)
	switch {
	case starred && guessed:
		t.line("")
		t.line("Locations marked * come from the router's hostname; an AS marked ? is the one the trace tool printed.")
	case starred:
		t.line("")
		t.line("Locations marked * come from the router's hostname.")
	case guessed:
		t.line("")
		t.line("An AS marked ? is the one the trace tool printed.")
	}
	t.line("")
	t.line("### Findings")
	t.line("")
	for _, s := range p.Sections {
		t.line("- **" + s.Label + "**: " + s.Lines[0])
		for _, l := range s.Lines[1:] {
			t.line("  - " + l)
		}
	}
	writeMarkdownMultipath(t, p)
}
