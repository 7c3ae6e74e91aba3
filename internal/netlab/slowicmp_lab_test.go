//go:build linux

package netlab

import (
	"regexp"
	"strconv"
	"testing"
	"time"
)

var firstRTT = regexp.MustCompile(`  ([0-9.]+) ms`)

// TestSlowICMPInTraceroute checks that r2's time-exceeded messages come SlowICMP late while the
// traffic it forwards does not: traceroute's hop 2 is at least that slow, hop 3 (through r2) is not.
func TestSlowICMPInTraceroute(t *testing.T) {
	RequireTool(t, "traceroute")
	const slow = 300 * time.Millisecond
	s := line(0)
	s.Nodes[2].SlowICMP = slow // r2
	l := New(t, s)
	rtt := func(out string, ttl int) time.Duration {
		m := firstRTT.FindStringSubmatch(traceLine(out, ttl))
		if m == nil {
			t.Fatalf("hop %d has no RTT:\n%s", ttl, out)
		}
		ms, _ := strconv.ParseFloat(m[1], 64)
		return time.Duration(ms * float64(time.Millisecond))
	}
	for _, dst := range []string{"203.0.113.80", "2001:db8:80::80"} {
		out := run(t, l, "client", "traceroute", "-n", "-q", "1", "-w", "3", dst)
		// A correctness band, not a benchmark: the hold applies to r2's own errors, once.
		if got := rtt(out, 2); got < slow {
			t.Errorf("%s: hop 2 (slow r2) RTT %v, want at least %v\n%s", dst, got, slow, out)
		}
		if got := rtt(out, 3); got >= slow {
			t.Errorf("%s: hop 3 (the server, through r2) RTT %v, want below %v: only r2's ICMP errors are held\n%s", dst, got, slow, out)
		}
	}
}
