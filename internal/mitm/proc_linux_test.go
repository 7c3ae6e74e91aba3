package mitm

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var update = flag.Bool("update", false, "rewrite testdata/sockdiag from this kernel's replies")

// socketInode is the inode of c's socket, from fstat of its descriptor.
func socketInode(t *testing.T, c net.Conn) uint64 {
	t.Helper()
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.Fstat(int(fd), &st) }); err != nil || serr != nil {
		t.Fatalf("fstat: %v %v", err, serr)
	}
	return st.Ino
}

// loopbackPair connects to ln and returns the client end and the accepted end.
func loopbackPair(t *testing.T, ln net.Listener, network, addr string) (client, accepted net.Conn) {
	t.Helper()
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return c, s
}

func addrPort(a net.Addr) netip.AddrPort { return netip.MustParseAddrPort(a.String()) }

// mappedClient connects an AF_INET6 socket to the IPv4 listener ln through its IPv4-mapped address and
// returns the descriptor and its inode.
func mappedClient(t *testing.T, ln net.Listener) (fd int, ino uint64) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no IPv6 sockets: %v", err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	sa := &unix.SockaddrInet6{Port: int(addrPort(ln.Addr()).Port()), Addr: netip.MustParseAddr("::ffff:127.0.0.1").As16()}
	if err := unix.Connect(fd, sa); err != nil {
		t.Fatalf("connect to %v: %v", sa, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	return fd, st.Ino
}

// TestSockDiagExact: asked for exactly one connection, the kernel answers with the inode fstat gives
// its socket, for IPv4, IPv6 and an IPv6 socket connected to an IPv4-mapped address; a connection
// nobody has is ENOENT.
func TestSockDiagExact(t *testing.T) {
	d := &diagConn{}
	defer d.close()
	ln := listenLoopback(t)
	defer ln.Close()
	type conn struct {
		name           string
		client, server netip.AddrPort
		ino            uint64
	}
	var conns []conn
	c, s := loopbackPair(t, ln, "tcp", ln.Addr().String())
	conns = append(conns, conn{"ipv4", addrPort(c.LocalAddr()), addrPort(s.LocalAddr()), socketInode(t, c)})
	if ln6, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		defer ln6.Close()
		c, s := loopbackPair(t, ln6, "tcp6", ln6.Addr().String())
		conns = append(conns, conn{"ipv6", addrPort(c.LocalAddr()), addrPort(s.LocalAddr()), socketInode(t, c)})
	} else {
		t.Logf("no IPv6 loopback, IPv6 case skipped: %v", err)
	}
	_, ino := mappedClient(t, ln)
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conns = append(conns, conn{"ipv4-mapped", addrPort(s.RemoteAddr()), addrPort(s.LocalAddr()), ino})
	for _, c := range conns {
		t.Run(c.name, func(t *testing.T) {
			info, err := d.query(c.client, c.server)
			if err != nil || info.Inode != c.ino || info.UID != uint32(os.Getuid()) || info.Local != unmapAP(c.client) || info.Remote != unmapAP(c.server) {
				t.Errorf("query %v → %v: %+v, %v; want inode %d, uid %d", c.client, c.server, info, err, c.ino, os.Getuid())
			}
			// the proxy's end, asked the other way round, is a different socket
			if back, err := d.query(c.server, c.client); err != nil || back.Inode == c.ino || back.Inode == 0 {
				t.Errorf("the accepted end: %+v, %v; want another inode than %d", back, err, c.ino)
			}
			if *update && c.name == "ipv4" {
				writeKernelReply(t, c.client, c.server)
			}
		})
	}
	// a port nobody uses: netlink's ENOENT comes through inode as ENOENT
	if ino, err := d.inode(netip.MustParseAddrPort("127.0.0.1:1"), netip.MustParseAddrPort("127.0.0.1:2")); ino != 0 || !errors.Is(err, unix.ENOENT) {
		t.Errorf("no such connection: inode %d, %v; want ENOENT", ino, err)
	}
}

