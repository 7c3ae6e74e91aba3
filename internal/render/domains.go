package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"hopscope/internal/report"
)

// textDomains writes the inventory grouped by registrable domain: one line per domain, then its hosts
// with counts, bytes, first/last seen, protocols and purpose, plus AS, operator and country columns when
// the servers were enriched, then the RTT-versus-location checks and warnings. Colour (bold) decorates
// headings only, so the table columns stay aligned.
func textDomains(w io.Writer, r *report.Report, color bool) error {
	d := r.Domains
	if d == nil {
		return errors.New("render text: domains report without a domains section")
	}
	bold := func(s string) string {
		if color {
			return "\x1b[1m" + s + "\x1b[0m"
		}
		return s
	}
	ew := &domErrWriter{w: w}
	ew.printf("%s\n", bold(domainsHeadline(d)))
	if span := domTimeSpan(d); span != "" {
		ew.printf("%s\n", span)
	}
	if len(d.Domains) == 0 {
		ew.printf("\nNo flows.\n")
	} else {
		ew.printf("\n")
		enriched := len(d.Servers) > 0
		var tb bytes.Buffer
		tw := tabwriter.NewWriter(&tb, 0, 0, 2, ' ', 0)
		head := "HOST\tFLOWS\tREQS\tUP\tDOWN\tFIRST\tLAST\tPROTOCOLS\tPURPOSE"
		if enriched {
			head += "\tAS\tOPERATOR\tCC"
		}
		fmt.Fprintln(tw, head)
		for _, dom := range d.Domains {
			line := fmt.Sprintf("%s\t%d\t%d\t%s\t%s\t%s\t%s\t\t", dom.Domain, dom.Flows, dom.Requests,
				report.BytesLabel(dom.BytesUp), report.BytesLabel(dom.BytesDown), domClock(dom.First), domClock(dom.Last))
			if enriched {
				line += "\t\t\t"
			}
			fmt.Fprintln(tw, line)
			for _, h := range dom.Hosts {
				purpose := h.Purpose
				if purpose == "" {
					purpose = "-"
				}
				if h.Note != "" {
					purpose += " (" + h.Note + ")"
				}
				line := fmt.Sprintf("  %s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s", h.Host, h.Flows, h.Requests,
					report.BytesLabel(h.BytesUp), report.BytesLabel(h.BytesDown), domClock(h.First), domClock(h.Last), domOrDash(strings.Join(h.Protocols, ",")), purpose)
				if enriched {
					line += "\t" + domOrDash(h.ServerAS) + "\t" + domOrDash(h.ServerOrg) + "\t" + domOrDash(h.ServerCountry)
				}
				fmt.Fprintln(tw, line)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		domTrimLines(ew, tb.Bytes())
	}
	if len(d.Checks) > 0 {
		ew.printf("\n%s\n", bold("Checks: handshake RTT against the database's location"))
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "HOST\tSERVER\tMAX KM (RTT)\tDB KM\tVERDICT\tNOTE")
		for _, c := range d.Checks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Host, c.Server, domKm(c.MaxDistanceKm), domKm(c.DBDistanceKm), domVerdict(c), c.Note)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, wn := range d.Warnings {
		ew.printf("warning: %s\n", wn)
	}
	return ew.err
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
		enriched := len(d.Servers) > 0
		head := "| Domain | Host | Flows | Requests | Up | Down | First seen | Last seen | Protocols | Purpose |"
		sep := "|---|---|--:|--:|--:|--:|---|---|---|---|"
		if enriched {
			head += " AS | Operator | Country |"
			sep += "---|---|---|"
		}
		ew.printf("%s\n%s\n", head, sep)
		for _, dom := range d.Domains {
			ew.printf("| **%s** | | %d | %d | %s | %s | %s | %s | | |", domMdEscape(dom.Domain), dom.Flows, dom.Requests,
				report.BytesLabel(dom.BytesUp), report.BytesLabel(dom.BytesDown), domClock(dom.First), domClock(dom.Last))
			if enriched {
				ew.printf(" | | |")
			}
			ew.printf("\n")
			for _, h := range dom.Hosts {
				purpose := h.Purpose
				if h.Note != "" {
					purpose = strings.TrimSpace(purpose + " (" + h.Note + ")")
				}
				ew.printf("| | %s | %d | %d | %s | %s | %s | %s | %s | %s |", domMdEscape(h.Host), h.Flows, h.Requests,
					report.BytesLabel(h.BytesUp), report.BytesLabel(h.BytesDown), domClock(h.First), domClock(h.Last),
					domMdEscape(strings.Join(h.Protocols, ", ")), domMdEscape(purpose))
				if enriched {
					ew.printf(" %s | %s | %s |", domMdEscape(domOrDash(h.ServerAS)), domMdEscape(domOrDash(h.ServerOrg)), domMdEscape(domOrDash(h.ServerCountry)))
				}
				ew.printf("\n")
			}
		}
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

func domainsHeadline(d *report.Domains) string {
	src := d.Source
	if d.Origin != "" {
		src += " " + d.Origin
	}
	return fmt.Sprintf("Inventory from %s: %d hosts in %d domains, %d flows, %s up, %s down",
		src, d.Hosts, len(d.Domains), d.Flows, report.BytesLabel(d.BytesUp), report.BytesLabel(d.BytesDown))
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

// clock shows a time as UTC hh:mm:ss; "-" when unknown.
func domClock(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("15:04:05")
}

func domOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func domMdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

// domTrimLines writes b without the trailing blanks tabwriter leaves on rows with empty last cells.
func domTrimLines(w io.Writer, b []byte) {
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		nl := bytes.HasSuffix(line, []byte("\n"))
		w.Write(bytes.TrimRight(line, " \n"))
		if nl {
			w.Write([]byte("\n"))
		}
	}
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
