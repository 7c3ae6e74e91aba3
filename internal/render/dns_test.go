package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hopscope/internal/report"
)

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

// dnsGolden compares got with testdata/name, rewriting it under -update.
func dnsGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking):\n%s", name, got)
	}
}

func dnsReport(d *report.DNS) *report.Report {
	return &report.Report{Schema: report.Schema, SchemaVersion: report.SchemaVersion, Kind: report.KindDNS,
		Generated: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Tool: "hopscope test", DNS: d}
}

// articleDNS is the article's answer as hopscope reports it, with Tencent's enrichment on one address.
func articleDNS() *report.DNS {
	tencent := report.AddrInfo{Addr: "101.33.110.25", ASN: 132203, ASOrg: "Tencent", Country: "SG", City: "Singapore",
		ASLabel: "AS132203", Line: "AS132203 Tencent, Singapore SG"}
	doc := report.AddrInfo{Special: &report.SpecialRange{Prefix: "2001:db8::/32", Kind: "documentation", Name: "IPv6 documentation (RFC 3849)"},
		Line: "IPv6 documentation (RFC 3849)"}
	return &report.DNS{
		Name: "vweixinthumb.tc.qq.com.", Types: []string{"A", "AAAA"}, Server: "127.0.0.53:53", Transport: "udp+tcp",
		Outcome: "answer", Rcode: "NOERROR", AnsweredBy: "127.0.0.53:53", RecursionAvailable: true, NSID: "resolver-1",
		Aliases:   []report.DNSAlias{{Name: "vweixinthumb.tc.qq.com.", Target: "socwxsns.video.qq.com.", TTL: 600}},
		Canonical: "socwxsns.video.qq.com.",
		Records: []report.DNSRecord{
			{Name: "socwxsns.video.qq.com.", Type: "A", TTL: 60, Data: "101.33.110.25", Info: &tencent,
				Network: "AS132203 Tencent", Location: "Singapore, SG"},
			{Name: "socwxsns.video.qq.com.", Type: "A", TTL: 60, Data: "101.33.110.26"},
			{Name: "socwxsns.video.qq.com.", Type: "AAAA", TTL: 60, Data: "2001:db8::25", Info: &doc,
				Network: "IPv6 documentation (RFC 3849)"},
		},
		Authority: &report.DNSAuthority{Zone: "qq.com.", NS: []string{"ns1.qq.com.", "ns2.qq.com."},
			SOA: &report.DNSSOA{MName: "ns1.qq.com.", RName: "webmaster.qq.com.", Serial: 1333, Minimum: 300, TTL: 600}},
		DNSSEC: &report.DNSSEC{Status: "insecure", Meaning: "no signatures and no AD bit"},
		Subnet: &report.DNSSubnet{Sent: "203.0.113.0/24", Echoed: true, Scope: 24, Meaning: "the answer is specific to clients in 203.0.113.0/24"},
		BySubnet: []report.DNSSubnetAnswer{
			{Subnet: "203.0.113.0/24", Scope: 24, Canonical: "socwxsns.video.qq.com.", Data: []string{"101.33.110.25", "101.33.110.26"}, Outcome: "answer"},
			{Subnet: "192.0.2.0/24", Scope: -1, Canonical: "socwxsns.video.qq.com.", Data: []string{"43.152.1.2"}, Outcome: "answer"},
			{Subnet: "198.51.100.0/24", Scope: -1, Outcome: "error", Error: "timeout: no answer from 127.0.0.53:53 within 5s"},
		},
		Queries: []report.DNSQuery{
			{Name: "vweixinthumb.tc.qq.com.", Type: "A", Server: "127.0.0.53:53", Transport: "udp", Purpose: "answer", RTTMS: 12.5, Rcode: "NOERROR", Flags: "qr rd ra", Size: 120, Answers: 3},
			{Name: "qq.com.", Type: "NS", Server: "127.0.0.53:53", Transport: "udp", Purpose: "authority", Error: "timeout: no answer from 127.0.0.53:53 within 5s"},
		},
		ElapsedMS: 15.25,
	}
}

