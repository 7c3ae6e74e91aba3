//go:build linux

package netlab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
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
	hostLinksClean(t)
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if list := netnsList(t); strings.Contains(list, prefix) {
		t.Errorf("namespaces left after Close:\n%s", list)
	}
	hostLinksClean(t)
}

// hostLinksClean fails the test if a lab interface shows up in the host namespace.
func hostLinksClean(t *testing.T) {
	t.Helper()
	out, err := exec.Command("ip", "-o", "link", "show").CombinedOutput()
	if err != nil {
		t.Fatalf("ip link: %v: %s", err, out)
	}
	for _, name := range []string{"e0-r1", "e0-client", "e1-r2", "e1-r1", "e2-server", "e2-r2"} {
		if strings.Contains(string(out), " "+name+":") || strings.Contains(string(out), " "+name+"@") {
			t.Errorf("interface %s in the host namespace", name)
		}
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

func TestStartFailureCleansUp(t *testing.T) {
	RequireRoot(t)
	s := line(0)
	// A next hop that is on no link makes `ip route add` fail late in setup.
	s.Routes = []Route{{Node: "client", Dst: "10.9.0.0/16", Via: []string{"10.99.99.99"}}}
	_, err := Start(context.Background(), s)
	if err == nil {
		t.Fatal("Start succeeded with an unreachable next hop")
	}
	if !strings.Contains(err.Error(), "node client") {
		t.Errorf("error %q does not name the node", err)
	}
	prefix := fmt.Sprintf("%s%d-%d-", namePrefix, os.Getpid(), labSeq.Load())
	if list := netnsList(t); strings.Contains(list, prefix) {
		t.Errorf("namespaces %s* left after a failed Start:\n%s", prefix, list)
	}
	if _, err := os.Stat(filepath.Join(etcNetnsDir, prefix+"client")); !os.IsNotExist(err) {
		t.Errorf("/etc/netns entry left after a failed Start: %v", err)
	}
}

func TestRun(t *testing.T) {
	l := New(t, line(0))
	read := func(node, key string) string {
		var v []byte
		if err := l.Run(node, func() (err error) {
			v, err = os.ReadFile("/proc/sys/" + key)
			return err
		}); err != nil {
			t.Fatalf("Run(%s): %v", node, err)
		}
		return strings.TrimSpace(string(v))
	}
	tests := []struct{ name, node, key, want string }{
		{"router forwards", "r1", "net/ipv4/ip_forward", "1"},
		{"host does not", "client", "net/ipv4/ip_forward", "0"},
		{"router forwards v6", "r2", "net/ipv6/conf/all/forwarding", "1"},
		{"unprivileged ping allowed", "client", "net/ipv4/ping_group_range", "0\t2147483647"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := read(tc.node, tc.key); got != tc.want {
				t.Errorf("%s in %s = %q, want %q", tc.key, tc.node, got, tc.want)
			}
		})
	}
	if err := l.Run("nope", func() error { return nil }); err == nil {
		t.Error("Run on an unknown node succeeded")
	}
	wantErr := errors.New("from fn")
	if err := l.Run("client", func() error { return wantErr }); !errors.Is(err, wantErr) {
		t.Errorf("Run returned %v, want fn's error", err)
	}

	// Sockets opened in Run stay in their namespace after Run returns.
	var srv, cli net.PacketConn
	if err := l.Run("server", func() (err error) { srv, err = net.ListenPacket("udp", "203.0.113.80:9000"); return err }); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := l.Run("client", func() (err error) { cli, err = net.ListenPacket("udp", ":0"); return err }); err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	if _, err := cli.WriteTo([]byte("hello"), &net.UDPAddr{IP: net.ParseIP("203.0.113.80"), Port: 9000}); err != nil {
		t.Fatal(err)
	}
	srv.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 16)
	n, from, err := srv.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("server read %q, %v", buf[:n], err)
	}
	if ip := from.(*net.UDPAddr).IP.String(); ip != "10.200.0.1" {
		t.Errorf("datagram came from %s, want the client's 10.200.0.1", ip)
	}
}

