package mda

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"hopscope/internal/probe"
)

// simNet is a simulated network behind a probe.Conn, on a simulated clock: routers named by their
// address, each with its next hops toward the destination, chosen per flow by a hash as a per-flow
// load balancer does. A probe with TTL t gets its reply from the router t hops away on its flow's
// path, after 1 ms per hop each way.
type simNet struct {
	t    testing.TB
	now  time.Time
	next map[string][]string // router → next hops ("" or absent: none)
	// first is the router at TTL 1; dest the destination's address.
	first, dest string
	// src, when set, are the routers at TTL 1, chosen per flow: the source itself balances.
	src    []string
	silent map[string]bool
	// slow delays a router's replies by this much on top of the path's RTT.
	slow  map[string]time.Duration
	seed  uint64
	queue []probe.Reply
	sent  int
}

// newSimNet builds a network from lines "a > b c" (a's next hops are b and c), the first router
// of the first line being hop 1 and dest the destination.
func newSimNet(t testing.TB, dest string, lines ...string) *simNet {
	s := &simNet{t: t, now: time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC), next: map[string][]string{}, dest: dest,
		silent: map[string]bool{}, slow: map[string]time.Duration{}}
	for i, l := range lines {
		from, to, ok := strings.Cut(l, ">")
		if !ok {
			t.Fatalf("sim line %q: want \"a > b c\"", l)
		}
		from = strings.TrimSpace(from)
		if i == 0 {
			s.first = from
		}
		s.next[from] = strings.Fields(to)
	}
	return s
}

// mix is splitmix64's finalizer: neighbouring flow numbers get unrelated hashes, as a router's hash
// function gives them.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func (s *simNet) clock() time.Time { return s.now }

// hop returns the router flow f reaches at ttl, and false when its path ended before.
func (s *simNet) hop(flow, ttl int) (string, bool) {
	cur := s.first
	if len(s.src) > 0 {
		cur = s.src[mix(s.seed^mix(uint64(flow)))%uint64(len(s.src))]
	}
	for i := 1; i < ttl; i++ {
		if cur == s.dest {
			return cur, true
		}
		nh := s.next[cur]
		if len(nh) == 0 {
			return "", false
		}
		h := fnv.New64a()
		h.Write([]byte(cur))
		cur = nh[mix(h.Sum64()^mix(s.seed^uint64(flow)))%uint64(len(nh))]
	}
	return cur, true
}

// Send queues the reply to p.
func (s *simNet) Send(p probe.Probe) error {
	s.sent++
	r, ok := s.hop(p.Flow, p.TTL)
	if !ok || s.silent[r] {
		return nil
	}
	kind := probe.KindTimeExceeded
	if r == s.dest {
		kind = probe.KindReached
	}
	s.queue = append(s.queue, probe.Reply{Seq: p.Seq, Kind: kind, From: netip.MustParseAddr(r),
		At: s.now.Add(time.Duration(2*p.TTL)*time.Millisecond + s.slow[r])})
	return nil
}

// Recv returns the earliest queued reply due by deadline, moving the clock to it, or moves the clock
// to deadline.
func (s *simNet) Recv(deadline time.Time) (probe.Reply, error) {
	best := -1
	for i, r := range s.queue {
		if !r.At.After(deadline) && (best < 0 || r.At.Before(s.queue[best].At)) {
			best = i
		}
	}
	if best < 0 {
		if deadline.After(s.now) {
			s.now = deadline
		}
		return probe.Reply{}, fmt.Errorf("sim: %w", os.ErrDeadlineExceeded)
	}
	r := s.queue[best]
	s.queue = slices.Delete(s.queue, best, best+1)
	if r.At.After(s.now) {
		s.now = r.At
	}
	return r, nil
}

func addr4(a, b, c, d byte) netip.Addr { return netip.AddrFrom4([4]byte{a, b, c, d}) }
