package render

import (
	"bytes"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"hopscope/internal/inventory"
	"hopscope/internal/report"
)

// mdCells splits a Markdown table row into its cells, honouring escaped pipes; ok is false when the
// line is not a row (it must start and end with an unescaped pipe).
func mdCells(line string) (cells []string, ok bool) {
	if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") || strings.HasSuffix(line, `\|`) {
		return nil, false
	}
	var cur strings.Builder
	for i := 1; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line):
			cur.WriteByte(line[i])
			cur.WriteByte(line[i+1])
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return cells, true
}

var mdSeparator = regexp.MustCompile(`^:?-+:?$`)

// checkMarkdownTables fails when a table of md has a row whose cell count differs from its header's, a
// separator that is not one, or a line inside a table that is not a row (a cell broke the line).
func checkMarkdownTables(t *testing.T, md string) (tables int) {
	t.Helper()
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		head, ok := mdCells(lines[i])
		if !ok {
			continue
		}
		tables++
		if i+1 >= len(lines) {
			t.Errorf("line %d: a table header without a separator: %q", i+1, lines[i])
			return tables
		}
		sep, ok := mdCells(lines[i+1])
		if !ok || len(sep) != len(head) {
			t.Errorf("line %d: separator %q does not match the header's %d cells", i+2, lines[i+1], len(head))
		}
		for _, c := range sep {
			if !mdSeparator.MatchString(c) {
				t.Errorf("line %d: separator cell %q", i+2, c)
			}
		}
		j := i + 2
		for ; j < len(lines) && lines[j] != ""; j++ {
			cells, ok := mdCells(lines[j])
			if !ok {
				t.Errorf("line %d: inside a table but not a row: %q", j+1, lines[j])
				continue
			}
			if len(cells) != len(head) {
				t.Errorf("line %d: %d cells, the header has %d: %q", j+1, len(cells), len(head), lines[j])
			}
		}
		i = j
	}
	return tables
}

// hostileDomains is an inventory over three days whose names and purposes carry Markdown's special
// characters, without HTTP (so no Requests column).
func hostileDomains() *report.Report {
	t0 := time.Date(2024, 12, 30, 23, 59, 0, 0, time.UTC)
	inv := &inventory.Inventory{Source: "capture", Origin: "x|y.pcap", Flows: []inventory.Flow{
		{ID: "1", Host: "_dmarc*weird`name.example", NameSource: "sni", Protocol: "tls", Start: t0, Duration: time.Second,
			BytesUp: 10, BytesDown: 20, Server: netip.MustParseAddrPort("192.0.2.1:443")},
		{ID: "2", Host: "a|b.example", NameSource: "sni", Protocol: "tls", Start: t0.Add(49 * time.Hour), Duration: time.Second,
			BytesUp: 10, BytesDown: 20, Server: netip.MustParseAddrPort("192.0.2.2:443"), Passthrough: "pinned\nsecond line"},
		{ID: "3", Host: "c.a|b.example", NameSource: "sni", Protocol: "quic", Start: t0.Add(time.Hour), Duration: time.Second,
			BytesUp: 1, BytesDown: 2, Server: netip.MustParseAddrPort("192.0.2.3:443")},
	}}
	return &report.Report{Schema: report.Schema, SchemaVersion: report.SchemaVersion, Kind: report.KindDomains,
		Domains: report.NewDomains(inventory.Summarize(inv, nil), nil, nil)}
}

func TestDomainsMarkdownRows(t *testing.T) {
	tests := []struct {
		name     string
		rep      *report.Report
		tables   int
		want     []string
		dontWant []string
	}{
		{"plain", domainsReport(false), 1, []string{"| Requests |", "| **qlogo.cn** | wx.qlogo.cn | 1 | 1 |"}, []string{"| AS |"}},
		{"enriched, with checks", domainsReport(true), 2, []string{"| AS | Operator | Country |", `Cloudflare \| Inc`}, nil},
		{"hostile names over three days", hostileDomains(), 1,
			[]string{`\_dmarc\*weird\` + "`" + `name.example`, "2024-12-30 23:59", "2025-01-02 00:59"},
			[]string{"| Requests |", "second line\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Markdown(&b, tc.rep); err != nil {
				t.Fatal(err)
			}
			md := b.String()
			if n := checkMarkdownTables(t, md); n != tc.tables {
				t.Errorf("%d tables, want %d:\n%s", n, tc.tables, md)
			}
			for _, w := range tc.want {
				if !strings.Contains(md, w) {
					t.Errorf("markdown lacks %q:\n%s", w, md)
				}
			}
			for _, w := range tc.dontWant {
				if strings.Contains(md, w) {
					t.Errorf("markdown has %q:\n%s", w, md)
				}
			}
		})
	}
}