func traceDNS() *report.DNS {
	return &report.DNS{
		Name: "www.lame.test.", Types: []string{"A"}, Server: "127.0.0.2:5300", Transport: "udp+tcp", Trace: true,
		Outcome: "error", Error: "lame delegation: no server for lame.test. answered authoritatively (ns1.lame.test. (127.0.0.5:5300): REFUSED for zone lame.test.)",
		Canonical: "www.lame.test.",
		Steps: []report.DNSStep{
			{Zone: ".", QName: "www.lame.test.", QType: "A", ServerName: "root", ServerAddr: "127.0.0.2:5300", RTTMS: 0.5, Kind: "referral", Detail: "delegates test. to 1 server(s), 1 with glue",
				Referral: &report.DNSReferral{Zone: "test.", Servers: []report.DNSNameServer{{Name: "ns1.nic.test.", Addrs: []string{"127.0.0.3"}, Glue: true}}}},
			{Zone: "test.", QName: "www.lame.test.", QType: "A", ServerName: "ns1.nic.test.", ServerAddr: "127.0.0.3:5300", RTTMS: 0.4, Kind: "referral", Detail: "delegates lame.test. to 2 server(s), 1 with glue",
				Referral: &report.DNSReferral{Zone: "lame.test.", Servers: []report.DNSNameServer{{Name: "ns.elsewhere.test."}, {Name: "ns1.lame.test.", Addrs: []string{"127.0.0.5"}, Glue: true}}}},
			{Zone: ".", QName: "ns.elsewhere.test.", QType: "A", ServerName: "root", ServerAddr: "127.0.0.2:5300", RTTMS: 0.3, Kind: "nxdomain", Detail: "NXDOMAIN (authoritative)"},
			{Zone: "lame.test.", QName: "www.lame.test.", QType: "A", ServerName: "ns1.lame.test.", ServerAddr: "127.0.0.5:5300", RTTMS: 0.3, Kind: "lame", Detail: "REFUSED for zone lame.test."},
		},
		ElapsedMS: 3,
	}
}

func negativeDNS() *report.DNS {
	return &report.DNS{Name: "nope.example.test.", Types: []string{"A", "AAAA"}, Server: "tls://dns.lab.test:853", Transport: "tls",
		Outcome: "nxdomain", Rcode: "NXDOMAIN", Error: "NXDOMAIN: nope.example.test. does not exist (SOA example.test.), answered by tls://dns.lab.test:853",
		AnsweredBy: "tls://dns.lab.test:853", RecursionAvailable: true, Canonical: "nope.example.test.",
		Authority: &report.DNSAuthority{Zone: "example.test.", SOA: &report.DNSSOA{MName: "ns1.example.test.", RName: "hostmaster.example.test.", Serial: 1, Minimum: 60}},
		ElapsedMS: 1.5}
}

func TestDNSGolden(t *testing.T) {
	tests := []struct {
		name string
		d    *report.DNS
	}{
		{"dns-article", articleDNS()},
		{"dns-trace-lame", traceDNS()},
		{"dns-nxdomain", negativeDNS()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var txt, ansi, md bytes.Buffer
			if err := (TextRenderer{}).Render(&txt, dnsReport(tc.d)); err != nil {
				t.Fatal(err)
			}
			if err := (TextRenderer{Color: true}).Render(&ansi, dnsReport(tc.d)); err != nil {
				t.Fatal(err)
			}
			if err := Markdown(&md, dnsReport(tc.d)); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(txt.String(), "\x1b[") || !strings.Contains(ansi.String(), "\x1b[") {
				t.Fatal("colour only when asked")
			}
			dnsGolden(t, tc.name+".txt", txt.Bytes())
			dnsGolden(t, tc.name+".ansi", ansi.Bytes())
			dnsGolden(t, tc.name+".md", md.Bytes())
		})
	}
}

func TestDNSTreeShape(t *testing.T) {
	var b bytes.Buffer
	if err := (TextRenderer{}).Render(&b, dnsReport(articleDNS())); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\nvweixinthumb.tc.qq.com.  CNAME  socwxsns.video.qq.com.  ttl 600\n  socwxsns.video.qq.com.  A     101.33.110.25",
		"ttl 60  AS132203 Tencent, Singapore SG\n",
		"IPv6 documentation (RFC 3849)",
		"3 addresses (2 IPv4, 1 IPv6)",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}

func TestDNSMissingSection(t *testing.T) {
	r := dnsReport(nil)
	if err := (TextRenderer{}).Render(&bytes.Buffer{}, r); err == nil {
		t.Error("text: want an error for a dns report without its section")
	}
	if err := Markdown(&bytes.Buffer{}, r); err == nil {
		t.Error("markdown: want an error for a dns report without its section")
	}
}
