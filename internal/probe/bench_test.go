package probe

import (
	"context"
	"testing"

	"hopscope/internal/path"
)

func BenchmarkBuildPacket(b *testing.B) {
	f := testFlow(path.ProtoUDP, false, false)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := BuildPacket(f, Probe{Seq: uint16(i%60000 + 1), TTL: i%30 + 1, Flow: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseAndMatch is the per-packet receive path of a raw socket: parse an ICMP time exceeded
// with an MPLS extension and match it to a probe.
func BenchmarkParseAndMatch(b *testing.B) {
	f := testFlow(path.ProtoUDP, false, false)
	pkt := seedPackets(false)["udp-mpls-rfc4884"]
	b.ReportAllocs()
	for b.Loop() {
		m, err := ParseICMPv4(pkt)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := f.Match(m); !ok {
			b.Fatal("no match")
		}
	}
}

// BenchmarkTracerArticle schedules and matches a whole article-like trace in virtual time.
func BenchmarkTracerArticle(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		net := newSimNet(articlePath(true)...)
		tr, err := NewTracer(Config{Now: net.Now})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tr.Run(context.Background(), net); err != nil {
			b.Fatal(err)
		}
	}
}
