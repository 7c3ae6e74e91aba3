package netlab

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"
)

// RequireRoot skips the test, with the reason, unless the process is root on
// Linux with `ip` installed and network namespaces usable.
func RequireRoot(t testing.TB) {
	t.Helper()
	if reason := rootUnavailable(); reason != "" {
		t.Skip("netlab: " + reason)
	}
}

// RequireTool skips the test unless every named program is installed.
func RequireTool(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			t.Skipf("netlab: %s is not installed (CI installs it with apt-get)", n)
		}
	}
}

func rootUnavailable() string {
	if runtime.GOOS != "linux" {
		return "needs Linux network namespaces"
	}
	if os.Geteuid() != 0 {
		return "needs root (network namespaces, TUN devices, nftables); CI runs it as root"
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return "needs iproute2's ip"
	}
	if _, err := os.Stat("/proc/self/ns/net"); err != nil {
		return "kernel without network namespaces"
	}
	return ""
}

// New starts a lab for a test, skipping the test when not root or when a
// program the spec needs is missing (nft for Silent or Drop nodes, unbound for
// DNS), failing it on setup errors, and closing the lab when the test ends
// (even if it fails). Setup is bounded to a minute.
func New(t testing.TB, spec Spec) *Lab {
	t.Helper()
	RequireRoot(t)
	RequireTool(t, spec.tools()...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := Start(ctx, spec)
	if err != nil {
		t.Fatalf("start lab: %v", err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("close lab: %v", err)
		}
	})
	return l
}

// tools returns the programs besides ip that starting spec runs.
func (s Spec) tools() []string {
	var out []string
	for _, n := range s.Nodes {
		if n.Silent || n.Drop != 0 || n.NAT != nil || n.ForwardLoss > 0 || n.ICMPLoss > 0 || n.ICMPLimit > 0 {
			out = append(out, "nft")
			break
		}
	}
	if s.DNS != nil {
		out = append(out, "unbound")
	}
	return out
}
