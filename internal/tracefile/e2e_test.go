package tracefile

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hopscope/internal/path"
)

// lab is a chain of network namespaces: src — r1 — r2 — dst, with 10.199.0.0/16 and fd00:199::/48
// addresses, built for one test and removed afterwards. Nothing leaves the namespaces.
type lab struct {
	ns map[string]string // role -> namespace name
}

const (
	labHop1 = "10.199.1.1"
	labHop2 = "10.199.2.2"
	labDst  = "10.199.3.2"
	// labUnreach and labProhib are routed by r2 as "unreachable" and "prohibit": ICMP host
	// unreachable (traceroute's !H) and administratively prohibited (!X).
	labUnreach = "10.199.3.77"
	labProhib  = "10.199.3.78"
	labDst6    = "fd00:199:3::2"
)

func run(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// newLab builds the namespaces or skips the test when that is impossible here.
func newLab(t *testing.T) *lab {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces (CI runs as root)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs iproute2's ip command")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l := &lab{ns: map[string]string{}}
	id := os.Getpid()
	for _, role := range []string{"src", "r1", "r2", "dst"} {
		name := fmt.Sprintf("tf-%d-%s", id, role)
		if _, err := run(ctx, "ip", "netns", "add", name); err != nil {
			l.close()
			t.Skipf("cannot create network namespaces here: %v", err)
		}
		l.ns[role] = name
	}
	t.Cleanup(l.close)
	sh := func(role string, args ...string) {
		t.Helper()
		if _, err := run(ctx, "ip", append([]string{"netns", "exec", l.ns[role]}, args...)...); err != nil {
			t.Fatal(err)
		}
	}
	link := func(a, aIf, b, bIf string) {
		t.Helper()
		if _, err := run(ctx, "ip", "link", "add", aIf, "netns", l.ns[a], "type", "veth", "peer", "name", bIf, "netns", l.ns[b]); err != nil {
			t.Fatal(err)
		}
	}
	// Interfaces inherit "default" when created: no duplicate address detection, so link-local
	// addresses (used by neighbour discovery) are usable at once and IPv6 does not start flaky.
	for role := range l.ns {
		sh(role, "sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0")
		sh(role, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0")
	}
	link("src", "s0", "r1", "r1a")
	link("r1", "r1b", "r2", "r2a")
	link("r2", "r2b", "dst", "d0")
	addrs := map[string][][3]string{ // role -> (interface, IPv4/24, IPv6/64)
		"src": {{"s0", "10.199.1.2/24", "fd00:199:1::2/64"}},
		"r1":  {{"r1a", "10.199.1.1/24", "fd00:199:1::1/64"}, {"r1b", "10.199.2.1/24", "fd00:199:2::1/64"}},
		"r2":  {{"r2a", "10.199.2.2/24", "fd00:199:2::2/64"}, {"r2b", "10.199.3.1/24", "fd00:199:3::1/64"}},
		"dst": {{"d0", "10.199.3.2/24", "fd00:199:3::2/64"}},
	}
	for role, list := range addrs {
		sh(role, "ip", "link", "set", "lo", "up")
		for _, a := range list {
			sh(role, "ip", "addr", "add", a[1], "dev", a[0])
			sh(role, "ip", "-6", "addr", "add", a[2], "dev", a[0], "nodad")
			sh(role, "ip", "link", "set", a[0], "up")
		}
	}
	for _, r := range []string{"r1", "r2"} {
		sh(r, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
		sh(r, "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1")
		sh(r, "sysctl", "-q", "-w", "net.ipv4.icmp_ratelimit=0")
		sh(r, "sysctl", "-q", "-w", "net.ipv6.icmp.ratelimit=0")
	}
	sh("dst", "sysctl", "-q", "-w", "net.ipv4.icmp_ratelimit=0")
	sh("dst", "sysctl", "-q", "-w", "net.ipv6.icmp.ratelimit=0")
	// The global ICMP budget (1000/s, burst 50, IPv4 and IPv6 alike) would drop time-exceeded messages
	// when one tool's burst follows another's.
	for _, r := range []string{"r1", "r2", "dst"} {
		sh(r, "sysctl", "-q", "-w", "net.ipv4.icmp_msgs_per_sec=1000000")
		sh(r, "sysctl", "-q", "-w", "net.ipv4.icmp_msgs_burst=1000000")
	}
	sh("src", "ip", "route", "add", "default", "via", "10.199.1.1")
	sh("src", "ip", "-6", "route", "add", "default", "via", "fd00:199:1::1")
	sh("r1", "ip", "route", "add", "10.199.3.0/24", "via", "10.199.2.2")
	sh("r1", "ip", "-6", "route", "add", "fd00:199:3::/64", "via", "fd00:199:2::2")
	sh("r2", "ip", "route", "add", "default", "via", "10.199.2.1")
	sh("r2", "ip", "-6", "route", "add", "default", "via", "fd00:199:2::1")
	sh("r2", "ip", "route", "add", "unreachable", labUnreach+"/32")
	sh("r2", "ip", "route", "add", "prohibit", labProhib+"/32")
	sh("dst", "ip", "route", "add", "default", "via", "10.199.3.1")
	sh("dst", "ip", "-6", "route", "add", "default", "via", "fd00:199:3::1")
	// Resolve every neighbour first: a burst of probes to an unresolved neighbour overflows the
	// kernel's small queue of packets waiting for neighbour discovery, and whole hops go missing.
	sh("src", "ping", "-c", "2", "-i", "0.2", "-W", "3", "10.199.3.2")
	sh("src", "ping", "-6", "-c", "2", "-i", "0.2", "-W", "3", "fd00:199:3::2")
	return l
}

func (l *lab) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, name := range l.ns {
		_, _ = run(ctx, "ip", "netns", "del", name)
	}
}

// exec runs a tool in the source namespace, bounded in time.
func (l *lab) exec(t *testing.T, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath(args[0]); err != nil {
		t.Skipf("%s not installed (CI installs it)", args[0])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", l.ns["src"]}, args...)...).Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// labCase is one tool run across the lab and what its import must show.
type labCase struct {
	name   string
	args   []string
	format string
	hops   []string // sole responder per hop; "" for a silent hop; nil to skip the comparison
	check  func(t *testing.T, tr *path.Trace)
}

var path3 = []string{labHop1, labHop2, labDst}

// labCases run in TestRealTools; with -update their output is saved to testdata/lab/ and
// TestLabCaptures imports the saved copies on machines without root or the tools.
var labCases = []labCase{
	{name: "traceroute udp", args: []string{"traceroute", "-n", "-q", "2", "-w", "1", labDst}, format: FormatTraceroute, hops: path3},
	{name: "traceroute icmp", args: []string{"traceroute", "-I", "-n", "-w", "1", labDst}, format: FormatTraceroute, hops: path3,
		check: func(t *testing.T, tr *path.Trace) {
			if tr.ProbesPerHop != 3 || tr.MaxTTL != 30 || tr.PacketSize != 60 {
				t.Errorf("pph %d max %d size %d", tr.ProbesPerHop, tr.MaxTTL, tr.PacketSize)
			}
		}},
	{name: "traceroute6", args: []string{"traceroute", "-6", "-n", "-q", "1", "-w", "1", labDst6}, format: FormatTraceroute,
		hops: []string{"fd00:199:1::1", "fd00:199:2::2", labDst6}},
	// The kernel rate-limits unreachable errors, so a hop may stay silent before r2's answer.
	{name: "traceroute !H", args: []string{"traceroute", "-n", "-q", "1", "-N", "1", "-w", "1", labUnreach}, format: FormatTraceroute,
		check: wantLastUnreachable("H")},
	{name: "traceroute !X", args: []string{"traceroute", "-n", "-q", "1", "-N", "1", "-w", "1", labProhib}, format: FormatTraceroute,
		check: wantLastUnreachable("X")},
	{name: "tracepath", args: []string{"tracepath", "-n", labDst}, format: FormatTracepath, hops: path3,
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Meta["pmtu"] == "" || tr.Target.Addr != addr(labDst) {
				t.Errorf("meta %v target %+v", tr.Meta, tr.Target)
			}
		}},
	{name: "mtr report", args: []string{"mtr", "-r", "-n", "-c", "2", "-i", "0.1", "-G", "1", labDst}, format: FormatMTRReport, hops: path3,
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Started.IsZero() || tr.ProbesPerHop != 2 {
				t.Errorf("started %v pph %d", tr.Started, tr.ProbesPerHop)
			}
		}},
	{name: "mtr report wide", args: []string{"mtr", "-r", "-w", "-n", "-c", "2", "-i", "0.1", "-G", "1", labDst}, format: FormatMTRReport, hops: path3},
	{name: "mtr json", args: []string{"mtr", "-j", "-n", "-c", "2", "-i", "0.1", "-G", "1", labDst}, format: FormatMTRJSON, hops: path3,
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Target.Addr != addr(labDst) || tr.ProbesPerHop != 2 {
				t.Errorf("target %+v pph %d", tr.Target, tr.ProbesPerHop)
			}
		}},
	{name: "mtr raw", args: []string{"mtr", "--raw", "-n", "-c", "2", "-i", "0.1", "-G", "1", labDst}, format: FormatMTRRaw, hops: path3},
	{name: "scamper trace", args: []string{"scamper", "-O", "json", "-c", "trace -P icmp-paris -q 1 -w 1", "-i", labDst}, format: FormatScamper, hops: path3,
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Protocol != path.ProtoICMP || tr.Target.Addr != addr(labDst) {
				t.Errorf("protocol %q target %+v", tr.Protocol, tr.Target)
			}
		}},
	{name: "scamper tracelb", args: []string{"scamper", "-O", "json", "-c", "tracelb -P udp-dport", "-i", labDst}, format: FormatScamper, hops: path3},
}

