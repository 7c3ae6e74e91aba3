// Package dnstest starts real DNS servers (nsd, unbound) and small in-process ones (geo-aware, DoT, DoH,
// garbage) on loopback for hopscope's DNS tests and benchmarks.
//
// Everything listens on 127.0.0.x high ports chosen at start; configs and logs live in the test's
// temporary directory and every process is stopped by t.Cleanup. Nothing here sends a packet off the host.
package dnstest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// Need skips t unless the named programs are installed and the test runs as root (nsd and unbound drop
// no privileges here but want to write pid files and bind as configured).
func Need(t testing.TB, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s not installed (CI installs it with .ci/run: apt-get install nsd unbound dnsutils)", p)
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to run nsd/unbound as configured (CI runs as root)")
	}
}

// FreePort returns a port free for UDP and TCP on every address given.
func FreePort(t testing.TB, addrs ...netip.Addr) uint16 {
	t.Helper()
	for range 200 {
		port := uint16(20000 + rand.IntN(40000))
		if portFree(addrs, port) {
			return port
		}
	}
	t.Fatal("no free port found on loopback")
	return 0
}

func portFree(addrs []netip.Addr, port uint16) bool {
	var closers []func() error
	defer func() {
		for _, c := range closers {
			_ = c()
		}
	}()
	for _, a := range addrs {
		ap := netip.AddrPortFrom(a, port).String()
		u, err := net.ListenPacket("udp", ap)
		if err != nil {
			return false
		}
		closers = append(closers, u.Close)
		l, err := net.Listen("tcp", ap)
		if err != nil {
			return false
		}
		closers = append(closers, l.Close)
	}
	return true
}

// WaitReady polls addr with an SOA query for zone until it answers (any rcode) or 10 s pass.
func WaitReady(t testing.TB, addr netip.AddrPort, zone string) {
	t.Helper()
	c := &mdns.Client{Timeout: 200 * time.Millisecond}
	m := new(mdns.Msg)
	m.SetQuestion(mdns.Fqdn(zone), mdns.TypeSOA)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, _, err := c.Exchange(m, addr.String()); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("DNS server at %s did not answer within 10s", addr)
}

// startProcess runs a server in the foreground until the test ends.
func startProcess(t testing.TB, dir, logName string, name string, args ...string) {
	t.Helper()
	log, err := os.Create(filepath.Join(dir, logName))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.WaitDelay = 3 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		_ = log.Close()
		if t.Failed() {
			if b, err := os.ReadFile(log.Name()); err == nil && len(b) > 0 {
				t.Logf("%s log:\n%s", name, tail(string(b), 3000))
			}
		}
	})
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// Zone is one zone file: its origin and the records (zone-file lines; $TTL 300 is prepended).
type Zone struct {
	Name    string
	Records string
}

// StartNSD runs nsd serving zones on addr and waits until it answers.
func StartNSD(t testing.TB, addr netip.AddrPort, zones []Zone) {
	t.Helper()
	dir := t.TempDir()
	var conf strings.Builder
	fmt.Fprintf(&conf, `server:
  ip-address: %s@%d
  port: %d
  database: ""
  zonesdir: %q
  pidfile: %q
  xfrdfile: %q
  zonelistfile: %q
  xfrdir: %q
  username: ""
  chroot: ""
  verbosity: 1
  server-count: 1
  do-ip6: no
  hide-version: no
  nsid: "ascii_nsd-%s"
remote-control:
  control-enable: no
`, addr.Addr(), addr.Port(), addr.Port(), dir, filepath.Join(dir, "nsd.pid"), filepath.Join(dir, "xfrd.state"),
		filepath.Join(dir, "zone.list"), dir, addr.Addr())
	for i, z := range zones {
		file := fmt.Sprintf("z%d.zone", i)
		body := "$TTL 300\n$ORIGIN " + mdns.Fqdn(z.Name) + "\n" + z.Records + "\n"
		if err := os.WriteFile(filepath.Join(dir, file), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&conf, "zone:\n  name: %q\n  zonefile: %q\n", mdns.Fqdn(z.Name), file)
	}
	confPath := filepath.Join(dir, "nsd.conf")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("nsd-checkconf", confPath).CombinedOutput(); err != nil {
		t.Fatalf("nsd-checkconf: %v\n%s", err, out)
	}
	startProcess(t, dir, "nsd.log", "nsd", "-d", "-c", confPath)
	zone := "."
	if len(zones) > 0 {
		zone = zones[0].Name
	}
	WaitReady(t, addr, zone)
}

