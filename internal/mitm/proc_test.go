package mitm

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// fakeProcs is a procSource over made-up processes, counting what the table reads. Each process's
// connections are keyed by client port, so find answers like the kernel would.
type fakeProcs struct {
	mu                                 sync.Mutex
	procs                              map[int]*fakeProc
	conns                              map[uint16]uint64 // client port → socket inode
	nextIno                            uint64
	nextCon                            uint16
	finds, reads, lists, opens, closes int
}

type fakeProc struct {
	name string
	fds  map[int]uint64 // descriptor → socket inode, 0 for a file
}

type fakeHandle struct {
	f   *fakeProcs
	pid int
	p   *fakeProc
}

var fakeServer = netip.MustParseAddrPort("127.0.0.1:8080")

func newFakeProcs() *fakeProcs {
	return &fakeProcs{procs: map[int]*fakeProc{}, conns: map[uint16]uint64{}, nextIno: 1000, nextCon: 1}
}

// start makes a process holding stdin, stdout and stderr; one already running with this pid is gone.
func (f *fakeProcs) start(pid int, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.procs[pid] = &fakeProc{name: name, fds: map[int]uint64{0: 0, 1: 0, 2: 0}}
}

// connect opens a connection in pid at its lowest free descriptor and returns the client end.
func (f *fakeProcs) connect(pid int) netip.AddrPort {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextIno++
	f.nextCon++
	p := f.procs[pid]
	fd := 0
	for ; ; fd++ {
		if _, used := p.fds[fd]; !used {
			break
		}
	}
	p.fds[fd] = f.nextIno
	f.conns[f.nextCon] = f.nextIno
	return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), f.nextCon)
}

// closeAll closes every socket of pid.
func (f *fakeProcs) closeAll(pid int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	maps.DeleteFunc(f.procs[pid].fds, func(_ int, ino uint64) bool { return ino != 0 })
}

func (f *fakeProcs) find(local, remote netip.AddrPort) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.finds++
	if ino, ok := f.conns[local.Port()]; ok && remote == fakeServer {
		return ino, nil
	}
	return 0, fmt.Errorf("sock_diag: %w", syscall.ENOENT)
}

func (f *fakeProcs) counts() (reads, lists, finds int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads, f.lists, f.finds
}

func (f *fakeProcs) pids() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.procs))
}

func (f *fakeProcs) open(pid int) (procHandle, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.procs[pid]
	if p == nil {
		return nil, fmt.Errorf("open /proc/%d: %w", pid, syscall.ENOENT)
	}
	f.opens++
	return &fakeHandle{f, pid, p}, nil
}

func (h *fakeHandle) live() bool { return h.f.procs[h.pid] == h.p }

func (h *fakeHandle) fds() ([]int, error) {
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	h.f.lists++
	if !h.live() {
		return nil, syscall.ENOENT
	}
	return slices.Collect(maps.Keys(h.p.fds)), nil
}

func (h *fakeHandle) socket(fd int) (uint64, bool) {
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	h.f.reads++
	if !h.live() {
		return 0, false
	}
	ino, ok := h.p.fds[fd]
	return ino, ok
}

func (h *fakeHandle) name() (string, error) {
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	if !h.live() {
		return "", syscall.ENOENT
	}
	return h.p.name + "[" + strconv.Itoa(h.pid) + "]", nil
}

func (h *fakeHandle) close() {
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	h.f.closes++
}

// tickClock is a clock that moves 1 ms each time it is read, plus whatever jump adds.
type tickClock struct{ ns atomic.Int64 }

func (c *tickClock) now() time.Time { return time.Unix(0, c.ns.Add(int64(time.Millisecond))) }

func (c *tickClock) jump(d time.Duration) { c.ns.Add(int64(d)) }

func newFakeTable(f *fakeProcs, clock *tickClock) *ProcessTable {
	return newProcessTable(ProcessTableConfig{Refresh: time.Nanosecond}, clock.now, f.find, f)
}

