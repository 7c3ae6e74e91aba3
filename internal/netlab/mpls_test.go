package netlab

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
)

// timeExceeded4 builds an IPv4 ICMP time-exceeded message from src quoting an
// original datagram of origLen bytes.
func timeExceeded4(src string, typ byte, orig int) []byte {
	icmp := append([]byte{typ, 0, 0, 0, 0, 0, 0, 0}, bytes.Repeat([]byte{0xab}, orig)...)
	binary.BigEndian.PutUint16(icmp[2:4], checksum(icmp, 0))
	ip := []byte{0x45, 0, 0, 0, 0, 1, 0, 0, 64, 1, 0, 0}
	ip = append(ip, netip.MustParseAddr(src).AsSlice()...)
	ip = append(ip, 10, 1, 1, 10)
	binary.BigEndian.PutUint16(ip[2:4], uint16(20+len(icmp)))
	binary.BigEndian.PutUint16(ip[10:12], checksum(ip, 0))
	return append(ip, icmp...)
}

func timeExceeded6(src string, typ byte, orig int) []byte {
	icmp := append([]byte{typ, 0, 0, 0, 0, 0, 0, 0}, bytes.Repeat([]byte{0xab}, orig)...)
	ip := []byte{0x60, 0, 0, 0, 0, 0, 58, 64}
	binary.BigEndian.PutUint16(ip[4:6], uint16(len(icmp)))
	ip = append(ip, netip.MustParseAddr(src).AsSlice()...)
	ip = append(ip, netip.MustParseAddr("fd00:1:1::10").AsSlice()...)
	return append(ip, icmp...)
}

// checkExtended verifies lengths and checksums of an extended message and
// returns its label stack entries.
func checkExtended(t *testing.T, out []byte) []uint32 {
	t.Helper()
	var icmp []byte
	if out[0]>>4 == 4 {
		if got := int(binary.BigEndian.Uint16(out[2:4])); got != len(out) {
			t.Fatalf("IPv4 total length %d, packet %d", got, len(out))
		}
		if checksum(out[:20], 0) != 0 {
			t.Error("bad IPv4 header checksum")
		}
		icmp = out[20:]
		if checksum(icmp, 0) != 0 {
			t.Error("bad ICMP checksum")
		}
		if icmp[5] != 32 {
			t.Errorf("length field %d, want 32 words", icmp[5])
		}
	} else {
		icmp = out[40:]
		if got := int(binary.BigEndian.Uint16(out[4:6])); got != len(icmp) {
			t.Fatalf("IPv6 payload length %d, ICMPv6 %d", got, len(icmp))
		}
		var ph [40]byte
		copy(ph[:32], out[8:40])
		binary.BigEndian.PutUint32(ph[32:36], uint32(len(icmp)))
		ph[39] = 58
		if checksum(icmp, sum(ph[:], 0)) != 0 {
			t.Error("bad ICMPv6 checksum")
		}
		if icmp[4] != 16 {
			t.Errorf("length field %d, want 16 words", icmp[4])
		}
	}
	ext := icmp[8+128:]
	if ext[0] != 0x20 || checksum(ext, 0) != 0 {
		t.Errorf("extension header % x: want version 2 and a valid checksum", ext[:4])
	}
	objLen := int(binary.BigEndian.Uint16(ext[4:6]))
	if ext[6] != 1 || ext[7] != 1 || objLen != len(ext)-4 {
		t.Errorf("object header % x with %d bytes after the extension header", ext[4:8], len(ext)-4)
	}
	var entries []uint32
	for b := ext[8:]; len(b) >= 4; b = b[4:] {
		entries = append(entries, binary.BigEndian.Uint32(b))
	}
	return entries
}

func TestAddMPLSExtension(t *testing.T) {
	from := map[netip.Addr]bool{netip.MustParseAddr("192.0.2.6"): true, netip.MustParseAddr("2001:db8:102::2"): true}
	stack := []MPLSLabel{{Label: 24001, TC: 5}, {Label: 16001, TTL: 3}}
	tests := []struct {
		name    string
		pkt     []byte
		changed bool
	}{
		{"v4 short original padded", timeExceeded4("192.0.2.6", 11, 32), true},
		{"v4 long original cut", timeExceeded4("192.0.2.6", 11, 300), true},
		{"v6", timeExceeded6("2001:db8:102::2", 3, 48), true},
		{"v4 from another router", timeExceeded4("192.0.2.10", 11, 32), false},
		{"v4 echo reply", timeExceeded4("192.0.2.6", 0, 32), false},
		{"v4 port unreachable", timeExceeded4("192.0.2.6", 3, 32), false},
		{"v6 from another router", timeExceeded6("2001:db8:103::2", 3, 48), false},
		{"v6 echo reply", timeExceeded6("2001:db8:102::2", 129, 48), false},
		{"truncated", timeExceeded4("192.0.2.6", 11, 32)[:30], false},
		{"empty", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := bytes.Clone(tc.pkt)
			out := addMPLSExtension(in, from, stack)
			if !bytes.Equal(in, tc.pkt) {
				t.Fatal("input modified")
			}
			if !tc.changed {
				if !bytes.Equal(out, tc.pkt) {
					t.Errorf("packet changed, want it untouched")
				}
				return
			}
			entries := checkExtended(t, out)
			want := []uint32{24001<<12 | 5<<9 | 1, 16001<<12 | 1<<8 | 3}
			if len(entries) != 2 || entries[0] != want[0] || entries[1] != want[1] {
				t.Errorf("entries %x, want %x", entries, want)
			}
			if again := addMPLSExtension(out, from, stack); !bytes.Equal(again, out) {
				t.Error("a second pass extended the message again")
			}
		})
	}
}

func FuzzAddMPLSExtension(f *testing.F) {
	f.Add(timeExceeded4("192.0.2.6", 11, 32))
	f.Add(timeExceeded4("192.0.2.6", 11, 200))
	f.Add(timeExceeded6("2001:db8:102::2", 3, 48))
	f.Add([]byte{0x45})
	f.Add([]byte{0x60, 0, 0, 0, 0, 8, 58})
	from := map[netip.Addr]bool{netip.MustParseAddr("192.0.2.6"): true, netip.MustParseAddr("2001:db8:102::2"): true}
	f.Fuzz(func(t *testing.T, pkt []byte) {
		in := bytes.Clone(pkt)
		out := addMPLSExtension(pkt, from, []MPLSLabel{{Label: 16001}})
		if !bytes.Equal(in, pkt) {
			t.Fatal("input modified")
		}
		if bytes.Equal(out, pkt) {
			return
		}
		if entries := checkExtended(t, out); len(entries) != 1 {
			t.Fatalf("entries %x, want one", entries)
		}
	})
}

func TestMPLSLinksUseRelays(t *testing.T) {
	s := diamond()
	s.Nodes[2].MPLS = []MPLSLabel{{Label: 100}} // ra
	p, err := buildPlan(s, "t-")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range p.links {
		wantTUN := l.a.spec.Name == "ra" || l.b.spec.Name == "ra"
		if l.tun != wantTUN {
			t.Errorf("link %s-%s tun=%v, want %v", l.a.spec.Name, l.b.spec.Name, l.tun, wantTUN)
		}
	}
	s.Nodes[2].MPLS = []MPLSLabel{{Label: 1 << 20}}
	if _, err := buildPlan(s, "t-"); err == nil {
		t.Error("a 21-bit label was accepted")
	}
}
