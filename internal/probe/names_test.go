package probe

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"hopscope/internal/path"
)

// fakeNamer names from a map, records what it was asked, and never answers for addresses in hang.
type fakeNamer struct {
	names map[netip.Addr]string
	hang  map[netip.Addr]bool

	mu       sync.Mutex
	prefetch []netip.Addr
}

func (f *fakeNamer) Prefetch(a netip.Addr) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Contains(f.prefetch, a) {
		f.prefetch = append(f.prefetch, a)
	}
}

func (f *fakeNamer) Name(ctx context.Context, a netip.Addr) string {
	if f.hang[a] {
		<-ctx.Done()
		return ""
	}
	return f.names[a]
}

func TestNamesPrefetchedAsRepliesArrive(t *testing.T) {
	r1, r2, dst := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.1.1"), netip.MustParseAddr("203.0.113.25")
	net := newSimNet(simHop{from: []netip.Addr{r1}, rtt: time.Millisecond}, simHop{}, simHop{from: []netip.Addr{r2}, rtt: 2 * time.Millisecond},
		simHop{from: []netip.Addr{dst}, rtt: 3 * time.Millisecond, target: true})
	names := &fakeNamer{}
	tracer, err := NewTracer(Config{Now: net.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tracer.Run(context.Background(), prefetchConn{Conn: net, names: names}); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(names.prefetch, netip.Addr.Compare)
	if want := []netip.Addr{r1, r2, dst}; !slices.Equal(names.prefetch, want) {
		t.Errorf("prefetched %v, want %v (once each, silent hop none)", names.prefetch, want)
	}
}

func TestName(t *testing.T) {
	a, b, slow := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.1.1"), netip.MustParseAddr("10.0.2.1")
	names := &fakeNamer{names: map[netip.Addr]string{a: "r1.example", b: "r2.example"}, hang: map[netip.Addr]bool{slow: true}}
	tests := []struct {
		name string
		hops []path.Hop
		want []string
	}{
		{name: "names filled", hops: []path.Hop{{TTL: 1, Responders: []path.Responder{{Addr: a}}}, {TTL: 2, Responders: []path.Responder{{Addr: b}}}},
			want: []string{"r1.example", "r2.example"}},
		{name: "a name already known is kept", hops: []path.Hop{{TTL: 1, Responders: []path.Responder{{Addr: a, Name: "given.example"}}}},
			want: []string{"given.example"}},
		{name: "a lookup that does not end leaves its hop unnamed, not the others",
			hops: []path.Hop{{TTL: 1, Responders: []path.Responder{{Addr: slow}, {Addr: a}}}, {TTL: 2}},
			want: []string{"", "r1.example"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := &path.Trace{Hops: tc.hops}
			Name(context.Background(), tr, names, 50*time.Millisecond)
			var got []string
			for _, h := range tr.Hops {
				for _, r := range h.Responders {
					got = append(got, r.Name)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("names %q, want %q", got, tc.want)
			}
		})
	}
}
