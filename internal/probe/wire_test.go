package probe

import (
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"hopscope/internal/path"
)

var (
	src4 = netip.MustParseAddr("10.0.0.2")
	dst4 = netip.MustParseAddr("203.0.113.25")
	rtr4 = netip.MustParseAddr("10.0.9.1")
	src6 = netip.MustParseAddr("fd00::2")
	dst6 = netip.MustParseAddr("2001:db8::25")
	rtr6 = netip.MustParseAddr("fd00:9::1")
)

func testFlow(m path.Protocol, v6, vary bool) *Flow {
	f := &Flow{Method: m, Src: src4, Dst: dst4, SrcPort: 40000, DstPort: 33434, ICMPID: 0x1234, SeqBase: 0xfffff000, FlowLabel: 0x12345, Vary: vary, Flows: 3}
	if m == path.ProtoTCP {
		f.DstPort = 443
	}
	if v6 {
		f.Src, f.Dst = src6, dst6
	}
	return f
}

// icmpError builds the ICMP(v6) error a router sends for probe packet pkt (IPv4: with the IP header
// of the error; IPv6: the ICMPv6 message alone). ext is an RFC 4884 extension structure appended
// with the length field set (compliant) or after 128 bytes of padding (compat).
func icmpError(v6 bool, from netip.Addr, typ, code uint8, pkt []byte, ext []byte, compliant bool) []byte {
	quoted := slices.Clone(pkt)
	if ext != nil {
		if compliant {
			unit := 4
			if v6 {
				unit = 8
			}
			for len(quoted)%unit != 0 {
				quoted = append(quoted, 0)
			}
		} else {
			for len(quoted) < rfc4884CompatBytes {
				quoted = append(quoted, 0)
			}
		}
	}
	m := append([]byte{typ, code, 0, 0, 0, 0, 0, 0}, quoted...)
	if ext != nil && compliant {
		if v6 {
			m[4] = uint8(len(quoted) / 8)
		} else {
			m[5] = uint8(len(quoted) / 4)
		}
	}
	m = append(m, ext...)
	if v6 {
		return m
	}
	binary.BigEndian.PutUint16(m[2:], Checksum(0, m))
	h := []byte{0x45, 0, 0, 0, 0, 0, 0, 0, 61, protoICMP, 0, 0}
	h = append(h, from.AsSlice()...)
	h = append(h, src4.AsSlice()...)
	binary.BigEndian.PutUint16(h[2:], uint16(len(h)+len(m)))
	return append(h, m...)
}

// mplsExt is an RFC 4884 extension structure with one RFC 4950 object holding labels.
func mplsExt(labels ...path.MPLSLabel) []byte {
	obj := []byte{0, 0, 1, 1}
	for _, l := range labels {
		v := l.Label<<12 | uint32(l.TC)<<9 | uint32(l.TTL)
		if l.S {
			v |= 1 << 8
		}
		obj = binary.BigEndian.AppendUint32(obj, v)
	}
	binary.BigEndian.PutUint16(obj, uint16(len(obj)))
	ext := append([]byte{0x20, 0, 0, 0}, obj...)
	binary.BigEndian.PutUint16(ext[2:], Checksum(0, ext))
	return ext
}