func TestDropProbes(t *testing.T) {
	RequireTool(t, "ping", "traceroute", "nft")
	l := New(t, Spec{
		Name: "drop",
		Nodes: []Node{
			{Name: "client"}, {Name: "r1", Router: true},
			{Name: "open", Addrs: []string{"203.0.113.1/32"}},
			{Name: "dark", Drop: AllProbes, Addrs: []string{"203.0.113.2/32"}},
			{Name: "noudp", Drop: UDP, Addrs: []string{"203.0.113.3/32"}},
		},
		Links: []Link{{A: "client", B: "r1"}, {A: "r1", B: "open"}, {A: "r1", B: "dark"}, {A: "r1", B: "noudp"}},
	})
	tests := []struct {
		name    string
		dst     string
		method  string // traceroute method flag
		answers bool
	}{
		{"open answers echo", "203.0.113.1", "-I", true},
		{"open answers udp", "203.0.113.1", "-U", true},
		{"open answers tcp", "203.0.113.1", "-T", true},
		{"dark drops echo", "203.0.113.2", "-I", false},
		{"dark drops udp", "203.0.113.2", "-U", false},
		{"dark drops tcp", "203.0.113.2", "-T", false},
		{"noudp answers echo", "203.0.113.3", "-I", true},
		{"noudp drops udp", "203.0.113.3", "-U", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, l, "client", "traceroute", "-n", tc.method, "-q", "1", "-w", "0.5", "-m", "2", tc.dst)
			hop2 := traceLine(out, 2)
			if got := strings.Contains(hop2, tc.dst); got != tc.answers {
				t.Errorf("hop 2 = %q, want answered=%v\n%s", hop2, tc.answers, out)
			}
		})
	}
}

func TestLossyLink(t *testing.T) {
	RequireTool(t, "ping")
	s := line(0)
	s.Links[1].Loss = 0.3
	l := New(t, s)
	// Partial loss makes ping exit 0; total loss is a failure worth reporting.
	out, _ := l.Exec(context.Background(), "client", "ping", "-c", "20", "-i", "0.01", "-W", "1", "203.0.113.80").CombinedOutput()
	ab, ba, ok := l.LinkStats(1)
	if !ok {
		t.Fatal("LinkStats(1): no relay on a lossy link")
	}
	if ab.Lost+ba.Lost == 0 || ab.Delivered == 0 || ba.Delivered == 0 {
		t.Errorf("stats ab=%+v ba=%+v, want some lost and some delivered\n%s", ab, ba, out)
	}
	if _, _, ok := l.LinkStats(0); ok {
		t.Error("LinkStats(0) reports a relay on a veth link")
	}
}

func TestECMP(t *testing.T) {
	RequireTool(t, "traceroute")
	l := New(t, diamond())
	branches := map[string][]string{
		"-4": {"10.200.0.6", "10.200.0.10"},
		"-6": {"fd00:200:0:1::2", "fd00:200:0:2::2"},
	}
	for _, fam := range []string{"-4", "-6"} {
		dst := "203.0.113.9"
		if fam == "-6" {
			dst = "fd00:200:0:5::2"
		}
		t.Run("varying ports see both branches "+fam, func(t *testing.T) {
			seen := ""
			// Each run hashes 10 flows; a few runs make missing a branch
			// vanishingly unlikely.
			for try := 0; try < 5; try++ {
				out := run(t, l, "src", "traceroute", fam, "-n", "-q", "10", "-f", "2", "-m", "2", "-w", "1", dst)
				seen += traceLine(out, 2)
				if strings.Contains(seen, branches[fam][0]+" ") && strings.Contains(seen, branches[fam][1]+" ") {
					return
				}
			}
			t.Errorf("hop 2 showed %q, want both %v", seen, branches[fam])
		})
		t.Run("a pinned flow sees one branch "+fam, func(t *testing.T) {
			out := run(t, l, "src", "traceroute", fam, "-n", "-U", "-p", "33434", "--sport=40000", "-q", "10", "-f", "2", "-m", "2", "-w", "1", dst)
			hop := traceLine(out, 2)
			a, b := strings.Contains(hop, branches[fam][0]+" "), strings.Contains(hop, branches[fam][1]+" ")
			if a == b {
				t.Errorf("pinned flow: hop 2 = %q, want exactly one of %v", hop, branches[fam])
			}
		})
	}
}