// TestProcessTableWorkPerConnection is issue 16's acceptance at its core: a client opening connection
// after connection costs one kernel query and a couple of descriptor reads each, not a walk of every
// process; a new process, reused descriptors, a reused pid and an exec are each found correctly.
func TestProcessTableWorkPerConnection(t *testing.T) {
	f, clock := newFakeProcs(), &tickClock{}
	for pid := 1; pid <= 20; pid++ { // bystanders, each with a socket of its own
		f.start(pid, "daemon")
		f.connect(pid)
	}
	f.start(100, "browser")
	pt := newFakeTable(f, clock)
	check := func(step string, client netip.AddrPort, want string) {
		t.Helper()
		if got := pt.Lookup(client, fakeServer); got != want {
			t.Fatalf("%s: %v named %q, want %q", step, client, got, want)
		}
	}
	// 1,000 connections, each beside a second socket (the proxy's own end, were it in-process)
	reads0, lists0, _ := f.counts()
	for i := range 1000 {
		c := f.connect(100)
		f.connect(100)
		check(fmt.Sprint("connection ", i), c, "browser[100]")
	}
	reads, lists, finds := f.counts()
	if s := pt.stats; s.fullWalks != 1 || s.recentWalks != 0 || finds != 1000 || reads-reads0 > 2*1000+100 || lists-lists0 > 30 {
		t.Errorf("1,000 connections: %+v, %d finds, %d descriptor reads, %d listings; want 1 walk, 1,000 finds, about 2,000 reads",
			s, finds, reads-reads0, lists-lists0)
	}

	// one connection at a time, each closed before the next opens on the same descriptor number
	reads0, _, _ = f.counts()
	walks0 := pt.stats.recentWalks + pt.stats.fullWalks
	for i := range 100 {
		c := f.connect(100)
		check(fmt.Sprint("sequential connection ", i), c, "browser[100]")
		f.mu.Lock()
		for fd, ino := range f.procs[100].fds {
			if ino == f.conns[c.Port()] {
				delete(f.procs[100].fds, fd)
			}
		}
		f.mu.Unlock()
	}
	reads, _, _ = f.counts()
	if walks := pt.stats.recentWalks + pt.stats.fullWalks - walks0; walks > 1 || reads-reads0 > 100+20 {
		t.Errorf("sequential connections: %d re-reads or walks, %d descriptor reads; want at most 1, about 100 reads", walks, reads-reads0)
	}

	// churn: every third socket closes and a new connection takes its place, lowest number first
	f.mu.Lock()
	for fd, ino := range f.procs[100].fds {
		if ino != 0 && fd%3 == 0 {
			delete(f.procs[100].fds, fd)
		}
	}
	f.mu.Unlock()
	for i := range 300 {
		check(fmt.Sprint("churned descriptor ", i), f.connect(100), "browser[100]")
	}

	// every socket closed, then 100 new ones on the same descriptor numbers: one re-read of the browser,
	// that reads from the lowest descriptor up and stops at the first new socket
	f.closeAll(100)
	reads0, _, _ = f.counts()
	for range 100 {
		check("reused descriptor", f.connect(100), "browser[100]")
	}
	reads, _, _ = f.counts()
	if s := pt.stats; s.fullWalks != 1 || s.recentWalks != 2 || reads-reads0 > 2*100+20 {
		t.Errorf("reused descriptors: %+v, %d descriptor reads; want still 1 walk, 2 re-reads in all, about 200 reads", s, reads-reads0)
	}

	// a new process: one re-read of the recent owners, one walk, then probes alone
	f.start(200, "curl")
	for i := range 20 {
		check(fmt.Sprint("curl connection ", i), f.connect(200), "curl[200]")
	}
	if s := pt.stats; s.fullWalks != 2 || s.recentWalks != 3 {
		t.Errorf("new process: %+v, want 2 walks and 3 re-reads in all", s)
	}
	check("browser after curl", f.connect(100), "browser[100]")

	// curl exits and its pid goes to wget, whose socket lands on a descriptor curl used
	f.start(200, "wget")
	check("reused pid", f.connect(200), "wget[200]")

	// the browser execs: after nameTTL its name is read again
	f.mu.Lock()
	f.procs[100].name = "helper"
	f.mu.Unlock()
	clock.jump(2 * nameTTL)
	check("after exec", f.connect(100), "helper[100]")

	// nobody we can see: "" after a re-read and a walk; no kernel query for a remote client
	f.mu.Lock()
	f.conns[60000] = 99999999
	f.mu.Unlock()
	s0 := pt.stats
	check("unowned socket", netip.MustParseAddrPort("127.0.0.1:60000"), "")
	if s := pt.stats; s.fullWalks != s0.fullWalks+1 || s.recentWalks != s0.recentWalks+1 {
		t.Errorf("unowned socket: %+v after %+v, want one more re-read and walk", s, s0)
	}
	check("closed socket", netip.MustParseAddrPort("127.0.0.1:60001"), "")
	_, _, finds0 := f.counts()
	check("remote client", netip.MustParseAddrPort("192.0.2.1:5"), "")
	if _, _, finds := f.counts(); finds != finds0 {
		t.Errorf("a remote client was asked about")
	}
	if s := pt.stats; s.fullWalks != s0.fullWalks+1 {
		t.Errorf("closed or remote: %+v, want no walk", s)
	}
	checkHeldOpen(t, f)
}

