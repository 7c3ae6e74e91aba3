package render

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/report"
)

// textDomains writes the inventory grouped by registrable domain within width: a domain row over its
// hosts when it has several, else the host's own row (one row per host), with counts, bytes, first/last
// seen (with dates when the inventory spans more than a day), protocols, the AS, operator and country
// columns when the servers were enriched, and the purpose last (under the row when the terminal is
// narrow); REQS only when HTTP requests were seen. Then the RTT-versus-location checks and warnings.
func textDomains(w io.Writer, r *report.Report, color bool, width int) error {
	d := r.Domains
	if d == nil {
		return errors.New("render text: domains report without a domains section")
	}
	t := &textOut{w: w, color: color, width: width}
	t.line(t.style(ansiBold, domainsHeadline(d)))
	if span := domTimeSpan(d); span != "" {
		t.line(span)
	}
	if len(d.Domains) == 0 {
		t.line("")
		t.line("No flows.")
	} else {
		t.line("")
		cols, rows := domTable(d)
		t.fitTable(cols, rows)
	}
	if len(d.Checks) > 0 {
		t.line("")
		t.line(t.style(ansiBold, "Checks: handshake RTT against the database's location"))
		var rows [][]cell
		for _, c := range d.Checks {
			rows = append(rows, []cell{{text: c.Host}, {text: c.Server}, {text: domKm(c.MaxDistanceKm)}, {text: domKm(c.DBDistanceKm)},
				{text: domVerdict(c)}, {text: c.Note}})
		}
		t.fitTable([]column{{head: "HOST", min: 16, order: 1}, {head: "SERVER", min: 15, order: 2}, {head: "MAX KM (RTT)", right: true},
			{head: "DB KM", right: true}, {head: "VERDICT"}, {head: "NOTE", below: 24}}, rows)
	}
	for _, wn := range d.Warnings {
		t.para("warning: ", "  ", wn)
	}
	return t.err
}

// domColumns says which optional columns an inventory table has.
type domColumns struct {
	requests, enriched, dates bool
}

func newDomColumns(d *report.Domains) domColumns {
	c := domColumns{enriched: len(d.Servers) > 0, dates: domSpansDays(d)}
	for _, dom := range d.Domains {
		c.requests = c.requests || dom.Requests > 0
	}
	return c
}

// domSpansDays reports whether the inventory's flows fall on more than one UTC day.
func domSpansDays(d *report.Domains) bool {
	if d.First.IsZero() {
		return false
	}
	f, l := d.First.UTC(), d.Last.UTC()
	return f.YearDay() != l.YearDay() || f.Year() != l.Year()
}

// domTime shows a time as UTC hh:mm:ss, with the date when the inventory spans days; "-" when unknown.
func (c domColumns) time(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	if c.dates {
		return t.UTC().Format("2006-01-02 15:04")
	}
	return t.UTC().Format("15:04:05")
}

