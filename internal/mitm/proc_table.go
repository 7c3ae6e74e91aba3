package mitm

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"sync"
	"syscall"
	"time"
)

// ProcessTableConfig configures NewProcessTable; the zero value works.
type ProcessTableConfig struct {
	// Refresh is the shortest time between the starts of two rebuilds of the socket-to-process index;
	// 0 means four times as long as the last rebuild took, so rebuilding uses at most a fifth of a core
	// however many connections arrive. A connection newer than the index waits for the next rebuild.
	Refresh time.Duration
}

// ProcessTable names the local process owning a client connection with constant work per connection:
// a map lookup in an index of every TCP socket (from one netlink sock_diag dump) and every process's
// sockets (from one walk of /proc/*/fd), rebuilt at most every Refresh however many connections
// arrive. Safe for concurrent use. Its Lookup fits Config.ProcessLookup. On systems other than Linux
// it names nothing.
type ProcessTable struct {
	refresh time.Duration
	now     func() time.Time
	// sockets maps every TCP connection (local end, remote end) to its socket inode.
	sockets func() map[SocketKey]uint64
	// owners maps every socket inode open in any visible process to "comm[pid]".
	owners func() map[uint64]string

	mu        sync.Mutex
	cond      *sync.Cond
	socks     map[SocketKey]uint64
	procs     map[uint64]string
	scanStart time.Time // when the rebuild that made socks and procs started
	scanTook  time.Duration
	built     bool
	scanning  bool
	scans     int
}

// SocketKey is one TCP connection as seen from one of its ends.
type SocketKey struct{ Local, Remote netip.AddrPort }

// NewProcessTable makes a ProcessTable over this system's sockets and processes.
func NewProcessTable(cfg ProcessTableConfig) *ProcessTable {
	return newProcessTable(cfg, time.Now, osSockets, osScanProcesses)
}

func newProcessTable(cfg ProcessTableConfig, now func() time.Time, sockets func() map[SocketKey]uint64, owners func() map[uint64]string) *ProcessTable {
	t := &ProcessTable{refresh: cfg.Refresh, now: now, sockets: sockets, owners: owners}
	t.cond = sync.NewCond(&t.mu)
	return t
}

// Lookup names the process ("comm[pid]") owning the TCP connection from client to server (the
// proxy's accepted address); "" for a non-loopback client or an owner it cannot see (another user's
// process without privileges, another network namespace, a socket already closed). A connection newer
// than the index waits for the next rebuild, at most Refresh after the last.
func (t *ProcessTable) Lookup(client, server netip.AddrPort) string {
	if !client.Addr().Unmap().IsLoopback() {
		return ""
	}
	key := SocketKey{unmapAP(client), unmapAP(server)}
	asked := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		if ino, ok := t.socks[key]; ok {
			if name, ok := t.procs[ino]; ok {
				return name
			}
		}
		if t.built && !t.scanStart.Before(asked) {
			return "" // an index begun after we asked does not have it: nobody we can see owns it
		}
		if t.scanning {
			t.cond.Wait()
			continue
		}
		gap := t.refresh
		if gap <= 0 {
			gap = 4 * t.scanTook
		}
		if wait := t.scanStart.Add(gap).Sub(t.now()); t.built && wait > 0 {
			t.mu.Unlock()
			time.Sleep(wait)
			t.mu.Lock()
			continue
		}
		t.scanning = true
		start := t.now()
		t.mu.Unlock()
		socks := t.sockets() // sockets first: a process found later still holds a socket listed here
		procs := t.owners()
		t.mu.Lock()
		t.socks, t.procs, t.scanStart, t.scanTook, t.built, t.scanning = socks, procs, start, t.now().Sub(start), true, false
		t.scans++
		t.cond.Broadcast()
	}
}

func unmapAP(a netip.AddrPort) netip.AddrPort { return netip.AddrPortFrom(a.Addr().Unmap(), a.Port()) }

// sock_diag wire format (linux/inet_diag.h, linux/netlink.h), little-endian hosts only.
const (
	sizeofNlMsghdr      = 16
	sizeofInetDiagReqV2 = 56
	sizeofInetDiagMsg   = 72
	sockDiagByFamily    = 20 // SOCK_DIAG_BY_FAMILY
	nlmsgDone           = 3  // NLMSG_DONE
	nlmsgError          = 2  // NLMSG_ERROR
	nlmFRequest         = 1  // NLM_F_REQUEST
	nlmFDump            = 0x300
	afInet              = 2
	afInet6             = 10
	ipprotoTCP          = 6
)

// SockDiagDumpRequest encodes a netlink SOCK_DIAG_BY_FAMILY request for every TCP socket of family
// (AF_INET 2 or AF_INET6 10) in every state.
func SockDiagDumpRequest(seq uint32, family uint8) []byte {
	b := make([]byte, sizeofNlMsghdr+sizeofInetDiagReqV2)
	binary.LittleEndian.PutUint32(b[0:], uint32(len(b)))
	binary.LittleEndian.PutUint16(b[4:], sockDiagByFamily)
	binary.LittleEndian.PutUint16(b[6:], nlmFRequest|nlmFDump)
	binary.LittleEndian.PutUint32(b[8:], seq)
	r := b[sizeofNlMsghdr:]
	r[0], r[1] = family, ipprotoTCP
	binary.LittleEndian.PutUint32(r[4:], 0xFFFFFFFF) // all states
	return b
}

// ParseSockDiagDump adds the sockets in one datagram of the kernel's answer to SockDiagDumpRequest to
// into (IPv4-mapped addresses unmapped); done is true at the dump's end (NLMSG_DONE). A netlink error
// message or a malformed one is an error naming what is wrong.
func ParseSockDiagDump(b []byte, into map[SocketKey]uint64) (done bool, err error) {
	for len(b) > 0 {
		if len(b) < sizeofNlMsghdr {
			return false, fmt.Errorf("sock_diag: %d trailing bytes, shorter than a netlink header", len(b))
		}
		n := int(binary.LittleEndian.Uint32(b[0:]))
		if n < sizeofNlMsghdr || n > len(b) {
			return false, fmt.Errorf("sock_diag: message length %d with %d bytes left", n, len(b))
		}
		body := b[sizeofNlMsghdr:n]
		switch typ := binary.LittleEndian.Uint16(b[4:]); typ {
		case nlmsgDone:
			return true, nil
		case nlmsgError:
			if len(body) < 4 {
				return false, fmt.Errorf("sock_diag: short error message")
			}
			return false, fmt.Errorf("sock_diag: %w", syscall.Errno(-int32(binary.LittleEndian.Uint32(body))))
		case sockDiagByFamily:
			if len(body) < sizeofInetDiagMsg {
				return false, fmt.Errorf("sock_diag: %d-byte socket message, want %d", len(body), sizeofInetDiagMsg)
			}
			id := body[4:]
			local := netip.AddrPortFrom(diagAddr(body[0], id[4:20]), binary.BigEndian.Uint16(id[0:]))
			remote := netip.AddrPortFrom(diagAddr(body[0], id[20:36]), binary.BigEndian.Uint16(id[2:]))
			into[SocketKey{local, remote}] = uint64(binary.LittleEndian.Uint32(body[68:]))
		default:
			return false, fmt.Errorf("sock_diag: message type %d", typ)
		}
		b = b[min((n+3)&^3, len(b)):] // NLMSG_ALIGN
	}
	return false, nil
}

func diagAddr(family byte, b []byte) netip.Addr {
	if family == afInet {
		return netip.AddrFrom4([4]byte(b[:4]))
	}
	return netip.AddrFrom16([16]byte(b[:16])).Unmap()
}
