package probe

import (
	"net/netip"
	"testing"
	"time"

	"hopscope/internal/path"
)

// slowPath is a 6-hop path of ~62 ms round trip whose hop 3 sends its ICMP errors slow late.
func slowPath(slow time.Duration) []simHop {
	ms := time.Millisecond
	a := func(s string) []netip.Addr { return []netip.Addr{netip.MustParseAddr(s)} }
	return []simHop{
		{from: a("10.0.1.1"), rtt: 1 * ms},
		{from: a("10.0.2.1"), rtt: 20 * ms},
		{from: a("10.0.3.1"), rtt: 31*ms + slow},
		{from: a("10.0.4.1"), rtt: 42 * ms},
		{from: a("10.0.5.1"), rtt: 60 * ms},
		{from: a("203.0.113.25"), rtt: 62 * ms, target: true},
	}
}

func TestTracerSlowICMP(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name      string
		slow      time.Duration
		timeout   time.Duration
		wantShown bool
	}{
		{"150 ms late, default timeout", 150 * ms, 0, true},
		{"300 ms late, default timeout", 300 * ms, 0, true},
		{"500 ms late, default timeout", 500 * ms, 0, true},
		{"700 ms late, default timeout: beyond the second chance", 700 * ms, 0, false},
		{"500 ms late, 1.5 s timeout", 500 * ms, 1500 * ms, true},
		{"500 ms late, 3 s timeout", 500 * ms, 3 * time.Second, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			net := newSimNet(slowPath(tc.slow)...)
			tr, took := runSim(t, net, Config{Timeout: tc.timeout})
			if len(tr.Hops) != 6 {
				t.Fatalf("%d hops, want 6", len(tr.Hops))
			}
			h := tr.Hop(3)
			if !tc.wantShown {
				if !h.Silent() {
					t.Errorf("hop 3 = %s, want silent", hopLine(h))
				}
				return
			}
			if hopLine(h) != "10.0.3.1" {
				t.Fatalf("hop 3 = %s, want 10.0.3.1", hopLine(h))
			}
			if len(h.Probes) != 3 {
				t.Errorf("hop 3 has %d probes, want 3 (the second chance was not needed once the late replies came)", len(h.Probes))
			}
			for i, p := range h.Probes {
				if !p.Late || !p.HasRTT || p.RTT != 31*ms+tc.slow {
					t.Errorf("hop 3 probe %d = %+v, want a late reply after %v", i, p, 31*ms+tc.slow)
				}
			}
			for _, ttl := range []int{1, 2, 4, 5, 6} {
				for _, p := range tr.Hop(ttl).Probes {
					if p.Late || p.Status != path.StatusReply {
						t.Errorf("hop %d probe %+v, want an on-time reply", ttl, p)
					}
				}
			}
			// The goal: path RTT + the slowest reply + 100 ms (virtual time, so exact).
			if goal := 62*ms + 31*ms + tc.slow + 100*ms; took > goal {
				t.Errorf("trace took %v, want at most %v", took, goal)
			}
		})
	}
}

func TestTracerSecondChance(t *testing.T) {
	ms := time.Millisecond
	a := netip.MustParseAddr
	hops := []simHop{
		{from: []netip.Addr{a("10.0.1.1")}, rtt: 5 * ms},
		{from: []netip.Addr{a("10.0.2.1")}, rtt: 10 * ms},
		{from: []netip.Addr{a("203.0.113.25")}, rtt: 15 * ms, target: true},
	}
	tests := []struct {
		name       string
		drop       func(p Probe) bool
		wantProbes int
		wantHop2   string
		wantSent   int
	}{
		{"every first probe at hop 2 lost: the second chance answers",
			func(p Probe) bool { return p.TTL == 2 && p.Seq <= 90 }, 4, "10.0.2.1", 10},
		{"hop 2 silent: one more probe, not recorded", func(p Probe) bool { return p.TTL == 2 }, 3, "*", 10},
		{"nothing lost: no second chance", func(Probe) bool { return false }, 3, "10.0.2.1", 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			net := newSimNet(hops...)
			net.dropFn = tc.drop
			tr, _ := runSim(t, net, Config{})
			h := tr.Hop(2)
			if got := hopLine(h); got != tc.wantHop2 {
				t.Errorf("hop 2 = %s, want %s", got, tc.wantHop2)
			}
			if len(h.Probes) != tc.wantProbes {
				t.Errorf("hop 2 has %d probes, want %d", len(h.Probes), tc.wantProbes)
			}
			if tc.wantProbes == 4 {
				if p := h.Probes[3]; p.Late || p.RTT != 10*ms || h.Probes[0].Status != path.StatusTimeout {
					t.Errorf("hop 2 probes %+v, want 3 timeouts then an on-time reply in 10ms", h.Probes)
				}
			}
			sent := 0
			for _, p := range net.sent {
				if p.TTL <= 3 {
					sent++
				}
			}
			if sent != tc.wantSent {
				t.Errorf("sent %d probes to ttl 1-3, want %d", sent, tc.wantSent)
			}
		})
	}
}
