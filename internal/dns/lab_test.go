package dns_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"hopscope/internal/dns"
	"hopscope/internal/dns/dnstest"
)

// TestLab runs the resolver against real servers: nsd as the authorities (root, test., the zones),
// unbound as the recursive resolver, and the geo-aware signed authority for geo.test.
func TestLab(t *testing.T) {
	lab := dnstest.StartLab(t, dnstest.LabOptions{Validate: true})
	ub := dns.Server{Transport: dns.TransportAuto, Host: lab.Unbound.Addr().String(), Port: lab.Port}
	ctx := context.Background()
	resolver := func(t *testing.T, cfg dns.Config) *dns.Resolver {
		if cfg.Server == (dns.Server{}) {
			cfg.Server = ub
		}
		return newResolver(t, cfg)
	}

	t.Run("resolve", func(t *testing.T) {
		r := resolver(t, dns.Config{})
		tests := []struct {
			name  string
			qname string
			types []uint16
			check func(*testing.T, *dns.Result, error)
		}{
			{"article alias with several addresses", "vweixinthumb.tc.qq.test", nil, func(t *testing.T, res *dns.Result, err error) {
				if err != nil {
					t.Fatal(err)
				}
				checkArticle(t, res)
				if res.Authority.Zone != "qq.test." || !slices.Equal(res.Authority.NS, []string{"ns1.qq.test."}) {
					t.Fatalf("authority %+v", res.Authority)
				}
				if res.AnsweredBy != ub.Address() || res.NSID != "unbound-lab" || !res.RecursionAvailable {
					t.Fatalf("answered by %q nsid %q ra %v", res.AnsweredBy, res.NSID, res.RecursionAvailable)
				}
				if res.DNSSEC.Status != dns.DNSSECInsecure {
					t.Fatalf("dnssec %+v", res.DNSSEC)
				}
			}},
			{"alias into another zone", "www.example.test", nil, func(t *testing.T, res *dns.Result, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Chain.Aliases) != 1 || res.Chain.Canonical != "edge.cdn.test." || !ttlNear(res.Chain.Aliases[0].TTL, 300) {
					t.Fatalf("chain %+v", res.Chain)
				}
				if got := addrStrings(res.Chain.Addrs()); !slices.Equal(got, []string{"192.0.2.80", "192.0.2.81", "2001:db8:80::1"}) {
					t.Fatalf("addresses %v", got)
				}
				if res.Authority.Zone != "cdn.test." || !slices.Equal(res.Authority.NS, []string{"ns.dnshost.example.test."}) {
					t.Fatalf("authority %+v", res.Authority)
				}
			}},
			{"MX", "example.test", []uint16{mdns.TypeMX}, func(t *testing.T, res *dns.Result, err error) {
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range res.Chain.Records {
					got = append(got, r.Type+" "+r.Data)
				}
				slices.Sort(got)
				if !slices.Equal(got, []string{"MX 10 mail.example.test.", "MX 20 mail2.example.test."}) {
					t.Fatalf("records %v", got)
				}
			}},
			{"TXT and NS", "example.test", []uint16{mdns.TypeTXT, mdns.TypeNS}, func(t *testing.T, res *dns.Result, err error) {
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range res.Chain.Records {
					got = append(got, r.Type+" "+r.Data)
				}
				if !slices.Equal(got, []string{`TXT "v=spf1 -all"`, "NS ns1.example.test."}) {
					t.Fatalf("records %v", got)
				}
			}},
			{"PTR", "25.2.0.192.in-addr.arpa", []uint16{mdns.TypePTR}, func(t *testing.T, res *dns.Result, err error) {
				if err != nil || len(res.Chain.Records) != 1 || res.Chain.Records[0].Data != "mail.example.test." {
					t.Fatalf("%v %+v", err, res.Chain.Records)
				}
			}},
			{"NXDOMAIN", "nope.example.test", nil, func(t *testing.T, res *dns.Result, err error) {
				var ne *dns.NegativeError
				if !errors.As(err, &ne) || ne.Rcode != "NXDOMAIN" || ne.Zone != "example.test." {
					t.Fatalf("err %v", err)
				}
				if res.Outcome != dns.OutcomeNXDomain || res.Authority.SOA == nil || res.Authority.SOA.MName != "ns1.lab.test." {
					t.Fatalf("outcome %s authority %+v", res.Outcome, res.Authority)
				}
			}},
			{"NODATA", "v4only.example.test", []uint16{mdns.TypeAAAA}, func(t *testing.T, res *dns.Result, err error) {
				var ne *dns.NegativeError
				if !errors.As(err, &ne) || ne.Rcode != "NOERROR" || res.Outcome != dns.OutcomeNoData {
					t.Fatalf("err %v outcome %s", err, res.Outcome)
				}
			}},
			{"alias to a missing name", "dangling.example.test", nil, func(t *testing.T, res *dns.Result, err error) {
				if !errors.Is(err, dns.ErrNegative) || res.Outcome != dns.OutcomeNXDomain || len(res.Chain.Aliases) != 1 || res.Chain.Canonical != "nowhere.example.test." {
					t.Fatalf("err %v chain %+v", err, res.Chain)
				}
			}},
			{"CNAME loop", "loop1.qq.test", []uint16{mdns.TypeA}, func(t *testing.T, res *dns.Result, err error) {
				var le *dns.LoopError
				if !errors.As(err, &le) || strings.Join(le.Chain, " ") != "loop1.qq.test. loop2.qq.test. loop3.qq.test. loop1.qq.test." {
					t.Fatalf("err %v, want the loop named", err)
				}
			}},
			{"lame delegation through the resolver", "www.lame.test", []uint16{mdns.TypeA}, func(t *testing.T, res *dns.Result, err error) {
				var re *dns.RcodeError
				if !errors.As(err, &re) || re.Rcode != "SERVFAIL" || re.Server != ub.Address() {
					t.Fatalf("err %v, want SERVFAIL naming %s", err, ub.Address())
				}
			}},
			{"partly lame delegation", "www.partlame.test", []uint16{mdns.TypeA}, func(t *testing.T, res *dns.Result, err error) {
				if err != nil || len(res.Chain.Addrs()) != 1 || res.Chain.Addrs()[0].String() != "192.0.2.90" {
					t.Fatalf("%v %v", err, res.Chain.Addrs())
				}
			}},
			{"DNSSEC validated", "secure.geo.test", []uint16{mdns.TypeA}, func(t *testing.T, res *dns.Result, err error) {
				if err != nil || res.DNSSEC.Status != dns.DNSSECSecure || !res.DNSSEC.AD || res.DNSSEC.RRSIGs == 0 {
					t.Fatalf("%v %+v", err, res.DNSSEC)
				}
			}},
			{"DNSSEC bogus", "bogus.geo.test", []uint16{mdns.TypeA}, func(t *testing.T, res *dns.Result, err error) {
				var re *dns.RcodeError
				if !errors.As(err, &re) || !strings.Contains(re.Detail, "DNSSEC validation failed") || res.DNSSEC.Status != dns.DNSSECBogus {
					t.Fatalf("err %v dnssec %+v", err, res.DNSSEC)
				}
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res, err := r.Resolve(ctx, tc.qname, tc.types...)
				if res == nil {
					t.Fatalf("no result: %v", err)
				}
				tc.check(t, res, err)
			})
		}
	})

	t.Run("client subnet", func(t *testing.T) {
		geo := dns.Server{Transport: dns.TransportAuto, Host: lab.GeoAddr.Addr().String(), Port: lab.Port}
		tests := []struct {
			name   string
			server dns.Server
			subnet string
			want   netip.Addr
			scope  int
		}{
			{"Shenzhen via unbound", ub, "203.0.113.0/24", dnstest.ShenzhenAddr, 24},
			{"elsewhere via unbound", ub, "192.0.2.0/24", dnstest.OtherAddr, 24},
			{"Shenzhen from the authority", geo, "203.0.113.9/24", dnstest.ShenzhenAddr, 24},
			{"no subnet", geo, "", dnstest.OtherAddr, -1},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				cfg := dns.Config{Server: tc.server}
				if tc.subnet != "" {
					cfg.Subnet = netip.MustParsePrefix(tc.subnet)
				}
				res, err := resolver(t, cfg).Resolve(ctx, "www.geo.test", mdns.TypeA)
				if err != nil {
					t.Fatal(err)
				}
				if a := res.Chain.Addrs(); len(a) != 1 || a[0] != tc.want {
					t.Fatalf("addresses %v, want %s", a, tc.want)
				}
				if tc.scope < 0 {
					if res.Subnet != nil {
						t.Fatalf("subnet %+v without sending one", res.Subnet)
					}
					return
				}
				if res.Subnet == nil || !res.Subnet.Echoed || res.Subnet.Scope != tc.scope || res.Subnet.Sent.String() != netip.MustParsePrefix(tc.subnet).Masked().String() {
					t.Fatalf("subnet %+v", res.Subnet)
				}
			})
		}
	})

	t.Run("tcp", func(t *testing.T) {
		res, err := resolver(t, dns.Config{Server: dns.Server{Transport: dns.TransportTCP, Host: ub.Host, Port: ub.Port}}).Resolve(ctx, "vweixinthumb.tc.qq.test")
		if err != nil {
			t.Fatal(err)
		}
		checkArticle(t, res)
		if res.Queries[0].Transport != dns.TransportTCP {
			t.Fatalf("transport %s", res.Queries[0].Transport)
		}
	})

	t.Run("DoT and DoH to unbound", func(t *testing.T) {
		ca := dnstest.NewCA(t)
		cert := ca.Leaf(t, []netip.Addr{loopback})
		dotPort := dnstest.FreePort(t, loopback)
		dnstest.StartDoT(t, netip.AddrPortFrom(loopback, dotPort), cert, lab.Unbound)
		doh, err := dns.ParseServer(dnstest.StartDoH(t, cert, lab.Unbound))
		if err != nil {
			t.Fatal(err)
		}
		for _, srv := range []dns.Server{{Transport: dns.TransportTLS, Host: "127.0.0.1", Port: dotPort}, doh} {
			res, err := resolver(t, dns.Config{Server: srv, TLS: &tls.Config{RootCAs: ca.Pool}}).Resolve(ctx, "vweixinthumb.tc.qq.test")
			if err != nil {
				t.Fatalf("%s: %v", srv, err)
			}
			checkArticle(t, res)
		}
	})

	t.Run("reverse", func(t *testing.T) {
		rr := dns.NewReverseResolver(resolver(t, dns.Config{}), 4)
		got := rr.LookupAddrs(ctx, []netip.Addr{netip.MustParseAddr("192.0.2.25"), netip.MustParseAddr("192.0.2.80"), netip.MustParseAddr("192.0.2.99")})
		if len(got) != 2 || got[netip.MustParseAddr("192.0.2.25")] != "mail.example.test" || got[netip.MustParseAddr("192.0.2.80")] != "edge.cdn.test" {
			t.Fatalf("names %v", got)
		}
	})

	t.Run("trace", func(t *testing.T) {
		r := resolver(t, dns.Config{Roots: []netip.AddrPort{lab.Root}, TracePort: lab.Port})
		tests := []struct {
			name  string
			qname string
			check func(*testing.T, *dns.Result, error)
		}{
			{"article from the roots", "vweixinthumb.tc.qq.test", func(t *testing.T, res *dns.Result, err error) {
				if err != nil {
					t.Fatal(err)
				}
				checkArticle(t, res)
				if !res.Authoritative || res.AnsweredBy != "ns1.qq.test. ("+lab.Auth.String()+")" {
					t.Fatalf("answered by %q aa %v", res.AnsweredBy, res.Authoritative)
				}
				if zones := stepZones(res, "A"); zones != ". test. qq.test." {
					t.Fatalf("zones walked for A %q", zones)
				}
				// AAAA starts from the delegation remembered while tracing A.
				if zones := stepZones(res, "AAAA"); zones != "qq.test." {
					t.Fatalf("zones walked for AAAA %q", zones)
				}
				if res.Authority.Zone != "qq.test." || !slices.Equal(res.Authority.NS, []string{"ns1.qq.test."}) {
					t.Fatalf("authority %+v", res.Authority)
				}
			}},
			{"alias into a zone delegated without glue", "www.example.test", func(t *testing.T, res *dns.Result, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if res.Chain.Canonical != "edge.cdn.test." || len(res.Chain.Addrs()) != 3 {
					t.Fatalf("chain %+v", res.Chain)
				}
				var glueless bool
				for _, s := range res.Steps {
					if s.Referral != nil && s.Referral.Zone == "cdn.test." && !s.Referral.Servers[0].Glue {
						glueless = true
					}
				}
				if !glueless {
					for _, s := range res.Steps {
						t.Logf("%+v %+v", s, s.Referral)
					}
					t.Fatal("no referral for cdn.test. without glue recorded")
				}
				if !strings.Contains(res.AnsweredBy, "ns.dnshost.example.test.") {
					t.Fatalf("answered by %q", res.AnsweredBy)
				}
			}},
			{"one lame server", "www.partlame.test", func(t *testing.T, res *dns.Result, err error) {
				if err != nil {
					t.Fatal(err)
				}
				var lame []string
				for _, s := range res.Steps {
					if s.Kind == "lame" {
						lame = append(lame, s.ServerName+" "+s.Detail)
					}
				}
				if len(lame) == 0 || !strings.Contains(lame[0], "a.partlame.test. REFUSED for zone partlame.test.") {
					t.Fatalf("lame steps %v", lame)
				}
			}},
			{"lame delegation", "www.lame.test", func(t *testing.T, res *dns.Result, err error) {
				var le *dns.LameError
				if !errors.As(err, &le) || le.Zone != "lame.test." || !strings.Contains(err.Error(), "ns1.lame.test. ("+lab.Lame.String()+"): REFUSED") {
					t.Fatalf("err %v", err)
				}
			}},
			{"NXDOMAIN from the authority", "nope.qq.test", func(t *testing.T, res *dns.Result, err error) {
				var ne *dns.NegativeError
				if !errors.As(err, &ne) || ne.Rcode != "NXDOMAIN" || res.Authority.SOA == nil || res.Authority.Zone != "qq.test." {
					t.Fatalf("err %v authority %+v", err, res.Authority)
				}
			}},
			{"CNAME loop", "loop1.qq.test", func(t *testing.T, res *dns.Result, err error) {
				var le *dns.LoopError
				if !errors.As(err, &le) {
					t.Fatalf("err %v", err)
				}
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res, err := r.Trace(ctx, tc.qname)
				if res == nil {
					t.Fatalf("no result: %v", err)
				}
				tc.check(t, res, err)
			})
		}
	})

	t.Run("path target and hop names", func(t *testing.T) {
		// What `hopscope trace` asks: unbound rotates the A records, so whichever comes first is traced
		// and the four others are listed.
		p := newPathResolver(t, dns.PathConfig{Server: ub.String()})
		tgt, warns, err := p.Target(ctx, strings.TrimSuffix(dnstest.ArticleAlias, "."))
		if err != nil {
			t.Fatal(err)
		}
		canon := strings.TrimSuffix(dnstest.ArticleCanonical, ".")
		if !tgt.Addr.Is4() || !slices.Contains(dnstest.ArticleAddrs, tgt.Addr) || len(tgt.OtherAddrs) != 4 ||
			tgt.Canonical != canon || !slices.Equal(tgt.Aliases, []string{canon}) {
			t.Errorf("target %+v", tgt)
		}
		if len(warns) != 1 || !strings.Contains(warns[0], "has multiple addresses; using "+tgt.Addr.String()) {
			t.Errorf("warnings %q", warns)
		}
		p.Prefetch(netip.MustParseAddr("192.0.2.25"))
		if got := p.Name(ctx, netip.MustParseAddr("192.0.2.25")); got != "mail.example.test" {
			t.Errorf("name %q", got)
		}
		if got := p.Name(ctx, netip.MustParseAddr("192.0.2.26")); got != "" {
			t.Errorf("address without PTR named %q", got)
		}
	})

	t.Run("unbound timeout budget", func(t *testing.T) {
		// A resolver whose upstream is silent: the stub times out first and names the server.
		port := dnstest.FreePort(t, loopback)
		dnstest.StartGarbage(t, netip.AddrPortFrom(loopback, port), dnstest.GarbageSilent)
		r := resolver(t, dns.Config{Server: dns.Server{Transport: dns.TransportAuto, Host: "127.0.0.1", Port: port}, Timeout: 300 * time.Millisecond})
		_, err := r.Resolve(ctx, "www.example.test")
		if !isTimeout(err) {
			t.Fatalf("err %v", err)
		}
	})
}

// stepZones lists the zones asked for qtype, in order, without repeats.
func stepZones(res *dns.Result, qtype string) string {
	var z []string
	for _, s := range res.Steps {
		if s.QType == qtype && s.QName == res.Name && (len(z) == 0 || z[len(z)-1] != s.Zone) {
			z = append(z, s.Zone)
		}
	}
	return strings.Join(z, " ")
}
