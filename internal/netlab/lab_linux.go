//go:build linux

package netlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"

	"hopscope/internal/netlab/relay"
)

// netnsDir is where `ip netns` keeps named namespaces.
const netnsDir = "/run/netns"

// etcNetnsDir holds per-namespace files that `ip netns exec` bind-mounts over /etc.
const etcNetnsDir = "/etc/netns"

var labSeq atomic.Uint64

var sweepOnce sync.Once

// Lab is a running lab network. Its methods are safe for concurrent use.
type Lab struct {
	plan   *plan
	spec   Spec
	dir    string // temporary directory (DNS configuration, logs)
	relays []*relay.Relay
	dnsCmd *exec.Cmd
	dnsErr chan error

	mu     sync.Mutex
	closed bool
	made   []string // namespaces created, in order
	etc    []string // /etc/netns/<ns> directories created
}

// Start creates the lab described by spec: one network namespace per node,
// the links, addresses, routes, sysctls and firewall rules, the link relays,
// and unbound when spec.DNS is set. On error it removes what it made. The
// lab lives until Close; ctx bounds only the setup.
func Start(ctx context.Context, spec Spec) (*Lab, error) {
	sweepOnce.Do(func() { _, _ = Sweep() })
	prefix := fmt.Sprintf("%s%d-%d-", namePrefix, os.Getpid(), labSeq.Add(1))
	p, err := buildPlan(spec, prefix)
	if err != nil {
		return nil, err
	}
	l := &Lab{plan: p, spec: spec}
	// Names with this prefix can only be left by a dead process that had our pid.
	if err := removeNetns(existingWithPrefix(prefix)...); err != nil {
		return nil, fmt.Errorf("netlab %s: remove leftovers: %w", p.name, err)
	}
	if err := l.setup(ctx); err != nil {
		_ = l.Close()
		return nil, fmt.Errorf("netlab %s: %w", p.name, err)
	}
	return l, nil
}

func (l *Lab) setup(ctx context.Context) error {
	p := l.plan
	var create strings.Builder
	for _, n := range p.nodes {
		fmt.Fprintf(&create, "netns add %s\n", n.ns)
	}
	// Recorded first: if the batch fails half way, Close removes what exists.
	l.mu.Lock()
	for _, n := range p.nodes {
		l.made = append(l.made, n.ns)
	}
	l.mu.Unlock()
	if err := ipBatch(ctx, "", create.String()); err != nil {
		return fmt.Errorf("create namespaces: %w", err)
	}
	for _, n := range p.nodes {
		if err := l.Run(n.spec.Name, func() error { return writeSysctls(n.sysctls) }); err != nil {
			return fmt.Errorf("node %s: %w", n.spec.Name, err)
		}
	}
	if p.dns != nil {
		// unbound listens on the wildcard addresses, so it can start (slowly)
		// while the links are being configured.
		if err := l.startDNS(); err != nil {
			return err
		}
	}
	if batch := p.vethBatch(); batch != "" {
		if err := ipBatch(ctx, "", batch); err != nil {
			return fmt.Errorf("create veth links: %w", err)
		}
	}
	for i, lp := range p.links {
		if !lp.tun {
			continue
		}
		if err := l.startRelay(i, lp, seedOrDefault(l.spec.Seed)); err != nil {
			return err
		}
	}
	// One `ip -batch` per namespace; several at once, as each waits mostly on
	// process start-up and the kernel.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for _, n := range p.nodes {
		g.Go(func() error {
			if err := ipBatch(gctx, n.ns, n.ipBatch()); err != nil {
				return fmt.Errorf("node %s: %w", n.spec.Name, err)
			}
			if n.nft == "" {
				return nil
			}
			cmd := exec.CommandContext(gctx, "ip", "netns", "exec", n.ns, "nft", "-f", "-")
			cmd.Stdin = strings.NewReader(n.nft)
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("node %s: nft: %v: %s", n.spec.Name, err, bytes.TrimSpace(out))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := l.writeResolvConf(); err != nil {
		return err
	}
	if p.dns != nil {
		if err := l.waitDNS(ctx); err != nil {
			return err
		}
	}
	return nil
}

func seedOrDefault(seed uint64) uint64 {
	if seed == 0 {
		return 0x5eed
	}
	return seed
}

// startRelay opens a TUN device in each end's namespace and joins them with a relay.
func (l *Lab) startRelay(i int, lp linkPlan, seed uint64) error {
	a, err := l.openTUN(lp.a, lp.aIf)
	if err != nil {
		return fmt.Errorf("link %d: %w", i, err)
	}
	b, err := l.openTUN(lp.b, lp.bIf)
	if err != nil {
		a.Close()
		return fmt.Errorf("link %d: %w", i, err)
	}
	cfg := func(dir uint64, from *nodePlan) relay.Config {
		c := relay.Config{
			Delay:   lp.spec.Delay,
			Jitter:  lp.spec.Jitter,
			Loss:    lp.spec.Loss,
			Reorder: lp.spec.Reorder,
			Seed:    seed ^ uint64(i)<<1 ^ dir,
		}
		if stack := from.spec.MPLS; len(stack) > 0 {
			own := map[netip.Addr]bool{}
			for _, a := range from.addrs() {
				own[a] = true
			}
			c.Rewrite = func(pkt []byte) []byte { return addMPLSExtension(pkt, own, stack) }
		}
		if d := from.spec.SlowICMP; d > 0 {
			own := map[netip.Addr]bool{}
			for _, a := range from.addrs() {
				own[a] = true
			}
			c.Hold = slowICMPHold(own, d)
		}
		return c
	}
	r := relay.Start(a, b, cfg(0, lp.a), cfg(1, lp.b))
	l.mu.Lock()
	l.relays = append(l.relays, r)
	l.mu.Unlock()
	return nil
}

// openTUN creates a TUN device (IFF_TUN|IFF_NO_PI) named ifname inside node's
// namespace and returns its file, non-blocking so that reads use the poller.
func (l *Lab) openTUN(n *nodePlan, ifname string) (*os.File, error) {
	var f *os.File
	err := l.Run(n.spec.Name, func() error {
		fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open /dev/net/tun: %w", err)
		}
		ifr, err := unix.NewIfreq(ifname)
		if err != nil {
			unix.Close(fd)
			return fmt.Errorf("tun %s: %w", ifname, err)
		}
		ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
		if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
			unix.Close(fd)
			return fmt.Errorf("create tun %s in %s: %w", ifname, n.ns, err)
		}
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(fd)
			return fmt.Errorf("tun %s: %w", ifname, err)
		}
		f = os.NewFile(uintptr(fd), "tun:"+n.ns+":"+ifname)
		return nil
	})
	return f, err
}

