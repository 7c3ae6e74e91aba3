package dns

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	mdns "github.com/miekg/dns"

	"hopscope/internal/dns/dnstest"
)

func BenchmarkBuildQuery(b *testing.B) {
	subnet := netip.MustParsePrefix("203.0.113.0/24")
	b.ReportAllocs()
	for b.Loop() {
		m := buildQuery(0x1234, "vweixinthumb.tc.qq.test.", mdns.TypeA, queryOpts{recurse: true, subnet: subnet, nsid: true})
		if _, err := m.Pack(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseReply(b *testing.B) {
	wire := seedReplies(b)["answer.bin"]
	q := seedQuery()
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseReply(wire, q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFollow(b *testing.B) {
	var lines []string
	for i := range 8 {
		lines = append(lines, fmt.Sprintf("c%d.test. 60 IN CNAME c%d.test.", i, i+1))
	}
	for i := range 4 {
		lines = append(lines, fmt.Sprintf("c8.test. 60 IN A 192.0.2.%d", i+1))
	}
	answer := rrs(lines...)
	b.ReportAllocs()
	for b.Loop() {
		seen := map[string]bool{"c0.test.": true}
		_, canon, recs, _, err := follow("c0.test.", mdns.TypeA, answer, seen, []string{"c0.test."}, 16)
		if err != nil || canon != "c8.test." || len(recs) != 4 {
			b.Fatal(canon, recs, err)
		}
	}
}

// BenchmarkResolveLoopback measures one full A resolution (exchange, checks, chain) against an
// in-process server on loopback.
func BenchmarkResolveLoopback(b *testing.B) {
	zone := strings.Join([]string{
		"www.bench.test. 300 IN CNAME edge.bench.test.",
		"edge.bench.test. 60 IN A 192.0.2.1",
		"edge.bench.test. 60 IN A 192.0.2.2",
	}, "\n")
	lo := netip.MustParseAddr("127.0.0.1")
	port := dnstest.FreePort(b, lo)
	dnstest.Serve(b, netip.AddrPortFrom(lo, port), dnstest.NewStatic(zone))
	r, err := New(Config{Server: Server{Transport: TransportAuto, Host: "127.0.0.1", Port: port}, NoAuthority: true})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := r.Resolve(ctx, "www.bench.test", mdns.TypeA)
		if err != nil || len(res.Chain.Records) != 2 {
			b.Fatal(err)
		}
	}
}
