package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"hopscope/internal/report"
)

// textIP writes one row per address (AS, operator, country, place, special range, hint) and, below the
// table, the notes that do not fit in a cell: special ranges and hostname hints in full.
func textIP(w io.Writer, r *report.Report, color bool, width int) error {
	if len(r.IPs) == 0 {
		return errors.New("render: ip report without addresses")
	}
	var b bytes.Buffer
	var rows [][]cell
	for _, q := range r.IPs {
		i := q.Info
		rows = append(rows, []cell{{text: q.Addr}, {text: ipDash(i.ASLabel)}, {text: ipDash(ipShort(i.ASOrg, 40))},
			{text: ipDash(i.Country)}, {text: ipDash(q.PlaceLabel)}, {text: q.Note}})
	}
	to := &textOut{w: &b, color: color, width: width}
	// Addresses are never cut: a full IPv6 address (39) leaves 80 columns room for the operator and
	// place cut to their minimum, with the note under the row. When even that is too wide (a 4-byte AS
	// number beside it, or a narrower terminal), each address becomes a block of labelled lines.
	cols := []column{{head: "ADDRESS"}, {head: "AS"}, {head: "OPERATOR", min: 12, order: 3},
		{head: "CC"}, {head: "PLACE", min: 10, order: 3}, {head: "NOTE", below: 20}}
	if ipNarrowest(cols, rows) > width {
		header := make([]string, len(cols))
		for i, c := range cols {
			header[i] = strings.ToLower(c.head)
		}
		for _, r := range rows {
			for i := range r {
				if r[i].text == "-" {
					r[i].text = ""
				}
			}
		}
		to.records(header, rows)
	} else {
		to.fitTable(cols, rows)
	}
	var notes []string
	for _, q := range r.IPs {
		i := q.Info
		var parts []string
		if i.Special != nil {
			parts = append(parts, fmt.Sprintf("in %s, %s", i.Special.Prefix, i.Special.Name))
		}
		if i.Hint != nil {
			parts = append(parts, fmt.Sprintf("name %s: %s", q.Name, q.HintLabel))
		}
		if q.Sources != "" {
			parts = append(parts, q.Sources)
		}
		if len(parts) > 0 {
			notes = append(notes, q.Addr+": "+strings.Join(parts, "; "))
		}
	}
	if len(notes) > 0 {
		to.line("")
		for _, n := range notes {
			to.para("", "  ", n)
		}
		for _, q := range r.IPs {
			if q.Info.ASSource == "hostname" || q.Info.GeoSource == "hostname" {
				to.line("* read from the router's hostname")
				break
			}
		}
	}
	if to.err != nil {
		return to.err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// markdownIP writes the same table in GitHub-flavoured Markdown.
func markdownIP(w io.Writer, r *report.Report) error {
	if len(r.IPs) == 0 {
		return errors.New("render: ip report without addresses")
	}
	var b bytes.Buffer
	b.WriteString("| Address | AS | Operator | Country | Place | Note | Sources |\n|---|---|---|---|---|---|---|\n")
	esc := strings.NewReplacer("|", `\|`, "\n", " ")
	for _, q := range r.IPs {
		i := q.Info
		note := q.Note
		if i.Special != nil {
			note = i.Special.Name + " (" + i.Special.Prefix + ")"
		}
		if i.Hint != nil {
			if note != "" {
				note += "; "
			}
			note += "`" + q.Name + "`: " + q.HintLabel
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", q.Addr, esc.Replace(ipDash(i.ASLabel)), esc.Replace(ipDash(i.ASOrg)),
			ipDash(i.Country), esc.Replace(ipDash(q.PlaceLabel)), esc.Replace(note), esc.Replace(q.Sources))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// ipNarrowest is how wide the table's rows are with every cuttable column at its minimum and the last
// column under the rows.
func ipNarrowest(cols []column, rows [][]cell) int {
	total := 0
	for i, c := range cols[:len(cols)-1] {
		w := utf8.RuneCountInString(c.head)
		for _, r := range rows {
			w = max(w, utf8.RuneCountInString(r[i].text))
		}
		if c.min > 0 {
			w = min(w, max(c.min, utf8.RuneCountInString(c.head)))
		}
		total += w + 2
	}
	return total - 2
}

func ipShort(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func ipDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
