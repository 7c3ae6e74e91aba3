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

// textPath writes every path of r as a header, an aligned hop table, the findings and the summary.
func textPath(w io.Writer, r *report.Report, color bool) error {
	ps, err := reportPaths(r)
	if err != nil {
		return fmt.Errorf("render text: %w", err)
	}
	tw := &textOut{w: w, color: color}
	for i, p := range ps {
		if i > 0 {
			tw.line("")
			tw.line(tw.style(ansiDim, strings.Repeat("─", 72)))
			tw.line("")
		}
		writeTextPath(tw, p)
	}
	return tw.err
}

// textOut writes lines, remembers the first error and applies ANSI styles only when color is set.
type textOut struct {
	w     io.Writer
	color bool
	err   error
}

func (t *textOut) line(s string) {
	if t.err == nil {
		_, t.err = io.WriteString(t.w, s+"\n")
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

// table writes rows aligned in columns; right lists the right-aligned column indexes. Styles apply after
// padding so colour never shifts the columns.
func (t *textOut) table(header []string, rows [][]cell, right map[int]bool) {
	width := make([]int, len(header))
	for i, h := range header {
		width[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c.text))
		}
	}
	pad := func(s string, i int) string {
		if i == len(width)-1 && !right[i] {
			return s // nothing follows the last column
		}
		n := width[i] - utf8.RuneCountInString(s)
		if right[i] {
			return strings.Repeat(" ", n) + s
		}
		return s + strings.Repeat(" ", n)
	}
	var b strings.Builder
	for i, h := range header {
		if i > 0 {
			b.WriteString("  ")
		}
		b.WriteString(t.style(ansiBold, pad(h, i)))
	}
	t.line(strings.TrimRight(b.String(), " "))
	for _, r := range rows {
		b.Reset()
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(t.style(c.style, pad(c.text, i)))
		}
		t.line(strings.TrimRight(b.String(), " "))
	}
}

// maxNameWidth bounds the hostname column; longer names are shortened in the middle.
const maxNameWidth = 46

// shorten cuts s to n runes, keeping both ends.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head := (n - 1) / 2
	return string(r[:head]) + "…" + string(r[len(r)-(n-1-head):])
}

// fmtMs formats milliseconds for a table.
func fmtMs(v float64) string { return fmt.Sprintf("%.1f", v) }

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
	if p.Input != "" {
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

// noteStyle colours a hop's notes by their severity.
func noteStyle(h report.PathHop) string {
	switch h.Severity {
	case "alert":
		return ansiRed
	case "note":
		return ansiYellow
	}
	return ""
}

// hopRows renders one hop as table rows, one per responder.
func hopRows(h report.PathHop) [][]cell {
	ttl := cell{text: fmt.Sprint(h.TTL)}
	if h.Silent {
		return [][]cell{{ttl, {text: "*", style: ansiDim}, {}, {}, {}, {}, {}, {}, {}}}
	}
	notes := strings.Join(h.Notes, ", ")
	var rows [][]cell
	for i, r := range h.Responders {
		row := []cell{{}, {text: r.Addr}, {text: shorten(r.Name, maxNameWidth)}, {text: r.AS},
			{text: r.Operator}, {text: r.PlaceLabel}, {}, {}, {}}
		if r.RTT != nil {
			row[6], row[7] = cell{text: fmtMs(r.RTT.MinMs)}, cell{text: fmtMs(r.RTT.MedianMs)}
		}
		if r.Info.Special != nil && r.Info.ASN == 0 {
			row[4].style = ansiYellow
		}
		if i == 0 {
			row[0] = ttl
			row[8] = cell{text: notes, style: noteStyle(h)}
		}
		rows = append(rows, row)
	}
	return rows
}

// writeTextPath writes one path.
func writeTextPath(t *textOut, p *report.Path) {
	f := &p.Findings
	t.line(t.style(ansiBold, "Path to "+pathTitle(p)))
	t.line(pathFacts(p))
	for _, w := range p.Warnings {
		t.line(t.style(ansiDim, "note: "+w))
	}
	t.line("")
	var rows [][]cell
	for _, h := range p.Hops {
		rows = append(rows, hopRows(h)...)
	}
	t.table([]string{"HOP", "ADDRESS", "NAME", "AS", "OPERATOR", "LOCATION", "MIN ms", "MED ms", "NOTES"}, rows,
		map[int]bool{0: true, 6: true, 7: true})
	t.line(t.style(ansiDim, "* location read from the router's hostname; AS with ? as printed by the trace tool"))
	t.line("")
	for _, s := range p.Sections {
		label := fmt.Sprintf("%-12s", s.Label)
		for i, text := range s.Lines {
			if i == 0 {
				t.line(t.style(ansiCyan, label) + " " + text)
			} else {
				t.line(strings.Repeat(" ", 13) + text)
			}
		}
	}
	t.line("")
	t.line(t.style(ansiBold, "Summary"))
	for _, l := range wrap(f.Summary, 100) {
		t.line("  " + l)
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
	t.line("| Hop | Address | Name | AS | Operator | Location | Min ms | Median ms | Notes |")
	t.line("|---:|---|---|---|---|---|---:|---:|---|")
	for _, h := range p.Hops {
		for _, row := range hopRows(h) {
			cells := make([]string, len(row))
			for i, c := range row {
				cells[i] = mdCell(c.text)
			}
			if cells[2] != "" {
				cells[2] = "`" + cells[2] + "`"
			}
			if h.Silent {
				cells[1] = `\*`
			}
			t.line("| " + strings.Join(cells, " | ") + " |")
		}
	}
	t.line("")
	t.line("Locations marked * come from the router's hostname; an AS marked ? is the one the trace tool printed.")
	t.line("")
	t.line("### Findings")
	t.line("")
	for _, s := range p.Sections {
		t.line("- **" + s.Label + "**: " + s.Lines[0])
		for _, l := range s.Lines[1:] {
			t.line("  - " + l)
		}
	}
}
