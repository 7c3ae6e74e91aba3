package render

import (
	"fmt"
	"io"
	"strings"

	"hopscope/internal/report"
)

// vantageHeader is the column set of the vantage table (upper-cased in text).
var vantageHeader = []string{"Origin", "Network", "Min RTT", "Distance, light min, stretch", "AS path", "Leaves its country", "Joins shared"}

// vantageRow is one origin's cells, in vantageHeader's order.
func vantageRow(o *report.Origin) []string {
	place := o.Label
	if o.Approximate {
		place += " ~"
	}
	if !o.Measured {
		return []string{place, networkCell(o), o.RTTLabel(), "", "", "", ""}
	}
	return []string{place, networkCell(o), o.RTTLabel(), o.DistanceLabel(), o.ASPathLabel(), o.ExitLabel(), o.JoinLabel()}
}

// networkCell is the probe's network as the measurement network named it, else the first network its
// path crosses, said to be that: "Hurricane Electric (AS6939), from the first hops".
func networkCell(o *report.Origin) string {
	if n := o.NetworkLabel(); n != "" || o.FirstASN == 0 {
		return n
	}
	if o.FirstNetwork == "" {
		return fmt.Sprintf("AS%d, from the first hops", o.FirstASN)
	}
	return fmt.Sprintf("%s (AS%d), from the first hops", o.FirstNetwork, o.FirstASN)
}

// sharedLine describes the shared segment, or "" when there is none.
func sharedLine(v *report.Vantages) string {
	switch {
	case v.Shared != nil:
		routers := len(v.Shared.Addrs)
		if v.Shared.ToDestination {
			routers-- // the destination is no router
		}
		var s string
		switch routers {
		case 0:
			return "the paths share only the destination, " + v.Shared.First
		case 1:
			s = "every path crosses the same router, " + v.Shared.First
		default:
			s = fmt.Sprintf("every path crosses the same %d routers from %s on", routers, v.Shared.First)
		}
		if v.Shared.ToDestination {
			s += ", then reaches the destination"
		}
		return s
	case len(v.SharedASNs) > 0:
		var as []string
		for _, a := range v.SharedASNs {
			as = append(as, fmt.Sprintf("AS%d", a))
		}
		return "no router is common to every path; they share " + strings.Join(as, ", ")
	}
	return "the paths share no router and no network"
}

// textVantages writes the comparison of vantage points: the summary, one row per origin, the shared segment.
func textVantages(t *textOut, v *report.Vantages) {
	t.line(t.style(ansiBold, "Vantage points compared: "+v.Target))
	t.line("")
	if t.width > 0 {
		t.para("  ", "  ", v.Summary)
	} else {
		for _, l := range wrap(v.Summary, 100) {
			t.line("  " + l)
		}
	}
	t.line("")
	var rows [][]cell
	for i := range v.Origins {
		o := &v.Origins[i]
		style := ""
		switch i {
		case v.Slowest:
			if v.Differs {
				style = ansiRed
			}
		case v.Fastest:
			if v.Differs {
				style = ansiBold
			}
		}
		var r []cell
		for k, s := range vantageRow(o) {
			c := cell{text: s}
			if k == 2 {
				c.style = style
			}
			r = append(r, c)
		}
		rows = append(rows, r)
	}
	if t.width > 0 && tableWidth(upperHeader(), rows) > t.width {
		t.records(vantageHeader, rows) // seven columns of sentences: one block per origin reads better than cut cells
	} else {
		t.table(upperHeader(), rows, nil)
	}
	t.line("Shared: " + sharedLine(v))
	if hasApproximate(v) {
		t.line("~ place estimated (from the first hops, or coordinates the network obfuscates)")
	}
}

func hasApproximate(v *report.Vantages) bool {
	for _, o := range v.Origins {
		if o.Approximate {
			return true
		}
	}
	return false
}

// markdownVantages writes the comparison as a Markdown section with a table.
func markdownVantages(t *textOut, v *report.Vantages) {
	t.line("## Vantage points compared: " + mdCell(v.Target))
	t.line("")
	t.line(mdCell(v.Summary))
	t.line("")
	t.line("| " + strings.Join(vantageHeader, " | ") + " |")
	t.line(strings.Repeat("|---", len(vantageHeader)) + "|")
	for i := range v.Origins {
		cells := vantageRow(&v.Origins[i])
		for k := range cells {
			cells[k] = mdCell(cells[k])
		}
		t.line("| " + strings.Join(cells, " | ") + " |")
	}
	t.line("")
	t.line("Shared: " + mdCell(sharedLine(v)) + ".")
	if hasApproximate(v) {
		t.line("")
		t.line("~ place estimated (from the first hops, or coordinates the network obfuscates).")
	}
	t.line("")
}

func upperHeader() []string {
	out := make([]string, len(vantageHeader))
	for i, h := range vantageHeader {
		out[i] = strings.ToUpper(h)
	}
	return out
}

// htmlVantage is the comparison as the HTML template "vantages" reads it.
type htmlVantage struct {
	V      *report.Vantages
	Header []string
	Rows   [][]string
	Shared string
}

// newHTMLVantage prepares the comparison for the page; nil for nil.
func newHTMLVantage(v *report.Vantages) *htmlVantage {
	if v == nil {
		return nil
	}
	hv := &htmlVantage{V: v, Header: vantageHeader, Shared: sharedLine(v)}
	for i := range v.Origins {
		hv.Rows = append(hv.Rows, vantageRow(&v.Origins[i]))
	}
	return hv
}

// vantageText writes the comparison ahead of the paths in the text report, with a rule after it.
func vantageText(w io.Writer, v *report.Vantages, color bool, width int) error {
	t := &textOut{w: w, color: color, width: width}
	textVantages(t, v)
	t.line("")
	t.line(t.style(ansiDim, strings.Repeat("─", ruleWidth(t.width))))
	t.line("")
	return t.err
}

// vantageMarkdown writes the comparison ahead of the paths in the Markdown report.
func vantageMarkdown(w io.Writer, v *report.Vantages) error {
	t := &textOut{w: w}
	markdownVantages(t, v)
	return t.err
}
