package mitm

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// LookupProcess names the local process ("comm[pid]") owning the TCP connection from client to
// server (the proxy's accepted address). Only loopback clients can be local processes; it returns ""
// for others or when the owner cannot be seen (another user's process without privileges, a process in
// another network namespace). Each call walks every process's descriptors: a proxy should use a
// ProcessTable, which remembers them.
func LookupProcess(client, server netip.AddrPort) string {
	if !client.Addr().Unmap().IsLoopback() {
		return ""
	}
	d := &diagConn{}
	defer d.close()
	ino, err := d.inode(unmapAP(client), unmapAP(server))
	if err != nil || ino == 0 {
		return ""
	}
	w := walk(procfs{})
	if ws, ok := w.socks[ino]; ok {
		return w.procs[ws.pid].name
	}
	return ""
}

// osProcessSources is this system's socket lookup (netlink sock_diag) and processes (/proc).
func osProcessSources() (func(local, remote netip.AddrPort) (uint64, error), procSource) {
	d := &diagConn{}
	return d.inode, procfs{}
}

// diagConn asks the kernel about one TCP socket at a time over netlink sock_diag sockets, one per
// concurrent question: a question takes an idle socket (opening one when none is idle) and puts it
// back after its answer, so no question waits for another's (a lock held across the round trip made
// a burst of lookups queue behind goroutines not yet running). Idle sockets the pool drops are closed
// once unreachable, and the rest by close.
type diagConn struct {
	idle sync.Pool // of *nlSock
}

// nlSock is one netlink sock_diag socket and the buffers of its questions and answers.
type nlSock struct {
	fd      int
	seq     uint32
	req     [sizeofNlMsghdr + sizeofInetDiagReqV2]byte
	buf     [8 << 10]byte
	cleanup runtime.Cleanup
}

func openNlSock() (*nlSock, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return nil, fmt.Errorf("open sock_diag socket: %w", err)
	}
	tv := unix.Timeval{Sec: 1}
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	if err := unix.Connect(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("connect sock_diag socket: %w", err)
	}
	s := &nlSock{fd: fd}
	s.cleanup = runtime.AddCleanup(s, func(fd int) { unix.Close(fd) }, fd)
	return s, nil
}

func (s *nlSock) close() {
	s.cleanup.Stop()
	unix.Close(s.fd)
}

// close closes the idle sockets.
func (d *diagConn) close() {
	for {
		s, _ := d.idle.Get().(*nlSock)
		if s == nil {
			return
		}
		s.close()
	}
}

// inode is the inode of the TCP socket whose ends are local and remote (both unmapped): one netlink
// round trip, or where netlink refuses, a dump of every socket. No such socket is an error wrapping
// unix.ENOENT.
func (d *diagConn) inode(local, remote netip.AddrPort) (uint64, error) {
	info, err := d.query(local, remote)
	switch {
	case err == nil && (info.Local != local || info.Remote != remote):
		return 0, fmt.Errorf("sock_diag: asked for %v → %v, answered about %v → %v", local, remote, info.Local, info.Remote)
	case err == nil:
		return info.Inode, nil
	case errors.Is(err, unix.ENOENT):
		return 0, err
	}
	if ino := osSockets()[SocketKey{local, remote}]; ino != 0 {
		return ino, nil
	}
	return 0, err
}

// query asks about one socket over an idle netlink socket; one that fails is closed, not put back.
func (d *diagConn) query(local, remote netip.AddrPort) (SocketInfo, error) {
	s, _ := d.idle.Get().(*nlSock)
	if s == nil {
		var err error
		if s, err = openNlSock(); err != nil {
			return SocketInfo{}, err
		}
	}
	info, err := s.query(local, remote)
	if err != nil && !errors.Is(err, unix.ENOENT) {
		s.close()
		return info, err
	}
	d.idle.Put(s)
	return info, err
}

