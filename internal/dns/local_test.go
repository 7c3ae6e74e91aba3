package dns_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"hopscope/internal/dns"
	"hopscope/internal/dns/dnstest"
)

// articleZone is the article's DNS surprise with .test names: an alias with several addresses.
const articleZone = `
qq.test. 300 IN SOA ns1.qq.test. hostmaster.qq.test. 7 3600 600 86400 60
qq.test. 300 IN NS ns1.qq.test.
vweixinthumb.tc.qq.test. 600 IN CNAME socwxsns.video.qq.test.
socwxsns.video.qq.test. 60 IN A 198.51.100.25
socwxsns.video.qq.test. 60 IN A 198.51.100.26
socwxsns.video.qq.test. 60 IN A 198.51.100.27
socwxsns.video.qq.test. 60 IN AAAA 2001:db8:25::1
socwxsns.video.qq.test. 60 IN AAAA 2001:db8:25::2
1.2.0.192.in-addr.arpa. 300 IN PTR one.qq.test.
2.2.0.192.in-addr.arpa. 300 IN PTR two.qq.test.
`

var loopback = netip.MustParseAddr("127.0.0.1")

// startStatic serves zone on 127.0.0.1 and returns the server and its address.
func startStatic(t *testing.T, zone string) (*dnstest.Static, dns.Server) {
	t.Helper()
	s := dnstest.NewStatic(zone)
	port := dnstest.FreePort(t, loopback)
	dnstest.Serve(t, netip.AddrPortFrom(loopback, port), s)
	return s, dns.Server{Transport: dns.TransportAuto, Host: "127.0.0.1", Port: port}
}

func newResolver(t *testing.T, cfg dns.Config) *dns.Resolver {
	t.Helper()
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	r, err := dns.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func addrStrings(as []netip.Addr) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	slices.Sort(out)
	return out
}

func checkArticle(t *testing.T, res *dns.Result) {
	t.Helper()
	c := res.Chain
	// A caching resolver counts TTLs down: allow a few seconds off the zone's values.
	if len(c.Aliases) != 1 || c.Aliases[0].Name != "vweixinthumb.tc.qq.test." || c.Aliases[0].Target != "socwxsns.video.qq.test." || !ttlNear(c.Aliases[0].TTL, 600) {
		t.Fatalf("aliases = %+v, want vweixinthumb.tc.qq.test. → socwxsns.video.qq.test. ttl 600", c.Aliases)
	}
	if c.Canonical != "socwxsns.video.qq.test." {
		t.Fatalf("canonical = %q", c.Canonical)
	}
	want := []string{"198.51.100.25", "198.51.100.26", "198.51.100.27", "2001:db8:25::1", "2001:db8:25::2"}
	if got := addrStrings(c.Addrs()); !slices.Equal(got, want) {
		t.Fatalf("addresses = %v, want %v", got, want)
	}
	if a := c.Addrs(); !a[0].Is4() || !a[len(a)-1].Is6() {
		t.Fatalf("Addrs() not IPv4 first: %v", a)
	}
	for _, r := range c.Records {
		if !ttlNear(r.TTL, 60) || r.Name != "socwxsns.video.qq.test." {
			t.Fatalf("record %+v: want TTL 60 at the canonical name", r)
		}
	}
	if res.Outcome != dns.OutcomeAnswer || res.Rcode != "NOERROR" {
		t.Fatalf("outcome %s rcode %s", res.Outcome, res.Rcode)
	}
}

// ttlNear reports whether ttl is want or up to 10 s less (counted down in a resolver's cache).
func ttlNear(ttl, want uint32) bool { return ttl <= want && ttl+10 >= want }