// ipBatch runs `ip -batch -` with the given lines, inside namespace ns unless ns is empty.
func ipBatch(ctx context.Context, ns, lines string) error {
	args := []string{"-batch", "-"}
	if ns != "" {
		args = append([]string{"-n", ns}, args...)
	}
	cmd := exec.CommandContext(ctx, "ip", args...)
	cmd.Stdin = strings.NewReader(lines)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

func writeSysctls(list []sysctl) error {
	for _, s := range list {
		path := "/proc/sys/" + s.key
		if err := os.WriteFile(path, []byte(s.value+"\n"), 0o644); err != nil {
			if s.optional && errors.Is(err, os.ErrNotExist) {
				continue
			}
			return fmt.Errorf("sysctl %s=%s: %w", strings.ReplaceAll(s.key, "/", "."), s.value, err)
		}
	}
	return nil
}

// writeResolvConf gives every namespace an /etc/resolv.conf (seen through `ip
// netns exec`) that points at the lab DNS, or at the namespace's own loopback
// when the lab has none, so tools in the lab never query a resolver outside it.
func (l *Lab) writeResolvConf() error {
	conf := "nameserver 127.0.0.1\n"
	if l.plan.dns != nil {
		var b strings.Builder
		for _, a := range l.Resolvers() {
			fmt.Fprintf(&b, "nameserver %s\n", a.Addr())
		}
		b.WriteString("options timeout:1 attempts:1\n")
		conf = b.String()
	}
	for _, n := range l.plan.nodes {
		dir := filepath.Join(etcNetnsDir, n.ns)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("node %s: %w", n.spec.Name, err)
		}
		l.mu.Lock()
		l.etc = append(l.etc, dir)
		l.mu.Unlock()
		if err := os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte(conf), 0o644); err != nil {
			return fmt.Errorf("node %s: %w", n.spec.Name, err)
		}
	}
	return nil
}