func (s *nlSock) query(local, remote netip.AddrPort) (SocketInfo, error) {
	s.seq++
	clear(s.req[:])
	putSockDiagRequest(s.req[:], s.seq, local, remote)
	if _, err := unix.Write(s.fd, s.req[:]); err != nil {
		return SocketInfo{}, fmt.Errorf("sock_diag request: %w", err)
	}
	for {
		n, err := unix.Read(s.fd, s.buf[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return SocketInfo{}, fmt.Errorf("sock_diag reply: %w", err)
		}
		info, err := ParseSockDiagReply(s.buf[:n], s.seq)
		if errors.Is(err, errOtherSeq) {
			continue
		}
		return info, err
	}
}

var diagSeq atomic.Uint32

// osSockets lists every TCP connection with its socket inode: one netlink sock_diag dump per address
// family, or a parse of /proc/net/tcp{,6} where netlink is not available.
func osSockets() map[SocketKey]uint64 {
	m := map[SocketKey]uint64{}
	if err := sockDiagDump(m); err == nil {
		return m
	}
	clear(m)
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		if f, err := os.Open(table); err == nil {
			ReadSocketTable(f, m)
			f.Close()
		}
	}
	return m
}

func sockDiagDump(into map[SocketKey]uint64) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	tv := unix.Timeval{Sec: 1}
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	buf := make([]byte, 64<<10)
	for _, family := range []uint8{afInet, afInet6} {
		if err := unix.Sendto(fd, SockDiagDumpRequest(diagSeq.Add(1), family), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
			return err
		}
		for {
			n, _, err := unix.Recvfrom(fd, buf, 0)
			if err != nil {
				return err
			}
			done, err := ParseSockDiagDump(buf[:n], into)
			if err != nil {
				return err
			}
			if done {
				break
			}
		}
	}
	return nil
}

// procfs is /proc.
type procfs struct{}

func (procfs) pids() []int {
	f, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	pids := make([]int, 0, len(names))
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil && pid > 0 {
			pids = append(pids, pid)
		}
	}
	return pids
}

// open holds /proc/PID/fd open, so that once the process exits reads through it fail rather than
// reaching a new process given the same pid.
func (procfs) open(pid int) (procHandle, error) {
	fd, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/fd", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open /proc/%d/fd: %w", pid, err)
	}
	p := &pidDir{pid: pid, fd: fd}
	p.cleanup = runtime.AddCleanup(p, func(fd int) { unix.Close(fd) }, fd)
	return p, nil
}

// pidDir is an open /proc/PID/fd; safe for concurrent use until closed.
type pidDir struct {
	pid     int
	fd      int
	cleanup runtime.Cleanup
}

func (p *pidDir) fds() ([]int, error) {
	dfd, err := unix.Openat(p.fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open /proc/%d/fd: %w", p.pid, err)
	}
	f := os.NewFile(uintptr(dfd), "/proc/"+strconv.Itoa(p.pid)+"/fd")
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	fds := make([]int, 0, len(names))
	for _, n := range names {
		if fd, err := strconv.Atoi(n); err == nil {
			fds = append(fds, fd)
		}
	}
	return fds, nil
}

// socket reads the link /proc/PID/fd/FD: one readlinkat, nothing allocated.
func (p *pidDir) socket(fd int) (uint64, bool) {
	var name [24]byte
	path := append(strconv.AppendInt(name[:0], int64(fd), 10), 0)
	var buf [64]byte
	n, _, errno := unix.Syscall6(unix.SYS_READLINKAT, uintptr(p.fd), uintptr(unsafe.Pointer(&path[0])),
		uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0)
	if errno != 0 {
		return 0, false
	}
	return socketLinkInode(string(buf[:n])), true
}

func (p *pidDir) name() (string, error) {
	fd, err := unix.Openat(p.fd, "../comm", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", fmt.Errorf("open /proc/%d/comm: %w", p.pid, err)
	}
	defer unix.Close(fd)
	var buf [64]byte
	n, err := unix.Read(fd, buf[:])
	if err != nil {
		return "", fmt.Errorf("read /proc/%d/comm: %w", p.pid, err)
	}
	return strings.TrimSpace(string(buf[:n])) + "[" + strconv.Itoa(p.pid) + "]", nil
}

func (p *pidDir) close() {
	p.cleanup.Stop()
	unix.Close(p.fd)
}
