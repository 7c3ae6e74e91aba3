package mitm

import (
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// LookupProcess names the local process ("comm[pid]") owning the TCP connection from client to
// server (the proxy's accepted address). Only loopback clients can be local processes; it returns ""
// for others or when the owner cannot be seen (another user's process without privileges, a process in
// another network namespace). Each call walks every process's descriptors: a proxy should use a
// ProcessTable, which indexes them.
func LookupProcess(client, server netip.AddrPort) string {
	if !client.Addr().Unmap().IsLoopback() {
		return ""
	}
	ino := osSockets()[SocketKey{unmapAP(client), unmapAP(server)}]
	if ino == 0 {
		return ""
	}
	return osScanProcesses()[ino]
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

// osScanProcesses maps the inode of every socket open in a visible process to "comm[pid]", reading
// /proc/*/fd once.
func osScanProcesses() map[uint64]string {
	idx := map[uint64]string{}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return idx
	}
	for _, p := range procs {
		pid := p.Name()
		if pid[0] < '0' || pid[0] > '9' {
			continue
		}
		fdDir := filepath.Join("/proc", pid, "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue
		}
		name := ""
		for _, fd := range fds {
			l, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err != nil || !strings.HasPrefix(l, "socket:[") {
				continue
			}
			ino, err := strconv.ParseUint(strings.TrimSuffix(l[len("socket:["):], "]"), 10, 64)
			if err != nil {
				continue
			}
			if name == "" {
				comm, _ := os.ReadFile(filepath.Join("/proc", pid, "comm"))
				name = strings.TrimSpace(string(comm)) + "[" + pid + "]"
			}
			if _, seen := idx[ino]; !seen {
				idx[ino] = name
			}
		}
	}
	return idx
}
