package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"hopscope/internal/report"
)

// textDNS writes a resolution as a tree within width: each CNAME step indented under the name it
// aliases, the records under the canonical name, then authority, who answered, DNSSEC, client subnet,
// trace steps and queries. Long names are cut in the middle (the JSON keeps them whole); prose and the
// last cell of a row wrap.
func textDNS(w io.Writer, r *report.Report, color bool, width int) error {
	d := r.DNS
	if d == nil {
		return errors.New("render: dns report without a dns section")
	}
	t := &textOut{w: w, color: color, width: width}
	p := dnsPainter(color)
	via := d.Server
	if d.Trace {
		via = "the roots (" + d.Server + ")"
	} else if d.Transport != "" {
		via += " (" + d.Transport + ")"
	}
	t.dnsPara("", "  ", fmt.Sprintf("%s  %s  via %s  %s  %s", p.bold(shorten(d.Name, max(width/2, 20))), strings.Join(d.Types, "/"),
		via, p.outcome(d), dnsMS(d.ElapsedMS)))
	if len(d.Aliases) > 0 || len(d.Records) > 0 || d.Outcome == "nxdomain" || d.Outcome == "nodata" {
		t.line("")
	}

	// Each alias step is one level deeper; the records of the canonical name are aligned among themselves.
	indent := ""
	for _, a := range d.Aliases {
		ttl := fmt.Sprintf("  ttl %d", a.TTL)
		room := width - len(indent) - len("  CNAME  ") - len(ttl)
		name, target := dnsCutPair(a.Name, a.Target, room)
		t.line(indent + name + "  CNAME  " + target + ttl)
		if len(indent) < width/4 {
			indent += "  "
		}
	}
	if len(d.Records) > 0 {
		var rows [][]cell
		extras, addrWidth := false, 24
		for _, rec := range d.Records {
			if rec.Type == "A" || rec.Type == "AAAA" {
				addrWidth = max(addrWidth, utf8.RuneCountInString(rec.Data))
			}
			extra := ""
			if rec.Info != nil {
				extra = rec.Info.Line
			}
			if rec.PTR != "" {
				extra = strings.TrimSpace("ptr " + rec.PTR + "  " + extra)
			}
			extras = extras || extra != ""
			rows = append(rows, []cell{{text: indent + rec.Name}, {text: rec.Type}, {text: rec.Data}, {text: fmt.Sprintf("ttl %d", rec.TTL)}, {text: extra}})
		}
		// Data (a long TXT) gives up width first, down to the widest address; the names are cut only when
		// the notes have gone under the rows.
		cols := []column{{min: len(indent) + 16, order: 3}, {}, {min: addrWidth, order: 1}, {}, {below: 28}}
		if !extras {
			cols, rows = cols[:4], trimLast(rows)
		}
		t.dnsRows(cols, rows)
	}
	if len(d.Records) == 0 && d.Outcome != "error" {
		kind := "no " + strings.Join(d.Types, "/") + " record (NODATA)"
		if d.Outcome == "nxdomain" {
			kind = "does not exist (NXDOMAIN)"
		}
		t.line(indent + shorten(d.Canonical, max(width-len(indent)-len(kind)-2, 16)) + "  " + p.red(kind))
	}
	if n := len(d.Addrs()); n > 1 {
		t.line("")
		v4 := 0
		for _, a := range d.Addrs() {
			if a.Is4() {
				v4++
			}
		}
		t.para("", "  ", fmt.Sprintf("%d addresses (%d IPv4, %d IPv6): a tool that needs one (traceroute, a browser) picks one of them; `hopscope trace --all-addresses` traces each.", n, v4, n-v4))
	}

	// The details: one labelled paragraph each, wrapped under its value.
	var details [][2]string
	if a := d.Authority; a != nil {
		line := "zone " + a.Zone
		if len(a.NS) > 0 {
			line += "  NS " + strings.Join(a.NS, ", ")
		}
		if a.SOA != nil {
			line += fmt.Sprintf("  SOA %s %s serial %d negative-ttl %d", a.SOA.MName, a.SOA.RName, a.SOA.Serial, a.SOA.Minimum)
		}
		details = append(details, [2]string{"authority", line})
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
		details = append(details, [2]string{"answered by", line})
	}
	if s := d.DNSSEC; s != nil {
		details = append(details, [2]string{"dnssec", p.dnssec(s.Status) + ": " + s.Meaning})
	}
	if s := d.Subnet; s != nil {
		scope := "not echoed"
		if s.Echoed {
			scope = fmt.Sprintf("scope /%d", s.Scope)
		}
		details = append(details, [2]string{"client subnet", fmt.Sprintf("%s, %s: %s", s.Sent, scope, s.Meaning)})
	}
	if len(details) > 0 {
		t.line("")
		label := 0
		for _, dt := range details {
			label = max(label, len(dt[0]))
		}
		hang := strings.Repeat(" ", label+2)
		for _, dt := range details {
			t.dnsParts(dt[0]+hang[len(dt[0]):], hang, strings.Split(dt[1], "  "))
		}
	}

	if len(d.BySubnet) > 0 {
		t.line("")
		t.line("by client subnet")
		var rows [][]cell
		for _, a := range d.BySubnet {
			rows = append(rows, []cell{{text: "  " + a.Subnet}, {text: dnsScope(a.Scope)}, {text: dnsSubnetResult(a)}})
		}
		t.dnsRows([]column{{}, {}, {below: 20}}, rows)
	}

	if len(d.Steps) > 0 {
		t.line("")
		t.line("trace")
		var rows [][]cell
		for _, s := range d.Steps {
			detail := s.Detail
			if s.QName != d.Name {
				detail += "  (" + s.QName + ")"
			}
			kind := cell{text: s.Kind}
			if s.Kind == "lame" || s.Kind == "error" {
				kind.style = ansiRed
			}
			rows = append(rows, []cell{{text: "  " + s.QType}, {text: s.Zone}, {text: s.ServerName + " " + s.ServerAddr},
				{text: dnsMS(s.RTTMS)}, kind, {text: detail}})
			if s.Referral != nil {
				for _, ns := range s.Referral.Servers {
					glue := "no glue"
					if ns.Glue {
						glue = "glue " + strings.Join(ns.Addrs, ", ")
					}
					rows = append(rows, []cell{{text: "                 → " + ns.Name + " (" + glue + ")"}})
				}
			}
		}
		t.dnsRows([]column{{}, {min: 10, order: 2}, {min: 20, order: 1}, {right: true}, {}, {below: 28}}, rows)
	}

	// A trace's steps already show every query; the JSON report keeps them all.
	if len(d.Queries) > 0 && !d.Trace {
		t.line("")
		// One server for every query (the usual case) is said once, in the heading.
		server := d.Queries[0].Server + " " + d.Queries[0].Transport
		for _, q := range d.Queries {
			if q.Server+" "+q.Transport != server {
				server = ""
				break
			}
		}
		if server != "" {
			t.line("queries to " + shorten(server, max(t.width-len("queries to "), 20)))
		} else {
			t.line("queries")
		}
		var rows [][]cell
		for _, q := range d.Queries {
			row := []cell{{text: "  " + q.Type}, {text: q.Name}}
			if server == "" {
				row = append(row, cell{text: q.Server + " " + q.Transport})
			}
			row = append(row, cell{text: q.Purpose})
			if q.Error != "" {
				rows = append(rows, append(row, cell{}, cell{text: q.Error, style: ansiRed}))
				continue
			}
			rows = append(rows, append(row, cell{text: dnsMS(q.RTTMS)},
				cell{text: fmt.Sprintf("%s  %s  %d answers  %s", q.Rcode, q.Flags, q.Answers, report.BytesLabel(int64(q.Size)))}))
		}
		cols := []column{{}, {min: 16, order: 3}, {order: 4, drop: true}, {right: true}, {below: 32}}
		if server == "" {
			cols = slices.Insert(cols, 2, column{min: 14, order: 1})
		}
		t.dnsRows(cols, rows)
	}
	if d.Error != "" {
		t.line("")
		t.para(p.red("error:")+" ", "  ", d.Error)
	}
	return t.err
}