// Close stops unbound and the relays, ends every process left in the lab's
// namespaces and removes the namespaces (and with them the links). It is
// idempotent and returns the errors it met.
func (l *Lab) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	made, etc, relays := l.made, l.etc, l.relays
	l.mu.Unlock()

	var errs []error
	if l.dnsCmd != nil && l.dnsCmd.Process != nil {
		_ = l.dnsCmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-l.dnsErr:
		case <-time.After(2 * time.Second):
			_ = l.dnsCmd.Process.Kill()
			<-l.dnsErr
		}
	}
	for _, r := range relays {
		if err := r.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := removeNetns(made...); err != nil {
		errs = append(errs, err)
	}
	for _, d := range etc {
		if err := os.RemoveAll(d); err != nil {
			errs = append(errs, err)
		}
	}
	if l.dir != "" {
		if err := os.RemoveAll(l.dir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// existingWithPrefix lists the namespaces whose names start with prefix.
func existingWithPrefix(prefix string) []string {
	entries, err := os.ReadDir(netnsDir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			out = append(out, e.Name())
		}
	}
	return out
}

// removeNetns kills the processes still inside the named namespaces and
// deletes the namespaces; names that do not exist are skipped.
func removeNetns(names ...string) error {
	var batch strings.Builder
	inodes := map[uint64]bool{}
	var existing []string
	for _, ns := range names {
		var st unix.Stat_t
		if err := unix.Stat(filepath.Join(netnsDir, ns), &st); err != nil {
			continue
		}
		inodes[st.Ino] = true
		existing = append(existing, ns)
		fmt.Fprintf(&batch, "netns delete %s\n", ns)
	}
	if len(existing) == 0 {
		return nil
	}
	killNetnsPids(inodes)
	cmd := exec.Command("ip", "-force", "-batch", "-")
	cmd.Stdin = strings.NewReader(batch.String())
	out, runErr := cmd.CombinedOutput()
	var left []string
	for _, ns := range existing {
		if _, err := os.Stat(filepath.Join(netnsDir, ns)); err == nil {
			left = append(left, ns)
		}
	}
	if len(left) > 0 {
		return fmt.Errorf("delete namespaces %s: %v: %s", strings.Join(left, " "), runErr, bytes.TrimSpace(out))
	}
	return nil
}

// killNetnsPids kills every process (other than this one) whose network
// namespace is one of the given namespace inodes, like `ip netns pids`.
func killNetnsPids(inodes map[uint64]bool) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	self := os.Getpid()
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 1 || pid == self {
			continue
		}
		link, err := os.Readlink("/proc/" + e.Name() + "/ns/net")
		if err != nil {
			continue
		}
		var ino uint64
		if _, err := fmt.Sscanf(link, "net:[%d]", &ino); err != nil || !inodes[ino] {
			continue
		}
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// Run calls fn on an OS thread that has entered node's network namespace, and
// returns its error. Sockets and TUN files opened in fn stay in that
// namespace and may be used from any goroutine afterwards; goroutines that fn
// starts do not run in the namespace.
func (l *Lab) Run(node string, fn func() error) error {
	path := l.NetnsPath(node)
	if path == "" {
		return fmt.Errorf("netlab: no node %q", node)
	}
	target, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("netlab: open namespace of %s: %w", node, err)
	}
	defer unix.Close(target)

	runtime.LockOSThread()
	orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("netlab: open own namespace: %w", err)
	}
	defer unix.Close(orig)
	if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("netlab: enter namespace of %s: %w", node, err)
	}
	defer func() {
		// If the thread cannot go back it stays locked, and Go ends it with the goroutine.
		if unix.Setns(orig, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
	}()
	return fn()
}

// Exec returns a command that runs name with args inside node's namespace
// through `ip netns exec`, which also shows the lab's /etc/resolv.conf. It
// returns a command whose Run fails when node does not exist.
func (l *Lab) Exec(ctx context.Context, node, name string, args ...string) *exec.Cmd {
	ns := l.Netns(node)
	if ns == "" {
		ns = "netlab-no-such-node-" + node
	}
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns, name}, args...)...)
}

// NetnsPath returns the path of node's namespace file (for setns or
// `nsenter --net=`), or "" when there is no such node.
func (l *Lab) NetnsPath(node string) string {
	ns := l.Netns(node)
	if ns == "" {
		return ""
	}
	return filepath.Join(netnsDir, ns)
}

// LinkStats returns the relay counters of link i (index into Spec.Links) in
// the A→B and B→A directions; ok is false for a link without a relay.
func (l *Lab) LinkStats(i int) (ab, ba relay.Stats, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := 0
	for j, lp := range l.plan.links {
		if !lp.tun {
			continue
		}
		if j == i {
			if k < len(l.relays) {
				ab, ba = l.relays[k].Stats()
				return ab, ba, true
			}
			return ab, ba, false
		}
		k++
	}
	return ab, ba, false
}
