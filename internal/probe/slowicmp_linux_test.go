package probe

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"hopscope/internal/netlab"
	"hopscope/internal/path"
	"hopscope/internal/tracefile"
)

// slowSpec is a 6-hop path of ~62 ms round trip whose hop 3 (r3) sends its ICMP errors slow late.
//
//	client - r1 -10ms- r2 - r3(slow) -10ms- r4 - r5 -11ms- server
func slowSpec(slow time.Duration) netlab.Spec {
	return netlab.Spec{
		Name: "slowicmp",
		Nodes: []netlab.Node{
			{Name: "client"},
			{Name: "r1", Router: true}, {Name: "r2", Router: true},
			{Name: "r3", Router: true, SlowICMP: slow},
			{Name: "r4", Router: true}, {Name: "r5", Router: true},
			{Name: "server", Addrs: []string{"203.0.113.25/32"}},
		},
		Links: []netlab.Link{
			{A: "client", B: "r1"},
			{A: "r1", B: "r2", Delay: 10 * time.Millisecond},
			{A: "r2", B: "r3"},
			{A: "r3", B: "r4", Delay: 10 * time.Millisecond},
			{A: "r4", B: "r5"},
			{A: "r5", B: "server", Delay: 11 * time.Millisecond},
		},
	}
}

// responderLines returns, per TTL, the sorted responder addresses ("*" for a silent hop).
func responderLines(tr *path.Trace) []string {
	var out []string
	for _, h := range tr.Hops {
		var as []string
		for _, r := range h.Responders {
			as = append(as, r.Addr.String())
		}
		slices.Sort(as)
		if len(as) == 0 {
			as = []string{"*"}
		}
		out = append(out, strings.Join(as, " "))
	}
	return out
}

// TestLabSlowICMP traces a path whose third router answers 150 ms or 500 ms late, beside Linux
// traceroute -w 3 in the same lab: hopscope must show the same responders at every hop, the slow
// one included, its replies marked late, with the default timeout and with traceroute's 3 s.
func TestLabSlowICMP(t *testing.T) {
	netlab.RequireTool(t, "traceroute")
	for _, tc := range []struct {
		slow    time.Duration
		timeout time.Duration
	}{
		{150 * time.Millisecond, 0},
		{150 * time.Millisecond, 3 * time.Second},
		{500 * time.Millisecond, 0},
		{500 * time.Millisecond, 3 * time.Second},
	} {
		t.Run(fmt.Sprintf("%v late, timeout %v", tc.slow, tc.timeout), func(t *testing.T) {
			l := netlab.New(t, slowSpec(tc.slow))
			dst := netip.MustParseAddr("203.0.113.25")
			for _, m := range []path.Protocol{path.ProtoICMP, path.ProtoUDP} {
				args := []string{"-n", "-q", "3", "-w", "3", dst.String()}
				if m == path.ProtoICMP {
					args = append([]string{"-I"}, args...)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				peerStart := time.Now()
				out, err := l.Exec(ctx, "client", "traceroute", args...).CombinedOutput()
				peerTook := time.Since(peerStart)
				cancel()
				if err != nil {
					t.Fatalf("traceroute %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				peer, err := tracefile.Parse(out, tracefile.FormatTraceroute)
				if err != nil || len(peer) != 1 {
					t.Fatalf("parse traceroute output: %v\n%s", err, out)
				}
				var tr *path.Trace
				start := time.Now()
				err = l.Run("client", func() error {
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
					defer cancel()
					var err error
					tr, err = Run(ctx, path.Target{Addr: dst}, Options{Method: m, Config: Config{Timeout: tc.timeout}})
					return err
				})
				took := time.Since(start)
				if err != nil {
					t.Fatal(err)
				}
				got, want := responderLines(tr), responderLines(peer[0])
				// Recorded, not asserted: the goal is the path RTT + the slowest reply + 100 ms.
				t.Logf("%s: hopscope %v in %v (goal ~%v), traceroute %s: %v in %v", m, got, took.Round(time.Millisecond),
					62*time.Millisecond+20*time.Millisecond+tc.slow+100*time.Millisecond, strings.Join(args, " "), want, peerTook.Round(time.Millisecond))
				if !slices.Equal(got, want) {
					t.Errorf("%s: hopscope %v, traceroute -w 3 %v\n%s", m, got, want, out)
				}
				if got[2] == "*" {
					t.Errorf("%s: hop 3 (the slow router) is silent", m)
				}
				late := 0
				for _, p := range tr.Hop(3).Probes {
					if p.Late {
						late++
					}
				}
				if late == 0 {
					t.Errorf("%s: hop 3 probes %+v: none marked late", m, tr.Hop(3).Probes)
				}
			}
		})
	}
}
