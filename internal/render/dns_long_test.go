package render

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"hopscope/internal/report"
)

// longDNS has names, aliases and data longer than a terminal line: a CDN's chain of generated names,
// a DKIM-sized TXT record and an error naming a DoH URL.
func longDNS() *report.DNS {
	long := "a1b2c3d4e5f6g7h8i9j0-k1l2m3n4o5p6q7r8s9t0-u1v2w3x4y5z6.static-assets.edge-delivery.very-long-cdn-provider.example."
	canon := "e2345.dscg-production-region-eu-west-1.akamaiedge-staging-and-production.example.net."
	info := report.AddrInfo{ASLabel: "AS64500", Line: "AS64500 Example Content Delivery Network Incorporated, Frankfurt am Main DE"}
	return &report.DNS{
		Name: long, Types: []string{"A", "TXT"}, Server: "https://doh.resolver-with-a-long-name.example/dns-query", Transport: "https",
		Outcome: "answer", Rcode: "NOERROR", AnsweredBy: "https://doh.resolver-with-a-long-name.example/dns-query", RecursionAvailable: true,
		Aliases: []report.DNSAlias{{Name: long, Target: "cdn-alias-" + strings.Repeat("x", 70) + ".example.", TTL: 300},
			{Name: "cdn-alias-" + strings.Repeat("x", 70) + ".example.", Target: canon, TTL: 20}},
		Canonical: canon,
		Records: []report.DNSRecord{
			{Name: canon, Type: "A", TTL: 20, Data: "192.0.2.10", Info: &info, Network: "AS64500"},
			{Name: canon, Type: "TXT", TTL: 20, Data: `"v=DKIM1; k=rsa; p=` + strings.Repeat("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A", 6) + `"`},
		},
		Authority: &report.DNSAuthority{Zone: "akamaiedge-staging-and-production.example.net.", NS: []string{"a1-64.akam.example.net.", "a2-64.akam.example.net.", "a3-64.akam.example.net."}},
		Queries: []report.DNSQuery{
			{Name: long, Type: "A", Server: "https://doh.resolver-with-a-long-name.example/dns-query", Transport: "https", Purpose: "answer", RTTMS: 31, Rcode: "NOERROR", Flags: "qr rd ra", Size: 512, Answers: 3},
			{Name: canon, Type: "SOA", Server: "https://doh.resolver-with-a-long-name.example/dns-query", Transport: "https", Purpose: "authority", Error: "timeout: no answer from https://doh.resolver-with-a-long-name.example/dns-query within 5s"},
		},
		ElapsedMS: 40,
	}
}

// TestDNSFitsTheWidth renders resolutions with names, data and servers longer than a line at 60, 80
// and 100 columns: no line is wider (by the layout itself, without the safety net that wraps other
// kinds' long lines), every record stays on one row with its type and TTL, long names are cut in the
// middle in the text and kept whole in the JSON (issue 15).
func TestDNSFitsTheWidth(t *testing.T) {
	reports := map[string]*report.DNS{"article": articleDNS(), "trace": traceDNS(), "nxdomain": negativeDNS(), "long": longDNS()}
	for name, d := range reports {
		for _, width := range []int{60, 80, 100} {
			for _, color := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%d/color=%v", name, width, color), func(t *testing.T) {
					var b bytes.Buffer
					if err := textDNS(&b, safeReport(dnsReport(d)), color, width); err != nil {
						t.Fatal(err)
					}
					out := b.String()
					lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
					for i, l := range lines {
						if n := visibleLen(l); n > width {
							t.Errorf("line %d is %d wide (> %d): %q", i+1, n, width, l)
						}
					}
					for _, rec := range d.Records {
						row := ""
						for _, l := range lines {
							if strings.Contains(l, "  "+rec.Type+" ") && strings.Contains(l, fmt.Sprintf("ttl %d", rec.TTL)) {
								row = l
							}
						}
						if row == "" {
							t.Errorf("no line holds the %s record with its TTL:\n%s", rec.Type, out)
						}
					}
				})
			}
		}
	}
	t.Run("cut in the middle, whole in JSON", func(t *testing.T) {
		d := longDNS()
		var txt, js bytes.Buffer
		if err := (TextRenderer{Width: 80}).Render(&txt, dnsReport(d)); err != nil {
			t.Fatal(err)
		}
		if err := JSON(&js, dnsReport(d)); err != nil {
			t.Fatal(err)
		}
		head, tail := d.Name[:10], d.Name[len(d.Name)-10:]
		if strings.Contains(txt.String(), d.Name) || !strings.Contains(txt.String(), head) || !strings.Contains(txt.String(), tail+"  ") {
			t.Errorf("the text does not cut %s in the middle:\n%s", d.Name, txt.String())
		}
		if !strings.Contains(js.String(), `"name": "`+d.Name+`"`) {
			t.Errorf("the JSON lacks the whole name %s", d.Name)
		}
	})
}
