package dns_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"hopscope/internal/dns"
	"hopscope/internal/dns/dnstest"
)

// targetZone is a trace target behind an alias with addresses of both families, and names with one.
const targetZone = `
example. 300 IN SOA ns.example. hostmaster.example. 1 3600 600 86400 60
vweixinthumb.tc.example. 300 IN CNAME socwxsns.video.example.
socwxsns.video.example. 300 IN A 203.0.113.25
socwxsns.video.example. 300 IN A 203.0.113.26
socwxsns.video.example. 300 IN AAAA 2001:db8:ff::25
v6only.example. 300 IN AAAA 2001:db8::6
one.example. 300 IN A 192.0.2.1
6.2.0.192.in-addr.arpa. 300 IN PTR lag-10.nenly00z.rbci.orange.example.
`

// aliasOnly answers a query for an alias with the CNAME alone, as an authority does for a target
// outside its zones, so the resolver has to ask again for the canonical name.
type aliasOnly struct{ byName map[string][]mdns.RR }

func newAliasOnly(zone string) aliasOnly {
	h := aliasOnly{byName: map[string][]mdns.RR{}}
	zp := mdns.NewZoneParser(strings.NewReader(zone), ".", "alias-only")
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		k := strings.ToLower(rr.Header().Name)
		h.byName[k] = append(h.byName[k], rr)
	}
	return h
}

func (h aliasOnly) ServeDNS(w mdns.ResponseWriter, req *mdns.Msg) {
	m := new(mdns.Msg)
	m.SetReply(req)
	q := req.Question[0]
	for _, rr := range h.byName[strings.ToLower(q.Name)] {
		if _, cname := rr.(*mdns.CNAME); cname || rr.Header().Rrtype == q.Qtype {
			m.Answer = append(m.Answer, rr)
		}
	}
	if _, ok := h.byName[strings.ToLower(q.Name)]; !ok {
		m.Rcode = mdns.RcodeNameError
	}
	_ = w.WriteMsg(m)
}

// serveLoopback runs handler on a free loopback port and returns its address.
func serveLoopback(t *testing.T, handler mdns.Handler) netip.AddrPort {
	t.Helper()
	ap := netip.AddrPortFrom(loopback, dnstest.FreePort(t, loopback))
	dnstest.Serve(t, ap, handler)
	return ap
}

func newPathResolver(t *testing.T, cfg dns.PathConfig) *dns.PathResolver {
	t.Helper()
	p, err := dns.NewPathResolver(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPathTarget(t *testing.T) {
	servers := map[string]netip.AddrPort{
		"recursive":  serveLoopback(t, dnstest.NewStatic(targetZone)),
		"alias-only": serveLoopback(t, newAliasOnly(targetZone)),
	}
	tests := []struct {
		name, host string
		fam        dns.Family
		wantAddr   string
		wantChain  []string
		wantOther  int
		wantWarn   bool
		wantErr    error
	}{
		{name: "alias with several addresses", host: "vweixinthumb.tc.example", wantAddr: "203.0.113.25",
			wantChain: []string{"socwxsns.video.example"}, wantOther: 2, wantWarn: true},
		{name: "IPv6 only", host: "vweixinthumb.tc.example.", fam: dns.IPv6Only, wantAddr: "2001:db8:ff::25",
			wantChain: []string{"socwxsns.video.example"}, wantOther: 2, wantWarn: true},
		{name: "single address", host: "one.example", wantAddr: "192.0.2.1"},
		{name: "IPv6 when there is no IPv4", host: "v6only.example", wantAddr: "2001:db8::6"},
		{name: "no IPv4 address", host: "v6only.example", fam: dns.IPv4Only, wantErr: dns.ErrNoAddress},
		{name: "address literal", host: "198.51.100.9", wantAddr: "198.51.100.9"},
		{name: "bracketed IPv6 literal", host: "[2001:db8::1]", wantAddr: "2001:db8::1"},
		{name: "mapped literal", host: "::ffff:198.51.100.9", fam: dns.IPv4Only, wantAddr: "198.51.100.9"},
		{name: "literal of the wrong family", host: "198.51.100.9", fam: dns.IPv6Only, wantErr: dns.ErrNoAddress},
		{name: "name that does not exist", host: "missing.example", wantErr: dns.ErrNegative},
	}
	for kind, srv := range servers {
		for _, tc := range tests {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				p := newPathResolver(t, dns.PathConfig{Server: srv.String(), Family: tc.fam})
				tgt, warns, err := p.Target(ctx, tc.host)
				if tc.wantErr != nil {
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("err %v, want %v", err, tc.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if tgt.Addr != netip.MustParseAddr(tc.wantAddr) || !slices.Equal(tgt.Aliases, tc.wantChain) || len(tgt.OtherAddrs) != tc.wantOther {
					t.Errorf("target %+v", tgt)
				}
				if len(tc.wantChain) > 0 && tgt.Canonical != tc.wantChain[len(tc.wantChain)-1] {
					t.Errorf("canonical %q", tgt.Canonical)
				}
				if (len(warns) == 1) != tc.wantWarn || tc.wantWarn && !strings.Contains(warns[0], "has multiple addresses; using "+tc.wantAddr) {
					t.Errorf("warnings %q", warns)
				}
			})
		}
	}
}

// loopbackSystem is a system resolver whose every query goes to the DNS server at ap on loopback.
func loopbackSystem(ap netip.AddrPort) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, ap.String())
	}}
}

