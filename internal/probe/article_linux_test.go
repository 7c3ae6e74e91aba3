package probe

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"hopscope/internal/netlab"
	"hopscope/internal/path"
)

// TestLabArticle traces the article-like lab to the first address of the target name: the 17 hops
// with their names, the 4 silent routers, both ECMP branches at hops 13-14 with varied UDP flows and
// one when pinned, and RTTs that follow the configured delays. (Resolving the name, its CNAME chain
// and every address, is internal/dns's, tested there.)
func TestLabArticle(t *testing.T) {
	spec := netlab.Article(netlab.ArticleOptions{})
	l := netlab.New(t, spec)
	want, err := netlab.ExpectedHops(spec, netlab.ArticleClient, netlab.ArticleDestination)
	if err != nil {
		t.Fatal(err)
	}
	target := path.Target{Name: netlab.ArticleTargetName, Addr: netip.MustParseAddr(netlab.ArticleTarget4)}

	for _, tc := range []struct {
		name   string
		method path.Protocol
		vary   bool
		n      int
	}{
		{"icmp pinned", path.ProtoICMP, false, 3},
		{"udp pinned", path.ProtoUDP, false, 3},
		{"udp varied", path.ProtoUDP, true, 12},
		{"tcp varied", path.ProtoTCP, true, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			tr := labTrace(t, l, target.Addr, Options{Config: Config{ProbesPerHop: tc.n, Vary: tc.vary}, Method: tc.method})
			t.Logf("traced in %v", time.Since(start))
			if len(tr.Hops) != len(want) {
				t.Fatalf("%d hops, want %d", len(tr.Hops), len(want))
			}
			for i, w := range want {
				h := tr.Hops[i]
				var wantAddrs []netip.Addr
				silent := true
				for _, r := range w.Responders {
					if !r.Silent {
						silent = false
						wantAddrs = append(wantAddrs, r.Addr4)
					}
				}
				if i == len(want)-1 {
					wantAddrs, silent = []netip.Addr{target.Addr}, false
				}
				if silent {
					if !h.Silent() {
						t.Errorf("hop %d: responders %v, want silent", h.TTL, h.Responders)
					}
					continue
				}
				var got []netip.Addr
				for _, r := range h.Responders {
					got = append(got, r.Addr)
				}
				slices.SortFunc(got, netip.Addr.Compare)
				slices.SortFunc(wantAddrs, netip.Addr.Compare)
				switch {
				case len(wantAddrs) > 1 && !tc.vary:
					if len(got) != 1 || !slices.Contains(wantAddrs, got[0]) {
						t.Errorf("hop %d (pinned ECMP): %v, want one of %v", h.TTL, got, wantAddrs)
					}
				case !slices.Equal(got, wantAddrs):
					t.Errorf("hop %d: %v, want %v", h.TTL, got, wantAddrs)
				}
				for _, r := range h.Responders {
					for _, wr := range w.Responders {
						if wr.Addr4 == r.Addr && r.Name != wr.Name4 {
							t.Errorf("hop %d: name %q, want %q", h.TTL, r.Name, wr.Name4)
						}
					}
				}
				// RTTs follow the configured delays: never below them, and the fastest probe within 150 ms of
				// them (stack and relay time; the others may wait for a CPU on a loaded machine).
				s := h.Summarize(netip.Addr{})
				minRTT := w.Responders[0].RTT
				if !s.OK || s.Min < minRTT-time.Millisecond || s.Min > minRTT+150*time.Millisecond {
					t.Errorf("hop %d: RTT %v..%v (median %v), configured %v", h.TTL, s.Min, s.Max, s.Median, minRTT)
				}
			}
		})
	}
}
