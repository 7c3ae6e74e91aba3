//go:build linux

package capture

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"hopscope/internal/inventory"
)

// needTools skips unless the test runs as root with the named tools installed.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to capture on the loopback interface")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s (CI installs it)", tool)
		}
	}
}

// tcpdumpLo captures the loopback traffic matching filter into a pcap until stop is called.
func tcpdumpLo(t *testing.T, filter string) (path string, stop func()) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "lo.pcap")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	return path, startTcpdump(t, exec.CommandContext(ctx, "tcpdump", "-i", "lo", "-U", "-n", "-w", path, filter), path, cancel)
}

// startTcpdump starts cmd, a tcpdump writing to path, and waits until it listens. stop waits until the
// file stops growing, interrupts tcpdump and calls cancel.
func startTcpdump(t *testing.T, cmd *exec.Cmd, path string, cancel func()) (stop func()) {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start tcpdump: %v", err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := sync.Once{}
		for sc.Scan() {
			if strings.Contains(sc.Text(), "listening on") {
				once.Do(func() { close(ready) })
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("tcpdump did not start listening within 10s")
	}
	stopped := false
	return func() {
		if stopped {
			return
		}
		stopped = true
		// tcpdump may lag on a busy machine: wait until the file stops growing (at most 10 s).
		last, same := int64(-1), 0
		for deadline := time.Now().Add(10 * time.Second); same < 3 && time.Now().Before(deadline); {
			time.Sleep(200 * time.Millisecond)
			if st, err := os.Stat(path); err == nil && st.Size() == last {
				same++
			} else if err == nil {
				last, same = st.Size(), 0
			}
		}
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		cancel()
	}
}

// dnsServer answers every A question for *.example.test with addr, on UDP and TCP at 127.0.0.1.
func dnsServer(t *testing.T, addr net.IP) (port int) {
	t.Helper()
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		if q.Qtype == dns.TypeA && strings.HasSuffix(q.Name, "example.test.") {
			m.Answer = append(m.Answer,
				&dns.CNAME{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 300}, Target: "edge.cdn.example.test."},
				&dns.A{Hdr: dns.RR_Header{Name: "edge.cdn.example.test.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300}, A: addr})
		}
		w.WriteMsg(m)
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port = pc.LocalAddr().(*net.UDPAddr).Port
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	us := &dns.Server{PacketConn: pc, Handler: h}
	ts := &dns.Server{Listener: ln, Handler: h}
	go us.ActivateAndServe()
	go ts.ActivateAndServe()
	t.Cleanup(func() { us.Shutdown(); ts.Shutdown() })
	return port
}

// TestLoopbackTraffic captures real traffic on lo with tcpdump (and at the same time with our own AF_PACKET
// capture) and checks every flow is named: curl over HTTPS to a Go TLS server by SNI, dig against a
// local DNS server (UDP and TCP) naming a later connection, an mmTLS-like client and an SSH banner.
func TestLoopbackTraffic(t *testing.T) {
	needTools(t, "tcpdump", "curl", "dig")

	web := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello\n") }))
	web.TLS = &tls.Config{}
	web.StartTLS()
	defer web.Close()
	webPort := web.Listener.Addr().(*net.TCPAddr).Port

	// A plain TCP server on 127.0.0.2 that reads a little and answers; DNS points at it.
	other, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	defer other.Close()
	otherPort := other.Addr().(*net.TCPAddr).Port
	go func() {
		for {
			c, err := other.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetReadDeadline(time.Now().Add(3 * time.Second))
				buf := make([]byte, 512)
				n, _ := c.Read(buf)
				if strings.HasPrefix(string(buf[:n]), "SSH-") {
					c.Write([]byte("SSH-2.0-hopscope_test\r\n"))
				} else {
					c.Write([]byte("ok"))
				}
			}()
		}
	}()
	dnsPort := dnsServer(t, net.IPv4(127, 0, 0, 2))

	filter := fmt.Sprintf("port %d or port %d or port %d", webPort, otherPort, dnsPort)
	pcapPath, stop := tcpdumpLo(t, filter)
	defer stop()

	// Our own live capture of the same traffic.
	flt, err := ParseFilter(filter)
	if err != nil {
		t.Fatal(err)
	}
	live := NewAnalyzer(Config{Filter: flt})
	liveCtx, liveStop := context.WithCancel(context.Background())
	liveDone := make(chan error, 1)
	go func() { liveDone <- Live(liveCtx, LiveOptions{Interface: "lo", Duration: 60 * time.Second}, live) }()
	time.Sleep(300 * time.Millisecond)

	run := func(name string, args ...string) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if out, err := exec.CommandContext(ctx, name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %q: %v\n%s", name, args, err, out)
		}
	}
	run("curl", "-sS", "-k", "--resolve", fmt.Sprintf("app.example.test:%d:127.0.0.1", webPort), fmt.Sprintf("https://app.example.test:%d/", webPort))
	run("dig", "@127.0.0.1", "-p", fmt.Sprint(dnsPort), "+tries=1", "+time=5", "push.example.test", "A")
	run("dig", "@127.0.0.1", "-p", fmt.Sprint(dnsPort), "+tcp", "+tries=1", "+time=5", "tcp.example.test", "A")

	// An mmTLS-like client: record type 0x16, then 0xF1 0x04, a length and a body.
	dial := func(payload []byte) {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.2:%d", otherPort), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write(payload)
		reply := make([]byte, 64)
		c.Read(reply)
	}
	mm := []byte{0x16, 0xf1, 0x04, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8}
	dial(mm)
	dial([]byte("SSH-2.0-OpenSSH_9.2\r\n"))
	dial([]byte{0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3})

	time.Sleep(300 * time.Millisecond)
	liveStop()
	if err := <-liveDone; err != nil {
		t.Fatalf("live capture: %v", err)
	}
	stop()

	res, err := ReadFile(pcapPath, Config{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, inv *inventory.Inventory) {
		var tlsF, udpDNS, tcpDNS []inventory.Flow
		var others []inventory.Flow
		for _, f := range inv.Flows {
			if sa := f.Server.Addr().String(); sa != "127.0.0.1" && sa != "127.0.0.2" {
				continue // another test's loopback traffic that shares a port number
			}
			switch {
			case f.Server.Port() == uint16(webPort):
				tlsF = append(tlsF, f)
			case f.Server.Port() == uint16(dnsPort) && f.Transport == "udp":
				udpDNS = append(udpDNS, f)
			case f.Server.Port() == uint16(dnsPort):
				tcpDNS = append(tcpDNS, f)
			case f.Server.Port() == uint16(otherPort):
				others = append(others, f)
			}
		}
		if len(tlsF) != 1 || tlsF[0].Host != "app.example.test" || tlsF[0].NameSource != "sni" || tlsF[0].Protocol != "tls" || !tlsF[0].HasHandshakeRTT {
			t.Errorf("curl flow: %+v", tlsF)
		}
		if len(udpDNS) != 1 || udpDNS[0].Protocol != "dns" || len(tcpDNS) != 1 || tcpDNS[0].Protocol != "dns" {
			t.Errorf("dig flows: udp %+v tcp %+v", udpDNS, tcpDNS)
		}
		if len(others) != 3 {
			t.Fatalf("want 3 connections to 127.0.0.2, got %d", len(others))
		}
		wantProto := []string{"mmtls", "ssh", "unknown"}
		for i, f := range others {
			if f.Protocol != wantProto[i] {
				t.Errorf("connection %d: protocol %q, want %q", i, f.Protocol, wantProto[i])
			}
			if i == 2 && f.FirstBytes != "deadbeef00010203" {
				t.Errorf("unknown connection: first bytes %q", f.FirstBytes)
			}
			// Named by the latest DNS answer the client got for 127.0.0.2 (dig over TCP), with the CNAME.
			if f.Host != "edge.cdn.example.test" || f.NameSource != "dns" || f.AskedName != "tcp.example.test" {
				t.Errorf("connection %d: host %q by %q asked %q", i, f.Host, f.NameSource, f.AskedName)
			}
		}
	}
	t.Run("tcpdump file", func(t *testing.T) { check(t, res.Analyzer.Inventory(pcapPath)) })
	t.Run("AF_PACKET live", func(t *testing.T) {
		inv := live.Inventory("lo")
		check(t, inv)
		// The filter was compiled and attached to the socket (else a warning says so), and the kernel kept
		// every packet of the flows above. (Packets queued before the program was attached still reach the
		// user-space filter, so its count of rejected packets is not asserted.)
		if len(inv.Warnings) != 0 {
			t.Errorf("warnings %q", inv.Warnings)
		}
	})
}
