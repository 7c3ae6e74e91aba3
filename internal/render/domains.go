package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"hopscope/internal/inventory"
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
				domBytes(dom.BytesUp), domBytes(dom.BytesDown), domClock(dom.First), domClock(dom.Last))
			if enriched {
				line += "\t\t\t"
			}
			fmt.Fprintln(tw, line)
			for _, h := range dom.Hosts {
				purpose := h.Purpose
				if purpose == "" {
					purpose = "-"
				}
				if note := domHostNote(h); note != "" {
					purpose += " (" + note + ")"
				}
				line := fmt.Sprintf("  %s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s", h.Host, h.Flows, h.Requests,
					domBytes(h.BytesUp), domBytes(h.BytesDown), domClock(h.First), domClock(h.Last), domOrDash(strings.Join(h.Protocols, ",")), purpose)
				if enriched {
					as, org, cc := domServerColumns(d, h)
					line += "\t" + as + "\t" + org + "\t" + cc
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
				domBytes(dom.BytesUp), domBytes(dom.BytesDown), domClock(dom.First), domClock(dom.Last))
			if enriched {
				ew.printf(" | | |")
			}
			ew.printf("\n")
			for _, h := range dom.Hosts {
				purpose := h.Purpose
				if note := domHostNote(h); note != "" {
					purpose = strings.TrimSpace(purpose + " (" + note + ")")
				}
				ew.printf("| | %s | %d | %d | %s | %s | %s | %s | %s | %s |", domMdEscape(h.Host), h.Flows, h.Requests,
					domBytes(h.BytesUp), domBytes(h.BytesDown), domClock(h.First), domClock(h.Last),
					domMdEscape(strings.Join(h.Protocols, ", ")), domMdEscape(purpose))
				if enriched {
					as, org, cc := domServerColumns(d, h)
					ew.printf(" %s | %s | %s |", domMdEscape(as), domMdEscape(org), domMdEscape(cc))
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
		src, d.Hosts, len(d.Domains), d.Flows, domBytes(d.BytesUp), domBytes(d.BytesDown))
}

// timeSpan is "seen 2026-11-25 14:00:01 to 14:05:00 UTC" over every domain; "" when nothing is timed.
func domTimeSpan(d *report.Domains) string {
	var first, last time.Time
	for _, dom := range d.Domains {
		if !dom.First.IsZero() && (first.IsZero() || dom.First.Before(first)) {
			first = dom.First
		}
		if dom.Last.After(last) {
			last = dom.Last
		}
	}
	if first.IsZero() {
		return ""
	}
	first, last = first.UTC(), last.UTC()
	end := last.Format("15:04:05")
	if first.YearDay() != last.YearDay() || first.Year() != last.Year() {
		end = last.Format("2006-01-02 15:04:05")
	}
	return "Seen " + first.Format("2006-01-02 15:04:05") + " to " + end + " UTC (times below are UTC)."
}

func domHostNote(h inventory.HostSummary) string {
	var parts []string
	if len(h.AskedNames) > 0 {
		parts = append(parts, "asked as "+strings.Join(h.AskedNames, ", "))
	}
	if h.Passthrough > 0 {
		parts = append(parts, strconv.Itoa(h.Passthrough)+" passed through")
	}
	if h.Errors > 0 {
		parts = append(parts, domPlural(h.Errors, "error"))
	}
	return strings.Join(parts, ", ")
}

func domPlural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return strconv.Itoa(n) + " " + s + "s"
}

// serverColumns joins the distinct AS numbers, operators and countries of a host's enriched servers.
func domServerColumns(d *report.Domains, h inventory.HostSummary) (as, org, cc string) {
	var ases, orgs, ccs []string
	add := func(list *[]string, v string) {
		if v != "" && !slices.Contains(*list, v) {
			*list = append(*list, v)
		}
	}
	for _, a := range h.Servers {
		info, ok := d.Servers[a.String()]
		if !ok {
			continue
		}
		if info.ASN != 0 {
			add(&ases, "AS"+strconv.FormatUint(uint64(info.ASN), 10))
		}
		add(&orgs, info.ASOrg)
		if info.Special != nil && info.ASN == 0 {
			add(&orgs, info.Special.Kind)
		}
		add(&ccs, info.Country)
	}
	return domOrDash(strings.Join(ases, ",")), domOrDash(strings.Join(orgs, ", ")), domOrDash(strings.Join(ccs, ","))
}

func domVerdict(c report.HostCheck) string {
	switch {
	case c.DBDistanceKm < 0:
		return "unknown"
	case c.Contradiction:
		return "CONTRADICTION"
	}
	return "consistent"
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

// domBytes is an SI size: 999 B, 1.2 kB, 34 MB, 1.5 GB.
func domBytes(n int64) string {
	if n < 1000 {
		return strconv.FormatInt(n, 10) + " B"
	}
	f := float64(n)
	for _, u := range []string{"kB", "MB", "GB", "TB"} {
		f /= 1000
		if f < 999.95 || u == "TB" {
			if f < 10 {
				return strconv.FormatFloat(f, 'f', 1, 64) + " " + u
			}
			return strconv.FormatFloat(f, 'f', 0, 64) + " " + u
		}
	}
	return ""
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