func TestBuildPacket(t *testing.T) {
	for _, m := range []path.Protocol{path.ProtoICMP, path.ProtoUDP, path.ProtoTCP} {
		for _, v6 := range []bool{false, true} {
			for _, vary := range []bool{false, true} {
				name := string(m) + map[bool]string{false: "4", true: "6"}[v6] + map[bool]string{false: "/pinned", true: "/varied"}[vary]
				t.Run(name, func(t *testing.T) {
					f := testFlow(m, v6, vary)
					var sums, flows []uint16
					for _, p := range []Probe{{Seq: 1, TTL: 1, Flow: 1}, {Seq: 77, TTL: 9, Flow: 2}, {Seq: 0xfffe, TTL: 255, Flow: 3}} {
						if !vary {
							p.Flow = 1
						}
						pkt, err := BuildPacket(f, p)
						if err != nil {
							t.Fatal(err)
						}
						l4, proto := pkt[20:], pkt[9]
						if v6 {
							l4, proto = pkt[40:], pkt[6]
							if pkt[7] != uint8(p.TTL) {
								t.Errorf("hop limit %d, want %d", pkt[7], p.TTL)
							}
							flows = append(flows, uint16(binary.BigEndian.Uint32(pkt)&0xfffff))
						} else {
							if Checksum(0, pkt[:20]) != 0 || pkt[8] != uint8(p.TTL) {
								t.Errorf("bad IPv4 header checksum or ttl %d", pkt[8])
							}
						}
						if Checksum(pseudoSum(f.Src, f.Dst, proto, len(l4)), l4) != 0 && !(m == path.ProtoICMP && !v6) {
							t.Errorf("transport checksum does not verify")
						}
						if m == path.ProtoICMP && !v6 && Checksum(0, l4) != 0 {
							t.Errorf("ICMP checksum does not verify")
						}
						sum := binary.BigEndian.Uint16(l4[2:])
						switch m {
						case path.ProtoICMP:
							if want := flowChecksum(p.Flow); sum != want && vary || !vary && sum != flowChecksum(1) {
								t.Errorf("ICMP checksum %#x, want the flow constant", sum)
							}
							if binary.BigEndian.Uint16(l4[6:]) != p.Seq {
								t.Errorf("echo sequence %d, want %d", binary.BigEndian.Uint16(l4[6:]), p.Seq)
							}
						case path.ProtoUDP:
							sum = binary.BigEndian.Uint16(l4[6:])
							if sum != p.Seq {
								t.Errorf("UDP checksum %#x, want the sequence %#x", sum, p.Seq)
							}
							if dp := binary.BigEndian.Uint16(l4[2:]); vary && dp != 33434+uint16(p.Flow-1) || !vary && dp != 33434 {
								t.Errorf("UDP destination port %d for flow %d", dp, p.Flow)
							}
						case path.ProtoTCP:
							if s := binary.BigEndian.Uint32(l4[4:]); s != f.SeqBase+uint32(p.Seq) {
								t.Errorf("TCP seq %#x", s)
							}
							if l4[13] != 0x02 {
								t.Errorf("TCP flags %#x, want SYN", l4[13])
							}
						}
						sums = append(sums, sum)
						// The datagram-socket payload is the same message the kernel would build.
						if m != path.ProtoTCP {
							pl, err := BuildPayload(f, p)
							if err != nil {
								t.Fatal(err)
							}
							want := l4
							if m == path.ProtoUDP {
								want = l4[8:]
							}
							if !slices.Equal(pl, want) {
								t.Errorf("payload differs from the raw packet's transport part")
							}
						}
					}
					if v6 && !vary && (flows[0] != flows[1] || flows[1] != flows[2]) {
						t.Errorf("pinned flow labels differ: %v", flows)
					}
					if v6 && vary && flows[0] == flows[1] {
						t.Errorf("varied flow labels equal: %v", flows)
					}
					_ = sums
				})
			}
		}
	}
}