// dnsPara writes first+text on one line when it fits, keeping its double spaces, else wrapped (para).
func (t *textOut) dnsPara(first, rest, text string) {
	if t.width <= 0 || visibleLen(first+text) <= t.width {
		t.line(first + text)
		return
	}
	t.para(first, rest, text)
}

// dnsParts writes parts joined by two spaces, the first line after first and the others after rest,
// starting a new line rather than breaking a part; a part longer than a line wraps on its own.
func (t *textOut) dnsParts(first, rest string, parts []string) {
	cur := first
	empty := true
	for _, p := range parts {
		switch {
		case empty:
		case visibleLen(cur)+2+visibleLen(p) <= t.width:
			cur += "  "
		default:
			t.line(cur)
			cur, empty = rest, true
		}
		if empty && visibleLen(cur)+visibleLen(p) > t.width {
			lines := wrapHang(cur, rest, p, t.width)
			for _, l := range lines[:len(lines)-1] {
				t.line(l)
			}
			cur, empty = lines[len(lines)-1], false
			continue
		}
		cur += p
		empty = false
	}
	t.line(cur)
}

// trimLast drops the last cell of every row.
func trimLast(rows [][]cell) [][]cell {
	for i, r := range rows {
		rows[i] = r[:len(r)-1]
	}
	return rows
}

