package live

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"hopscope/internal/report"
	"hopscope/internal/safetext"
)

// The screen's least size; below it the view says so instead of drawing a broken table.
const (
	minWidth  = 40
	minHeight = 6
)

var (
	titleStyle  = lipgloss.NewStyle().Reverse(true)
	headStyle   = lipgloss.NewStyle().Bold(true)
	alertStyle  = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Red)
	lossStyle   = lipgloss.NewStyle().Foreground(lipgloss.Yellow)
	pathLoss    = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Red)
	subStyle    = lipgloss.NewStyle().Faint(true)
	statusStyle = lipgloss.NewStyle().Bold(true).Reverse(true)
	keyStyle    = lipgloss.NewStyle().Bold(true)
)

// screen draws the whole screen: a title line, the hop table, the explanation panel and a key line.
// No line is wider than the screen and there are no more lines than its height.
func (m *model) screen() string {
	w, h := m.width, m.height
	if w <= 0 {
		w = 80
	}
	if h <= 0 {
		h = 24
	}
	if w < minWidth || h < minHeight {
		return ansi.Truncate(fmt.Sprintf("hopscope: the window is too small (%dx%d, need %dx%d)", w, h, minWidth, minHeight), w, "…")
	}
	cols, hidden := layout(w, m.t)
	rows := buildRows(m.cur, m.t, m.hist)
	panel := m.panel(w)

	avail := h - 3 // title, table header, key line
	panelShare := min(len(panel), max(avail/3, 3))
	if len(rows)+len(panel) <= avail {
		panelShare = len(panel)
	}
	tableRows := min(max(len(rows), 1), avail-panelShare)
	panelRows := avail - tableRows

	out := make([]string, 0, h)
	out = append(out, m.titleLine(w))
	out = append(out, headerLine(cols))
	out = append(out, m.tableLines(rows, cols, tableRows, w)...)
	if len(panel) > panelRows {
		panel = panel[:panelRows]
		if panelRows > 0 {
			panel[panelRows-1] = fitLine("…", w)
		}
	}
	out = append(out, panel...)
	out = append(out, m.keyLine(w, hidden))
	return strings.Join(out, "\n")
}

// title names the path: "example.com (93.184.216.34)".
func title(p *report.Path) string {
	t := p.Target
	switch {
	case t.Name != "" && t.Addr != "" && t.Name != t.Addr:
		return safetext.Line(t.Name + " (" + t.Addr + ")")
	case t.Name != "":
		return safetext.Line(t.Name)
	}
	return safetext.Line(t.Addr)
}

// titleLine is "hopscope  example.com (93.184.216.34)  round 12" with the view's state on the right.
func (m *model) titleLine(w int) string {
	left := "hopscope live"
	if m.cur != nil {
		left += "  " + title(m.cur)
		if n := rounds(m.cur, m.shownAt); n > 0 {
			left += fmt.Sprintf("  round %d", n)
		}
	} else {
		left += "  waiting for the first round"
	}
	var state []string
	switch {
	case m.paused:
		state = append(state, "PAUSED")
	case m.done:
		state = append(state, "finished")
	}
	if m.reset {
		state = append(state, "statistics reset")
	}
	right := strings.Join(state, " · ")
	if right == "" {
		return titleStyle.Render(fitLine(left, w))
	}
	rw := ansi.StringWidth(right) + 1
	if rw >= w {
		return statusStyle.Render(fitLine(right, w))
	}
	return titleStyle.Render(fitLine(left, w-rw)) + " " + statusStyle.Render(right)
}

// rounds is the number of rounds behind p: the report's own count when it has one, else the number
// of reports received up to p.
func rounds(p *report.Path, received int) int {
	if p.Trace != nil && p.Trace.Rounds > 0 {
		return p.Trace.Rounds
	}
	return received
}

// headerLine is the table's column titles.
func headerLine(cols []placed) string {
	cells := make([]string, len(cols))
	for i, c := range cols {
		cells[i] = fit(specs[c.id].title, c.width, specs[c.id].right, false)
	}
	return headStyle.Render(strings.Join(cells, " "))
}