func TestParallelLabs(t *testing.T) {
	RequireTool(t, "ping")
	for _, name := range []string{"one", "two"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			l := New(t, line(0))
			run(t, l, "client", "ping", "-c", "1", "-W", "2", "203.0.113.80")
		})
	}
}

func TestSweep(t *testing.T) {
	RequireRoot(t)
	live := New(t, line(0))
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	stale := fmt.Sprintf("%s%d-1-sweep", namePrefix, dead.Process.Pid)
	if out, err := exec.Command("ip", "netns", "add", stale).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "delete", stale).Run() })
	removed, err := Sweep()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(removed, stale) {
		t.Errorf("Sweep removed %v, want %s", removed, stale)
	}
	list := netnsList(t)
	if strings.Contains(list, stale) {
		t.Errorf("%s still listed", stale)
	}
	if !strings.Contains(list, live.Netns("client")) {
		t.Errorf("Sweep removed the live lab's %s", live.Netns("client"))
	}
}

func TestECMPFlowLabel(t *testing.T) {
	RequireTool(t, "traceroute")
	s := diamond()
	for i := range s.Nodes {
		if s.Nodes[i].Router {
			s.Nodes[i].ECMPHash = HashL3
		}
	}
	l := New(t, s)
	branches := []string{"fd00:200:0:1::2 ", "fd00:200:0:2::2 "}
	hop2 := func(label int) string {
		return traceLine(run(t, l, "src", "traceroute", "-6", "-I", "-n", "-l", strconv.Itoa(label), "-q", "4", "-f", "2", "-m", "2", "-w", "1", "fd00:200:0:5::2"), 2)
	}
	seen := ""
	for label := 1; label <= 12; label++ {
		h := hop2(label)
		if strings.Contains(h, branches[0]) == strings.Contains(h, branches[1]) {
			t.Errorf("flow label %d: hop 2 = %q, want exactly one branch", label, h)
		}
		seen += h
	}
	if !strings.Contains(seen, branches[0]) || !strings.Contains(seen, branches[1]) {
		t.Errorf("12 flow labels saw %q, want both branches %v", seen, branches)
	}
}

func TestMPLSExtensionInTraceroute(t *testing.T) {
	RequireTool(t, "traceroute")
	s := line(0)
	s.Nodes[2].MPLS = []MPLSLabel{{Label: 24001, TC: 2}, {Label: 16001}} // r2
	l := New(t, s)
	for _, dst := range []string{"203.0.113.80", "2001:db8:80::80"} {
		out := run(t, l, "client", "traceroute", "-n", "-e", "-q", "1", "-w", "1", dst)
		if h := traceLine(out, 1); strings.Contains(h, "MPLS") {
			t.Errorf("%s: hop 1 (r1) shows MPLS: %q", dst, h)
		}
		if h := traceLine(out, 2); !strings.Contains(h, "<MPLS:L=24001,E=2,S=0,T=1/L=16001,E=0,S=1,T=1>") {
			t.Errorf("%s: hop 2 (r2) = %q, want its label stack\n%s", dst, h, out)
		}
	}
}

func TestStartReplacesLeftoverWithSameName(t *testing.T) {
	RequireRoot(t)
	// A dead process with our pid could have left the next lab's names behind.
	next := fmt.Sprintf("%s%d-%d-client", namePrefix, os.Getpid(), labSeq.Load()+1)
	if out, err := exec.Command("ip", "netns", "add", next).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "delete", next).Run() })
	l := New(t, line(0))
	if l.Netns("client") != next {
		t.Fatalf("lab took %s, want %s", l.Netns("client"), next)
	}
	run(t, l, "client", "ping", "-c", "1", "-W", "2", "203.0.113.80")
}