func TestResolveStatic(t *testing.T) {
	static, srv := startStatic(t, articleZone)
	r := newResolver(t, dns.Config{Server: srv})
	ctx := context.Background()

	t.Run("article chain and authority", func(t *testing.T) {
		res, err := r.Resolve(ctx, "vweixinthumb.tc.qq.test")
		if err != nil {
			t.Fatal(err)
		}
		checkArticle(t, res)
		if res.Chain.Aliases[0].TTL != 600 || res.Chain.Records[0].TTL != 60 {
			t.Fatalf("TTLs changed on the way: %+v", res.Chain)
		}
		if res.Authority.Zone != "qq.test." || !slices.Equal(res.Authority.NS, []string{"ns1.qq.test."}) || res.Authority.SOA == nil || res.Authority.SOA.Serial != 7 {
			t.Fatalf("authority = %+v", res.Authority)
		}
		if res.AnsweredBy != srv.Address() || !res.RecursionAvailable || res.Authoritative {
			t.Fatalf("answered by %q ra %v aa %v", res.AnsweredBy, res.RecursionAvailable, res.Authoritative)
		}
		purposes := map[string]int{}
		for _, q := range res.Queries {
			purposes[q.Purpose]++
			if q.Transport != dns.TransportUDP || q.Err != "" || q.Size == 0 {
				t.Errorf("query %+v", q)
			}
		}
		if purposes["answer"] != 2 || purposes["authority"] != 2 {
			t.Fatalf("queries by purpose = %v, want 2 answer (A, AAAA) and 2 authority (SOA, NS)", purposes)
		}
		if res.DNSSEC.Status != dns.DNSSECInsecure {
			t.Fatalf("dnssec = %+v", res.DNSSEC)
		}
	})
	t.Run("Addresses skips authority", func(t *testing.T) {
		before := static.Queries.Load()
		c, err := r.Addresses(ctx, "vweixinthumb.tc.qq.test.")
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Addrs()) != 5 || c.Canonical != "socwxsns.video.qq.test." {
			t.Fatalf("chain = %+v", c)
		}
		if n := static.Queries.Load() - before; n != 2 {
			t.Fatalf("Addresses sent %d queries, want 2 (A and AAAA)", n)
		}
	})
	t.Run("Addresses of a literal", func(t *testing.T) {
		c, err := r.Addresses(ctx, "2001:db8::7")
		if err != nil || len(c.Addrs()) != 1 || c.Addrs()[0] != netip.MustParseAddr("2001:db8::7") {
			t.Fatalf("chain %+v err %v", c, err)
		}
	})
	t.Run("nxdomain", func(t *testing.T) {
		res, err := r.Resolve(ctx, "nope.qq.test")
		var ne *dns.NegativeError
		if !errors.As(err, &ne) || !errors.Is(err, dns.ErrNegative) || ne.Rcode != "NXDOMAIN" || ne.Zone != "qq.test." {
			t.Fatalf("err = %v", err)
		}
		if res.Outcome != dns.OutcomeNXDomain || res.Authority.SOA == nil {
			t.Fatalf("outcome %s authority %+v", res.Outcome, res.Authority)
		}
	})
	t.Run("nodata", func(t *testing.T) {
		res, err := r.Resolve(ctx, "socwxsns.video.qq.test", mdns.TypeMX)
		var ne *dns.NegativeError
		if !errors.As(err, &ne) || ne.Rcode != "NOERROR" || !strings.Contains(err.Error(), "NODATA") || res.Outcome != dns.OutcomeNoData {
			t.Fatalf("err = %v outcome %v", err, res.Outcome)
		}
	})
	t.Run("bad name", func(t *testing.T) {
		if _, err := r.Resolve(ctx, "a..b"); err == nil || !strings.Contains(err.Error(), "not a valid domain name") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestGarbageServers(t *testing.T) {
	tests := []struct {
		mode  string
		check func(error) bool
		want  string
	}{
		{dnstest.GarbageRandom, isTimeoutIgnoring, "ID mismatch"},
		{dnstest.GarbageWrongID, isTimeoutIgnoring, "ID mismatch"},
		{dnstest.GarbageSilent, isTimeout, "no answer from"},
		{dnstest.GarbageTruncated, isMalformed, "cannot parse"},
		{dnstest.GarbageQuery, isMalformed, "QR bit clear"},
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			port := dnstest.FreePort(t, loopback)
			dnstest.StartGarbage(t, netip.AddrPortFrom(loopback, port), tc.mode)
			const wait = 400 * time.Millisecond
			r := newResolver(t, dns.Config{Server: dns.Server{Transport: dns.TransportAuto, Host: "127.0.0.1", Port: port}, Timeout: wait})
			// The context allows far longer than the timeout: a TimeoutError (not a context error) shows
			// the resolver gave up on its own wait.
			ctx, cancel := context.WithTimeout(context.Background(), 20*wait)
			defer cancel()
			_, err := r.Resolve(ctx, "www.example.test")
			if err == nil || !tc.check(err) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), fmt.Sprintf("127.0.0.1:%d", port)) {
				t.Fatalf("err = %v, want a %s error naming the server", err, tc.want)
			}
			var te *dns.TimeoutError
			if errors.As(err, &te) && te.Wait != wait {
				t.Fatalf("timeout names wait %s, want %s", te.Wait, wait)
			}
		})
	}
	t.Run("nothing listening", func(t *testing.T) {
		port := dnstest.FreePort(t, loopback)
		r := newResolver(t, dns.Config{Server: dns.Server{Transport: dns.TransportUDP, Host: "127.0.0.1", Port: port}, Timeout: 5 * time.Second})
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_, err := r.Resolve(ctx, "www.example.test")
		if err == nil || !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("err = %v, want connection refused", err)
		}
	})
}

func isTimeout(err error) bool {
	var te *dns.TimeoutError
	return errors.As(err, &te)
}

