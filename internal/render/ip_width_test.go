package render

import (
	"bytes"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"hopscope/internal/enrich"
	"hopscope/internal/report"
)

// ipRecordLine is a labelled line of the block layout.
var ipRecordLine = regexp.MustCompile(`^  (as|operator|cc|place|note): `)

// TestIPFitsTheWidth lays out addresses of both families, the longest IPv6 form among them, with long
// operator names and hostname hints at 60, 80 and 100 columns: no line is wider, no address is cut, and
// no row is broken in two (a table that cannot fit becomes one block per address) (issue 15).
func TestIPFitsTheWidth(t *testing.T) {
	r := ipReport()
	long := "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"
	r.IPs = append(r.IPs,
		report.NewIPInfo(long, netip.MustParseAddr(long), "", enrich.Info{ASN: 4200000001,
			ASOrg: "An Operator Whose Registered Name Is Much Longer Than Any Terminal Column", ASSource: "embedded", Country: "DE",
			City: "Frankfurt am Main", GeoSource: "embedded"}),
		report.NewIPInfo("fe80::1", netip.MustParseAddr("fe80::1"), "", enrich.Info{Special: &enrich.Special{
			Prefix: netip.MustParsePrefix("fe80::/10"), Kind: "link-local", Name: "IPv6 link-local (RFC 4291)"}}))
	for _, width := range []int{60, 80, 100} {
		for _, color := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d/color=%v", width, color), func(t *testing.T) {
				var b bytes.Buffer
				if err := textIP(&b, safeReport(r), color, width); err != nil {
					t.Fatal(err)
				}
				out := b.String()
				for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
					if n := visibleLen(l); n > width {
						t.Errorf("line %d is %d wide (> %d): %q", i+1, n, width, l)
					}
				}
				lines := strings.Split(out, "\n")
				for i, l := range lines {
					if l == "" {
						break // the notes follow, wrapped by design
					}
					if strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "      ") && !ipRecordLine.MatchString(l) {
						t.Errorf("line %d continues a row broken in two: %q\n%s", i+1, l, out)
					}
				}
				for _, q := range r.IPs {
					addr, _, _ := strings.Cut(q.Addr, "=")
					row := ""
					for _, l := range lines {
						if strings.HasPrefix(l, addr+" ") || l == addr {
							row = l
						}
					}
					if row == "" {
						t.Errorf("no row starts with %s whole:\n%s", addr, out)
					}
					// A row the layout could not fit would be broken onto a second line, its country there.
					if cc := q.Info.Country; cc != "" && !strings.Contains(row, "  "+cc+"  ") && !strings.Contains(out, "  cc: "+cc+"\n") {
						t.Errorf("%s's row lost its country %s:\n%s", addr, cc, out)
					}
				}
			})
		}
	}
}