// domTable lays out the inventory as fitted columns and rows: a domain of several hosts is a row above
// its indented hosts; a domain of one host is that host's row.
func domTable(d *report.Domains) ([]column, [][]cell) {
	dc := newDomColumns(d)
	// Narrow terminals: protocols and operator are cut, then LAST, AS and FIRST go, and long hosts are cut.
	cols := []column{{head: "HOST", min: 20, order: 4}, {head: "FLOWS", right: true}}
	if dc.requests {
		cols = append(cols, column{head: "REQS", right: true})
	}
	cols = append(cols, column{head: "UP", right: true}, column{head: "DOWN", right: true},
		column{head: "FIRST", order: 5, drop: true}, column{head: "LAST", order: 2, drop: true}, column{head: "PROTOCOLS", min: 9, order: 1})
	if dc.enriched {
		cols = append(cols, column{head: "AS", order: 3, drop: true}, column{head: "OPERATOR", min: 12, order: 1}, column{head: "CC"})
	}
	cols = append(cols, column{head: "PURPOSE", below: 20})
	var rows [][]cell
	add := func(name string, flows, reqs int, up, down int64, first, last time.Time, h *report.HostSummary) {
		row := []cell{{text: name}, {text: strconv.Itoa(flows)}}
		if dc.requests {
			row = append(row, cell{text: strconv.Itoa(reqs)})
		}
		row = append(row, cell{text: report.BytesLabel(up)}, cell{text: report.BytesLabel(down)},
			cell{text: dc.time(first)}, cell{text: dc.time(last)})
		if h == nil {
			row = append(row, cell{})
			if dc.enriched {
				row = append(row, cell{}, cell{}, cell{})
			}
			rows = append(rows, append(row, cell{}))
			return
		}
		row = append(row, cell{text: domOrDash(strings.Join(h.Protocols, ","))})
		if dc.enriched {
			row = append(row, cell{text: domOrDash(h.ServerAS)}, cell{text: domOrDash(h.ServerOrg)}, cell{text: domOrDash(h.ServerCountry)})
		}
		purpose := h.Purpose
		if h.Note != "" {
			purpose = strings.TrimSpace(purpose + " (" + h.Note + ")")
		}
		rows = append(rows, append(row, cell{text: purpose}))
	}
	for _, dom := range d.Domains {
		if len(dom.Hosts) == 1 {
			h := &dom.Hosts[0]
			add(h.Host, h.Flows, h.Requests, h.BytesUp, h.BytesDown, h.First, h.Last, h)
			continue
		}
		add(dom.Domain, dom.Flows, dom.Requests, dom.BytesUp, dom.BytesDown, dom.First, dom.Last, nil)
		for i := range dom.Hosts {
			h := &dom.Hosts[i]
			add("  "+h.Host, h.Flows, h.Requests, h.BytesUp, h.BytesDown, h.First, h.Last, h)
		}
	}
	return cols, rows
}

// markdownDomains writes the same inventory as GitHub-flavoured Markdown tables.
func markdownDomains(w io.Writer, r *report.Report) error {
	d := r.Domains
	if d == nil {
		return errors.New("render markdown: domains report without a domains section")
	}
	ew := &domErrWriter{w: w}
	ew.printf("## Domains\n\n%s", domainsHeadline(d))
	if span := domTimeSpan(d); span != "" {
		ew.printf("\n\n%s", span)
	}
	ew.printf("\n\n")
	if len(d.Domains) == 0 {
		ew.printf("No flows.\n")
	} else {
		ew.printf("%s", markdownDomainRows(d))
	}
	if len(d.Checks) > 0 {
		ew.printf("\n### Checks: handshake RTT against the database's location\n\n")
		ew.printf("| Host | Server | Max km (RTT) | DB km | Verdict | Note |\n|---|---|--:|--:|---|---|\n")
		for _, c := range d.Checks {
			ew.printf("| %s | %s | %s | %s | %s | %s |\n", domMdEscape(c.Host), domMdEscape(c.Server), domKm(c.MaxDistanceKm), domKm(c.DBDistanceKm), domVerdict(c), domMdEscape(c.Note))
		}
	}
	if len(d.Warnings) > 0 {
		ew.printf("\n**Warnings**\n\n")
		for _, wn := range d.Warnings {
			ew.printf("- %s\n", domMdEscape(wn))
		}
	}
	return ew.err
}

