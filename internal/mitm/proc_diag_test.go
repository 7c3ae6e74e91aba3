package mitm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func diagMsg(family byte, local, remote netip.AddrPort, inode uint32) []byte {
	m := make([]byte, 16+72)
	binary.LittleEndian.PutUint32(m, uint32(len(m)))
	binary.LittleEndian.PutUint16(m[4:], 20)
	m[16] = family
	id := m[20:]
	binary.BigEndian.PutUint16(id[0:], local.Port())
	binary.BigEndian.PutUint16(id[2:], remote.Port())
	putDiagAddr(id[4:20], local.Addr(), family)
	putDiagAddr(id[20:36], remote.Addr(), family)
	binary.LittleEndian.PutUint32(m[16+68:], inode)
	return m
}

func putDiagAddr(dst []byte, a netip.Addr, family byte) {
	if family == afInet {
		v := a.As4()
		copy(dst, v[:])
		return
	}
	v := a.As16()
	copy(dst, v[:])
}

func TestSockDiagWire(t *testing.T) {
	req := SockDiagDumpRequest(7, afInet6)
	if len(req) != 72 || binary.LittleEndian.Uint32(req) != 72 || binary.LittleEndian.Uint16(req[4:]) != 20 ||
		binary.LittleEndian.Uint16(req[6:]) != 0x301 || req[16] != 10 || req[17] != 6 {
		t.Errorf("request % x", req)
	}
	a, b := netip.MustParseAddrPort("127.0.0.1:54321"), netip.MustParseAddrPort("127.0.0.1:8080")
	mapped := netip.AddrPortFrom(netip.AddrFrom16(a.Addr().As16()), 1)
	six := netip.MustParseAddrPort("[2001:db8::1]:443")
	done := []byte{20, 0, 0, 0, 3, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	dump := append(append(append(diagMsg(2, a, b, 11), diagMsg(10, mapped, b, 12)...), diagMsg(10, six, b, 13)...), done...)
	m := map[SocketKey]uint64{}
	if fin, err := ParseSockDiagDump(dump, m); !fin || err != nil {
		t.Fatalf("dump: done %v, %v", fin, err)
	}
	want := map[SocketKey]uint64{{a, b}: 11, {netip.MustParseAddrPort("127.0.0.1:1"), b}: 12, {six, b}: 13}
	if fmt.Sprint(m) != fmt.Sprint(want) {
		t.Errorf("dump parsed as %v, want %v", m, want)
	}
	if fin, err := ParseSockDiagDump(diagMsg(2, a, b, 11), map[SocketKey]uint64{}); fin || err != nil {
		t.Errorf("a datagram without NLMSG_DONE: done %v, %v", fin, err)
	}
	errMsg := []byte{20, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff} // -EPERM
	for _, bad := range [][]byte{errMsg, dump[:10], dump[:40], append([]byte{200, 0, 0, 0}, dump[4:88]...), {16, 0, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}} {
		if _, err := ParseSockDiagDump(bad, map[SocketKey]uint64{}); err == nil {
			t.Errorf("accepted % x", bad)
		}
	}
}

func FuzzParseSockDiagDump(f *testing.F) {
	f.Add(diagMsg(2, netip.MustParseAddrPort("127.0.0.1:1"), netip.MustParseAddrPort("127.0.0.1:2"), 5))
	f.Add([]byte{20, 0, 0, 0, 3, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m := map[SocketKey]uint64{}
		if done, err := ParseSockDiagDump(b, m); done && err != nil {
			t.Errorf("done with error %v", err)
		}
		if len(m) > len(b)/88 {
			t.Errorf("%d sockets from %d bytes", len(m), len(b))
		}
	})
}

// diagReply is a kernel answer to SockDiagRequest number seq: one socket, then attrs.
func diagReply(seq uint32, family byte, local, remote netip.AddrPort, uid, inode uint32, attrs []byte) []byte {
	m := diagMsg(family, local, remote, inode)
	binary.LittleEndian.PutUint32(m[8:], seq)
	binary.LittleEndian.PutUint32(m[16+64:], uid)
	m = append(m, attrs...)
	binary.LittleEndian.PutUint32(m, uint32(len(m)))
	return m
}

// nlError is a netlink error message (errno 0: an acknowledgement) echoing request number seq.
func nlError(seq uint32, errno int32) []byte {
	m := make([]byte, 16+4+16)
	binary.LittleEndian.PutUint32(m, uint32(len(m)))
	binary.LittleEndian.PutUint16(m[4:], 2)
	binary.LittleEndian.PutUint32(m[8:], seq)
	binary.LittleEndian.PutUint32(m[16:], uint32(-errno))
	return m
}

func TestSockDiagRequest(t *testing.T) {
	for _, c := range []struct {
		name             string
		local, remote    string
		family           byte
		wantSrc, wantDst []byte // the first bytes of each 16-byte address field
	}{
		{"ipv4", "127.0.0.1:54321", "127.0.0.1:8080", 2, []byte{127, 0, 0, 1}, []byte{127, 0, 0, 1}},
		{"ipv4-mapped", "[::ffff:127.0.0.2]:54321", "[::ffff:127.0.0.1]:8080", 2, []byte{127, 0, 0, 2}, []byte{127, 0, 0, 1}},
		{"ipv6", "[::1]:54321", "[::1]:8080", 10, netip.IPv6Loopback().AsSlice(), netip.IPv6Loopback().AsSlice()},
		{"ipv6 documentation", "[2001:db8::1]:54321", "[2001:db8::2]:8080", 10,
			netip.MustParseAddr("2001:db8::1").AsSlice(), netip.MustParseAddr("2001:db8::2").AsSlice()},
	} {
		t.Run(c.name, func(t *testing.T) {
			local, remote := netip.MustParseAddrPort(c.local), netip.MustParseAddrPort(c.remote)
			b := SockDiagRequest(0x01020304, local, remote)
			le := binary.LittleEndian
			if len(b) != 72 || le.Uint32(b) != 72 || le.Uint16(b[4:]) != 20 || le.Uint16(b[6:]) != 1 || le.Uint32(b[8:]) != 0x01020304 {
				t.Fatalf("header % x: want length 72, type 20, flags NLM_F_REQUEST only, seq 0x01020304", b[:16])
			}
			r := b[16:]
			if r[0] != c.family || r[1] != 6 || r[2] != 0 || le.Uint32(r[4:]) != 0xFFFFFFFF {
				t.Errorf("request head % x: want family %d, TCP, no extensions, every state", r[:8], c.family)
			}
			id := r[8:]
			if binary.BigEndian.Uint16(id) != local.Port() || binary.BigEndian.Uint16(id[2:]) != remote.Port() {
				t.Errorf("ports % x, want %d and %d big-endian", id[:4], local.Port(), remote.Port())
			}
			if string(id[4:4+len(c.wantSrc)]) != string(c.wantSrc) || string(id[20:20+len(c.wantDst)]) != string(c.wantDst) {
				t.Errorf("addresses % x / % x, want % x / % x", id[4:20], id[20:36], c.wantSrc, c.wantDst)
			}
			for i := 4 + len(c.wantSrc); i < 20; i++ {
				if id[i] != 0 {
					t.Errorf("source address padding % x", id[4:20])
					break
				}
			}
			if le.Uint32(id[36:]) != 0 || le.Uint64(id[40:]) != ^uint64(0) {
				t.Errorf("interface %d cookie %x, want 0 and INET_DIAG_NOCOOKIE", le.Uint32(id[36:]), le.Uint64(id[40:]))
			}
		})
	}
}

func TestParseSockDiagReply(t *testing.T) {
	a, b := netip.MustParseAddrPort("127.0.0.1:54321"), netip.MustParseAddrPort("127.0.0.1:8080")
	mapped := netip.AddrPortFrom(netip.AddrFrom16(a.Addr().As16()), a.Port())
	six, sixSrv := netip.MustParseAddrPort("[::1]:40000"), netip.MustParseAddrPort("[::1]:8080")
	attr := []byte{5, 0, 8, 0, 0, 0, 0, 0} // INET_DIAG_SHUTDOWN, padded
	ok4 := SocketInfo{Local: a, Remote: b, UID: 1000, Inode: 4242}
	for _, c := range []struct {
		name    string
		b       []byte
		want    SocketInfo
		wantErr error // errors.Is target; nil with bad true: any error
		bad     bool
	}{
		{"ipv4", diagReply(7, 2, a, b, 1000, 4242, nil), ok4, nil, false},
		{"with attributes", diagReply(7, 2, a, b, 1000, 4242, attr), ok4, nil, false},
		{"ipv4-mapped on an ipv6 socket", diagReply(7, 10, mapped, netip.AddrPortFrom(netip.AddrFrom16(b.Addr().As16()), b.Port()), 1000, 4242, nil), ok4, nil, false},
		{"ipv6", diagReply(7, 10, six, sixSrv, 0, 9, nil), SocketInfo{Local: six, Remote: sixSrv, Inode: 9}, nil, false},
		{"acknowledgement first", append(nlError(7, 0), diagReply(7, 2, a, b, 1000, 4242, nil)...), ok4, nil, false},
		{"no such socket", nlError(7, int32(syscall.ENOENT)), SocketInfo{}, syscall.ENOENT, true},
		{"not permitted", nlError(7, int32(syscall.EPERM)), SocketInfo{}, syscall.EPERM, true},
		{"answer to another request", diagReply(6, 2, a, b, 1000, 4242, nil), SocketInfo{}, errOtherSeq, true},
		{"end of dump", []byte{16, 0, 0, 0, 3, 0, 2, 0, 7, 0, 0, 0, 0, 0, 0, 0}, SocketInfo{}, nil, true},
		{"empty", nil, SocketInfo{}, nil, true},
		{"short header", diagReply(7, 2, a, b, 1000, 4242, nil)[:10], SocketInfo{}, nil, true},
		{"length past the end", diagReply(7, 2, a, b, 1000, 4242, nil)[:60], SocketInfo{}, nil, true},
		{"length under a header", []byte{8, 0, 0, 0, 20, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0}, SocketInfo{}, nil, true},
		{"short socket message", shorten(diagReply(7, 2, a, b, 1000, 4242, nil), 40), SocketInfo{}, nil, true},
		{"short error message", shorten(nlError(7, 2), 18), SocketInfo{}, nil, true},
		{"unknown family", setByte(diagReply(7, 2, a, b, 1000, 4242, nil), 16, 1), SocketInfo{}, nil, true},
		{"unknown type", setByte(diagReply(7, 2, a, b, 1000, 4242, nil), 4, 99), SocketInfo{}, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseSockDiagReply(c.b, 7)
			if c.bad {
				if err == nil || (c.wantErr != nil && !errors.Is(err, c.wantErr)) {
					t.Errorf("got %+v, %v; want error %v", got, err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("got %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

// shorten cuts a netlink message to n bytes, its length field included.
func shorten(m []byte, n int) []byte {
	m = append([]byte(nil), m[:n]...)
	binary.LittleEndian.PutUint32(m, uint32(n))
	return m
}

func setByte(m []byte, i int, v byte) []byte {
	m = append([]byte(nil), m...)
	m[i] = v
	return m
}

// TestParseSockDiagReplyKernel reads replies a Linux kernel sent (testdata/sockdiag, written by
// TestSockDiagExact with -update): a socket message with the attributes the kernel adds unasked.
func TestParseSockDiagReplyKernel(t *testing.T) {
	files, _ := filepath.Glob("testdata/sockdiag/*.bin")
	if len(files) == 0 {
		t.Fatal("no kernel replies in testdata/sockdiag")
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		info, err := ParseSockDiagReply(b, binary.LittleEndian.Uint32(b[8:]))
		if err != nil || !info.Local.Addr().IsLoopback() || !info.Remote.Addr().IsLoopback() || info.Inode == 0 {
			t.Errorf("%s: %+v, %v; want a loopback socket with an inode", name, info, err)
		}
	}
}

func FuzzParseSockDiagReply(f *testing.F) {
	a, b := netip.MustParseAddrPort("127.0.0.1:54321"), netip.MustParseAddrPort("127.0.0.1:8080")
	f.Add(diagReply(7, 2, a, b, 1000, 4242, nil))
	f.Add(diagReply(7, 10, netip.MustParseAddrPort("[::1]:1"), netip.MustParseAddrPort("[::1]:2"), 0, 9, []byte{5, 0, 8, 0, 0, 0, 0, 0}))
	f.Add(append(nlError(7, 0), diagReply(7, 2, a, b, 0, 1, nil)...))
	f.Add(nlError(7, 2))
	files, _ := filepath.Glob("testdata/sockdiag/*.bin")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil && len(b) >= 12 {
			binary.LittleEndian.PutUint32(b[8:], 7)
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, m []byte) {
		info, err := ParseSockDiagReply(m, 7)
		if err != nil {
			return
		}
		// what parsed, encoded again, parses the same
		fam := byte(10)
		if info.Local.Addr().Is4() && info.Remote.Addr().Is4() {
			fam = 2
		}
		again, err := ParseSockDiagReply(diagReply(7, fam, info.Local, info.Remote, info.UID, uint32(info.Inode), nil), 7)
		if err != nil || again != info {
			t.Errorf("parsed %+v; encoded again, %+v, %v", info, again, err)
		}
		if info.Local.Addr().Is4In6() || info.Remote.Addr().Is4In6() || info.Inode > 0xFFFFFFFF {
			t.Errorf("parsed %+v: mapped address or a wider inode than the wire holds", info)
		}
	})
}
