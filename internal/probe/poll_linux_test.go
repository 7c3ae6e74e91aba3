package probe

import (
	"errors"
	"net/netip"
	"os"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

func TestRawSockaddrRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		addr netip.Addr
		port int
		want netip.Addr
	}{
		{"ipv4", netip.MustParseAddr("203.0.113.25"), 33434, netip.MustParseAddr("203.0.113.25")},
		{"ipv6", netip.MustParseAddr("2001:db8:ff::25"), 443, netip.MustParseAddr("2001:db8:ff::25")},
		{"ipv4-mapped ipv6 comes back unmapped", netip.MustParseAddr("::ffff:192.0.2.1"), 9, netip.MustParseAddr("192.0.2.1")},
		{"port 0", netip.MustParseAddr("198.51.100.7"), 0, netip.MustParseAddr("198.51.100.7")},
		{"highest port", netip.MustParseAddr("fd00::1"), 65535, netip.MustParseAddr("fd00::1")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := makeRawSockaddr(tc.addr, 1)
			rs.setPort(tc.port)
			var rsa unix.RawSockaddrAny
			copy((*[unix.SizeofSockaddrAny]byte)(unsafe.Pointer(&rsa))[:], rs.buf[:rs.len])
			got, port := rawAddrPort(&rsa)
			if got != tc.want || port != tc.port {
				t.Errorf("got %v port %d, want %v port %d", got, port, tc.want, tc.port)
			}
		})
	}
	t.Run("other family", func(t *testing.T) {
		var rsa unix.RawSockaddrAny
		rsa.Addr.Family = unix.AF_UNIX
		if a, p := rawAddrPort(&rsa); a.IsValid() || p != 0 {
			t.Errorf("AF_UNIX: got %v port %d, want no address", a, p)
		}
	})
}

// udpPair returns a bound, non-blocking UDP socket on loopback with IP_RECVERR and its address.
func udpPair(t *testing.T) (int, *rawSockaddr) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := setRecvErr(fd, false); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	rs := makeRawSockaddr(netip.MustParseAddr("127.0.0.1"), sa.(*unix.SockaddrInet4).Port)
	return fd, &rs
}

// waitReady waits (at most 50 rounds of 100 ms) until onReady saw fd; it fails on any error.
func waitReady(t *testing.T, p *poller, seen map[int]uint32, fd int) uint32 {
	t.Helper()
	for range 50 {
		if ev, ok := seen[fd]; ok {
			return ev
		}
		err := p.wait(time.Now().Add(100 * time.Millisecond))
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatal(err)
		}
	}
	t.Fatalf("descriptor %d never reported ready", fd)
	return 0
}

func TestPoller(t *testing.T) {
	seen := map[int]uint32{}
	p, err := newPoller(func(fd int, ev uint32) { seen[fd] = ev })
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()

	t.Run("deadline passed already", func(t *testing.T) {
		if err := p.wait(time.Now().Add(-time.Millisecond)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("wait: %v, want os.ErrDeadlineExceeded", err)
		}
	})
	t.Run("timer ends the wait no earlier than the deadline", func(t *testing.T) {
		deadline := time.Now().Add(20 * time.Millisecond)
		for time.Now().Before(deadline) {
			if err := p.wait(deadline); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal(err)
			}
		}
		if len(seen) != 0 {
			t.Errorf("sockets reported with none registered: %v", seen)
		}
		if !p.armed.IsZero() {
			t.Errorf("timer still armed for %v after it fired", p.armed)
		}
	})
	t.Run("datagram", func(t *testing.T) {
		a, _ := udpPair(t)
		b, addrB := udpPair(t)
		if err := p.add(b, unix.EPOLLIN); err != nil {
			t.Fatal(err)
		}
		if err := rawSendto(a, []byte("probe"), addrB); err != nil {
			t.Fatal(err)
		}
		if ev := waitReady(t, p, seen, b); ev&unix.EPOLLIN == 0 {
			t.Errorf("events %#x, want EPOLLIN", ev)
		}
		buf, oob := make([]byte, 64), make([]byte, 256)
		n, _, from, _, err := rawRecvmsg(b, buf, oob, 0)
		if err != nil || string(buf[:n]) != "probe" || from != netip.MustParseAddr("127.0.0.1") {
			t.Errorf("recvmsg: %q from %v, %v; want \"probe\" from 127.0.0.1", buf[:n], from, err)
		}
		if _, _, _, _, err := rawRecvmsg(b, buf, oob, 0); !errors.Is(err, unix.EAGAIN) {
			t.Errorf("second recvmsg: %v, want EAGAIN", err)
		}
		p.remove(b)
	})
	t.Run("error queue only (EPOLLERR without EPOLLIN)", func(t *testing.T) {
		// A datagram to a closed port: the ICMP port unreachable lands on the sender's error queue,
		// the way an unprivileged UDP probe's replies do. The runtime's own poller would take this for
		// an error of the descriptor; ours must hand it over.
		a, _ := udpPair(t)
		c, addrC := udpPair(t)
		unix.Close(c) // the port is now closed
		if err := p.add(a, unix.EPOLLIN); err != nil {
			t.Fatal(err)
		}
		defer p.remove(a)
		if err := rawSendto(a, []byte("probe"), addrC); err != nil {
			t.Fatal(err)
		}
		if ev := waitReady(t, p, seen, a); ev&unix.EPOLLERR == 0 {
			t.Errorf("events %#x, want EPOLLERR", ev)
		}
		buf, oob := make([]byte, 64), make([]byte, 512)
		_, oobn, _, _, err := rawRecvmsg(a, buf, oob, unix.MSG_ERRQUEUE)
		if err != nil {
			t.Fatal(err)
		}
		ee, _, ok := parseExtendedErr(oob[:oobn])
		if !ok || ee.Origin != unix.SO_EE_ORIGIN_ICMP || ee.Type != 3 || ee.Code != 3 {
			t.Errorf("error queue: %+v (found %v), want ICMP port unreachable", ee, ok)
		}
		// Drained: the next wait ends at its deadline with nothing handed over.
		delete(seen, a)
		deadline := time.Now().Add(10 * time.Millisecond)
		for time.Now().Before(deadline) {
			if err := p.wait(deadline); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal(err)
			}
		}
		if ev, ok := seen[a]; ok {
			t.Errorf("drained socket reported again (events %#x)", ev)
		}
	})
}

func TestSocketRecvAfterClose(t *testing.T) {
	s := &Socket{}
	if _, err := s.Recv(time.Now().Add(time.Second)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Recv on a closed socket: %v, want an error that is not a deadline", err)
	}
}
