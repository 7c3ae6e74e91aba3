package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"hopscope/internal/enrich"
	"hopscope/internal/report"
)

// textIP writes one row per address (AS, operator, country, place, special range, hint) and, below the
// table, the notes that do not fit in a cell: special ranges and hostname hints in full.
func textIP(w io.Writer, r *report.Report, color bool) error {
	if len(r.IPs) == 0 {
		return errors.New("render: ip report without addresses")
	}
	var b bytes.Buffer
	bold := func(s string) string {
		if color {
			return "\x1b[1m" + s + "\x1b[0m"
		}
		return s
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, bold("ADDRESS")+"\t"+bold("AS")+"\t"+bold("OPERATOR")+"\t"+bold("COUNTRY")+"\t"+bold("PLACE")+"\t"+bold("NOTE"))
	for _, q := range r.IPs {
		i := q.Info
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", q.Addr, ipDash(ipAS(i)), ipDash(ipShort(i.ASOrg, 40)),
			ipDash(i.Country), ipDash(ipPlace(i)), ipNote(i))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var notes []string
	for _, q := range r.IPs {
		i := q.Info
		var parts []string
		if i.Special != nil {
			parts = append(parts, fmt.Sprintf("in %s, %s", i.Special.Prefix, i.Special.Name))
		}
		if h := i.Hint; h != nil {
			parts = append(parts, fmt.Sprintf("name %s: %s", q.Name, ipHintText(h)))
		}
		if src := ipSources(i); src != "" {
			parts = append(parts, src)
		}
		if len(parts) > 0 {
			notes = append(notes, q.Addr+": "+strings.Join(parts, "; "))
		}
	}
	if len(notes) > 0 {
		b.WriteString("\n")
		for _, n := range notes {
			b.WriteString(n + "\n")
		}
		for _, q := range r.IPs {
			if q.Info.ASSource == "hostname" || q.Info.GeoSource == "hostname" {
				b.WriteString("* read from the router's hostname\n")
				break
			}
		}
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
		note := ipNote(i)
		if i.Special != nil {
			note = i.Special.Name + " (" + i.Special.Prefix.String() + ")"
		}
		if i.Hint != nil {
			if note != "" {
				note += "; "
			}
			note += "`" + q.Name + "`: " + ipHintText(i.Hint)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", q.Addr, esc.Replace(ipDash(ipAS(i))), esc.Replace(ipDash(i.ASOrg)),
			ipDash(i.Country), esc.Replace(ipDash(ipPlace(i))), esc.Replace(note), esc.Replace(ipSources(i)))
	}
	_, err := w.Write(b.Bytes())
	return err
}

func ipAS(i enrich.Info) string {
	if i.ASN == 0 {
		return ""
	}
	s := "AS" + strconv.FormatUint(uint64(i.ASN), 10)
	if i.ASSource == "hostname" {
		s += "*"
	}
	return s
}

// ipPlace is "City, Region" with coordinates, marked * when read from the hostname.
func ipPlace(i enrich.Info) string {
	var parts []string
	if i.City != "" {
		parts = append(parts, i.City)
	}
	if i.Region != "" && i.Region != i.City {
		parts = append(parts, i.Region)
	}
	s := strings.Join(parts, ", ")
	if s != "" && i.HasCoords {
		s += fmt.Sprintf(" (%.2f, %.2f)", i.Lat, i.Lon)
	}
	if s != "" && i.GeoSource == "hostname" {
		s += " *"
	}
	return s
}

// ipNote is the short cell: the special range's kind, or "-".
func ipNote(i enrich.Info) string {
	if i.Special == nil {
		return ""
	}
	if i.Special.Routable {
		return i.Special.Kind
	}
	return i.Special.Kind + ", not routed"
}

func ipHintText(h *enrich.Hint) string {
	var parts []string
	if h.City != "" {
		parts = append(parts, fmt.Sprintf("%q names %s, %s (%s confidence)", h.Token, h.City, h.Country, h.Confidence))
	}
	if h.ASN != 0 {
		parts = append(parts, fmt.Sprintf("operator AS%d", h.ASN))
	}
	return strings.Join(parts, "; ")
}

// ipSources says where the AS and the place came from, when that is not the embedded database.
func ipSources(i enrich.Info) string {
	var parts []string
	if i.ASSource != "" && i.ASSource != "embedded" {
		parts = append(parts, "AS from "+i.ASSource)
	}
	if i.GeoSource != "" && i.GeoSource != "embedded" {
		parts = append(parts, "place from "+i.GeoSource)
	}
	return strings.Join(parts, ", ")
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
