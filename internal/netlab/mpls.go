package netlab

import (
	"encoding/binary"
	"net/netip"
)

// MPLSLabel is one entry of the MPLS label stack that a router reports in its
// ICMP time-exceeded messages (RFC 4950).
type MPLSLabel struct {
	// Label is the 20-bit label value.
	Label uint32
	// TC is the 3-bit traffic class.
	TC uint8
	// TTL is the label's TTL as received; zero means 1 (it expired here).
	TTL uint8
}

// Sizes of the pieces of an RFC 4884 extended ICMP message.
const (
	origLen     = 128 // the original datagram is padded or cut to this length
	extHdrLen   = 4   // version 2, reserved, checksum
	objHdrLen   = 4   // length, class-num, c-type
	mplsEntries = 8   // at most this many labels are reported
)

// addMPLSExtension returns pkt with an RFC 4950 MPLS label stack appended as
// an RFC 4884 ICMP extension, when pkt is an ICMP or ICMPv6 time-exceeded
// message sent from one of the addresses in from without extensions yet.
// Other packets come back unchanged (the same slice). The original datagram
// inside is padded with zeros or cut to 128 bytes as RFC 4884 requires, and the
// IP length, ICMP checksum and (IPv4) header checksum are recomputed.
func addMPLSExtension(pkt []byte, from map[netip.Addr]bool, stack []MPLSLabel) []byte {
	if len(stack) == 0 || len(pkt) < 1 {
		return pkt
	}
	if len(stack) > mplsEntries {
		stack = stack[:mplsEntries]
	}
	switch pkt[0] >> 4 {
	case 4:
		return addMPLS4(pkt, from, stack)
	case 6:
		return addMPLS6(pkt, from, stack)
	}
	return pkt
}

func addMPLS4(pkt []byte, from map[netip.Addr]bool, stack []MPLSLabel) []byte {
	if len(pkt) < 20 {
		return pkt
	}
	ihl := int(pkt[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(pkt[2:4]))
	if ihl < 20 || total < ihl+8 || total > len(pkt) || pkt[9] != 1 {
		return pkt
	}
	if binary.BigEndian.Uint16(pkt[6:8])&0x3fff != 0 { // fragment
		return pkt
	}
	src := netip.AddrFrom4([4]byte(pkt[12:16]))
	icmp := pkt[ihl:total]
	if !from[src] || icmp[0] != 11 || icmp[5] != 0 {
		return pkt
	}
	body := extendedBody(icmp[8:], stack)
	out := make([]byte, 0, ihl+8+len(body))
	out = append(out, pkt[:ihl]...)
	out = append(out, icmp[0], icmp[1], 0, 0, 0, origLen/4, 0, 0)
	out = append(out, body...)
	binary.BigEndian.PutUint16(out[2:4], uint16(len(out)))
	out[10], out[11] = 0, 0
	binary.BigEndian.PutUint16(out[10:12], checksum(out[:ihl], 0))
	binary.BigEndian.PutUint16(out[ihl+2:ihl+4], checksum(out[ihl:], 0))
	return out
}

func addMPLS6(pkt []byte, from map[netip.Addr]bool, stack []MPLSLabel) []byte {
	if len(pkt) < 40+8 {
		return pkt
	}
	plen := int(binary.BigEndian.Uint16(pkt[4:6]))
	if pkt[6] != 58 || plen < 8 || 40+plen > len(pkt) {
		return pkt
	}
	src := netip.AddrFrom16([16]byte(pkt[8:24]))
	icmp := pkt[40 : 40+plen]
	if !from[src] || icmp[0] != 3 || icmp[4] != 0 {
		return pkt
	}
	body := extendedBody(icmp[8:], stack)
	out := make([]byte, 0, 40+8+len(body))
	out = append(out, pkt[:40]...)
	out = append(out, icmp[0], icmp[1], 0, 0, origLen/8, 0, 0, 0)
	out = append(out, body...)
	n := len(out) - 40
	binary.BigEndian.PutUint16(out[4:6], uint16(n))
	// Pseudo-header: source, destination, upper-layer length, next header.
	var ph [40]byte
	copy(ph[:32], out[8:40])
	binary.BigEndian.PutUint32(ph[32:36], uint32(n))
	ph[39] = 58
	binary.BigEndian.PutUint16(out[42:44], checksum(out[40:], sum(ph[:], 0)))
	return out
}

// extendedBody returns the original datagram cut or padded to 128 bytes,
// followed by the extension structure holding the MPLS label stack object.
func extendedBody(orig []byte, stack []MPLSLabel) []byte {
	body := make([]byte, origLen, origLen+extHdrLen+objHdrLen+4*len(stack))
	copy(body, orig)
	ext := []byte{0x20, 0, 0, 0} // version 2
	objLen := objHdrLen + 4*len(stack)
	ext = append(ext, byte(objLen>>8), byte(objLen), 1, 1) // class 1 (MPLS label stack), c-type 1 (incoming)
	for i, l := range stack {
		ttl := l.TTL
		if ttl == 0 {
			ttl = 1
		}
		e := (l.Label&0xfffff)<<12 | uint32(l.TC&7)<<9 | uint32(ttl)
		if i == len(stack)-1 {
			e |= 1 << 8 // bottom of stack
		}
		ext = binary.BigEndian.AppendUint32(ext, e)
	}
	binary.BigEndian.PutUint16(ext[2:4], checksum(ext, 0))
	return append(body, ext...)
}

// sum adds b as big-endian 16-bit words to the running one's-complement sum s.
func sum(b []byte, s uint32) uint32 {
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

// checksum returns the Internet checksum (RFC 1071) of b, starting from the
// partial sum s (e.g. of a pseudo-header).
func checksum(b []byte, s uint32) uint16 {
	s = sum(b, s)
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}
