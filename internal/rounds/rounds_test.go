package rounds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"hopscope/internal/path"
	"hopscope/internal/probe"
)

const ms = time.Millisecond

var (
	target = netip.MustParseAddr("203.0.113.25")
	t0     = time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
)

// hopAddr is the responder of hop ttl on the fake path (the target at the last hop).
func hopAddr(ttl, last int) netip.Addr {
	if ttl == last {
		return target
	}
	return netip.AddrFrom4([4]byte{10, 0, byte(ttl), 1})
}

// fakePath makes rounds of a path of `hops` hops: rtt(n, ttl) is the RTT of round n's probe at ttl,
// or a negative value when the probe is lost.
type fakePath struct {
	hops int
	rtt  func(n, ttl int) time.Duration
	late func(n int) []probe.LateReply // late replies round n brings; nil means none
	// destAt, when set, is the last TTL of round n; TTLs beyond hops answer from the target (a probe
	// that went further than the destination, sent before the round knew where it was).
	destAt func(n int) int
}

func (f fakePath) round(n int) probe.Round {
	tr := &path.Trace{Source: "hopscope", Target: path.Target{Name: "example", Addr: target}, Protocol: path.ProtoICMP,
		Started: t0.Add(time.Duration(n) * time.Second), ProbesPerHop: 1}
	last := f.hops
	if f.destAt != nil {
		last = f.destAt(n)
	}
	for ttl := 1; ttl <= last; ttl++ {
		h := tr.HopAt(ttl)
		rtt := f.rtt(n, ttl)
		if rtt < 0 {
			h.AddProbe(path.Probe{Status: path.StatusTimeout}, "")
			continue
		}
		h.AddProbe(path.Probe{Status: path.StatusReply, From: hopAddr(min(ttl, f.hops), f.hops), RTT: rtt, HasRTT: true}, "")
	}
	r := probe.Round{N: n, Trace: tr}
	if f.late != nil {
		r.Late = f.late(n)
	}
	return r
}

// fakeClock is a clock that rounds and sleeps advance.
type fakeClock struct {
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time { return c.now }
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

// roundFunc serves f's rounds in order, each taking took of fake time.
func (f fakePath) roundFunc(c *fakeClock, took time.Duration) RoundFunc {
	n := 0
	return func(ctx context.Context) (probe.Round, error) {
		if err := ctx.Err(); err != nil {
			return probe.Round{}, err
		}
		c.now = c.now.Add(took)
		r := f.round(n)
		n++
		return r, nil
	}
}

// stats returns the stats of the first responder of hop ttl, or the hop's own when it has none.
func stats(t *testing.T, tr *path.Trace, ttl int) *path.Stats {
	t.Helper()
	h := tr.Hop(ttl)
	if h == nil {
		t.Fatalf("no hop %d", ttl)
	}
	if len(h.Responders) == 0 {
		return h.Stats
	}
	return h.Responders[0].Stats
}

// direct computes the statistics of rtts the obvious way, for comparison.
func direct(rtts []time.Duration) (avg, sd, jitter time.Duration) {
	var sum float64
	for _, r := range rtts {
		sum += float64(r)
	}
	mean := sum / float64(len(rtts))
	var ss, js float64
	for i, r := range rtts {
		ss += (float64(r) - mean) * (float64(r) - mean)
		if i > 0 {
			js += math.Abs(float64(r - rtts[i-1]))
		}
	}
	avg = time.Duration(math.Round(mean))
	if len(rtts) > 1 {
		sd = time.Duration(math.Round(math.Sqrt(ss / float64(len(rtts)-1))))
		jitter = time.Duration(math.Round(js / float64(len(rtts)-1)))
	}
	return avg, sd, jitter
}

func TestStatistics(t *testing.T) {
	tests := []struct {
		name string
		rtts []time.Duration // per round at hop 2; negative is lost
	}{
		{"steady", []time.Duration{10 * ms, 10 * ms, 10 * ms, 10 * ms}},
		{"one reply", []time.Duration{7 * ms}},
		{"alternating", []time.Duration{10 * ms, 30 * ms, 10 * ms, 30 * ms, 10 * ms}},
		{"with losses", []time.Duration{12 * ms, -1, 15 * ms, -1, -1, 9 * ms, 40 * ms, 11 * ms}},
		{"all lost", []time.Duration{-1, -1, -1}},
		{"large values", []time.Duration{900 * ms, 1100 * ms, 1000 * ms, 1300 * ms, 700 * ms}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := fakePath{hops: 3, rtt: func(n, ttl int) time.Duration {
				if ttl == 2 {
					return tc.rtts[n]
				}
				return time.Duration(ttl) * ms
			}}
			c := &fakeClock{now: t0}
			tr, err := Run(context.Background(), f.roundFunc(c, 50*ms), Config{Rounds: len(tc.rtts), Now: c.Now, Sleep: c.Sleep})
			if err != nil {
				t.Fatal(err)
			}
			var got []time.Duration
			for _, r := range tc.rtts {
				if r >= 0 {
					got = append(got, r)
				}
			}
			s := stats(t, tr, 2)
			if s.Sent != len(tc.rtts) || s.Received != len(got) {
				t.Fatalf("sent %d received %d, want %d and %d", s.Sent, s.Received, len(tc.rtts), len(got))
			}
			if len(got) == 0 {
				if h := tr.Hop(2); !h.Silent() || s.Loss() != 1 {
					t.Errorf("hop 2 = %+v, want silent with 100%% loss", h)
				}
				return
			}
			avg, sd, jit := direct(got)
			want := path.Stats{Sent: len(tc.rtts), Received: len(got), Last: got[len(got)-1], Best: slicesMin(got), Worst: slicesMax(got),
				Avg: avg, StdDev: sd, Jitter: jit, Samples: got}
			if !reflect.DeepEqual(*s, want) {
				t.Errorf("stats\n got %+v\nwant %+v", *s, want)
			}
			if tr.Rounds != len(tc.rtts) || len(tr.Hop(2).Rounds) != len(tc.rtts) {
				t.Errorf("trace rounds %d, hop rounds %d; want %d", tr.Rounds, len(tr.Hop(2).Rounds), len(tc.rtts))
			}
		})
	}
}

