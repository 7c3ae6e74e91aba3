package probe

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"hopscope/internal/path"
)

// sessionOn returns a session over the simulated net, with its clock.
func sessionOn(t *testing.T, net *simNet, cfg Config) *Session {
	t.Helper()
	cfg.Now = net.Now
	s, err := newSession(net, Flow{Method: path.ProtoICMP, Dst: netip.MustParseAddr("203.0.113.25"), ICMPID: 77}, ModeRaw,
		path.Target{Name: "example"}, Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSessionRoundsKeepFlowAndOwnSequences(t *testing.T) {
	net := newSimNet(slowPath(0)...)
	s := sessionOn(t, net, Config{ProbesPerHop: 1, MaxTTL: 8})
	seen := map[uint16]bool{}
	for n := range 3 {
		from := len(net.sent)
		r, err := s.Round(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if r.N != n || len(r.Late) != 0 {
			t.Errorf("round %d: N = %d, late = %v", n, r.N, r.Late)
		}
		if len(r.Trace.Hops) != 6 || r.Trace.Target.Name != "example" {
			t.Errorf("round %d: %d hops, target %+v; want 6 hops to example", n, len(r.Trace.Hops), r.Trace.Target)
		}
		for _, h := range r.Trace.Hops {
			if len(h.Probes) != 1 || h.Probes[0].Status != path.StatusReply {
				t.Errorf("round %d hop %d: %+v, want one reply", n, h.TTL, h.Probes)
			}
		}
		for _, p := range net.sent[from:] {
			if p.Flow != 1 {
				t.Errorf("round %d: probe %+v left on flow %d, want the pinned flow 1", n, p, p.Flow)
			}
			if seen[p.Seq] {
				t.Errorf("round %d: sequence %d used by an earlier round", n, p.Seq)
			}
			seen[p.Seq] = true
		}
	}
}

func TestSessionNoSecondChance(t *testing.T) {
	net := newSimNet(slowPath(0)...)
	net.dropFn = func(p Probe) bool { return p.TTL == 4 }
	s := sessionOn(t, net, Config{ProbesPerHop: 1})
	r, err := s.Round(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range net.sent {
		if p.TTL == 4 {
			n++
		}
	}
	if h := r.Trace.Hop(4); n != 1 || h == nil || len(h.Probes) != 1 || h.Probes[0].Status != path.StatusTimeout {
		t.Errorf("hop 4 got %d probes, trace %+v; want one probe, timed out (no second chance in rounds)", n, h)
	}
}

// A reply that comes after its round has finished is handed back by the next round, filed under
// the round that sent its probe; the next round's own probe to that hop is not answered by it.
func TestSessionLateReplyCountsInItsOwnRound(t *testing.T) {
	net := newSimNet(slowPath(1500 * time.Millisecond)...) // hop 3's ICMP comes 1.5 s late: beyond the 1 s timeout
	s := sessionOn(t, net, Config{ProbesPerHop: 1})
	r0, err := s.Round(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if h := r0.Trace.Hop(3); !h.Silent() {
		t.Fatalf("round 0 hop 3 = %+v, want silent (its reply comes after the round)", h)
	}
	// The reply comes 1.531 s after round 0 sent it, during a later round (a round lasts the adaptive wait).
	var late []LateReply
	var r Round
	for range 30 {
		if r, err = s.Round(context.Background()); err != nil {
			t.Fatal(err)
		}
		if late = r.Late; len(late) > 0 {
			break
		}
	}
	if len(late) != 1 {
		t.Fatalf("late = %+v, want one reply to round 0 in the first round that had any", late)
	}
	l := late[0]
	if l.Round != 0 || l.TTL != 3 || !l.Probe.Late || l.Probe.From != netip.MustParseAddr("10.0.3.1") || l.Probe.RTT != 1531*time.Millisecond {
		t.Errorf("late = %+v, want round 0, TTL 3, from 10.0.3.1, 1.531 s, late", l)
	}
	if r.N == 0 {
		t.Errorf("round 0's own late reply was handed back by round 0")
	}
	if h := r.Trace.Hop(3); !h.Silent() {
		t.Errorf("round %d hop 3 = %+v, want silent: round 0's reply is not round %d's", r.N, h, r.N)
	}
}

func TestSessionCancel(t *testing.T) {
	net := newSimNet(slowPath(0)...)
	s := sessionOn(t, net, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Round(ctx); err == nil {
		t.Fatal("a cancelled round returned no error")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
