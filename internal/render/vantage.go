package render

import (
	"fmt"
	"io"
	"strings"

	"hopscope/internal/report"
)

// vantageHeader is the column set of the vantage table (upper-cased in text).
var vantageHeader = []string{"Origin", "Network", "Min RTT", "Distance, light min, stretch", "AS path", "Leaves its country", "Joins shared"}

// vantageColumns is how many of vantageHeader's columns v needs: all but "Joins shared" when the paths
// share no router.
func vantageColumns(v *report.Vantages) int {
	if v.Shared == nil {
		return len(vantageHeader) - 1
	}
	return len(vantageHeader)
}

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
		for k, s := range vantageRow(o)[:vantageColumns(v)] {
			c := cell{text: s}
			if k == 2 {
				c.style = style
			}
			r = append(r, c)
		}
		rows = append(rows, r)
	}
	n := vantageColumns(v)
	if t.width > 0 && tableWidth(upperHeader()[:n], rows) > t.width {
		t.records(vantageHeader[:n], rows) // seven columns of sentences: one block per origin reads better than cut cells
	} else {
		t.table(upperHeader()[:n], rows, nil)
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
	n := vantageColumns(v)
	t.line("| " + strings.Join(vantageHeader[:n], " | ") + " |")
	t.line(strings.Repeat("|---", n) + "|")
	for i := range v.Origins {
		cells := vantageRow(&v.Origins[i])[:n]
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
	// ID is the section's element id: "vantages" on a path page, "vantages-N" for an investigation's Nth host.
	ID     string
	V      *report.Vantages
	Header []string
	Rows   [][]string
	Shared string
	// Approximate is true when an origin's place is estimated (its row ends in "~").
	Approximate bool
}

// newHTMLVantage prepares the comparison for the page; nil for nil.
func newHTMLVantage(v *report.Vantages) *htmlVantage {
	if v == nil {
		return nil
	}
	n := vantageColumns(v)
	hv := &htmlVantage{ID: "vantages", V: v, Header: vantageHeader[:n], Shared: sharedLine(v), Approximate: hasApproximate(v)}
	for i := range v.Origins {
		hv.Rows = append(hv.Rows, vantageRow(&v.Origins[i])[:n])
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

// textHostVantages writes, after the hosts table of an investigation, the full comparison of every host
// traced from several vantage points (investigate --via), as trace --via shows it.
func textHostVantages(t *textOut, inv *report.Investigation) {
	for _, h := range inv.Hosts {
		if h.Vantages == nil || t.err != nil {
			continue
		}
		t.line("")
		textVantages(t, h.Vantages)
	}
}

// markdownHostVantages writes the full comparison of every host traced from several vantage points.
func markdownHostVantages(w io.Writer, inv *report.Investigation) error {
	first := true
	for _, h := range inv.Hosts {
		if h.Vantages == nil {
			continue
		}
		if first { // after the hosts table; each comparison ends with a blank line
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
			first = false
		}
		if err := vantageMarkdown(w, h.Vantages); err != nil {
			return err
		}
	}
	return nil
}

// htmlHostVantages prepares the comparison of every host of an investigation traced from several
// vantage points, in the hosts' order.
func htmlHostVantages(inv *report.Investigation) []*htmlVantage {
	var out []*htmlVantage
	for _, h := range inv.Hosts {
		if hv := newHTMLVantage(h.Vantages); hv != nil {
			hv.ID = fmt.Sprintf("vantages-%d", len(out)+1)
			out = append(out, hv)
		}
	}
	return out
}

// hostWhy is a host's one line in the text hosts table: its explanation, or, for a host compared from
// several vantage points, a pointer to the comparison below, which starts with the same summary.
func hostWhy(h report.InvestigatedHost) string {
	if h.Vantages == nil {
		return h.Why
	}
	return fmt.Sprintf("compared from %d vantage points below", len(h.Vantages.Origins))
}
