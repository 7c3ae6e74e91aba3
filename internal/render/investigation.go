package render

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"hopscope/internal/report"
)

// textInvestigation writes the app summary, the hosts table, shares, shared slow segments and changes.
func textInvestigation(w io.Writer, r *report.Report, color bool, width int) error {
	inv := r.Investigation
	if inv == nil {
		return errors.New("render text: investigation report has no investigation section")
	}
	to := &textOut{w: w, color: color}
	title := "Investigation"
	if inv.Origin != "" {
		title += " of " + inv.Origin
	}
	to.line(to.style(ansiBold, title))
	to.line("")
	to.line(inv.Summary)
	to.line("")
	if to.err != nil {
		return to.err
	}
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tADDRESS\tNETWORK\tPLACE\tREQ\tBYTES\tMIN RTT\tCARRIERS\tWHY")
	for _, h := range inv.Hosts {
		host := h.Host
		if h.Port != 0 {
			host += fmt.Sprintf(":%d", h.Port)
		}
		if h.Error != "" {
			fmt.Fprintf(tw, "%s\t%s\t\t\t%d\t%s\t\t\t%s\n", host, dash(h.Addr), h.Requests, report.BytesLabel(h.Bytes), "failed: "+h.Error)
			continue
		}
		network := ""
		if h.ASN != 0 {
			network = fmt.Sprintf("AS%d %s", h.ASN, h.Operator)
		}
		rtt := "-"
		if h.HasRTT {
			rtt = fmt.Sprintf("%.1f ms", h.MinRTTMs)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", host, dash(h.Addr), dash(network), dash(h.PlaceLabel),
			h.Requests, report.BytesLabel(h.Bytes), rtt, dash(strings.Join(h.Carriers, " → ")), hostWhy(h))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	textHostVantages(&textOut{w: w, color: color, width: width}, inv)
	shares := func(title string, ss []report.Share) {
		if len(ss) == 0 {
			return
		}
		to.line("")
		to.line(to.style(ansiBold, title))
		for _, s := range ss {
			to.line(fmt.Sprintf("  %-40s %3d host(s)  %4.0f%% of requests  %4.0f%% of bytes", s.Label, s.Hosts, s.RequestShare*100, s.ByteShare*100))
		}
	}
	shares("By country", inv.ByCountry)
	shares("By operator", inv.ByOperator)
	if len(inv.Bottlenecks) > 0 {
		to.line("")
		to.line(to.style(ansiBold, "Shared slow segments"))
		for _, b := range inv.Bottlenecks {
			to.line("  " + b.Text)
		}
	}
	if len(inv.Changes) > 0 {
		to.line("")
		to.line(to.style(ansiBold, "Changed since the previous investigation"))
		for _, c := range inv.Changes {
			for _, ch := range c.Changes {
				to.line(fmt.Sprintf("  %s: %s", c.Host, ch.Text))
			}
		}
	}
	if len(inv.Warnings) > 0 {
		to.line("")
		to.line(to.style(ansiYellow, "Warnings"))
		for _, wn := range inv.Warnings {
			to.line("  " + wn)
		}
	}
	return to.err
}

// markdownInvestigation writes the investigation as Markdown sections and tables.
func markdownInvestigation(w io.Writer, r *report.Report) error {
	inv := r.Investigation
	if inv == nil {
		return errors.New("render markdown: investigation report has no investigation section")
	}
	var sb strings.Builder
	title := "Investigation"
	if inv.Origin != "" {
		title += " of " + inv.Origin
	}
	fmt.Fprintf(&sb, "# %s\n\n%s\n\n## Hosts\n\n", mdEscape(title), mdEscape(inv.Summary))
	sb.WriteString("| Host | Address | Network | Place | Requests | Bytes | Min RTT | Carriers | Why |\n|---|---|---|---|--:|--:|--:|---|---|\n")
	for _, h := range inv.Hosts {
		network, rtt, why := "", "", h.Why
		if h.ASN != 0 {
			network = fmt.Sprintf("AS%d %s", h.ASN, h.Operator)
		}
		if h.HasRTT {
			rtt = fmt.Sprintf("%.1f ms", h.MinRTTMs)
		}
		if h.Error != "" {
			why = "failed: " + h.Error
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %d | %s | %s | %s | %s |\n", mdEscape(h.Host), h.Addr, mdEscape(network),
			mdEscape(h.PlaceLabel), h.Requests, report.BytesLabel(h.Bytes), rtt, mdEscape(strings.Join(h.Carriers, " → ")), mdEscape(why))
	}
	if err := markdownHostVantages(&sb, inv); err != nil {
		return err
	}
	for _, g := range []struct {
		title string
		ss    []report.Share
	}{{"By country", inv.ByCountry}, {"By operator", inv.ByOperator}, {"By AS", inv.ByAS}} {
		if len(g.ss) == 0 {
			continue
		}
		fmt.Fprintf(&sb, "\n## %s\n\n| Group | Hosts | Requests | Bytes |\n|---|--:|--:|--:|\n", g.title)
		for _, s := range g.ss {
			fmt.Fprintf(&sb, "| %s | %d | %.0f%% | %.0f%% |\n", mdEscape(s.Label), s.Hosts, s.RequestShare*100, s.ByteShare*100)
		}
	}
	if len(inv.Bottlenecks) > 0 {
		sb.WriteString("\n## Shared slow segments\n\n")
		for _, b := range inv.Bottlenecks {
			fmt.Fprintf(&sb, "- %s\n", mdEscape(b.Text))
		}
	}
	if len(inv.Changes) > 0 {
		sb.WriteString("\n## Changed since the previous investigation\n\n")
		for _, c := range inv.Changes {
			for _, ch := range c.Changes {
				fmt.Fprintf(&sb, "- **%s**: %s\n", mdEscape(c.Host), mdEscape(ch.Text))
			}
		}
	}
	if len(inv.Warnings) > 0 {
		sb.WriteString("\n## Warnings\n\n")
		for _, wn := range inv.Warnings {
			fmt.Fprintf(&sb, "- %s\n", mdEscape(wn))
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// mdEscape keeps table cells intact.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