// writeKernelReply saves the kernel's raw reply about one connection as a fuzz seed and parser fixture.
func writeKernelReply(t *testing.T, local, remote netip.AddrPort) {
	s, err := openNlSock()
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	s.seq++
	if _, err := unix.Write(s.fd, SockDiagRequest(s.seq, local, remote)); err != nil {
		t.Fatal(err)
	}
	n, err := unix.Read(s.fd, s.buf[:])
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll("testdata/sockdiag", 0o755)
	if err := os.WriteFile(filepath.Join("testdata/sockdiag", "reply-ipv4.bin"), s.buf[:n], 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSockDiagConcurrentQueries: questions asked at once over one netlink socket each get their own
// socket's answer, and one about no socket gets ENOENT.
func TestSockDiagConcurrentQueries(t *testing.T) {
	ln := listenLoopback(t)
	defer ln.Close()
	type conn struct {
		client, server netip.AddrPort
		ino            uint64
	}
	conns := make([]conn, 100)
	for i := range conns {
		c, s := loopbackPair(t, ln, "tcp", ln.Addr().String())
		conns[i] = conn{addrPort(c.LocalAddr()), addrPort(s.LocalAddr()), socketInode(t, c)}
	}
	d := &diagConn{}
	defer d.close()
	for round := range 3 {
		var wg sync.WaitGroup
		wrong := make([]string, len(conns)+1)
		for i, c := range conns {
			wg.Go(func() {
				if ino, err := d.inode(c.client, c.server); err != nil || ino != c.ino {
					wrong[i] = fmt.Sprintf("%v → %v: inode %d, %v; want %d", c.client, c.server, ino, err, c.ino)
				}
			})
		}
		wg.Go(func() {
			if ino, err := d.inode(netip.MustParseAddrPort("127.0.0.1:1"), netip.MustParseAddrPort("127.0.0.1:2")); ino != 0 || !errors.Is(err, unix.ENOENT) {
				wrong[len(conns)] = fmt.Sprintf("no such connection: inode %d, %v; want ENOENT", ino, err)
			}
		})
		wg.Wait()
		for _, w := range wrong {
			if w != "" {
				t.Errorf("round %d: %s", round, w)
			}
		}
	}
}

// TestSockDiagMatchesProcNetTCP: the kernel's dump lists our connections with the inodes
// /proc/net/tcp gives them.
func TestSockDiagMatchesProcNetTCP(t *testing.T) {
	ln := listenLoopback(t)
	defer ln.Close()
	var keys []SocketKey
	for range 5 {
		c, _ := loopbackPair(t, ln, "tcp", ln.Addr().String())
		keys = append(keys, SocketKey{addrPort(c.LocalAddr()), addrPort(c.RemoteAddr())})
	}
	diag := map[SocketKey]uint64{}
	if err := sockDiagDump(diag); err != nil {
		t.Fatalf("sock_diag dump: %v", err)
	}
	proc := map[SocketKey]uint64{}
	f, _ := os.Open("/proc/net/tcp")
	err := ReadSocketTable(f, proc)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if diag[k] == 0 || diag[k] != proc[k] {
			t.Errorf("%v: sock_diag inode %d, /proc/net/tcp %d", k, diag[k], proc[k])
		}
	}
}

// TestProcessTableNamesThisProcess: connections this test opens, over IPv4, IPv6 and an IPv4-mapped
// IPv6 socket, are named as this process, many in a row and the first after all are closed.
func TestProcessTableNamesThisProcess(t *testing.T) {
	pt := NewProcessTable(ProcessTableConfig{})
	self := "[" + strconv.Itoa(os.Getpid()) + "]"
	ln := listenLoopback(t)
	defer ln.Close()
	check := func(what string, s net.Conn) {
		t.Helper()
		if got := pt.Lookup(addrPort(s.RemoteAddr()), addrPort(s.LocalAddr())); !strings.HasSuffix(got, self) {
			t.Errorf("%s: named %q, want this process %s", what, got, self)
		}
	}
	for i := range 50 {
		_, s := loopbackPair(t, ln, "tcp", ln.Addr().String())
		check(fmt.Sprint("ipv4 connection ", i), s)
	}
	if ln6, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		defer ln6.Close()
		_, s := loopbackPair(t, ln6, "tcp6", ln6.Addr().String())
		check("ipv6", s)
	}
	mappedClient(t, ln)
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check("ipv4-mapped", s)
	if got := pt.Lookup(netip.MustParseAddrPort("127.0.0.1:1"), netip.MustParseAddrPort("127.0.0.1:2")); got != "" {
		t.Errorf("a connection nobody has: named %q", got)
	}
}

// TestProcHelperChild is not a test: TestProcessTableNamesChild runs this binary as a client process
// that connects to HOPSCOPE_PROC_CHILD and stays until the connection closes.
func TestProcHelperChild(t *testing.T) {
	addr := os.Getenv("HOPSCOPE_PROC_CHILD")
	if addr == "" {
		t.Skip("only run as TestProcessTableNamesChild's client")
	}
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		os.Exit(3)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintln(c, "ready")
	io.Copy(io.Discard, c)
	os.Exit(0)
}

