package probe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hopscope/internal/netlab"
	"hopscope/internal/path"
)

// The helper process: when HOPSCOPE_PROBE_HELPER is set, TestHelperTrace traces the address in it
// with the method in HOPSCOPE_PROBE_METHOD and writes the trace as JSON to stdout. The lab test
// runs it as nobody inside the client's namespace.
const helperEnv = "HOPSCOPE_PROBE_HELPER"

func TestHelperTrace(t *testing.T) {
	dst := os.Getenv(helperEnv)
	if dst == "" {
		t.Skip("helper process for TestLabUnprivileged")
	}
	tr, err := Run(context.Background(), path.Target{Addr: netip.MustParseAddr(dst)},
		Options{Method: path.Protocol(os.Getenv("HOPSCOPE_PROBE_METHOD")),
			Config: Config{MinWait: 500 * time.Millisecond, WaitFactor: 4, Timeout: 2 * time.Second}})
	out := struct {
		Trace *path.Trace
		Err   string
		Priv  bool
	}{Trace: tr}
	if err != nil {
		out.Err, out.Priv = err.Error(), errors.Is(err, ErrNeedPrivilege)
	}
	b, _ := json.Marshal(out)
	fmt.Printf("HELPER-RESULT %s\n", b)
}

// copyExecutable copies the test binary to a directory nobody can read, so setpriv can run it.
func copyExecutable(t *testing.T) string {
	dir, err := os.MkdirTemp("", "hopscope-probe-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	exe := filepath.Join(dir, "probe.test")
	dstf, err := os.OpenFile(exe, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dstf, src); err != nil {
		t.Fatal(err)
	}
	if err := dstf.Close(); err != nil {
		t.Fatal(err)
	}
	return exe
}

// TestLabUnprivileged traces as user nobody (no CAP_NET_RAW): ICMP through datagram sockets
// (the lab opens ping_group_range), UDP and TCP through IP_RECVERR.
func TestLabUnprivileged(t *testing.T) {
	netlab.RequireTool(t, "setpriv")
	l := netlab.New(t, labSpec())
	node := nodeNamer(l)
	exe := copyExecutable(t)
	for _, tc := range []struct {
		method path.Protocol
		dst    netip.Addr
	}{
		{path.ProtoICMP, labServer4}, {path.ProtoICMP, labServer6},
		{path.ProtoUDP, labServer4}, {path.ProtoUDP, labServer6},
		{path.ProtoTCP, labServer4}, {path.ProtoTCP, labServer6},
	} {
		t.Run(fmt.Sprintf("%s/%v", tc.method, tc.dst), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := l.Exec(ctx, "client", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
				exe, "-test.run=^TestHelperTrace$")
			cmd.Env = append(os.Environ(), helperEnv+"="+tc.dst.String(), "HOPSCOPE_PROBE_METHOD="+string(tc.method))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("helper: %v\n%s", err, out)
			}
			var res struct {
				Trace *path.Trace
				Err   string
			}
			if err := parseHelper(out, &res); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if res.Err != "" {
				t.Fatalf("trace as nobody: %s", res.Err)
			}
			tr := res.Trace
			if tr.Meta["socket_mode"] != string(ModeUnprivileged) {
				t.Errorf("socket mode %q, want unprivileged", tr.Meta["socket_mode"])
			}
			if got := slices.Contains(tr.Warnings, NATSkipped); got != tc.dst.Is4() {
				t.Errorf("warnings %q: NAT detection said skipped %v, want %v (IPv4 only)", tr.Warnings, got, tc.dst.Is4())
			}
			got := hopNodes(tr, node)
			if len(got) != 7 || got[0] != "r1" || got[1] != "*" || got[2] != "r3" || got[4] != "r5" || got[6] != "server" {
				t.Errorf("hops %v, want r1 * r3 r4x r5 r6x server", got)
			}
			for _, h := range tr.Hops {
				if h.TTL != 2 && h.Answered() < 2 {
					t.Errorf("hop %d: %d answered", h.TTL, h.Answered())
				}
			}
		})
	}
}

// TestLabNeedPrivilege closes ICMP datagram sockets in the client's namespace: an ICMP trace as
// nobody must fail with ErrNeedPrivilege and say what to do.
func TestLabNeedPrivilege(t *testing.T) {
	netlab.RequireTool(t, "setpriv", "sysctl")
	l := netlab.New(t, netlab.Spec{Name: "priv", Nodes: []netlab.Node{{Name: "client"}, {Name: "server"}},
		Links: []netlab.Link{{A: "client", B: "server"}}})
	exe := copyExecutable(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := l.Exec(ctx, "client", "sysctl", "-w", "net.ipv4.ping_group_range=1 0").CombinedOutput(); err != nil {
		t.Fatalf("sysctl: %v\n%s", err, out)
	}
	dst, _ := l.Addr("server", false)
	cmd := l.Exec(ctx, "client", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
		exe, "-test.run=^TestHelperTrace$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dst.String(), "HOPSCOPE_PROBE_METHOD=icmp")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	var res struct {
		Err  string
		Priv bool
	}
	if err := parseHelper(out, &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !res.Priv || !strings.Contains(res.Err, "setcap cap_net_raw+ep") || !strings.Contains(res.Err, "ping_group_range") {
		t.Errorf("error %q (ErrNeedPrivilege: %v), want ErrNeedPrivilege naming setcap and ping_group_range", res.Err, res.Priv)
	}
}

func parseHelper(out []byte, v any) error {
	const mark = "HELPER-RESULT "
	for _, line := range splitLines(out) {
		if len(line) > len(mark) && line[:len(mark)] == mark {
			return json.Unmarshal([]byte(line[len(mark):]), v)
		}
	}
	return errors.New("no result from the helper")
}

func splitLines(b []byte) []string {
	var out []string
	start := 0
	for i, c := range b {
		if c == '\n' {
			out = append(out, string(b[start:i]))
			start = i + 1
		}
	}
	return append(out, string(b[start:]))
}