func isTimeoutIgnoring(err error) bool {
	var te *dns.TimeoutError
	return errors.As(err, &te) && te.Ignored > 0
}

func isMalformed(err error) bool {
	var me *dns.MalformedError
	return errors.As(err, &me)
}

// tcOnUDP answers every UDP query with an empty truncated reply and TCP queries from zone.
type tcOnUDP struct {
	zone *dnstest.Static
}

func (h tcOnUDP) ServeDNS(w mdns.ResponseWriter, req *mdns.Msg) {
	if w.RemoteAddr().Network() == "udp" {
		m := new(mdns.Msg)
		m.SetReply(req)
		m.Truncated = true
		_ = w.WriteMsg(m)
		return
	}
	h.zone.ServeDNS(w, req)
}

func TestTruncationFallsBackToTCP(t *testing.T) {
	port := dnstest.FreePort(t, loopback)
	dnstest.Serve(t, netip.AddrPortFrom(loopback, port), tcOnUDP{dnstest.NewStatic(articleZone)})
	r := newResolver(t, dns.Config{Server: dns.Server{Transport: dns.TransportAuto, Host: "127.0.0.1", Port: port}})
	res, err := r.Resolve(context.Background(), "vweixinthumb.tc.qq.test")
	if err != nil {
		t.Fatal(err)
	}
	checkArticle(t, res)
	if q := res.Queries[0]; q.Transport != dns.TransportTCP {
		t.Fatalf("first query transport %s, want tcp after truncation", q.Transport)
	}
	// UDP only: the truncated reply is what the user asked for, with no answer.
	r = newResolver(t, dns.Config{Server: dns.Server{Transport: dns.TransportUDP, Host: "127.0.0.1", Port: port}, NoAuthority: true})
	res, err = r.Resolve(context.Background(), "vweixinthumb.tc.qq.test", mdns.TypeA)
	if !errors.Is(err, dns.ErrNegative) || !strings.Contains(res.Queries[0].Flags, "tc") {
		t.Fatalf("udp-only: err %v flags %q", err, res.Queries[0].Flags)
	}
}

// noEDNS answers FORMERR to any query with an OPT record, like servers from before RFC 6891.
type noEDNS struct{ zone *dnstest.Static }

func (h noEDNS) ServeDNS(w mdns.ResponseWriter, req *mdns.Msg) {
	if req.IsEdns0() != nil {
		m := new(mdns.Msg)
		m.SetRcode(req, mdns.RcodeFormatError)
		_ = w.WriteMsg(m)
		return
	}
	h.zone.ServeDNS(w, req)
}

func TestServerWithoutEDNS(t *testing.T) {
	port := dnstest.FreePort(t, loopback)
	dnstest.Serve(t, netip.AddrPortFrom(loopback, port), noEDNS{dnstest.NewStatic(articleZone)})
	r := newResolver(t, dns.Config{Server: dns.Server{Transport: dns.TransportAuto, Host: "127.0.0.1", Port: port}, NoAuthority: true})
	res, err := r.Resolve(context.Background(), "vweixinthumb.tc.qq.test")
	if err != nil {
		t.Fatal(err)
	}
	checkArticle(t, res)
	retries := 0
	for _, q := range res.Queries {
		if q.Purpose == "no-edns" {
			retries++
		}
	}
	if retries != 2 {
		t.Fatalf("%d retries without EDNS, want 2 (A and AAAA): %+v", retries, res.Queries)
	}
}

func TestEncryptedTransports(t *testing.T) {
	_, upstream := startStatic(t, articleZone)
	up := netip.AddrPortFrom(loopback, upstream.Port)
	ca := dnstest.NewCA(t)
	cert := ca.Leaf(t, []netip.Addr{loopback}, "dns.lab.test")
	dotPort := dnstest.FreePort(t, loopback)
	dnstest.StartDoT(t, netip.AddrPortFrom(loopback, dotPort), cert, up)
	dohURL := dnstest.StartDoH(t, cert, up)
	doh, err := dns.ParseServer(dohURL)
	if err != nil {
		t.Fatal(err)
	}
	trusted := &tls.Config{RootCAs: ca.Pool}
	tests := []struct {
		name    string
		server  dns.Server
		tls     *tls.Config
		wantErr string
	}{
		{"dot", dns.Server{Transport: dns.TransportTLS, Host: "127.0.0.1", Port: dotPort}, trusted, ""},
		{"doh", doh, trusted, ""},
		{"dot untrusted CA", dns.Server{Transport: dns.TransportTLS, Host: "127.0.0.1", Port: dotPort}, &tls.Config{}, "certificate"},
		{"doh untrusted CA", doh, &tls.Config{}, "certificate"},
		{"doh wrong path", dns.Server{Transport: dns.TransportHTTPS, Host: doh.Host, Port: doh.Port, Path: "/nope"}, trusted, "HTTP 404"},
		{"tcp to a TLS port", dns.Server{Transport: dns.TransportTCP, Host: "127.0.0.1", Port: dotPort}, nil, "127.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newResolver(t, dns.Config{Server: tc.server, TLS: tc.tls, Timeout: time.Second})
			res, err := r.Resolve(context.Background(), "vweixinthumb.tc.qq.test")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkArticle(t, res)
			if res.Queries[0].Transport != tc.server.Transport || res.AnsweredBy != tc.server.String() {
				t.Fatalf("transport %s answered by %s", res.Queries[0].Transport, res.AnsweredBy)
			}
		})
	}
}

