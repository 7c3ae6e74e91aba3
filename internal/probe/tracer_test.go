package probe

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"hopscope/internal/path"
)

func runSim(t *testing.T, net *simNet, cfg Config) (*path.Trace, time.Duration) {
	t.Helper()
	cfg.Now = net.Now
	tr, err := NewTracer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	start := net.now
	got, err := tr.Run(context.Background(), net)
	if err != nil {
		t.Fatal(err)
	}
	return got, net.now.Sub(start)
}

// hopLine summarizes a hop as its responders, "*" when silent.
func hopLine(h *path.Hop) string {
	if h.Silent() {
		return "*"
	}
	s := ""
	for i, r := range h.Responders {
		if i > 0 {
			s += ","
		}
		s += r.Addr.String()
	}
	return s
}

func TestTracerArticlePath(t *testing.T) {
	tests := []struct {
		name      string
		answers   bool
		vary      bool
		wantHops  int
		want13    string
		maxVirt   time.Duration
		wantTrail string // the last hop's line
	}{
		// The silent hops are held for their second chance: 600 ms (60% of the timeout) from their first probe.
		{name: "target answers, pinned", answers: true, wantHops: 17, want13: "10.0.13.1", maxVirt: 620 * time.Millisecond, wantTrail: "203.0.113.25"},
		{name: "target answers, varied flows", answers: true, vary: true, wantHops: 17, want13: "10.0.13.1,10.0.13.2", maxVirt: 620 * time.Millisecond, wantTrail: "203.0.113.25"},
		{name: "silent target stops after 5 silent hops", answers: false, wantHops: 19, want13: "10.0.13.1", maxVirt: 700 * time.Millisecond, wantTrail: "*"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			net := newSimNet(articlePath(tc.answers)...)
			tr, took := runSim(t, net, Config{Vary: tc.vary})
			if len(tr.Hops) != tc.wantHops {
				t.Fatalf("got %d hops, want %d", len(tr.Hops), tc.wantHops)
			}
			for i, h := range tr.Hops {
				if h.TTL != i+1 || len(h.Probes) != 3 {
					t.Errorf("hop %d: ttl %d with %d probes, want ttl %d with 3", i, h.TTL, len(h.Probes), i+1)
				}
			}
			for _, silent := range []int{10, 12, 15, 16} {
				if !tr.Hop(silent).Silent() {
					t.Errorf("hop %d should be silent, got %s", silent, hopLine(tr.Hop(silent)))
				}
			}
			if got := hopLine(tr.Hop(13)); got != tc.want13 {
				t.Errorf("hop 13 = %s, want %s", got, tc.want13)
			}
			if got := hopLine(&tr.Hops[len(tr.Hops)-1]); got != tc.wantTrail {
				t.Errorf("last hop = %s, want %s", got, tc.wantTrail)
			}
			if s := tr.Hop(9).Summarize(netip.Addr{}); !s.OK || s.Min != 130*time.Millisecond {
				t.Errorf("hop 9 RTTs %+v, want 130ms", s)
			}
			if took > tc.maxVirt {
				t.Errorf("trace took %v of virtual time, want at most %v", took, tc.maxVirt)
			}
			if tr.FlowsVaried != tc.vary {
				t.Errorf("FlowsVaried = %v", tr.FlowsVaried)
			}
		})
	}
}

func TestTracerStopsSendingBeyondTarget(t *testing.T) {
	a := netip.MustParseAddr
	net := newSimNet(simHop{from: []netip.Addr{a("10.0.0.1")}, rtt: time.Millisecond},
		simHop{from: []netip.Addr{a("10.0.0.2")}, rtt: 2 * time.Millisecond, target: true})
	// Slow pacing: the target's answer arrives before the second round is sent.
	tr, _ := runSim(t, net, Config{Rate: 100})
	if len(tr.Hops) != 2 {
		t.Fatalf("got %d hops, want 2", len(tr.Hops))
	}
	// Round 1 sends ttl 1 at 0 ms and ttl 2 at 10 ms; the target answers at 12 ms, before ttl 3 is due.
	if len(net.sent) != 6 {
		t.Errorf("sent %d probes, want 6 (3 rounds of ttl 1 and 2)", len(net.sent))
	}
	for _, p := range net.sent {
		if p.TTL > 2 {
			t.Errorf("probe at ttl %d sent after the target answered at ttl 2", p.TTL)
		}
	}
	if ok, ttl := (&path.Trace{Target: path.Target{Addr: a("10.0.0.2")}, Hops: tr.Hops}).Reached(); !ok || ttl != 2 {
		t.Errorf("reached = %v at %d", ok, ttl)
	}
}

