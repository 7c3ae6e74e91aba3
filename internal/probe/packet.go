package probe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"hopscope/internal/path"
)

// Sizes of the probes hopscope sends.
const (
	// PayloadSize is the ICMP echo and UDP payload size: with the 8-byte header and a 20-byte IPv4
	// header a probe is 52 bytes, as macOS traceroute sends.
	PayloadSize   = 24
	ipv4HeaderLen = 20
	ipv6HeaderLen = 40
	tcpHeaderLen  = 24 // 20 + MSS option
)

// Protocol numbers.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
)

// Flow is the constant part of every probe of one trace: the 5-tuple and the per-trace identifiers
// that keep two traces (and other processes' traffic) apart.
type Flow struct {
	Method path.Protocol
	// Src is the source address; it must be set for checksums (it is the address the kernel would choose).
	Src netip.Addr
	// Dst is the probed address.
	Dst netip.Addr
	// SrcPort is the UDP/TCP source port, reserved by a socket for the trace's lifetime.
	SrcPort uint16
	// DstPort is the UDP/TCP destination port (the base port when flows vary for UDP).
	DstPort uint16
	// ICMPID is the echo identifier (the socket's port for ICMP datagram sockets).
	ICMPID uint16
	// SeqBase is added to the probe sequence to make the TCP sequence number.
	SeqBase uint32
	// FlowLabel is the IPv6 flow label of flow 1 (raw sockets only); flows vary it by adding the flow number.
	FlowLabel uint32
	// Vary is true when each probe uses its own flow (--vary-flows); Flows bounds the flow numbers in use.
	Vary  bool
	Flows int
}

// Probe is one packet to send: its identity, its TTL and the flow it belongs to.
type Probe struct {
	// Seq identifies the probe within the trace (1..65534); it is what replies are matched on.
	Seq uint16
	// TTL is the IP TTL / hop limit.
	TTL int
	// Flow is the flow number, 1 when flows are pinned.
	Flow int
}

// V6 reports whether the flow is IPv6.
func (f *Flow) V6() bool { return f.Dst.Is6() && !f.Dst.Is4In6() }

// dstPort returns the destination port for flow n: UDP varies the destination port (classic traceroute),
// TCP keeps it (the service port).
func (f *Flow) dstPort(n int) uint16 {
	if f.Method == path.ProtoUDP && f.Vary && n > 1 {
		return f.DstPort + uint16(n-1)
	}
	return f.DstPort
}

// srcPort returns the source port for flow n: TCP varies the source port (raw sockets only).
func (f *Flow) srcPort(n int) uint16 {
	if f.Method == path.ProtoTCP && f.Vary && n > 1 {
		return f.SrcPort + uint16(n-1)
	}
	return f.SrcPort
}

// flowChecksum is the constant ICMP checksum of flow n (Paris traceroute keeps it constant because
// load balancers that hash on the first transport bytes read type, code and checksum).
func flowChecksum(n int) uint16 { return 0x4000 + uint16(n)*0x101 }

var errBadProbe = errors.New("bad probe")

func (f *Flow) check(p Probe) error {
	switch {
	case p.Seq == 0 || p.Seq == 0xffff:
		return fmt.Errorf("%w: sequence %d out of range 1..65534", errBadProbe, p.Seq)
	case p.TTL < 1 || p.TTL > 255:
		return fmt.Errorf("%w: ttl %d out of range 1..255", errBadProbe, p.TTL)
	case p.Flow < 1:
		return fmt.Errorf("%w: flow %d must be at least 1", errBadProbe, p.Flow)
	case !f.Src.IsValid() || !f.Dst.IsValid() || f.Src.Is4() != f.Dst.Is4():
		return fmt.Errorf("%w: source %v and destination %v must be addresses of one family", errBadProbe, f.Src, f.Dst)
	}
	return nil
}

// BuildPayload returns the transport message as a datagram socket sends it: the ICMP echo request
// (header and payload; a datagram ICMP socket replaces the identifier by its port, which must be ICMPID)
// or the UDP payload. Checksums are arranged so that the kernel computes the intended value:
// constant per flow for ICMP, the probe sequence for UDP. It is not used for TCP.
func BuildPayload(f *Flow, p Probe) ([]byte, error) {
	if err := f.check(p); err != nil {
		return nil, err
	}
	switch f.Method {
	case path.ProtoICMP:
		return f.echo(p), nil
	case path.ProtoUDP:
		u := f.udp(p)
		return u[8:], nil
	}
	return nil, fmt.Errorf("%w: no datagram payload for method %q", errBadProbe, f.Method)
}

// BuildPacket returns the complete IP packet (IPv4 or IPv6 header included) for a raw socket.
func BuildPacket(f *Flow, p Probe) ([]byte, error) {
	if err := f.check(p); err != nil {
		return nil, err
	}
	var l4 []byte
	var proto uint8
	switch f.Method {
	case path.ProtoICMP:
		l4, proto = f.echo(p), protoICMP
		if f.V6() {
			proto = protoICMPv6
		}
	case path.ProtoUDP:
		l4, proto = f.udp(p), protoUDP
	case path.ProtoTCP:
		l4, proto = f.tcpSYN(p), protoTCP
	default:
		return nil, fmt.Errorf("%w: unknown method %q", errBadProbe, f.Method)
	}
	if f.V6() {
		h := make([]byte, ipv6HeaderLen, ipv6HeaderLen+len(l4))
		label := (f.FlowLabel + uint32(p.Flow-1)) & 0xfffff
		binary.BigEndian.PutUint32(h[0:], 6<<28|label)
		binary.BigEndian.PutUint16(h[4:], uint16(len(l4)))
		h[6] = proto
		h[7] = uint8(p.TTL)
		s, d := f.Src.As16(), f.Dst.As16()
		copy(h[8:], s[:])
		copy(h[24:], d[:])
		return append(h, l4...), nil
	}
	h := make([]byte, ipv4HeaderLen, ipv4HeaderLen+len(l4))
	h[0] = 0x45
	binary.BigEndian.PutUint16(h[2:], uint16(ipv4HeaderLen+len(l4)))
	binary.BigEndian.PutUint16(h[4:], p.Seq) // IP ID: one more copy of the identity, not hashed
	h[8] = uint8(p.TTL)
	h[9] = proto
	s, d := f.Src.As4(), f.Dst.As4()
	copy(h[12:], s[:])
	copy(h[16:], d[:])
	binary.BigEndian.PutUint16(h[10:], Checksum(0, h))
	return append(h, l4...), nil
}

