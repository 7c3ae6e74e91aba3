package probe

import (
	"context"
	"net/netip"
	"testing"

	"hopscope/internal/path"
)

// BenchmarkSessionRound is one round of hopscope trace -c (one probe per hop, no second chances) on an
// article-like path in virtual time: the scheduling, matching and model building of a round, and
// what it allocates, without sockets.
func BenchmarkSessionRound(b *testing.B) {
	net := newSimNet(articlePath(true)...)
	s, err := newSession(net, Flow{Method: path.ProtoICMP, Dst: netip.MustParseAddr("203.0.113.25"), ICMPID: 77}, ModeRaw,
		path.Target{Name: "example"}, Options{Config: Config{ProbesPerHop: 1, Now: net.Now}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r, err := s.Round(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Trace.Hops) != 17 {
			b.Fatalf("%d hops, want 17", len(r.Trace.Hops))
		}
	}
}
