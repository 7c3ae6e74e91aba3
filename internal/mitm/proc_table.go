package mitm

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ProcessTableConfig configures NewProcessTable; the zero value works.
type ProcessTableConfig struct {
	// Refresh is the shortest time between the starts of two re-reads of the same kind (of the recent
	// owners' descriptors, or of every process's); 0 means four times as long as the last one took, so
	// re-reading uses at most a fifth of a core however many connections arrive. A lookup that needs a
	// re-read waits for the next one.
	Refresh time.Duration
}

// ProcessTable names the local process owning a client connection with small work per connection:
// one netlink sock_diag query for exactly that connection gives its socket inode, then reading the
// /proc/PID/fd entries where new descriptors go (the lowest free numbers, just above the highest, or
// where the client's last socket was) in the processes that owned recent connections finds the inode's
// owner, a read or two each when a client opens many connections. Only when that fails does it re-read
// those processes' descriptors from the lowest up, stopping once every waiting socket is found, then
// walk every process's; re-reads and walks are shared by concurrent lookups and spaced by Refresh.
// Safe for concurrent use. Its Lookup fits Config.ProcessLookup. On systems other than Linux it names
// nothing.
type ProcessTable struct {
	refresh time.Duration
	now     func() time.Time
	// find asks the kernel for the inode of the TCP socket with this local and remote end; an error
	// wrapping syscall.ENOENT when there is none.
	find func(local, remote netip.AddrPort) (uint64, error)
	src  procSource

	mu                   sync.Mutex
	cond                 *sync.Cond
	recent               []*recentProc       // owners of recent connections, most recent first
	byInode              map[uint64]socketAt // every socket inode read from a recent owner's descriptors
	walked               walkResult          // the last walk of every process
	walking              bool                // a re-read is running, the lock released
	walks                uint64              // re-reads begun
	lastRecent, lastFull walkMark
	lastRecentAll        uint64         // the last re-read of the recent owners that read them all
	wanted               map[uint64]int // inodes lookups are waiting for, and how many wait for each
	retired              []procHandle   // evicted while a re-read may still use them; closed when it ends
	stats                tableStats
}

// maxRecent is how many recent owners a ProcessTable probes before re-reading; probeRun is how many
// free descriptor numbers in a row above the highest known one end a probe.
const (
	maxRecent = 8
	probeRun  = 4
	nameTTL   = time.Second // a recent owner's name is read again after this, in case it exec'd
)

// procSource lists processes and opens one: /proc on Linux, a fake in tests.
type procSource interface {
	pids() []int
	open(pid int) (procHandle, error)
}

// procHandle reads one process's descriptors. Once the process has exited every method fails, even if
// its pid is reused.
type procHandle interface {
	// fds lists the open descriptors; an error when the process is gone.
	fds() ([]int, error)
	// socket reads descriptor fd: the socket inode it holds, 0 for one that is not a socket; open is
	// false when no such descriptor is open (or the process is gone).
	socket(fd int) (ino uint64, open bool)
	// name is "comm[pid]".
	name() (string, error)
	close()
}

// recentProc is a process that owned a recent connection, with what is known of its descriptors.
type recentProc struct {
	pid   int
	h     procHandle
	name  string
	named time.Time
	known map[int]uint64 // descriptor → socket inode (0: not a socket), as last read
	max   int            // highest known descriptor; -1 when none
	holes []int          // free descriptors below max when last read, ascending: where new ones go first
	stale int            // known descriptors from here to max were not read since a re-read stopped short
	// latest are the descriptors where the last len(latest) sockets looked up were found (nlatest in all)
	latest  [4]int
	nlatest int
	reuses  bool // the last socket probed for was found where an earlier one had been
}

// socketAt is where a socket was read: which recent owner, which descriptor.
type socketAt struct {
	rp *recentProc
	fd int
}

// found records that a socket looked up was found as descriptor fd.
func (rp *recentProc) found(fd int) {
	if rp.nlatest > 0 && rp.latest[(rp.nlatest-1)%len(rp.latest)] == fd {
		return
	}
	rp.latest[rp.nlatest%len(rp.latest)] = fd
	rp.nlatest++
}

// tableStats counts a table's work: descriptors read by probes and by re-reads and walks, and how many
// re-reads and walks.
type tableStats struct{ probes, rereadReads, recentWalks, fullWalks int }

// NewProcessTable makes a ProcessTable over this system's sockets and processes.
func NewProcessTable(cfg ProcessTableConfig) *ProcessTable {
	find, src := osProcessSources()
	return newProcessTable(cfg, time.Now, find, src)
}