func slicesMin(s []time.Duration) time.Duration {
	return slicesPick(s, func(a, b time.Duration) bool { return a < b })
}
func slicesMax(s []time.Duration) time.Duration {
	return slicesPick(s, func(a, b time.Duration) bool { return a > b })
}
func slicesPick(s []time.Duration, better func(a, b time.Duration) bool) time.Duration {
	m := s[0]
	for _, v := range s[1:] {
		if better(v, m) {
			m = v
		}
	}
	return m
}

// Rounds start an interval apart: the sleep after a round is the interval less the round's time, and
// nothing when the round took longer.
func TestRunPacesRounds(t *testing.T) {
	tests := []struct {
		name       string
		took       time.Duration
		interval   time.Duration
		wantSleeps []time.Duration
	}{
		{"short rounds", 200 * ms, time.Second, []time.Duration{800 * ms, 800 * ms}},
		{"default interval", 300 * ms, 0, []time.Duration{700 * ms, 700 * ms}},
		{"rounds longer than the interval", 150 * ms, 100 * ms, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &fakeClock{now: t0}
			f := fakePath{hops: 2, rtt: func(n, ttl int) time.Duration { return ms }}
			if _, err := Run(context.Background(), f.roundFunc(c, tc.took), Config{Rounds: 3, Interval: tc.interval, Now: c.Now, Sleep: c.Sleep}); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.sleeps, tc.wantSleeps) {
				t.Errorf("sleeps %v, want %v", c.sleeps, tc.wantSleeps)
			}
		})
	}
}