// labFile is where a case's captured output lives.
func labFile(tc labCase) string {
	return filepath.Join("testdata", "lab", strings.NewReplacer(" ", "-", "!", "").Replace(tc.name)+".txt")
}

// TestRealTools runs each installed tool across the lab and imports what it printed.
func TestRealTools(t *testing.T) {
	l := newLab(t)
	for _, tc := range labCases {
		t.Run(tc.name, func(t *testing.T) {
			out := l.exec(t, tc.args...)
			if *update {
				if err := os.MkdirAll(filepath.Dir(labFile(tc)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(labFile(tc), out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			checkLabOutput(t, tc, out)
		})
	}
}

// TestLabCaptures imports the outputs TestRealTools saved from the real tools (mtr 0.95, Linux
// traceroute 2.1, iputils tracepath, scamper 20211212).
func TestLabCaptures(t *testing.T) {
	for _, tc := range labCases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := os.ReadFile(labFile(tc))
			if err != nil {
				t.Fatalf("%v (capture it as root: go test -run TestRealTools -update)", err)
			}
			checkLabOutput(t, tc, out)
		})
	}
}

func checkLabOutput(t *testing.T, tc labCase, out []byte) {
	t.Helper()
	format, err := Detect(out)
	if err != nil || format != tc.format {
		t.Fatalf("Detect = %q, %v; want %q\n%s", format, err, tc.format, out)
	}
	trs, err := Parse(out, "")
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, out)
	}
	if len(trs) != 1 {
		t.Fatalf("%d traces\n%s", len(trs), out)
	}
	tr := trs[0]
	var got []string
	for _, h := range tr.Hops {
		switch len(h.Responders) {
		case 0:
			got = append(got, "")
		case 1:
			got = append(got, h.Responders[0].Addr.String())
		default:
			got = append(got, fmt.Sprint(h.Responders))
		}
	}
	if tc.hops != nil && strings.Join(got, " ") != strings.Join(tc.hops, " ") {
		t.Errorf("responders per hop %q, want %q\n%s", got, tc.hops, out)
	}
	if tc.check != nil {
		tc.check(t, tr)
	}
}

// wantLastUnreachable checks that the trace ends at r2 with an unreachable answer carrying code.
func wantLastUnreachable(code string) func(t *testing.T, tr *path.Trace) {
	return func(t *testing.T, tr *path.Trace) {
		t.Helper()
		last := tr.Hops[len(tr.Hops)-1]
		if len(last.Responders) != 1 || last.Responders[0].Addr != addr(labHop2) {
			t.Fatalf("last hop %+v, want r2 (%s)", last, labHop2)
		}
		for _, p := range last.Probes {
			if p.Status == path.StatusUnreachable && p.Unreachable == code && p.HasRTT {
				return
			}
		}
		t.Errorf("last hop probes %+v, want one unreachable %s", last.Probes, code)
	}
}