// checkHeldOpen fails t when the table holds more processes' descriptor directories open than it keeps.
func checkHeldOpen(t *testing.T, f *fakeProcs) {
	t.Helper()
	f.mu.Lock()
	open := f.opens - f.closes
	f.mu.Unlock()
	if open > maxRecent {
		t.Errorf("%d processes held open, want at most %d", open, maxRecent)
	}
}

// TestProcessTableConcurrent: 1,000 lookups at once, owners spread over processes, share one walk.
func TestProcessTableConcurrent(t *testing.T) {
	f := newFakeProcs()
	var clients []netip.AddrPort
	want := map[netip.AddrPort]string{}
	for pid := 1; pid <= 12; pid++ {
		f.start(pid, "client"+strconv.Itoa(pid))
	}
	for i := range 1000 {
		pid := 1 + i%12
		c := f.connect(pid)
		clients = append(clients, c)
		want[c] = "client" + strconv.Itoa(pid) + "[" + strconv.Itoa(pid) + "]"
	}
	pt := newFakeTable(f, &tickClock{})
	var wg sync.WaitGroup
	var wrong atomic.Int32
	for _, c := range clients {
		wg.Go(func() {
			if pt.Lookup(c, fakeServer) != want[c] {
				wrong.Add(1)
			}
		})
	}
	wg.Wait()
	if wrong.Load() != 0 || pt.stats.fullWalks != 1 || pt.stats.recentWalks != 0 {
		t.Errorf("1,000 concurrent lookups: %d wrong, %+v; want none wrong after 1 walk", wrong.Load(), pt.stats)
	}
	checkHeldOpen(t, f)
}

func TestSocketLinkInode(t *testing.T) {
	for _, c := range []struct {
		name, link string
		want       uint64
	}{
		{"socket", "socket:[12345]", 12345},
		{"large", "socket:[4294967295]", 4294967295},
		{"file", "/dev/null", 0},
		{"pipe", "pipe:[12345]", 0},
		{"anon inode", "anon_inode:[eventpoll]", 0},
		{"no bracket", "socket:[12345", 0},
		{"not a number", "socket:[x]", 0},
		{"empty", "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := socketLinkInode(c.link); got != c.want {
				t.Errorf("socketLinkInode(%q) = %d, want %d", c.link, got, c.want)
			}
		})
	}
}