// echo builds an ICMP or ICMPv6 echo request whose checksum is flowChecksum(p.Flow).
func (f *Flow) echo(p Probe) []byte {
	b := make([]byte, 8+PayloadSize)
	b[0] = 8
	var sum uint32
	if f.V6() {
		b[0] = 128
		sum = pseudoSum(f.Src, f.Dst, protoICMPv6, len(b))
	}
	binary.BigEndian.PutUint16(b[4:], f.ICMPID)
	binary.BigEndian.PutUint16(b[6:], p.Seq)
	markPayload(b[8:], p)
	fixChecksum(b, 2, 8, sum, flowChecksum(p.Flow))
	return b
}

// udp builds the UDP header and payload whose checksum equals the probe sequence.
func (f *Flow) udp(p Probe) []byte {
	b := make([]byte, 8+PayloadSize)
	binary.BigEndian.PutUint16(b[0:], f.srcPort(p.Flow))
	binary.BigEndian.PutUint16(b[2:], f.dstPort(p.Flow))
	binary.BigEndian.PutUint16(b[4:], uint16(len(b)))
	markPayload(b[8:], p)
	fixChecksum(b, 6, 8, pseudoSum(f.Src, f.Dst, protoUDP, len(b)), p.Seq)
	return b
}

// payloadMagic marks hopscope's probe payloads.
const payloadMagic = "hopscope"

// markPayload writes the payload after the 2-byte checksum compensator: the magic, the TTL and the
// sequence (the error queue of a UDP socket returns the payload without the UDP header).
func markPayload(pl []byte, p Probe) {
	copy(pl[2:], payloadMagic)
	pl[10] = uint8(p.TTL)
	binary.BigEndian.PutUint16(pl[11:], p.Seq)
}

// payloadSeq returns the sequence written by markPayload; ok is false when pl is not a hopscope payload.
func payloadSeq(pl []byte) (uint16, bool) {
	if len(pl) < 13 || string(pl[2:10]) != payloadMagic {
		return 0, false
	}
	return binary.BigEndian.Uint16(pl[11:]), true
}

// tcpSYN builds a TCP SYN with an MSS option whose sequence number is SeqBase+Seq.
func (f *Flow) tcpSYN(p Probe) []byte {
	b := make([]byte, tcpHeaderLen)
	binary.BigEndian.PutUint16(b[0:], f.srcPort(p.Flow))
	binary.BigEndian.PutUint16(b[2:], f.dstPort(p.Flow))
	binary.BigEndian.PutUint32(b[4:], f.SeqBase+uint32(p.Seq))
	b[12] = (tcpHeaderLen / 4) << 4
	b[13] = 0x02 // SYN
	binary.BigEndian.PutUint16(b[14:], 64240)
	b[20], b[21] = 2, 4 // MSS
	mss := uint16(1460)
	if f.V6() {
		mss = 1440
	}
	binary.BigEndian.PutUint16(b[22:], mss)
	sum := onesSum(pseudoSum(f.Src, f.Dst, protoTCP, len(b)), b)
	binary.BigEndian.PutUint16(b[16:], ^fold(sum))
	return b
}

// fixChecksum writes, at b[pad:pad+2], the value that makes the checksum at b[at:at+2] equal want
// (want must not be 0 or 0xffff), given the pseudo-header sum.
func fixChecksum(b []byte, at, pad int, pseudo uint32, want uint16) {
	b[at], b[at+1], b[pad], b[pad+1] = 0, 0, 0, 0
	s := fold(onesSum(pseudo, b))
	// ^(s + x) == want  ⇔  x = ^want - s (ones' complement).
	x := fold(uint32(^want) + uint32(^s))
	binary.BigEndian.PutUint16(b[pad:], x)
	binary.BigEndian.PutUint16(b[at:], ^fold(onesSum(pseudo, b)))
}

// pseudoSum is the ones' complement sum of the IPv4 or IPv6 pseudo-header.
func pseudoSum(src, dst netip.Addr, proto uint8, length int) uint32 {
	var sum uint32
	if src.Is4() {
		s, d := src.As4(), dst.As4()
		sum = onesSum(sum, s[:])
		sum = onesSum(sum, d[:])
	} else {
		s, d := src.As16(), dst.As16()
		sum = onesSum(sum, s[:])
		sum = onesSum(sum, d[:])
	}
	return sum + uint32(proto) + uint32(length)
}

// onesSum adds b as big-endian 16-bit words to sum (not folded).
func onesSum(sum uint32, b []byte) uint32 {
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	return sum
}

// fold reduces a ones' complement sum to 16 bits.
func fold(sum uint32) uint16 {
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return uint16(sum)
}

// Checksum returns the Internet checksum of b with the given pseudo-header sum (0 for none); a packet
// with a correct checksum field yields 0.
func Checksum(pseudo uint32, b []byte) uint16 { return ^fold(onesSum(pseudo, b)) }
