package netlab

import (
	"net/netip"
	"testing"
	"time"
)

func TestSlowICMPHold(t *testing.T) {
	own := map[netip.Addr]bool{netip.MustParseAddr("10.200.0.6"): true, netip.MustParseAddr("fd00:200:0:1::2"): true}
	hold := slowICMPHold(own, 150*time.Millisecond)
	frag := timeExceeded4("10.200.0.6", 11, 28)
	frag[7] = 8 // a later fragment: no ICMP header to read
	short := timeExceeded4("10.200.0.6", 11, 28)[:20]
	tests := []struct {
		name string
		pkt  []byte
		want time.Duration
	}{
		{"time exceeded from the node", timeExceeded4("10.200.0.6", 11, 28), 150 * time.Millisecond},
		{"unreachable from the node", timeExceeded4("10.200.0.6", 3, 28), 150 * time.Millisecond},
		{"parameter problem from the node", timeExceeded4("10.200.0.6", 12, 28), 150 * time.Millisecond},
		{"echo reply from the node", timeExceeded4("10.200.0.6", 0, 28), 0},
		{"time exceeded forwarded from elsewhere", timeExceeded4("10.200.0.9", 11, 28), 0},
		{"later fragment", frag, 0},
		{"header only", short, 0},
		{"empty", nil, 0},
		{"ICMPv6 time exceeded from the node", timeExceeded6("fd00:200:0:1::2", 3, 48), 150 * time.Millisecond},
		{"ICMPv6 packet too big from the node", timeExceeded6("fd00:200:0:1::2", 2, 48), 150 * time.Millisecond},
		{"ICMPv6 echo reply from the node", timeExceeded6("fd00:200:0:1::2", 129, 48), 0},
		{"ICMPv6 from elsewhere", timeExceeded6("fd00:200:0:1::9", 3, 48), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := hold(tc.pkt); got != tc.want {
				t.Errorf("hold = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSlowICMPLinksUseRelays(t *testing.T) {
	s := diamond()
	s.Nodes[2].SlowICMP = 150 * time.Millisecond // ra
	p, err := buildPlan(s, "t-")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range p.links {
		wantTUN := l.a.spec.Name == "ra" || l.b.spec.Name == "ra"
		if l.tun != wantTUN {
			t.Errorf("link %s-%s tun=%v, want %v", l.a.spec.Name, l.b.spec.Name, l.tun, wantTUN)
		}
	}
	s.Nodes[2].SlowICMP = -time.Millisecond
	if _, err := buildPlan(s, "t-"); err == nil {
		t.Error("a negative SlowICMP was accepted")
	}
}
