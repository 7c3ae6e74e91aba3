package probe

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"hopscope/internal/path"
)

// simMTU is a path of links with MTUs: link i leads from hop i to hop i+1 (link 0 from the source to
// hop 1); the router at hop i reports link i's MTU when a probe is too big for it.
type simMTU struct {
	links   []int  // MTU of each link
	quiet   []bool // routers that send no ICMP errors (drop too-big probes silently)
	noMTU   bool   // routers report too-big without a next-hop MTU (pre-RFC 1191)
	sizes   []int
	sendErr error
}

func (s *simMTU) ProbeMTU(size, ttl int, _ time.Time) (MTUReply, error) {
	s.sizes = append(s.sizes, size)
	if s.sendErr != nil {
		return MTUReply{}, s.sendErr
	}
	if size > s.links[0] {
		return MTUReply{Kind: MTUTooBig, MTU: s.links[0]}, nil
	}
	for hop := 1; hop < ttl && hop < len(s.links); hop++ {
		if size > s.links[hop] {
			if hop < len(s.quiet) && s.quiet[hop] {
				return MTUReply{Kind: MTUTimeout}, nil
			}
			r := MTUReply{Kind: MTUTooBig, From: netip.AddrFrom4([4]byte{10, 0, byte(hop), 1}), MTU: s.links[hop]}
			if s.noMTU {
				r.MTU = 0
			}
			return r, nil
		}
	}
	return MTUReply{Kind: MTUPassed}, nil
}

func TestDiscoverMTU(t *testing.T) {
	hop := func(a netip.Addr) int { return int(a.As4()[2]) }
	tests := []struct {
		name      string
		net       simMTU
		start     int
		want      int
		complete  bool
		wantDrops []path.MTUDrop
		wantNote  string
		wantSizes []int
	}{
		{name: "no drop", net: simMTU{links: []int{1500, 1500, 1500, 1500}}, start: 1500, want: 1500, complete: true, wantSizes: []int{1500}},
		{name: "1400 after hop 2", net: simMTU{links: []int{1500, 1500, 1400, 1500}}, start: 1500, want: 1400, complete: true,
			wantDrops: []path.MTUDrop{{TTL: 2, From: netip.MustParseAddr("10.0.2.1"), MTU: 1400}}, wantSizes: []int{1500, 1400}},
		{name: "two drops", net: simMTU{links: []int{9000, 1500, 1480, 1400}}, start: 9000, want: 1400, complete: true,
			wantDrops: []path.MTUDrop{{TTL: 1, From: netip.MustParseAddr("10.0.1.1"), MTU: 1500}, {TTL: 2, From: netip.MustParseAddr("10.0.2.1"), MTU: 1480},
				{TTL: 3, From: netip.MustParseAddr("10.0.3.1"), MTU: 1400}}, wantSizes: []int{9000, 1500, 1480, 1400}},
		{name: "the local route is smaller than the start", net: simMTU{links: []int{1400, 1500}}, start: 1500, want: 1400, complete: true, wantSizes: []int{1500, 1400}},
		{name: "no next-hop MTU: RFC 1191 plateaus", net: simMTU{links: []int{1500, 1500, 1400, 1500}, noMTU: true}, start: 1500, want: 1280, complete: true,
			wantDrops: []path.MTUDrop{{TTL: 2, From: netip.MustParseAddr("10.0.2.1"), MTU: 1280}},
			wantSizes: []int{1500, 1492, 1280}},
		{name: "black hole: two tries, then a note", net: simMTU{links: []int{1500, 1500, 1400, 1500}, quiet: []bool{false, false, true}}, start: 1500, want: 1500,
			wantNote: "no answer to 1500-byte probes", wantSizes: []int{1500, 1500}},
		{name: "send error", net: simMTU{links: []int{1500}, sendErr: errors.New("boom")}, start: 1500, want: 1500, wantNote: "boom", wantSizes: []int{1500}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := DiscoverMTU(context.Background(), &tc.net, MTUConfig{Start: tc.start, TTL: 4, Hop: hop})
			if got.MTU != tc.want || got.Complete != tc.complete {
				t.Errorf("MTU %d complete %v, want %d %v (note %q)", got.MTU, got.Complete, tc.want, tc.complete, got.Note)
			}
			if !slices.Equal(got.Drops, tc.wantDrops) {
				t.Errorf("drops %+v, want %+v", got.Drops, tc.wantDrops)
			}
			if !strings.Contains(got.Note, tc.wantNote) || (tc.wantNote == "") != (got.Note == "") {
				t.Errorf("note %q, want one containing %q", got.Note, tc.wantNote)
			}
			if !slices.Equal(tc.net.sizes, tc.wantSizes) {
				t.Errorf("sizes tried %v, want %v", tc.net.sizes, tc.wantSizes)
			}
		})
	}
}

func TestMTUTTL(t *testing.T) {
	a := netip.MustParseAddr
	hop := func(ttl int, from string) path.Hop {
		h := path.Hop{TTL: ttl}
		if from != "" {
			h.AddProbe(path.Probe{Status: path.StatusReply, From: a(from)}, "")
		}
		return h
	}
	reached := &path.Trace{Target: path.Target{Addr: a("203.0.113.9")}, Hops: []path.Hop{hop(1, "10.0.0.1"), hop(2, ""), hop(3, "203.0.113.9")}}
	silentEnd := &path.Trace{Target: path.Target{Addr: a("203.0.113.9")}, Hops: []path.Hop{hop(1, "10.0.0.1"), hop(2, "10.0.0.2"), hop(3, ""), hop(4, "")}}
	nothing := &path.Trace{Target: path.Target{Addr: a("203.0.113.9")}, Hops: []path.Hop{hop(1, "")}}
	for _, tc := range []struct {
		name string
		tr   *path.Trace
		want int
	}{{"target answered", reached, 3}, {"target silent: last responder", silentEnd, 2}, {"nothing answered", nothing, 0}} {
		if got := mtuTTL(tc.tr); got != tc.want {
			t.Errorf("%s: mtuTTL = %d, want %d", tc.name, got, tc.want)
		}
	}
	if got := hopOf(silentEnd)(a("10.0.0.2")); got != 2 {
		t.Errorf("hopOf(10.0.0.2) = %d, want 2", got)
	}
	if got := hopOf(silentEnd)(a("10.9.9.9")); got != 0 {
		t.Errorf("hopOf(unknown) = %d, want 0", got)
	}
}