// Snapshots are copies: a later round changes neither an earlier snapshot nor is changed by a caller
// writing into one.
func TestSnapshotsAreImmutableCopies(t *testing.T) {
	c := &fakeClock{now: t0}
	f := fakePath{hops: 3, rtt: func(n, ttl int) time.Duration { return time.Duration(n+1) * ms }}
	var snaps []*path.Trace
	var frozen []string
	tr, err := Run(context.Background(), f.roundFunc(c, 10*ms), Config{Rounds: 4, Now: c.Now, Sleep: c.Sleep,
		OnRound: func(s *path.Trace) {
			snaps = append(snaps, s)
			b, _ := json.Marshal(s)
			frozen = append(frozen, string(b))
			s.Hops[0].Responders[0].Stats.Samples[0] = time.Hour // a careless reader
			s.Hops[0].Rounds[0].RTT = time.Hour
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 4 {
		t.Fatalf("%d snapshots, want one per round", len(snaps))
	}
	for i, s := range snaps {
		if s.Rounds != i+1 {
			t.Errorf("snapshot %d has %d rounds", i, s.Rounds)
		}
		s.Hops[0].Responders[0].Stats.Samples[0] = 1 * ms // undo the careless write
		s.Hops[0].Rounds[0].RTT = 1 * ms
		if b, _ := json.Marshal(s); string(b) != frozen[i] {
			t.Errorf("snapshot %d changed after later rounds", i)
		}
	}
	if got := stats(t, tr, 1).Samples; !reflect.DeepEqual(got, []time.Duration{1 * ms, 2 * ms, 3 * ms, 4 * ms}) {
		t.Errorf("final samples %v: a write into a snapshot reached the aggregate", got)
	}
}

func TestLossAndDestination(t *testing.T) {
	// 10 rounds on a 5-hop path: hop 3 loses rounds 1 and 6; the target's reply at TTL 5 is lost in
	// round 4, so that round's trace shows the target at TTL 6 (a probe that went one hop further).
	f := fakePath{hops: 5,
		rtt: func(n, ttl int) time.Duration {
			if ttl == 3 && (n == 1 || n == 6) || ttl == 5 && n == 4 {
				return -1
			}
			return time.Duration(ttl) * ms
		},
		destAt: func(n int) int {
			if n == 4 {
				return 6
			}
			return 5
		}}
	a := NewAggregate(0)
	for n := range 10 {
		a.Add(f.round(n))
	}
	tr := a.Snapshot()
	if len(tr.Hops) != 5 {
		t.Fatalf("%d hops, want 5 (the target's hop is the lowest TTL it answered at)", len(tr.Hops))
	}
	for _, tc := range []struct {
		ttl  int
		loss float64
	}{{1, 0}, {2, 0}, {3, 0.2}, {4, 0}, {5, 0.1}} {
		if got := stats(t, tr, tc.ttl).Loss(); math.Abs(got-tc.loss) > 1e-9 {
			t.Errorf("hop %d loss %v, want %v", tc.ttl, got, tc.loss)
		}
	}
	if ok, ttl := tr.Reached(); !ok || ttl != 5 {
		t.Errorf("reached %v at %d, want hop 5", ok, ttl)
	}
}

// A late reply counts in the round that sent the probe: the hop's loss goes down, its RTTs include
// it, and that round's sample shows the reply.
func TestLateReplyCountsInItsRound(t *testing.T) {
	hop3 := netip.MustParseAddr("10.0.3.1")
	f := fakePath{hops: 4,
		rtt: func(n, ttl int) time.Duration {
			if ttl == 3 && n == 0 {
				return -1 // its reply comes during round 1
			}
			return time.Duration(ttl) * ms
		},
		late: func(n int) []probe.LateReply {
			if n != 1 {
				return nil
			}
			return []probe.LateReply{{Round: 0, TTL: 3, Probe: path.Probe{Status: path.StatusReply, From: hop3, RTT: 1200 * ms, HasRTT: true, Late: true}}}
		}}
	c := &fakeClock{now: t0}
	tr, err := Run(context.Background(), f.roundFunc(c, 10*ms), Config{Rounds: 3, Now: c.Now, Sleep: c.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	s := stats(t, tr, 3)
	if s.Sent != 3 || s.Received != 3 || s.Late != 1 || s.Worst != 1200*ms {
		t.Errorf("hop 3 stats %+v, want 3 sent, 3 received (1 late, 1.2 s)", *s)
	}
	want := []path.RoundSample{{Round: 0, Sent: 1, Received: 1, RTT: 1200 * ms}, {Round: 1, Sent: 1, Received: 1, RTT: 3 * ms}, {Round: 2, Sent: 1, Received: 1, RTT: 3 * ms}}
	if got := tr.Hop(3).Rounds; !reflect.DeepEqual(got, want) {
		t.Errorf("hop 3 rounds\n got %+v\nwant %+v", got, want)
	}
}

func TestCancelGivesTheReportSoFar(t *testing.T) {
	c := &fakeClock{now: t0}
	f := fakePath{hops: 3, rtt: func(n, ttl int) time.Duration { return ms }}
	ctx, cancel := context.WithCancel(context.Background())
	rounds := 0
	tr, err := Run(ctx, f.roundFunc(c, 10*ms), Config{Now: c.Now, Sleep: c.Sleep, OnRound: func(*path.Trace) {
		if rounds++; rounds == 5 {
			cancel() // Ctrl-C while the fifth round's snapshot is shown
		}
	}})
	if err != nil || tr == nil || tr.Rounds != 5 || stats(t, tr, 2).Sent != 5 {
		t.Fatalf("Run = %v, %v; want the five rounds so far and no error", tr, err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if tr, err := Run(ctx2, f.roundFunc(c, 10*ms), Config{Now: c.Now, Sleep: c.Sleep}); tr != nil || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before any round: %v, %v; want no trace and context.Canceled", tr, err)
	}
}

func TestRoundErrorKeepsStatistics(t *testing.T) {
	c := &fakeClock{now: t0}
	f := fakePath{hops: 2, rtt: func(n, ttl int) time.Duration { return ms }}
	good := f.roundFunc(c, 10*ms)
	n := 0
	boom := errors.New("receive replies: boom")
	failing := func(ctx context.Context) (probe.Round, error) {
		if n++; n == 3 {
			return probe.Round{}, boom
		}
		return good(ctx)
	}
	tr, err := Run(context.Background(), failing, Config{Rounds: 10, Now: c.Now, Sleep: c.Sleep})
	if !errors.Is(err, boom) || tr == nil || tr.Rounds != 2 {
		t.Errorf("Run = %v, %v; want the two rounds so far and the error", tr, err)
	}
}

// Memory is bounded: after many rounds each responder keeps Window samples and each hop Window
// rounds, the newest.
func TestWindowBounded(t *testing.T) {
	a := NewAggregate(10)
	f := fakePath{hops: 2, rtt: func(n, ttl int) time.Duration { return time.Duration(n) * time.Microsecond }}
	for n := range 1000 {
		a.Add(f.round(n))
	}
	tr := a.Snapshot()
	s := stats(t, tr, 1)
	if s.Sent != 1000 || len(s.Samples) != 10 || s.Samples[0] != 990*time.Microsecond || s.Samples[9] != 999*time.Microsecond {
		t.Errorf("sent %d, samples %v; want 1000 and the last 10", s.Sent, s.Samples)
	}
	if r := tr.Hop(1).Rounds; len(r) != 10 || r[0].Round != 990 || r[9].Round != 999 {
		t.Errorf("rounds %+v, want the last 10", r)
	}
	a.Reset()
	if a.Snapshot() != nil || a.Rounds() != 0 {
		t.Error("a reset aggregate still has rounds")
	}
	a.Add(f.round(1000))
	if s := stats(t, a.Snapshot(), 1); s.Sent != 1 || len(s.Samples) != 1 {
		t.Errorf("after reset: %+v, want one round", s)
	}
}

// The snapshot survives the JSON a saved report carries it in.
func TestSnapshotJSONRoundTrip(t *testing.T) {
	a := NewAggregate(0)
	f := fakePath{hops: 3, rtt: func(n, ttl int) time.Duration {
		if ttl == 2 && n%3 == 0 {
			return -1
		}
		return time.Duration(ttl*10+n) * ms
	}}
	for n := range 7 {
		a.Add(f.round(n))
	}
	tr := a.Snapshot()
	b, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	var back path.Trace
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tr, &back) {
		t.Errorf("round trip changed the trace:\n%s", b)
	}
	if s := fmt.Sprint(back.Hops[1].Responders[0].Stats.Loss()); s != fmt.Sprint(3.0/7) {
		t.Errorf("hop 2 loss %s after the round trip, want 3/7", s)
	}
}