func TestPathSystemFallback(t *testing.T) {
	sys := loopbackSystem(serveLoopback(t, dnstest.NewStatic(targetZone)))
	dir := t.TempDir()
	// A port nothing listens on: the query is refused at once.
	dead := netip.AddrPortFrom(loopback, dnstest.FreePort(t, loopback))
	for _, tc := range []struct {
		name string
		cfg  dns.PathConfig
	}{
		{"server that does not answer", dns.PathConfig{Server: dead.String(), System: sys, Timeout: 200 * time.Millisecond}},
		{"no resolv.conf", dns.PathConfig{ResolvConf: filepath.Join(dir, "missing"), System: sys}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			p := newPathResolver(t, tc.cfg)
			tgt, _, err := p.Target(ctx, "vweixinthumb.tc.example")
			if err != nil {
				t.Fatal(err)
			}
			if tgt.Addr != netip.MustParseAddr("203.0.113.25") || tgt.Canonical != "socwxsns.video.example" || len(tgt.OtherAddrs) != 2 {
				t.Errorf("target %+v", tgt)
			}
			if got := p.Name(ctx, netip.MustParseAddr("192.0.2.6")); got != "lag-10.nenly00z.rbci.orange.example" {
				t.Errorf("name %q", got)
			}
		})
	}
	t.Run("both fail", func(t *testing.T) {
		p := newPathResolver(t, dns.PathConfig{Server: dead.String(), System: sys, Timeout: 200 * time.Millisecond})
		_, _, err := p.Target(context.Background(), "missing.example")
		if err == nil || !strings.Contains(err.Error(), "no DNS server at") || !strings.Contains(err.Error(), "system resolver") {
			t.Errorf("err %v, want both failures", err)
		}
	})
}

func TestNewPathResolverErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  dns.PathConfig
		want string
	}{
		{"missing resolv.conf", dns.PathConfig{ResolvConf: filepath.Join(t.TempDir(), "missing")}, "read "},
		{"resolv.conf without nameserver", dns.PathConfig{ResolvConf: "testdata/resolv-empty.conf"}, "no nameserver"},
		{"unreadable server", dns.PathConfig{Server: "ftp://192.0.2.53"}, "unknown scheme"},
		{"negative timeout", dns.PathConfig{Server: "192.0.2.53", Timeout: -1}, "negative timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dns.NewPathResolver(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// silentFor drops queries for one reverse name and passes the others to next.
type silentFor struct {
	name string
	next mdns.Handler
}

func (h silentFor) ServeDNS(w mdns.ResponseWriter, req *mdns.Msg) {
	if strings.EqualFold(req.Question[0].Name, h.name) {
		return
	}
	h.next.ServeDNS(w, req)
}

func TestPathNames(t *testing.T) {
	static := dnstest.NewStatic(targetZone)
	srv := serveLoopback(t, silentFor{name: "7.2.0.192.in-addr.arpa.", next: static})
	p := newPathResolver(t, dns.PathConfig{Server: srv.String(), Timeout: 100 * time.Millisecond})
	a, slow := netip.MustParseAddr("192.0.2.6"), netip.MustParseAddr("192.0.2.7")
	p.Prefetch(a)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if got := p.Name(context.Background(), a); got != "lag-10.nenly00z.rbci.orange.example" {
				t.Errorf("name %q", got)
			}
		})
	}
	wg.Wait()
	if got := p.Name(context.Background(), netip.MustParseAddr("::ffff:192.0.2.6")); got != "lag-10.nenly00z.rbci.orange.example" {
		t.Errorf("mapped address: name %q", got)
	}
	if got := static.Queries.Load(); got != 1 {
		t.Errorf("%d queries for one address asked 22 times, want 1", got)
	}
	// A server that never answers: the lookup gives up after its timeouts, and a caller that stops
	// waiting earlier gets no name.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if got := p.Name(ctx, slow); got != "" {
		t.Errorf("caller that stopped waiting got %q", got)
	}
	if got := p.Name(context.Background(), slow); got != "" {
		t.Errorf("silent server gave %q", got)
	}
	if p.Name(context.Background(), netip.Addr{}) != "" {
		t.Error("name for the zero address")
	}
}