// markdownDomainRows is the inventory table: a bold domain row over its hosts when it has several, else
// one row naming both; Requests only when HTTP was seen, dates when the inventory spans days, the AS,
// operator and country when the servers were enriched. Every row has the header's cells.
func markdownDomainRows(d *report.Domains) string {
	dc := newDomColumns(d)
	var b strings.Builder
	b.WriteString("| Domain | Host | Flows |")
	sep := "|---|---|--:|"
	if dc.requests {
		b.WriteString(" Requests |")
		sep += "--:|"
	}
	b.WriteString(" Up | Down | First seen | Last seen | Protocols | Purpose |")
	sep += "--:|--:|---|---|---|---|"
	if dc.enriched {
		b.WriteString(" AS | Operator | Country |")
		sep += "---|---|---|"
	}
	b.WriteString("\n" + sep + "\n")
	row := func(domain, host string, flows, reqs int, up, down int64, first, last time.Time, h *report.HostSummary) {
		cells := []string{domain, host, strconv.Itoa(flows)}
		if dc.requests {
			cells = append(cells, strconv.Itoa(reqs))
		}
		cells = append(cells, report.BytesLabel(up), report.BytesLabel(down), dc.time(first), dc.time(last))
		if h == nil {
			cells = append(cells, "", "")
			if dc.enriched {
				cells = append(cells, "", "", "")
			}
		} else {
			purpose := h.Purpose
			if h.Note != "" {
				purpose = strings.TrimSpace(purpose + " (" + h.Note + ")")
			}
			cells = append(cells, domMdEscape(strings.Join(h.Protocols, ", ")), domMdEscape(purpose))
			if dc.enriched {
				cells = append(cells, domMdEscape(domOrDash(h.ServerAS)), domMdEscape(domOrDash(h.ServerOrg)), domMdEscape(domOrDash(h.ServerCountry)))
			}
		}
		b.WriteString("|")
		for _, c := range cells {
			if c != "" {
				b.WriteString(" " + c)
			}
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}
	for _, dom := range d.Domains {
		name := "**" + domMdEscape(dom.Domain) + "**"
		if len(dom.Hosts) == 1 {
			h := &dom.Hosts[0]
			row(name, domMdEscape(h.Host), h.Flows, h.Requests, h.BytesUp, h.BytesDown, h.First, h.Last, h)
			continue
		}
		row(name, "", dom.Flows, dom.Requests, dom.BytesUp, dom.BytesDown, dom.First, dom.Last, nil)
		for i := range dom.Hosts {
			h := &dom.Hosts[i]
			row("", domMdEscape(h.Host), h.Flows, h.Requests, h.BytesUp, h.BytesDown, h.First, h.Last, h)
		}
	}
	return b.String()
}

func domainsHeadline(d *report.Domains) string {
	src := d.Source
	if d.Origin != "" {
		src += " " + d.Origin
	}
	return fmt.Sprintf("Inventory from %s: %s in %s, %s, %s up, %s down", src, plural(d.Hosts, "host", "hosts"),
		plural(len(d.Domains), "domain", "domains"), plural(d.Flows, "flow", "flows"),
		report.BytesLabel(d.BytesUp), report.BytesLabel(d.BytesDown))
}

// plural is "1 host", "2 hosts".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// domTimeSpan is "Seen 2026-11-25 14:00:01 to 14:05:00 UTC" over every domain; "" when nothing is timed.
func domTimeSpan(d *report.Domains) string {
	if d.First.IsZero() {
		return ""
	}
	first, last := d.First.UTC(), d.Last.UTC()
	end := last.Format("15:04:05")
	if first.YearDay() != last.YearDay() || first.Year() != last.Year() {
		end = last.Format("2006-01-02 15:04:05")
	}
	return "Seen " + first.Format("2006-01-02 15:04:05") + " to " + end + " UTC (times below are UTC)."
}

// domVerdict shouts a contradiction so it stands out in the table.
func domVerdict(c report.HostCheck) string {
	if c.Verdict == report.VerdictContradiction {
		return "CONTRADICTION"
	}
	return c.Verdict
}

func domKm(v float64) string {
	if v < 0 {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

func domOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// domMdEscape keeps s one cell of one row, shown as written: pipes, newlines, HTML and the emphasis
// characters are escaped.
func domMdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "\\`").Replace(s)
}

// domErrWriter remembers the first write error so renderers can write unconditionally.
type domErrWriter struct {
	w   io.Writer
	err error
}

func (e *domErrWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	e.err = err
	return n, err
}

func (e *domErrWriter) printf(format string, a ...any) { fmt.Fprintf(e, format, a...) }