// dnsCutPair cuts a and b in the middle so that both fit in room runes together, each keeping at least
// half of room when the other needs more; names that fit are left whole.
func dnsCutPair(a, b string, room int) (string, string) {
	la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	if room < 24 {
		room = 24
	}
	if la+lb <= room {
		return a, b
	}
	half := room / 2
	switch {
	case la <= half:
		return a, shorten(b, room-la)
	case lb <= half:
		return shorten(a, room-lb), b
	}
	return shorten(a, half), shorten(b, room-half)
}

// dnsRows writes rows without a header within t.width, laid out by fitColumns: cut cells keep both ends,
// the last cell wraps in the rest of the line or, when that would be narrower than its column's below,
// goes on the lines under the row, indented. A row of one cell is a line of its own (wrapped, not laid
// out). Styles apply after padding so colour never shifts columns.
func (t *textOut) dnsRows(cols []column, rows [][]cell) {
	var table [][]cell
	for _, r := range rows {
		if len(r) > 1 {
			table = append(table, r)
		}
	}
	w, below := fitColumns(cols, table, t.width)
	last := len(cols) - 1
	for _, r := range rows {
		if len(r) == 1 {
			lead := leadingSpaces(r[0].text)
			t.para(lead, lead+"  ", t.style(r[0].style, strings.TrimLeft(r[0].text, " ")))
			continue
		}
		var b strings.Builder
		started := false
		for i := range min(len(r), last) {
			if w[i] < 0 {
				continue
			}
			if started {
				b.WriteString("  ")
			}
			started = true
			text := r[i].text
			if utf8.RuneCountInString(text) > w[i] {
				text = shorten(text, w[i])
			}
			n := w[i] - utf8.RuneCountInString(text)
			if cols[i].right {
				text = strings.Repeat(" ", n) + text
			} else {
				text += strings.Repeat(" ", n)
			}
			b.WriteString(t.style(r[i].style, text))
		}
		var lc cell
		if last < len(r) {
			lc = r[last]
		}
		head := strings.TrimRight(b.String(), " ")
		switch {
		case w[last] < 0 || lc.text == "":
			t.line(head)
		case below:
			t.line(head)
			for _, l := range wrapHang("", "", lc.text, t.width-6) {
				t.line("      " + t.style(lc.style, l))
			}
		default:
			if started {
				b.WriteString("  ")
			}
			start := visibleLen(b.String())
			if visibleLen(lc.text) <= w[last] {
				t.line(b.String() + t.style(lc.style, lc.text))
				continue
			}
			for k, l := range wrapHang("", "", lc.text, max(w[last], 1)) {
				if k == 0 {
					t.line(b.String() + t.style(lc.style, l))
				} else {
					t.line(strings.Repeat(" ", start) + t.style(lc.style, l))
				}
			}
		}
	}
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
