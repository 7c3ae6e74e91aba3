package mitm

import (
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LookupProcess names the local process ("comm[pid]") owning the TCP connection from client to
// server (the proxy's accepted address), using /proc/net/tcp{,6} and /proc/*/fd. Only loopback clients
// can be local processes; it returns "" for others or when the owner cannot be seen (another user's
// process without privileges, a process in another network namespace).
func LookupProcess(client, server netip.AddrPort) string {
	if !client.Addr().Unmap().IsLoopback() {
		return ""
	}
	client = netip.AddrPortFrom(client.Addr().Unmap(), client.Port())
	server = netip.AddrPortFrom(server.Addr().Unmap(), server.Port())
	var inode uint64
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		inode, _ = FindSocketInode(f, client, server)
		f.Close()
		if inode != 0 {
			break
		}
	}
	if inode == 0 {
		return ""
	}
	want := "socket:[" + strconv.FormatUint(inode, 10) + "]"
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return ""
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
		for _, fd := range fds {
			if l, err := os.Readlink(filepath.Join(fdDir, fd.Name())); err == nil && l == want {
				comm, _ := os.ReadFile(filepath.Join("/proc", pid, "comm"))
				return strings.TrimSpace(string(comm)) + "[" + pid + "]"
			}
		}
	}
	return ""
}