// Stub is a zone unbound sends to given servers instead of following delegation (every lab server
// listens on a high port, which delegation cannot express).
type Stub struct {
	Zone  string
	Addrs []netip.AddrPort
}

// UnboundConfig is an unbound instance.
type UnboundConfig struct {
	Addr  netip.AddrPort
	Stubs []Stub
	// ECSServers are the upstream addresses unbound sends EDNS Client Subnet to (send-client-subnet).
	ECSServers []netip.Addr
	// TrustAnchors are DNSKEY or DS lines; when any are given unbound validates DNSSEC.
	TrustAnchors []string
	// Extra is appended to the server: section.
	Extra string
}

// StartUnbound runs unbound as a recursive resolver on cfg.Addr and waits until it answers. Its root hints
// point at 127.0.0.1:53, so names outside the stubs never leave the host.
func StartUnbound(t testing.TB, cfg UnboundConfig) {
	t.Helper()
	dir := t.TempDir()
	modules := "subnetcache iterator"
	if len(cfg.TrustAnchors) > 0 {
		modules = "subnetcache validator iterator"
	}
	var conf strings.Builder
	fmt.Fprintf(&conf, `server:
  interface: %s@%d
  port: %d
  do-daemonize: no
  username: ""
  chroot: ""
  directory: %q
  pidfile: %q
  use-syslog: no
  logfile: ""
  verbosity: 1
  num-threads: 1
  do-ip6: no
  so-reuseport: no
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  qname-minimisation: no
  harden-referral-path: no
  minimal-responses: yes
  module-config: %q
  max-client-subnet-ipv4: 24
  client-subnet-always-forward: yes
  nsid: "ascii_unbound-lab"
  val-log-level: 2
  outgoing-range: 512
  num-queries-per-thread: 1024
  infra-host-ttl: 60
  ede: yes
  root-hints: %q
`, cfg.Addr.Addr(), cfg.Addr.Port(), cfg.Addr.Port(), dir, filepath.Join(dir, "unbound.pid"), modules, filepath.Join(dir, "root.hints"))
	// Root hints on loopback keep unbound off the real roots for names outside the stubs (unbound keeps
	// the first hints it reads for ".", so a stub for "." would not replace them: do not give one).
	hints := ".  3600000 NS a.root.lab.\na.root.lab. 3600000 A 127.0.0.1\n"
	if err := os.WriteFile(filepath.Join(dir, "root.hints"), []byte(hints), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, a := range cfg.ECSServers {
		fmt.Fprintf(&conf, "  send-client-subnet: %s\n", a)
	}
	for _, ta := range cfg.TrustAnchors {
		fmt.Fprintf(&conf, "  trust-anchor: %q\n", ta)
	}
	conf.WriteString(cfg.Extra)
	conf.WriteString("remote-control:\n  control-enable: no\n")
	for _, s := range cfg.Stubs {
		fmt.Fprintf(&conf, "stub-zone:\n  name: %q\n  stub-prime: no\n", mdns.Fqdn(s.Zone))
		for _, a := range s.Addrs {
			fmt.Fprintf(&conf, "  stub-addr: %s@%d\n", a.Addr(), a.Port())
		}
	}
	confPath := filepath.Join(dir, "unbound.conf")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("unbound-checkconf", confPath).CombinedOutput(); err != nil {
		t.Fatalf("unbound-checkconf: %v\n%s\n%s", err, out, conf.String())
	}
	startProcess(t, dir, "unbound.log", "unbound", "-d", "-c", confPath)
	zone := "."
	if len(cfg.Stubs) > 0 {
		zone = cfg.Stubs[len(cfg.Stubs)-1].Zone
	}
	WaitReady(t, cfg.Addr, zone)
}
