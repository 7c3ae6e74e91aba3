package netlab

import (
	"context"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// line returns a client - r1 - r2 - server chain; delay shapes the r1-r2 link.
func line(delay time.Duration) Spec {
	return Spec{
		Name: "line",
		Nodes: []Node{
			{Name: "client"},
			{Name: "r1", Router: true},
			{Name: "r2", Router: true},
			{Name: "server", Addrs: []string{"203.0.113.80/32", "2001:db8:80::80/128"}},
		},
		Links: []Link{
			{A: "client", B: "r1"},
			{A: "r1", B: "r2", Delay: delay},
			{A: "r2", B: "server"},
		},
	}
}

func run(t *testing.T, l *Lab, node, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := l.Exec(ctx, node, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s in %s: %v\n%s", name, strings.Join(args, " "), node, err, out)
	}
	return string(out)
}

func netnsList(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("ip", "netns", "list").CombinedOutput()
	if err != nil {
		t.Fatalf("ip netns list: %v: %s", err, out)
	}
	return string(out)
}

func TestLabUpAndDown(t *testing.T) {
	RequireRoot(t)
	RequireTool(t, "ping")
	l, err := Start(context.Background(), line(0))
	if err != nil {
		t.Fatal(err)
	}
	prefix := l.plan.prefix
	if n := strings.Count(netnsList(t), prefix); n != 4 {
		t.Errorf("found %d namespaces named %s*, want 4", n, prefix)
	}
	for _, dst := range []string{"203.0.113.80", "2001:db8:80::80"} {
		run(t, l, "client", "ping", "-c", "1", "-W", "2", dst)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if list := netnsList(t); strings.Contains(list, prefix) {
		t.Errorf("namespaces left after Close:\n%s", list)
	}
}

var minRTT = regexp.MustCompile(`= ([0-9.]+)/`)

func TestDelayedLinkAddsRTT(t *testing.T) {
	RequireTool(t, "ping")
	const oneWay = 100 * time.Millisecond
	l := New(t, line(oneWay))
	for _, dst := range []string{"203.0.113.80", "2001:db8:80::80"} {
		out := run(t, l, "client", "ping", "-c", "3", "-i", "0.2", "-W", "2", dst)
		m := minRTT.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no rtt summary in ping output:\n%s", out)
		}
		ms, _ := strconv.ParseFloat(m[1], 64)
		rtt := time.Duration(ms * float64(time.Millisecond))
		// A correctness band, not a benchmark: the relay must add the delay in
		// each direction, once.
		if rtt < 2*oneWay || rtt > 2*oneWay+150*time.Millisecond {
			t.Errorf("ping %s: min RTT %v, want within [%v, %v]", dst, rtt, 2*oneWay, 2*oneWay+150*time.Millisecond)
		}
	}
	ab, ba, ok := l.LinkStats(1)
	if !ok || ab.Delivered < 6 || ba.Delivered < 6 {
		t.Errorf("LinkStats(1) = %+v %+v %v, want at least 6 packets each way", ab, ba, ok)
	}
}