// slowCounter answers after a pause and records the most queries it saw in flight.
type slowCounter struct {
	zone              *dnstest.Static
	inFlight, maxSeen atomic.Int64
}

func (h *slowCounter) ServeDNS(w mdns.ResponseWriter, req *mdns.Msg) {
	n := h.inFlight.Add(1)
	for {
		m := h.maxSeen.Load()
		if n <= m || h.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(20 * time.Millisecond)
	h.inFlight.Add(-1)
	h.zone.ServeDNS(w, req)
}

func TestReverseResolver(t *testing.T) {
	h := &slowCounter{zone: dnstest.NewStatic(articleZone)}
	port := dnstest.FreePort(t, loopback)
	dnstest.Serve(t, netip.AddrPortFrom(loopback, port), h)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	r := newResolver(t, dns.Config{Server: dns.Server{Transport: dns.TransportAuto, Host: "127.0.0.1", Port: port}, Now: clock})
	rr := dns.NewReverseResolver(r, 2)
	var addrs []netip.Addr
	for i := 1; i <= 8; i++ {
		addrs = append(addrs, netip.MustParseAddr(fmt.Sprintf("192.0.2.%d", i)))
	}
	addrs = append(addrs, addrs[0], netip.MustParseAddr("::ffff:192.0.2.2"))
	got := rr.LookupAddrs(context.Background(), addrs)
	want := map[netip.Addr]string{addrs[0]: "one.qq.test", addrs[1]: "two.qq.test"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("names = %v, want %v", got, want)
	}
	if q := h.zone.Queries.Load(); q != 8 {
		t.Fatalf("%d queries, want 8 (duplicates and mapped addresses share one)", q)
	}
	if m := h.maxSeen.Load(); m > 2 {
		t.Fatalf("%d queries in flight, want at most 2", m)
	}
	// Cached, names and absences alike.
	if again := rr.LookupAddrs(context.Background(), addrs); fmt.Sprint(again) != fmt.Sprint(want) || h.zone.Queries.Load() != 8 {
		t.Fatalf("second lookup: %v after %d queries", again, h.zone.Queries.Load())
	}
	// After the TTL (300 s) the names are asked again; the absences (5 min) too.
	now = now.Add(301 * time.Second)
	rr.LookupAddrs(context.Background(), addrs[:2])
	if q := h.zone.Queries.Load(); q != 10 {
		t.Fatalf("%d queries after expiry, want 10", q)
	}
}

func TestResolveAll(t *testing.T) {
	h := &slowCounter{zone: dnstest.NewStatic(articleZone)}
	static := h.zone
	port := dnstest.FreePort(t, loopback)
	dnstest.Serve(t, netip.AddrPortFrom(loopback, port), h)
	r := newResolver(t, dns.Config{Server: dns.Server{Transport: dns.TransportAuto, Host: "127.0.0.1", Port: port}, NoAuthority: true})
	var names []string
	for i := range 40 {
		if i%4 == 0 {
			names = append(names, fmt.Sprintf("missing%d.qq.test", i))
		} else {
			names = append(names, "vweixinthumb.tc.qq.test")
		}
	}
	next, neg := 0, 0
	r.ResolveAll(context.Background(), names, []uint16{mdns.TypeA}, 5, func(i int, res *dns.Result, err error) {
		if i != next {
			t.Fatalf("emitted %d, want %d (input order)", i, next)
		}
		next++
		if strings.HasPrefix(names[i], "missing") {
			if !errors.Is(err, dns.ErrNegative) {
				t.Errorf("%s: err %v", names[i], err)
			}
			neg++
			return
		}
		if err != nil || len(res.Chain.Addrs()) != 3 {
			t.Errorf("%s: %v %v", names[i], err, res.Chain.Addrs())
		}
	})
	if next != 40 || neg != 10 || static.Queries.Load() != 40 {
		t.Fatalf("emitted %d, negative %d, queries %d", next, neg, static.Queries.Load())
	}
	// Each answer takes 20 ms: with 40 names and 5 allowed, several must have been in flight together.
	if m := h.maxSeen.Load(); m < 2 || m > 5 {
		t.Fatalf("%d queries in flight at most, want 2 to 5", m)
	}
}