func newProcessTable(cfg ProcessTableConfig, now func() time.Time, find func(local, remote netip.AddrPort) (uint64, error), src procSource) *ProcessTable {
	t := &ProcessTable{refresh: cfg.Refresh, now: now, find: find, src: src, byInode: map[uint64]socketAt{}, wanted: map[uint64]int{}}
	t.cond = sync.NewCond(&t.mu)
	return t
}

// SocketKey is one TCP connection as seen from one of its ends.
type SocketKey struct{ Local, Remote netip.AddrPort }

// Lookup names the process ("comm[pid]") owning the TCP connection from client to server (the
// proxy's accepted address); "" for a non-loopback client or an owner it cannot see (another user's
// process without privileges, another network namespace, a socket already closed).
func (t *ProcessTable) Lookup(client, server netip.AddrPort) string {
	if !client.Addr().Unmap().IsLoopback() {
		return ""
	}
	ino, err := t.find(unmapAP(client), unmapAP(server))
	if err != nil || ino == 0 {
		return ""
	}
	return t.owner(ino)
}

// owner names the process holding socket inode ino: from what is known, else by probing the recent
// owners' new descriptors, else after a re-read of the recent owners begun after it asked, else after
// a walk of every process begun after it asked.
func (t *ProcessTable) owner(ino uint64) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	asked := t.walks
	if name, ok := t.known(ino); ok {
		return name
	}
	if name, ok := t.probe(ino); ok {
		return name
	}
	t.wanted[ino]++
	defer func() {
		if t.wanted[ino]--; t.wanted[ino] == 0 {
			delete(t.wanted, ino)
		}
	}()
	for {
		if name, ok := t.known(ino); ok {
			return name
		}
		if t.walking {
			t.cond.Wait()
			continue
		}
		if t.lastFull.seq > asked {
			return "" // a walk of every process begun after we asked did not see it: nobody we can see owns it
		}
		full := len(t.recent) == 0 || t.lastRecentAll > asked
		mark := &t.lastRecent
		if full {
			mark = &t.lastFull
		}
		gap := t.refresh
		if gap <= 0 {
			gap = 4 * mark.took
		}
		if wait := mark.start.Add(gap).Sub(t.now()); mark.seq > 0 && wait > 0 {
			t.mu.Unlock()
			time.Sleep(wait)
			t.mu.Lock()
			continue
		}
		t.reread(full)
	}
}

// known answers from what the table has read, promoting an owner found by the last walk to the
// recent owners.
func (t *ProcessTable) known(ino uint64) (string, bool) {
	if at, ok := t.byInode[ino]; ok {
		rp := at.rp
		rp.found(at.fd)
		t.touch(rp)
		return rp.name, true
	}
	ws, ok := t.walked.socks[ino]
	if !ok {
		return "", false
	}
	wp := t.walked.procs[ws.pid]
	t.promote(ws, ino, wp)
	return wp.name, true
}

// probe reads the recent owners' descriptors opened since they were last read, most recent owner
// first, until one holds ino.
func (t *ProcessTable) probe(ino uint64) (string, bool) {
	for _, rp := range t.recent {
		if !t.probeOne(rp, ino) {
			continue
		}
		if t.now().Sub(rp.named) > nameTTL {
			if name, err := rp.h.name(); err == nil {
				rp.name = name
			}
			rp.named = t.now()
		}
		t.touch(rp)
		return rp.name, true
	}
	return "", false
}

// probeOne reads rp's descriptors where new ones go: the lowest free ones when it was last read; those
// a re-read stopped short of, from the lowest up; upwards from the highest known, stopping at the
// first free hole and at probeRun free numbers in a row; last, the descriptors where its latest
// sockets were found (a client that closes a connection and opens another gets the same number back).
// Every socket it passes is remembered for the lookups that follow.
func (t *ProcessTable) probeOne(rp *recentProc, ino uint64) bool {
	read := func(fd int) (open, found bool) {
		t.stats.probes++
		got, open := rp.h.socket(fd)
		if !open {
			t.forget(rp, fd)
			return false, false
		}
		t.note(rp, fd, got)
		if got == ino {
			rp.found(fd)
			return true, true
		}
		return true, false
	}
	latest := func() bool {
		for i := range min(rp.nlatest, len(rp.latest)) {
			if _, found := read(rp.latest[(rp.nlatest-1-i)%len(rp.latest)]); found {
				return true
			}
		}
		return false
	}
	// a client that found its last socket where an earlier one was is likely to again: look there first
	if rp.reuses {
		if latest() {
			return true
		}
		rp.reuses = false
	}
	for len(rp.holes) > 0 {
		open, found := read(rp.holes[0])
		if !open {
			break
		}
		rp.holes = rp.holes[1:]
		if found {
			return true
		}
	}
	for free := 0; rp.stale+free <= rp.max && free < probeRun; {
		open, found := read(rp.stale + free)
		if !open {
			free++
			continue
		}
		rp.stale += free + 1 // everything below is read
		free = 0
		if found {
			return true
		}
	}
	fresh := rp.stale > rp.max // nothing stale: what is read above max is not stale either
	var free []int
	for fd := rp.max + 1; len(free) < probeRun; fd++ {
		open, found := read(fd)
		if !open {
			free = append(free, fd)
			continue
		}
		rp.holes = append(rp.holes, free...)
		free = free[:0]
		rp.max = fd
		if fresh {
			rp.stale = fd + 1
		}
		if found {
			return true
		}
	}
	rp.reuses = latest()
	return rp.reuses
}