func TestTracerIgnoresStrayDuplicateAndLate(t *testing.T) {
	a := netip.MustParseAddr
	hops := []simHop{
		{from: []netip.Addr{a("10.0.0.1")}, rtt: time.Millisecond},
		{from: []netip.Addr{a("10.0.0.2")}, rtt: 3 * time.Millisecond},
		{from: []netip.Addr{a("10.0.0.3")}, rtt: 5 * time.Millisecond, target: true},
	}
	net := newSimNet(hops...)
	net.extra = func(p Probe, at time.Time) []Reply {
		var rs []Reply
		if p.TTL == 1 {
			// A duplicate of the hop-1 reply, a stale reply for a sequence never sent, and one dated
			// before the probe left (a reply to an earlier trace's probe with the same identity).
			rs = append(rs, Reply{Seq: p.Seq, Kind: KindTimeExceeded, From: a("10.0.0.1"), At: at.Add(2 * time.Millisecond)})
			rs = append(rs, Reply{Seq: 60000, Kind: KindReached, From: a("10.0.0.3"), At: at.Add(time.Millisecond)})
		}
		if p.TTL == 2 && p.Flow == 1 && p.Seq == 2 {
			// A reply naming a probe that has not been sent yet (an earlier trace's probe with the same identity).
			rs = append(rs, Reply{Seq: p.Seq + 5, Kind: KindTimeExceeded, From: a("10.9.9.9"), At: at.Add(time.Millisecond)})
		}
		return rs
	}
	net.dropFn = func(p Probe) bool { return p.TTL == 2 && p.Seq == 2 }
	tr, _ := runSim(t, net, Config{MaxTTL: 5})
	if len(tr.Hops) != 3 {
		t.Fatalf("got %d hops, want 3", len(tr.Hops))
	}
	for _, h := range tr.Hops {
		for _, r := range h.Responders {
			if r.Addr == a("10.9.9.9") {
				t.Errorf("stray responder %v in hop %d", r.Addr, h.TTL)
			}
		}
	}
	dups := 0
	for _, p := range tr.Hop(1).Probes {
		if p.Dup {
			dups++
		}
		if p.RTT != time.Millisecond {
			t.Errorf("hop 1 RTT %v, want 1ms (the duplicate must not replace the first reply)", p.RTT)
		}
	}
	if dups != 3 {
		t.Errorf("%d duplicates marked at hop 1, want 3", dups)
	}
	if got := tr.Hop(2).Probes[0].Status; got != path.StatusTimeout {
		t.Errorf("dropped probe status %q, want timeout", got)
	}
	if tr.Hop(3).Responders[0].Addr != a("10.0.0.3") || len(tr.Hop(3).Responders) != 1 {
		t.Errorf("hop 3 responders %v", tr.Hop(3).Responders)
	}
}

func TestTracerLateReplyMarked(t *testing.T) {
	a := netip.MustParseAddr
	net := newSimNet(
		simHop{from: []netip.Addr{a("10.0.0.1")}, rtt: time.Millisecond},
		simHop{from: []netip.Addr{a("10.0.0.2")}, rtt: 950 * time.Millisecond, target: true},
	)
	// Hop 1 answers in 1 ms so its wait is max(50ms, 2×RTT): a 900 ms straggler for hop 1 arrives
	// after that wait but while the target's probes are still out.
	net.extra = func(p Probe, at time.Time) []Reply {
		if p.TTL == 1 && p.Seq == 1 {
			return []Reply{{Seq: p.Seq, Kind: KindTimeExceeded, From: a("10.0.0.1"), At: at.Add(900 * time.Millisecond)}}
		}
		return nil
	}
	net.dropFn = func(p Probe) bool { return p.Seq == 1 }
	tr, _ := runSim(t, net, Config{MaxTTL: 2, Timeout: 2 * time.Second})
	p := tr.Hop(1).Probes[0]
	if !p.Late || p.From != a("10.0.0.1") {
		t.Errorf("hop 1 probe 1 = %+v, want a late reply from 10.0.0.1", p)
	}
	if rtts := tr.Hop(1).RTTs(netip.Addr{}); len(rtts) != 2 {
		t.Errorf("hop 1 RTTs %v: the late reply must not count", rtts)
	}
}