// tableLines draws n table rows from the scroll position; when rows are left out below, the last line
// says how many.
func (m *model) tableLines(rows []row, cols []placed, n, w int) []string {
	if len(rows) == 0 {
		return []string{fitLine("  waiting for the first round of probes…", w)}
	}
	m.scroll = min(m.scroll, max(len(rows)-n, 0))
	shown := rows[m.scroll:min(m.scroll+n, len(rows))]
	out := make([]string, 0, n)
	for i, r := range shown {
		if i == n-1 && m.scroll+n < len(rows) {
			out = append(out, subStyle.Render(fitLine(fmt.Sprintf("  ↓ %d more rows (j/k or ↓/↑ scroll)", len(rows)-m.scroll-n+1), w)))
			break
		}
		out = append(out, rowLine(r, cols))
	}
	return out
}

// rowLine draws one table row in the given columns.
func rowLine(r row, cols []placed) string {
	cells := make([]string, len(cols))
	for i, c := range cols {
		sp := specs[c.id]
		var s string
		if c.id == colHistory {
			s = fit(sparkline(r.spark, c.width), c.width, false, false)
		} else {
			s = fit(r.cell(c.id), c.width, sp.right, c.id == colHost)
		}
		switch {
		case c.id == colHop && r.alert:
			s = alertStyle.Render(s)
		case c.id == colLoss && r.lossy:
			s = lossStyleOf(r.fig.verdict).Render(s)
		case r.sub:
			s = subStyle.Render(s)
		}
		cells[i] = s
	}
	return strings.Join(cells, " ")
}

// lossStyleOf colours a loss figure by what the report says it means: red for loss on the path, faint
// for a router limiting its own replies (not lost traffic), yellow for anything not yet told apart.
func lossStyleOf(verdict string) lipgloss.Style {
	switch verdict {
	case "path", "carried", "destination":
		return pathLoss
	case "rate-limit":
		return subStyle
	}
	return lossStyle
}

// panel is the explanation: the report's summary, then each section's lines, wrapped to w.
func (m *model) panel(w int) []string {
	if m.cur == nil {
		return nil
	}
	const head = "─ Explanation "
	out := []string{headStyle.Render(head + strings.Repeat("─", max(w-ansi.StringWidth(head), 0)))}
	if s := strings.TrimSpace(m.cur.Summary); s != "" {
		out = append(out, wrap(safetext.Line(s), w, "")...)
	}
	for _, sec := range m.cur.Sections {
		label := safetext.Line(sec.Label) + ": "
		for i, l := range sec.Lines {
			lead := strings.Repeat(" ", ansi.StringWidth(label))
			if i == 0 {
				lead = label
			}
			out = append(out, wrap(lead+safetext.Line(l), w, "    ")...)
		}
	}
	if len(out) == 1 {
		out = append(out, fitLine("nothing to explain yet", w))
	}
	return out
}

// wrap breaks s into lines of at most w cells at spaces (hard-breaking a longer word); continuation
// lines start with indent.
func wrap(s string, w int, indent string) []string {
	lines := strings.Split(ansi.Wrap(s, w, ""), "\n")
	if len(lines) <= 1 || indent == "" {
		return lines
	}
	rest := strings.Split(ansi.Wrap(strings.Join(lines[1:], " "), w-ansi.StringWidth(indent), ""), "\n")
	out := []string{lines[0]}
	for _, l := range rest {
		out = append(out, indent+l)
	}
	return out
}

// keyLine lists the keys, then how many columns switched on the width left out.
func (m *model) keyLine(w int, hidden []colID) string {
	pause := "pause"
	if m.paused {
		pause = "resume"
	}
	s := "q quit  p " + pause + "  r reset  d all  n names  a AS  l places"
	if len(hidden) > 0 {
		s += fmt.Sprintf("  │ +%d cols if wider", len(hidden))
	}
	return keyStyle.Render(fitLine(s, w))
}

// fitLine truncates s to w cells with "…".
func fitLine(s string, w int) string { return ansi.Truncate(s, w, "…") }
