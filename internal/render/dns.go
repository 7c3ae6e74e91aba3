package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"hopscope/internal/report"
)

// textDNS writes a resolution as a tree: each CNAME step indented under the name it aliases, the records
// under the canonical name, then authority, who answered, DNSSEC, client subnet, trace steps and queries.
func textDNS(w io.Writer, r *report.Report, color bool) error {
	d := r.DNS
	if d == nil {
		return errors.New("render: dns report without a dns section")
	}
	var b bytes.Buffer
	p := dnsPainter(color)
	via := d.Server
	if d.Trace {
		via = "the roots (" + d.Server + ")"
	} else if d.Transport != "" {
		via += " (" + d.Transport + ")"
	}
	fmt.Fprintf(&b, "%s  %s  via %s  %s  %s\n", p.bold(d.Name), strings.Join(d.Types, "/"), via, p.outcome(d), dnsMS(d.ElapsedMS))
	// sec starts a section: a blank line, then the section's lines.
	sec := func() { b.WriteString("\n") }
	if len(d.Aliases) > 0 || len(d.Records) > 0 || d.Outcome == "nxdomain" || d.Outcome == "nodata" {
		sec()
	}

	// Each alias step is one level deeper; the records of the canonical name are aligned among themselves.
	indent := ""
	for _, a := range d.Aliases {
		fmt.Fprintf(&b, "%s%s  CNAME  %s  ttl %d\n", indent, a.Name, a.Target, a.TTL)
		indent += "  "
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, rec := range d.Records {
		line := fmt.Sprintf("%s%s\t%s\t%s\tttl %d", indent, rec.Name, rec.Type, rec.Data, rec.TTL)
		extra := ""
		if rec.Info != nil {
			extra = rec.Info.Line
		}
		if rec.PTR != "" {
			extra = strings.TrimSpace("ptr " + rec.PTR + "  " + extra)
		}
		if extra != "" {
			line += "\t" + extra
		}
		fmt.Fprintln(tw, line)
	}
	_ = tw.Flush()
	if len(d.Records) == 0 && d.Outcome != "error" {
		kind := "no " + strings.Join(d.Types, "/") + " record (NODATA)"
		if d.Outcome == "nxdomain" {
			kind = "does not exist (NXDOMAIN)"
		}
		fmt.Fprintf(&b, "%s%s  %s\n", indent, d.Canonical, p.red(kind))
	}
	if n := len(d.Addrs()); n > 1 {
		sec()
		v4 := 0
		for _, a := range d.Addrs() {
			if a.Is4() {
				v4++
			}
		}
		fmt.Fprintf(&b, "%d addresses (%d IPv4, %d IPv6): a tool that needs one (traceroute, a browser) picks one of them; `hopscope trace --all-addresses` traces each.\n", n, v4, n-v4)
	}
	if d.Authority != nil || d.AnsweredBy != "" || d.DNSSEC != nil || d.Subnet != nil {
		sec()
	}
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	if a := d.Authority; a != nil {
		line := "zone " + a.Zone
		if len(a.NS) > 0 {
			line += "  NS " + strings.Join(a.NS, ", ")
		}
		if a.SOA != nil {
			line += fmt.Sprintf("  SOA %s %s serial %d negative-ttl %d", a.SOA.MName, a.SOA.RName, a.SOA.Serial, a.SOA.Minimum)
		}
		fmt.Fprintf(tw, "authority\t%s\n", line)
	}
	if d.AnsweredBy != "" {
		role := "recursive resolver"
		if d.Authoritative {
			role = "authoritative"
		} else if !d.RecursionAvailable {
			role = "not authoritative, no recursion"
		}
		line := d.AnsweredBy + " (" + role + ")"
		if d.NSID != "" {
			line += "  nsid " + d.NSID
		}
		fmt.Fprintf(tw, "answered by\t%s\n", line)
	}
	if s := d.DNSSEC; s != nil {
		fmt.Fprintf(tw, "dnssec\t%s: %s\n", p.dnssec(s.Status), s.Meaning)
	}
	if s := d.Subnet; s != nil {
		scope := "not echoed"
		if s.Echoed {
			scope = fmt.Sprintf("scope /%d", s.Scope)
		}
		fmt.Fprintf(tw, "client subnet\t%s, %s: %s\n", s.Sent, scope, s.Meaning)
	}
	_ = tw.Flush()

	if len(d.BySubnet) > 0 {
		sec()
		b.WriteString("by client subnet\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, a := range d.BySubnet {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", a.Subnet, dnsScope(a.Scope), dnsSubnetResult(a))
		}
		_ = tw.Flush()
	}

	if len(d.Steps) > 0 {
		sec()
		b.WriteString("trace\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, s := range d.Steps {
			q := ""
			if s.QName != d.Name {
				q = "  (" + s.QName + ")"
			}
			kind := s.Kind
			if kind == "lame" || kind == "error" {
				kind = p.red(kind)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s %s\t%s\t%s\t%s%s\n", s.QType, s.Zone, s.ServerName, s.ServerAddr, dnsMS(s.RTTMS), kind, s.Detail, q)
			if s.Referral != nil {
				for _, ns := range s.Referral.Servers {
					glue := "no glue"
					if ns.Glue {
						glue = "glue " + strings.Join(ns.Addrs, ", ")
					}
					fmt.Fprintf(tw, "  \t\t  → %s\t\t\t%s\n", ns.Name, glue)
				}
			}
		}
		_ = tw.Flush()
	}

	// A trace's steps already show every query; the JSON report keeps them all.
	if len(d.Queries) > 0 && !d.Trace {
		sec()
		b.WriteString("queries\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, q := range d.Queries {
			if q.Error != "" {
				fmt.Fprintf(tw, "  %s\t%s\t%s %s\t%s\t%s\n", q.Type, q.Name, q.Server, q.Transport, q.Purpose, p.red(q.Error))
				continue
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s %s\t%s\t%s\t%s\t%s\t%d answers\t%s\n", q.Type, q.Name, q.Server, q.Transport, q.Purpose, dnsMS(q.RTTMS), q.Rcode, q.Flags, q.Answers, report.BytesLabel(int64(q.Size)))
		}
		_ = tw.Flush()
	}
	if d.Error != "" {
		sec()
		fmt.Fprintf(&b, "%s %s\n", p.red("error:"), d.Error)
	}
	_, err := w.Write(b.Bytes())
	return err
}

func dnsScope(scope int) string {
	if scope < 0 {
		return "not echoed"
	}
	return fmt.Sprintf("scope /%d", scope)
}

// dnsSubnetResult is what one subnet was told: "socwxsns.video.qq.com. 198.51.100.10, 198.51.100.11".
func dnsSubnetResult(a report.DNSSubnetAnswer) string {
	switch {
	case a.Error != "" && a.Outcome == "error":
		return "error: " + a.Error
	case len(a.Data) == 0:
		return strings.ToUpper(a.Outcome)
	}
	return a.Canonical + "  " + strings.Join(a.Data, ", ")
}

func dnsMS(ms float64) string {
	if ms < 10 {
		return fmt.Sprintf("%.2f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

// dnsPainter adds ANSI colour when enabled.
type dnsPainter bool

func (p dnsPainter) wrap(code, s string) string {
	if !p || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}
func (p dnsPainter) bold(s string) string  { return p.wrap("1", s) }
func (p dnsPainter) red(s string) string   { return p.wrap("31", s) }
func (p dnsPainter) green(s string) string { return p.wrap("32", s) }

func (p dnsPainter) outcome(d *report.DNS) string {
	switch d.Outcome {
	case "answer":
		return p.green(d.Rcode)
	case "nxdomain":
		return p.red("NXDOMAIN")
	case "nodata":
		return p.red("NODATA")
	}
	if d.Rcode != "" {
		return p.red(d.Rcode)
	}
	return p.red("failed")
}

func (p dnsPainter) dnssec(s string) string {
	switch s {
	case "secure":
		return p.green(s)
	case "bogus":
		return p.red(s)
	}
	return s
}

// markdownDNS writes a resolution as Markdown: the alias chain, a record table, then the details.
func markdownDNS(w io.Writer, r *report.Report) error {
	d := r.DNS
	if d == nil {
		return errors.New("render: dns report without a dns section")
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "## DNS: `%s` %s\n\n", d.Name, strings.Join(d.Types, "/"))
	via := "`" + d.Server + "`"
	if d.Trace {
		via = "the roots, from `" + d.Server + "`"
	}
	fmt.Fprintf(&b, "Asked %s (%s): **%s**, %s.\n\n", via, d.Transport, dnsOutcomeWord(d), dnsMS(d.ElapsedMS))
	if len(d.Aliases) > 0 {
		b.WriteString("Aliases:\n\n")
		for i, a := range d.Aliases {
			fmt.Fprintf(&b, "%s- `%s` is an alias (CNAME, TTL %d) of `%s`\n", strings.Repeat("  ", i), a.Name, a.TTL, a.Target)
		}
		b.WriteString("\n")
	}
	if len(d.Records) > 0 {
		b.WriteString("| Name | Type | Data | TTL | Network | Location |\n|---|---|---|---:|---|---|\n")
		for _, rec := range d.Records {
			data := "`" + dnsMDEscape(rec.Data) + "`"
			if rec.PTR != "" {
				data += " (" + dnsMDEscape(rec.PTR) + ")"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %d | %s | %s |\n", rec.Name, rec.Type, data, rec.TTL, dnsMDEscape(rec.Network), dnsMDEscape(rec.Location))
		}
		b.WriteString("\n")
	}
	if a := d.Authority; a != nil {
		fmt.Fprintf(&b, "- **Authority:** zone `%s`", a.Zone)
		if len(a.NS) > 0 {
			fmt.Fprintf(&b, ", name servers `%s`", strings.Join(a.NS, "`, `"))
		}
		if a.SOA != nil {
			fmt.Fprintf(&b, ", SOA `%s` serial %d (negative TTL %d)", a.SOA.MName, a.SOA.Serial, a.SOA.Minimum)
		}
		b.WriteString("\n")
	}
	if d.AnsweredBy != "" {
		role := "recursive"
		if d.Authoritative {
			role = "authoritative"
		}
		fmt.Fprintf(&b, "- **Answered by:** `%s` (%s)", d.AnsweredBy, role)
		if d.NSID != "" {
			fmt.Fprintf(&b, ", NSID `%s`", d.NSID)
		}
		b.WriteString("\n")
	}
	if s := d.DNSSEC; s != nil {
		fmt.Fprintf(&b, "- **DNSSEC:** %s: %s\n", s.Status, s.Meaning)
	}
	if s := d.Subnet; s != nil {
		fmt.Fprintf(&b, "- **Client subnet:** sent `%s`: %s\n", s.Sent, s.Meaning)
	}
	if d.Error != "" {
		fmt.Fprintf(&b, "- **Error:** %s\n", dnsMDEscape(d.Error))
	}
	if len(d.BySubnet) > 0 {
		b.WriteString("\n### By client subnet\n\n| Client subnet | Scope | Answer |\n|---|---|---|\n")
		for _, a := range d.BySubnet {
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", a.Subnet, dnsScope(a.Scope), dnsMDEscape(dnsSubnetResult(a)))
		}
	}
	if len(d.Steps) > 0 {
		b.WriteString("\n### Delegation\n\n| Query | Zone | Server | RTT | Result | Detail |\n|---|---|---|---:|---|---|\n")
		for _, s := range d.Steps {
			detail := s.Detail
			if s.Referral != nil {
				var ns []string
				for _, n := range s.Referral.Servers {
					g := "no glue"
					if n.Glue {
						g = strings.Join(n.Addrs, " ")
					}
					ns = append(ns, n.Name+" ("+g+")")
				}
				detail += ": " + strings.Join(ns, ", ")
			}
			fmt.Fprintf(&b, "| `%s %s` | `%s` | %s `%s` | %s | %s | %s |\n", s.QName, s.QType, s.Zone, s.ServerName, s.ServerAddr, dnsMS(s.RTTMS), s.Kind, dnsMDEscape(detail))
		}
	}
	if len(d.Queries) > 0 {
		b.WriteString("\n### Queries\n\n| Query | Server | Purpose | RTT | Result |\n|---|---|---|---:|---|\n")
		for _, q := range d.Queries {
			res, rtt := fmt.Sprintf("%s, %d answers, %s", q.Rcode, q.Answers, report.BytesLabel(int64(q.Size))), dnsMS(q.RTTMS)
			if q.Error != "" {
				res, rtt = q.Error, "–"
			}
			fmt.Fprintf(&b, "| `%s %s` | `%s` %s | %s | %s | %s |\n", q.Name, q.Type, q.Server, q.Transport, q.Purpose, rtt, dnsMDEscape(res))
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func dnsOutcomeWord(d *report.DNS) string {
	switch d.Outcome {
	case "answer":
		return fmt.Sprintf("%d record(s)", len(d.Records))
	case "nxdomain":
		return "NXDOMAIN (the name does not exist)"
	case "nodata":
		return "NODATA (no record of that type)"
	}
	return "failed"
}

func dnsMDEscape(s string) string { return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s) }