func TestTracerNothingAnswers(t *testing.T) {
	net := newSimNet(simHop{})
	tr, took := runSim(t, net, Config{})
	if len(tr.Hops) != 5 {
		t.Errorf("got %d hops, want 5 (stop after 5 silent hops)", len(tr.Hops))
	}
	if took > 1200*time.Millisecond {
		t.Errorf("took %v", took)
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero value", Config{}, true},
		{"first beyond max", Config{FirstTTL: 10, MaxTTL: 5}, false},
		{"ttl too big", Config{MaxTTL: 300}, false},
		{"too many probes", Config{ProbesPerHop: 101}, false},
		{"negative timeout", Config{Timeout: -1}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewTracer(tc.cfg)
			if (err == nil) != tc.ok {
				t.Errorf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestTracerFindsLongHaulBehindSilentRouters(t *testing.T) {
	a := netip.MustParseAddr
	tests := []struct {
		name string
		hops []simHop
		want int // TTL of the target
	}{
		{"near responder, then 300 ms behind silent routers", []simHop{
			{from: []netip.Addr{a("10.0.0.1")}, rtt: 5 * time.Millisecond}, {}, {},
			{from: []netip.Addr{a("203.0.113.9")}, rtt: 300 * time.Millisecond, target: true}}, 4},
		{"nothing but a target 900 ms away", []simHop{{}, {}, {},
			{from: []netip.Addr{a("203.0.113.9")}, rtt: 900 * time.Millisecond, target: true}}, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, _ := runSim(t, newSimNet(tc.hops...), Config{})
			if ok, ttl := (&path.Trace{Target: path.Target{Addr: a("203.0.113.9")}, Hops: tr.Hops}).Reached(); !ok || ttl != tc.want {
				t.Errorf("reached %v at %d, want ttl %d; hops %d", ok, ttl, tc.want, len(tr.Hops))
			}
			if tr.Hop(tc.want).Answered() != 3 {
				t.Errorf("target answered %d of 3", tr.Hop(tc.want).Answered())
			}
		})
	}
}

func TestTracerWait(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name     string
		pathRTT  time.Duration
		replied  []int
		destTTL  int
		late     time.Duration
		ttl      int
		wantWait time.Duration
	}{
		{name: "nothing seen: the timeout", ttl: 5, wantWait: time.Second},
		{name: "below a reply: 1.5 × path RTT", pathRTT: 170 * ms, replied: []int{1, 9}, ttl: 5, wantWait: 255 * ms},
		{name: "below a reply, short path: MinWait", pathRTT: 10 * ms, replied: []int{9}, ttl: 5, wantWait: 100 * ms},
		{name: "beyond every reply: half the timeout", pathRTT: 100 * ms, replied: []int{1, 9}, ttl: 10, wantWait: 500 * ms},
		{name: "beyond every reply, deep path: 3 × path RTT", pathRTT: 200 * ms, replied: []int{9}, ttl: 10, wantWait: 600 * ms},
		{name: "beyond every reply, capped by the timeout", pathRTT: 400 * ms, replied: []int{9}, ttl: 10, wantWait: time.Second},
		{name: "destination known: adaptive everywhere", pathRTT: 170 * ms, destTTL: 17, ttl: 16, wantWait: 255 * ms},
		{name: "a late reply raises the floor", pathRTT: 10 * ms, replied: []int{9}, late: 400 * ms, ttl: 5, wantWait: 400 * ms},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := NewTracer(Config{})
			if err != nil {
				t.Fatal(err)
			}
			tr.pathRTT, tr.destTTL, tr.lateFloor = tc.pathRTT, tc.destTTL, tc.late
			for _, x := range tc.replied {
				tr.lastReplied = max(tr.lastReplied, x)
			}
			if got := tr.wait(tc.ttl); got != tc.wantWait {
				t.Errorf("wait(%d) = %v, want %v", tc.ttl, got, tc.wantWait)
			}
		})
	}
}