// TestProcessTableNamesChild: connections from other processes (copies of this test binary, and curl)
// are named with their own name and pid.
func TestProcessTableNamesChild(t *testing.T) {
	pt := NewProcessTable(ProcessTableConfig{})
	ln := listenLoopback(t)
	defer ln.Close()
	for i := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestProcHelperChild$")
		cmd.Env = append(os.Environ(), "HOPSCOPE_PROC_CHILD="+ln.Addr().String())
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		s.SetDeadline(time.Now().Add(10 * time.Second))
		if line, err := bufio.NewReader(s).ReadString('\n'); err != nil || line != "ready\n" {
			t.Fatalf("child %d: %q %v", i, line, err)
		}
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", cmd.Process.Pid))
		want := fmt.Sprintf("%s[%d]", strings.TrimSpace(string(comm)), cmd.Process.Pid)
		got := pt.Lookup(addrPort(s.RemoteAddr()), addrPort(s.LocalAddr()))
		s.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("child %d: %v", i, err)
		}
		if got != want {
			t.Errorf("child %d: named %q, want %q", i, got, want)
		}
	}
	curl := needTool(t, "curl")
	for i := range 2 {
		cmd := exec.Command(curl, "-sS", "--max-time", "10", "http://"+ln.Addr().String()+"/")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		got := pt.Lookup(addrPort(s.RemoteAddr()), addrPort(s.LocalAddr()))
		io.WriteString(s, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
		s.Close()
		cmd.Wait()
		if want := fmt.Sprintf("curl[%d]", cmd.Process.Pid); got != want {
			t.Errorf("curl %d: named %q, want %q", i, got, want)
		}
	}
}

// TestProcessTableNamesCurl: through a proxy using a ProcessTable, a curl request is recorded with
// curl as its process, and an in-process Go client with this test binary.
func TestProcessTableNamesCurl(t *testing.T) {
	// Refresh 1 ms: the default spaces rebuilds by four times their cost, and curl, connecting right
	// after the Go client's rebuild, could exit before the next one
	pt := NewProcessTable(ProcessTableConfig{Refresh: time.Millisecond})
	l := newLab(t, func(c *Config) { c.ProcessLookup = pt.Lookup })
	o := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer o.Close()
	resp, _ := get(t, l.client(false), o.URL+"/go")
	_ = resp
	self := "[" + strconv.Itoa(os.Getpid()) + "]"
	waitFor(t, "the Go client's flow", func() bool { return len(l.rec.all()) == 1 })
	if got := l.rec.all()[0].Flow.Process; !strings.HasSuffix(got, self) {
		t.Errorf("Go client's process %q, want this test (%s)", got, self)
	}
	curl := needTool(t, "curl")
	cmd := exec.Command(curl, "-sS", "--max-time", "10", "--proxy", "http://"+l.addr, o.URL+"/curl")
	if out, err := cmd.CombinedOutput(); err != nil || string(out) != "ok" {
		t.Fatalf("curl: %v %q", err, out)
	}
	waitFor(t, "curl's flow", func() bool { return len(l.rec.all()) == 2 })
	want := fmt.Sprintf("curl[%d]", cmd.Process.Pid)
	if got := l.rec.all()[1].Flow.Process; got != want {
		t.Errorf("curl's process %q, want %q", got, want)
	}
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSockDiagQuery is the kernel round trip each lookup makes: one exact sock_diag query, asked
// alone or with others at once.
func BenchmarkSockDiagQuery(b *testing.B) {
	d := &diagConn{}
	defer d.close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	local, remote := addrPort(c.LocalAddr()), addrPort(c.RemoteAddr())
	b.Run("one", func(b *testing.B) {
		for b.Loop() {
			if ino, err := d.inode(local, remote); err != nil || ino == 0 {
				b.Fatalf("inode %d, %v", ino, err)
			}
		}
	})
	// many lookups at once, as in a burst of connections: asked together
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if ino, err := d.inode(local, remote); err != nil || ino == 0 {
					b.Errorf("inode %d, %v", ino, err)
					return
				}
			}
		})
	})
}

// BenchmarkProcessTableLookup is one connection's whole lookup, the kernel query and the descriptor
// reads, on a new loopback connection from this process each op (closed after it, so descriptor
// numbers are reused as a busy client's are); "connect" is the same without the lookup.
func BenchmarkProcessTableLookup(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	for _, lookup := range []bool{false, true} {
		name := map[bool]string{false: "connect", true: "connect+lookup"}[lookup]
		b.Run(name, func(b *testing.B) {
			pt := NewProcessTable(ProcessTableConfig{})
			self := "[" + strconv.Itoa(os.Getpid()) + "]"
			for b.Loop() {
				c, err := net.Dial("tcp", ln.Addr().String())
				if err != nil {
					b.Fatal(err)
				}
				s, err := ln.Accept()
				if err != nil {
					b.Fatal(err)
				}
				if lookup {
					if got := pt.Lookup(addrPort(s.RemoteAddr()), addrPort(s.LocalAddr())); !strings.HasSuffix(got, self) {
						b.Fatalf("named %q", got)
					}
				}
				c.Close()
				s.Close()
			}
		})
	}
}