func TestBuildPacketErrors(t *testing.T) {
	f := testFlow(path.ProtoUDP, false, false)
	for _, tc := range []struct {
		name string
		f    *Flow
		p    Probe
	}{
		{"seq zero", f, Probe{Seq: 0, TTL: 1, Flow: 1}},
		{"ttl zero", f, Probe{Seq: 1, TTL: 0, Flow: 1}},
		{"flow zero", f, Probe{Seq: 1, TTL: 1}},
		{"mixed families", &Flow{Method: path.ProtoUDP, Src: src4, Dst: dst6}, Probe{Seq: 1, TTL: 1, Flow: 1}},
		{"unknown method", &Flow{Method: "sctp", Src: src4, Dst: dst4}, Probe{Seq: 1, TTL: 1, Flow: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := BuildPacket(tc.f, tc.p); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestMatch(t *testing.T) {
	lbl := []path.MPLSLabel{{Label: 24001, TC: 0, S: false, TTL: 1}, {Label: 16, TC: 5, S: true, TTL: 1}}
	type tc struct {
		name     string
		method   path.Protocol
		v6       bool
		pkt      func(f *Flow) []byte // the received packet
		from     netip.Addr
		wantOK   bool
		wantKind Kind
		wantAnn  string
		wantMPLS []path.MPLSLabel
	}
	probe := Probe{Seq: 42, TTL: 7, Flow: 1}
	build := func(f *Flow, p Probe) []byte {
		b, err := BuildPacket(f, p)
		if err != nil {
			panic(err)
		}
		return b
	}
	te := func(v6 bool) uint8 { return map[bool]uint8{false: 11, true: 3}[v6] }
	var cases []tc
	for _, m := range []path.Protocol{path.ProtoICMP, path.ProtoUDP, path.ProtoTCP} {
		for _, v6 := range []bool{false, true} {
			rtr := rtr4
			if v6 {
				rtr = rtr6
			}
			fam := map[bool]string{false: "4", true: "6"}[v6]
			cases = append(cases,
				tc{name: string(m) + fam + " time exceeded", method: m, v6: v6, from: rtr, wantOK: true, wantKind: KindTimeExceeded,
					pkt: func(f *Flow) []byte { return icmpError(v6, rtr, te(v6), 0, build(f, probe), nil, false) }},
				tc{name: string(m) + fam + " time exceeded with MPLS (RFC 4884 length)", method: m, v6: v6, from: rtr, wantOK: true, wantKind: KindTimeExceeded, wantMPLS: lbl,
					pkt: func(f *Flow) []byte { return icmpError(v6, rtr, te(v6), 0, build(f, probe), mplsExt(lbl...), true) }},
				tc{name: string(m) + fam + " time exceeded with MPLS (128-byte compat)", method: m, v6: v6, from: rtr, wantOK: true, wantKind: KindTimeExceeded, wantMPLS: lbl,
					pkt: func(f *Flow) []byte { return icmpError(v6, rtr, te(v6), 0, build(f, probe), mplsExt(lbl...), false) }},
				tc{name: string(m) + fam + " quoting another destination", method: m, v6: v6, from: rtr,
					pkt: func(f *Flow) []byte {
						g := *f
						g.Dst = map[bool]netip.Addr{false: netip.MustParseAddr("198.51.100.1"), true: netip.MustParseAddr("2001:db8::99")}[v6]
						return icmpError(v6, rtr, te(v6), 0, build(&g, probe), nil, false)
					}},
				tc{name: string(m) + fam + " another trace's identifiers", method: m, v6: v6, from: rtr,
					pkt: func(f *Flow) []byte {
						g := *f
						g.SrcPort, g.ICMPID, g.SeqBase = 50000, 0x4321, 0x10000000
						return icmpError(v6, rtr, te(v6), 0, build(&g, probe), nil, false)
					}},
				tc{name: string(m) + fam + " truncated quote", method: m, v6: v6, from: rtr,
					pkt: func(f *Flow) []byte {
						b := build(f, probe)
						return icmpError(v6, rtr, te(v6), 0, b[:len(b)-len(b)+map[bool]int{false: 24, true: 44}[v6]], nil, false)
					}},
			)
		}
	}
	cases = append(cases,
		tc{name: "udp4 port unreachable from the target", method: path.ProtoUDP, from: dst4, wantOK: true, wantKind: KindReached,
			pkt: func(f *Flow) []byte { return icmpError(false, dst4, 3, 3, build(f, probe), nil, false) }},
		tc{name: "udp6 port unreachable from the target", method: path.ProtoUDP, v6: true, from: dst6, wantOK: true, wantKind: KindReached,
			pkt: func(f *Flow) []byte { return icmpError(true, dst6, 1, 4, build(f, probe), nil, false) }},
		tc{name: "udp4 host unreachable from a router", method: path.ProtoUDP, from: rtr4, wantOK: true, wantKind: KindUnreachable, wantAnn: "H",
			pkt: func(f *Flow) []byte { return icmpError(false, rtr4, 3, 1, build(f, probe), nil, false) }},
		tc{name: "tcp6 admin prohibited", method: path.ProtoTCP, v6: true, from: rtr6, wantOK: true, wantKind: KindUnreachable, wantAnn: "X",
			pkt: func(f *Flow) []byte { return icmpError(true, rtr6, 1, 1, build(f, probe), nil, false) }},
		tc{name: "icmp4 echo reply", method: path.ProtoICMP, from: dst4, wantOK: true, wantKind: KindReached,
			pkt: func(f *Flow) []byte { return echoReply(false, dst4, f.ICMPID, probe.Seq) }},
		tc{name: "icmp6 echo reply", method: path.ProtoICMP, v6: true, from: dst6, wantOK: true, wantKind: KindReached,
			pkt: func(f *Flow) []byte { return echoReply(true, dst6, f.ICMPID, probe.Seq) }},
		tc{name: "icmp4 echo reply to another process", method: path.ProtoICMP, from: dst4,
			pkt: func(f *Flow) []byte { return echoReply(false, dst4, f.ICMPID+1, probe.Seq) }},
		tc{name: "icmp4 echo reply from another host", method: path.ProtoICMP, from: rtr4,
			pkt: func(f *Flow) []byte { return echoReply(false, rtr4, f.ICMPID, probe.Seq) }},
		tc{name: "udp4 fragment reassembly time exceeded", method: path.ProtoUDP, from: rtr4,
			pkt: func(f *Flow) []byte { return icmpError(false, rtr4, 11, 1, build(f, probe), nil, false) }},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := testFlow(c.method, c.v6, false)
			b := c.pkt(f)
			var m *Message
			var err error
			if c.v6 {
				if m, err = ParseICMPv6(b); m != nil {
					m.From, m.ReplyTTL = c.from, 60
				}
			} else {
				m, err = ParseICMPv4(b)
			}
			if err != nil {
				if c.wantOK {
					t.Fatalf("parse: %v", err)
				}
				return
			}
			r, ok := f.Match(m)
			if ok != c.wantOK {
				t.Fatalf("matched = %v, want %v (%+v)", ok, c.wantOK, r)
			}
			if !ok {
				return
			}
			if r.Seq != probe.Seq || r.Kind != c.wantKind || r.Unreachable != c.wantAnn || r.From != c.from {
				t.Errorf("reply %+v, want seq %d kind %d ann %q from %v", r, probe.Seq, c.wantKind, c.wantAnn, c.from)
			}
			if !slices.Equal(r.MPLS, c.wantMPLS) {
				t.Errorf("MPLS %v, want %v", r.MPLS, c.wantMPLS)
			}
			if c.wantKind == KindTimeExceeded && r.QuotedTTL != probe.TTL {
				t.Errorf("quoted ttl %d, want %d", r.QuotedTTL, probe.TTL)
			}
		})
	}
}

func echoReply(v6 bool, from netip.Addr, id, seq uint16) []byte {
	m := make([]byte, 8+PayloadSize)
	m[0] = 0
	if v6 {
		m[0] = 129
	}
	binary.BigEndian.PutUint16(m[4:], id)
	binary.BigEndian.PutUint16(m[6:], seq)
	if v6 {
		return m
	}
	h := []byte{0x45, 0, 0, 0, 0, 0, 0, 0, 60, protoICMP, 0, 0}
	h = append(h, from.AsSlice()...)
	h = append(h, src4.AsSlice()...)
	return append(h, m...)
}

func TestMatchTCP(t *testing.T) {
	f := testFlow(path.ProtoTCP, false, true)
	seg := func(from netip.Addr, sport, dport uint16, ack uint32, flags uint8) []byte {
		b := []byte{0x45, 0, 0, 40, 0, 0, 0, 0, 55, protoTCP, 0, 0}
		b = append(b, from.AsSlice()...)
		b = append(b, src4.AsSlice()...)
		t := make([]byte, 20)
		binary.BigEndian.PutUint16(t[0:], sport)
		binary.BigEndian.PutUint16(t[2:], dport)
		binary.BigEndian.PutUint32(t[8:], ack)
		t[12], t[13] = 0x50, flags
		return append(b, t...)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		ok   bool
	}{
		{"syn-ack", seg(dst4, 443, 40000, f.SeqBase+43, 0x12), true},
		{"rst-ack on flow 3", seg(dst4, 443, 40002, f.SeqBase+43, 0x14), true},
		{"port beyond the flows", seg(dst4, 443, 40003, f.SeqBase+43, 0x12), false},
		{"another host", seg(rtr4, 443, 40000, f.SeqBase+43, 0x12), false},
		{"ack of another trace", seg(dst4, 443, 40000, f.SeqBase+0x20000, 0x12), false},
		{"other service port", seg(dst4, 80, 40000, f.SeqBase+43, 0x12), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseTCP(tc.b, false)
			if err != nil {
				t.Fatal(err)
			}
			r, ok := f.MatchTCP(s)
			if ok != tc.ok || ok && (r.Seq != 42 || r.Kind != KindReached || r.ReplyTTL != 55) {
				t.Errorf("got %+v %v, want ok=%v seq 42", r, ok, tc.ok)
			}
		})
	}
	if _, err := ParseTCP(seg(dst4, 443, 40000, 1, 0x10), false); err != ErrNotOurs {
		t.Errorf("bare ACK: err %v, want ErrNotOurs", err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		v6   bool
		b    []byte
	}{
		{"empty", false, nil},
		{"short IPv4", false, []byte{0x45, 0, 0}},
		{"not IPv4", false, make([]byte, 28)},
		{"IHL too big", false, append([]byte{0x4f}, make([]byte, 27)...)},
		{"short ICMPv6", true, []byte{3, 0, 0}},
		{"ICMPv6 error without quote", true, []byte{3, 0, 0, 0, 0, 0, 0, 0, 0x60}},
		{"ICMPv6 quote not IPv6", true, append([]byte{3, 0, 0, 0, 0, 0, 0, 0}, make([]byte, 48)...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.v6 {
				_, err = ParseICMPv6(tc.b)
			} else {
				_, err = ParseICMPv4(tc.b)
			}
			if _, ok := err.(*ParseError); !ok {
				t.Errorf("err = %v, want a *ParseError", err)
			}
		})
	}
}

func TestParseExtensionsRejectsBadChecksum(t *testing.T) {
	ext := mplsExt(path.MPLSLabel{Label: 1, S: true, TTL: 1})
	ext[len(ext)-1] ^= 0xff
	if _, ok := parseExtensions(ext); ok {
		t.Error("extension with a bad checksum accepted")
	}
}

// writeSeeds writes fuzz seeds to testdata when -update is given (see fuzz_test.go).
func readSeeds(t testing.TB, dir string) [][]byte {
	files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.bin"))
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestParseErrQueue(t *testing.T) {
	udp := testFlow(path.ProtoUDP, false, false)
	icmp := testFlow(path.ProtoICMP, true, false)
	tcp := testFlow(path.ProtoTCP, false, false)
	p := Probe{Seq: 42, TTL: 7, Flow: 1}
	udpPayload, _ := BuildPayload(udp, p)
	echo, _ := BuildPayload(icmp, p)
	syn, _ := BuildPacket(tcp, p)
	for _, tc := range []struct {
		name     string
		flow     *Flow
		e        ErrQueueEntry
		wantOK   bool
		wantKind Kind
	}{
		{"udp time exceeded (payload only)", udp, ErrQueueEntry{Data: udpPayload, Offender: rtr4, Dst: dst4, DstPort: 33434, SrcPort: 40000, Type: 11, Proto: protoUDP}, true, KindTimeExceeded},
		{"udp port unreachable from the target", udp, ErrQueueEntry{Data: udpPayload, Offender: dst4, Dst: dst4, DstPort: 33434, SrcPort: 40000, Type: 3, Code: 3, Proto: protoUDP}, true, KindReached},
		{"udp to another port", udp, ErrQueueEntry{Data: udpPayload, Offender: rtr4, Dst: dst4, DstPort: 53, SrcPort: 40000, Type: 11, Proto: protoUDP}, false, 0},
		{"udp to another destination", udp, ErrQueueEntry{Data: udpPayload, Offender: rtr4, Dst: rtr4, DstPort: 33434, SrcPort: 40000, Type: 11, Proto: protoUDP}, false, 0},
		{"icmpv6 time exceeded", icmp, ErrQueueEntry{Data: echo, V6: true, Offender: rtr6, Dst: dst6, Type: 3, Proto: protoICMPv6}, true, KindTimeExceeded},
		{"tcp time exceeded", tcp, ErrQueueEntry{Data: syn[20:], Offender: rtr4, Dst: dst4, DstPort: 443, Type: 11, Proto: protoTCP}, true, KindTimeExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseErrQueue(tc.e)
			if err != nil {
				t.Fatal(err)
			}
			r, ok := tc.flow.Match(m)
			if ok != tc.wantOK || ok && (r.Seq != 42 || r.Kind != tc.wantKind || r.From != tc.e.Offender) {
				t.Errorf("got %+v %v, want ok=%v kind %d", r, ok, tc.wantOK, tc.wantKind)
			}
		})
	}
	if _, err := ParseErrQueue(ErrQueueEntry{Data: []byte("not ours at all, 24 bytes"), Proto: protoUDP}); err == nil {
		t.Error("foreign UDP payload accepted")
	}
}
