package report

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"hopscope/internal/dns"
	"hopscope/internal/enrich"
)

func dnsResult() *dns.Result {
	a1, a2 := netip.MustParseAddr("198.51.100.25"), netip.MustParseAddr("2001:db8::25")
	return &dns.Result{
		Name: "vweixinthumb.tc.qq.test.", Types: []string{"A", "AAAA"},
		Server: dns.Server{Transport: dns.TransportTLS, Host: "dns.lab.test", Port: 853},
		Chain: dns.Chain{Name: "vweixinthumb.tc.qq.test.", Canonical: "socwxsns.video.qq.test.",
			Aliases: []dns.Alias{{Name: "vweixinthumb.tc.qq.test.", Target: "socwxsns.video.qq.test.", TTL: 600}},
			Records: []dns.Record{{Name: "socwxsns.video.qq.test.", Type: "A", TTL: 60, Data: a1.String(), Addr: a1},
				{Name: "socwxsns.video.qq.test.", Type: "AAAA", TTL: 60, Data: a2.String(), Addr: a2},
				{Name: "socwxsns.video.qq.test.", Type: "A", TTL: 60, Data: a1.String(), Addr: a1}}},
		Outcome: dns.OutcomeAnswer, Rcode: "NOERROR", AnsweredBy: "tls://dns.lab.test:853",
		Authority: dns.Authority{Zone: "qq.test.", NS: []string{"ns1.qq.test."}, SOA: &dns.SOA{Zone: "qq.test.", MName: "ns1.qq.test.", Serial: 7}},
		DNSSEC:    dns.DNSSEC{Status: dns.DNSSECSecure, AD: true, RRSIGs: 2},
		Subnet:    &dns.Subnet{Sent: netip.MustParsePrefix("203.0.113.0/24"), Echoed: true, Scope: 20},
		Queries:   []dns.Query{{Name: "vweixinthumb.tc.qq.test.", Type: "A", RTT: 1500 * time.Microsecond, Transport: dns.TransportTLS}},
		Steps: []dns.TraceStep{{Zone: ".", Kind: "referral", Referral: &dns.Referral{Zone: "test.",
			Servers: []dns.NameServer{{Name: "ns1.nic.test.", Addrs: []netip.Addr{netip.MustParseAddr("127.0.0.3")}, Glue: true}}}}},
		Elapsed: 2 * time.Millisecond,
	}
}

func TestNewDNS(t *testing.T) {
	info := enrich.Info{Addr: netip.MustParseAddr("198.51.100.25"), ASN: 64500, ASOrg: "Example", City: "Singapore", Country: "SG"}
	tests := []struct {
		name    string
		res     *dns.Result
		err     error
		outcome string
		check   func(*testing.T, *DNS)
	}{
		{"answer", dnsResult(), nil, "answer", func(t *testing.T, d *DNS) {
			if d.Server != "tls://dns.lab.test:853" || d.Transport != "tls" || d.Canonical != "socwxsns.video.qq.test." || len(d.Aliases) != 1 || d.Aliases[0].TTL != 600 {
				t.Fatalf("%+v", d)
			}
			if d.Records[0].Info == nil || d.Records[0].Info.ASN != 64500 || d.Records[1].Info != nil {
				t.Fatal("enrichment attached to the wrong records")
			}
			if r := d.Records[0]; r.Info.Line != "AS64500 Example, Singapore SG" || r.Network != "AS64500 Example" || r.Location != "Singapore, SG" {
				t.Fatalf("labels: line %q network %q location %q", r.Info.Line, r.Network, r.Location)
			}
			if r := d.Records[1]; r.Network != "" || r.Location != "" {
				t.Fatalf("labels without enrichment: %q %q", r.Network, r.Location)
			}
			if got := d.Addrs(); len(got) != 2 {
				t.Fatalf("Addrs() = %v, want 2 distinct", got)
			}
			if d.DNSSEC.Status != "secure" || d.DNSSEC.Meaning == "" || d.Subnet.Scope != 20 || d.Subnet.Meaning != "the answer is specific to clients in 203.0.112.0/20" {
				t.Fatalf("dnssec %+v subnet %+v", d.DNSSEC, d.Subnet)
			}
			if d.Queries[0].RTTMS != 1.5 || d.ElapsedMS != 2 || d.Steps[0].Referral.Servers[0].Addrs[0] != "127.0.0.3" {
				t.Fatalf("queries %+v steps %+v", d.Queries, d.Steps)
			}
			if d.Authority.SOA.Serial != 7 || d.Error != "" {
				t.Fatalf("authority %+v error %q", d.Authority, d.Error)
			}
		}},
		{"negative keeps its outcome", func() *dns.Result { r := dnsResult(); r.Outcome = dns.OutcomeNXDomain; return r }(),
			&dns.NegativeError{Name: "x.", Rcode: "NXDOMAIN", Server: "s"}, "nxdomain", func(t *testing.T, d *DNS) {
				if d.Error == "" {
					t.Fatal("negative answer without its explanation")
				}
			}},
		{"failure", dnsResult(), errors.New("SERVFAIL from s"), "error", func(t *testing.T, d *DNS) {
			if d.Error != "SERVFAIL from s" {
				t.Fatalf("error %q", d.Error)
			}
		}},
		{"subnet ignored", func() *dns.Result { r := dnsResult(); r.Subnet.Echoed = false; return r }(), nil, "answer", func(t *testing.T, d *DNS) {
			if d.Subnet.Scope != -1 || d.Subnet.Echoed {
				t.Fatalf("subnet %+v", d.Subnet)
			}
		}},
		{"no result", nil, errors.New("bad name"), "error", func(t *testing.T, d *DNS) {
			if d.Records != nil || d.Error != "bad name" {
				t.Fatalf("%+v", d)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDNS(tc.res, tc.err, map[netip.Addr]enrich.Info{info.Addr: info})
			if d.Outcome != tc.outcome {
				t.Fatalf("outcome %q, want %q", d.Outcome, tc.outcome)
			}
			tc.check(t, d)
		})
	}
}
