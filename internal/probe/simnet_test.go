package probe

import (
	"container/heap"
	"fmt"
	"net/netip"
	"os"
	"time"
)

// simHop is one TTL of a simulated path: responders by flow (a single responder when len is 1;
// none for a silent hop), the RTT, and whether the hop is the target.
type simHop struct {
	from   []netip.Addr
	rtt    time.Duration
	target bool
}

// simNet is a Conn over a simulated path with a fake clock: Recv advances the clock to the next
// reply or the deadline, so the scheduler runs in virtual time.
type simNet struct {
	now    time.Time
	hops   []simHop // index ttl-1; TTLs beyond the end behave like the last hop
	queue  replyQueue
	sent   []Probe
	extra  func(p Probe, at time.Time) []Reply // injected additional replies (dups, strays)
	dropFn func(p Probe) bool
	// rewrites, when set, gives the Rewrites of the reply to p (a NAT on the path).
	rewrites func(p Probe) []string
}

func newSimNet(hops ...simHop) *simNet {
	return &simNet{now: time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC), hops: hops}
}

func (s *simNet) Now() time.Time { return s.now }

func (s *simNet) Send(p Probe) error {
	s.sent = append(s.sent, p)
	h := s.hops[min(p.TTL, len(s.hops))-1]
	if s.extra != nil {
		for _, r := range s.extra(p, s.now) {
			heap.Push(&s.queue, r)
		}
	}
	if len(h.from) == 0 || (s.dropFn != nil && s.dropFn(p)) {
		return nil
	}
	kind := KindTimeExceeded
	if h.target {
		kind = KindReached
	}
	from := h.from[(p.Flow-1)%len(h.from)]
	r := Reply{Seq: p.Seq, Kind: kind, From: from, At: s.now.Add(h.rtt), ReplyTTL: 64 - p.TTL}
	if s.rewrites != nil {
		r.Rewrites = s.rewrites(p)
	}
	heap.Push(&s.queue, r)
	return nil
}

func (s *simNet) Recv(deadline time.Time) (Reply, error) {
	if len(s.queue) > 0 && !s.queue[0].At.After(deadline) {
		r := heap.Pop(&s.queue).(Reply)
		if r.At.After(s.now) {
			s.now = r.At
		}
		return r, nil
	}
	if deadline.After(s.now) {
		s.now = deadline
	}
	return Reply{}, fmt.Errorf("sim: %w", os.ErrDeadlineExceeded)
}

type replyQueue []Reply

func (q replyQueue) Len() int           { return len(q) }
func (q replyQueue) Less(i, j int) bool { return q[i].At.Before(q[j].At) }
func (q replyQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *replyQueue) Push(x any)        { *q = append(*q, x.(Reply)) }
func (q *replyQueue) Pop() any {
	old := *q
	r := old[len(old)-1]
	*q = old[:len(old)-1]
	return r
}

// articlePath mirrors the article: 7 fast hops, a silent hop, a long haul, ECMP at 13, silent 15+.
func articlePath(targetAnswers bool) []simHop {
	a := func(s string) []netip.Addr { return []netip.Addr{netip.MustParseAddr(s)} }
	ms := time.Millisecond
	hops := []simHop{
		{from: a("10.0.1.1"), rtt: 4 * ms},
		{from: a("10.0.2.1"), rtt: 6 * ms},
		{from: a("10.0.3.1"), rtt: 5 * ms},
		{from: a("10.0.4.1"), rtt: 6 * ms},
		{from: a("10.0.5.1"), rtt: 5 * ms},
		{from: a("10.0.6.1"), rtt: 6 * ms},
		{from: a("10.0.7.1"), rtt: 5 * ms},
		{from: a("10.0.8.1"), rtt: 7 * ms},
		{from: a("10.0.9.1"), rtt: 130 * ms},
		{},
		{from: a("10.0.11.1"), rtt: 150 * ms},
		{},
		{from: []netip.Addr{netip.MustParseAddr("10.0.13.1"), netip.MustParseAddr("10.0.13.2")}, rtt: 160 * ms},
		{from: a("10.0.14.1"), rtt: 165 * ms},
		{},
		{},
	}
	if targetAnswers {
		hops = append(hops, simHop{from: a("203.0.113.25"), rtt: 170 * ms, target: true})
	} else {
		hops = append(hops, simHop{})
	}
	return hops
}