// forget records that rp's descriptor fd is closed.
func (t *ProcessTable) forget(rp *recentProc, fd int) {
	if old, ok := rp.known[fd]; ok {
		if old != 0 && t.byInode[old].rp == rp {
			delete(t.byInode, old)
		}
		delete(rp.known, fd)
	}
}

// note records that rp holds socket ino (0: something else) as descriptor fd.
func (t *ProcessTable) note(rp *recentProc, fd int, ino uint64) {
	if old := rp.known[fd]; old != 0 && old != ino && t.byInode[old].rp == rp {
		delete(t.byInode, old)
	}
	rp.known[fd] = ino
	if ino != 0 {
		t.byInode[ino] = socketAt{rp, fd}
	}
}

// reset replaces what is known of rp's descriptors with fds, as just read.
func (t *ProcessTable) reset(rp *recentProc, fds map[int]uint64) {
	for _, ino := range rp.known {
		if ino != 0 && t.byInode[ino].rp == rp {
			delete(t.byInode, ino)
		}
	}
	rp.known, rp.max, rp.holes = map[int]uint64{}, -1, nil
	defer func() { rp.stale = rp.max + 1 }()
	for fd, ino := range fds {
		t.note(rp, fd, ino)
		rp.max = max(rp.max, fd)
	}
	for fd := range rp.max {
		if _, ok := fds[fd]; !ok {
			rp.holes = append(rp.holes, fd)
		}
	}
}

// touch makes rp the most recent owner.
func (t *ProcessTable) touch(rp *recentProc) {
	if i := slices.Index(t.recent, rp); i > 0 {
		copy(t.recent[1:i+1], t.recent[:i])
		t.recent[0] = rp
	}
}

// promote makes the owner the last walk found for ino a recent owner, if it can open the process and
// it still holds ino (its pid not reused since).
func (t *ProcessTable) promote(ws walkedSock, ino uint64, wp *walkedProc) {
	for _, rp := range t.recent {
		if rp.pid == ws.pid {
			t.reset(rp, wp.fds)
			t.touch(rp)
			return
		}
	}
	h, err := t.src.open(ws.pid)
	if err != nil {
		return
	}
	if got, open := h.socket(ws.fd); !open || got != ino {
		h.close()
		return
	}
	rp := &recentProc{pid: ws.pid, h: h, name: wp.name, named: t.now()}
	t.reset(rp, wp.fds)
	t.recent = slices.Insert(t.recent, 0, rp)
	if len(t.recent) > maxRecent {
		t.evict(t.recent[len(t.recent)-1])
	}
}

// evict forgets a recent owner.
func (t *ProcessTable) evict(rp *recentProc) {
	i := slices.Index(t.recent, rp)
	if i < 0 {
		return
	}
	t.recent = slices.Delete(t.recent, i, i+1)
	t.reset(rp, nil)
	if t.walking {
		t.retired = append(t.retired, rp.h)
	} else {
		rp.h.close()
	}
}

func unmapAP(a netip.AddrPort) netip.AddrPort { return netip.AddrPortFrom(a.Addr().Unmap(), a.Port()) }

// socketLinkInode reads the inode out of a /proc/PID/fd link to a socket, "socket:[12345]"; 0 for
// a link to anything else.
func socketLinkInode(link string) uint64 {
	rest, ok := strings.CutPrefix(link, "socket:[")
	if !ok {
		return 0
	}
	digits, ok := strings.CutSuffix(rest, "]")
	if !ok {
		return 0
	}
	ino, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0
	}
	return ino
}
