package capture

import "encoding/binary"

// LinkType is a pcap link-layer header type (LINKTYPE_* in the pcap registry).
type LinkType uint32

// Link types the decoder understands.
const (
	LinkNull      LinkType = 0   // BSD loopback, host-order family
	LinkEthernet  LinkType = 1   // Ethernet II, with 802.1Q/802.1ad tags and PPPoE
	LinkRawBSD    LinkType = 12  // raw IP on some BSDs
	LinkRawBSD2   LinkType = 14  // raw IP on others
	LinkRaw       LinkType = 101 // raw IPv4 or IPv6
	LinkLoop      LinkType = 108 // OpenBSD loopback
	LinkLinuxSLL  LinkType = 113 // Linux "cooked" v1
	LinkIPv4      LinkType = 228
	LinkIPv6      LinkType = 229
	LinkLinuxSLL2 LinkType = 276 // Linux "cooked" v2
)

// IP protocol numbers used here.
const (
	protoTCP = 6
	protoUDP = 17
)

// TCP flags.
const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpACK = 0x10
)

// packet is one decoded packet: addresses, ports and the transport payload. It is reused for every
// packet, so decoding allocates nothing.
type packet struct {
	src, dst     [16]byte // IPv4 in the first 4 bytes when !v6
	v6           bool
	proto        uint8
	sport, dport uint16
	flags        uint8
	seq, ack     uint32
	payload      []byte
	// fragment is true for a non-first IP fragment (no transport header); firstFragment for the first
	// fragment of a fragmented datagram (transport header present, more fragments follow).
	fragment, firstFragment bool
	// fragID identifies the datagram of a fragment (IPv4 identification, IPv6 fragment header).
	fragID uint32
}

// decodeStatus says how far decoding went.
type decodeStatus uint8

const (
	decodedTransport   decodeStatus = iota // TCP or UDP with ports
	decodedOtherIP                         // IP, but not TCP or UDP
	decodedFragment                        // a later IP fragment: addresses, proto and fragID are set
	decodedNotIP                           // ARP, STP, LLDP, ...
	decodedTruncated                       // a header ran past the captured bytes
	decodedUnknownLink                     // link type not supported
)

// decode fills p from one captured frame of the given link type.
func decode(link LinkType, b []byte, p *packet) decodeStatus {
	switch link {
	case LinkEthernet:
		return decodeEthernet(b, p)
	case LinkNull, LinkLoop:
		if len(b) < 4 {
			return decodedTruncated
		}
		return decodeIP(b[4:], p)
	case LinkRaw, LinkRawBSD, LinkRawBSD2:
		return decodeIP(b, p)
	case LinkIPv4:
		return decodeIPv4(b, p)
	case LinkIPv6:
		return decodeIPv6(b, p)
	case LinkLinuxSLL:
		if len(b) < 16 {
			return decodedTruncated
		}
		return decodeEtherType(binary.BigEndian.Uint16(b[14:16]), b[16:], p)
	case LinkLinuxSLL2:
		if len(b) < 20 {
			return decodedTruncated
		}
		return decodeEtherType(binary.BigEndian.Uint16(b[0:2]), b[20:], p)
	}
	return decodedUnknownLink
}

func decodeEthernet(b []byte, p *packet) decodeStatus {
	if len(b) < 14 {
		return decodedTruncated
	}
	et := binary.BigEndian.Uint16(b[12:14])
	b = b[14:]
	for et == 0x8100 || et == 0x88a8 || et == 0x9100 {
		if len(b) < 4 {
			return decodedTruncated
		}
		et = binary.BigEndian.Uint16(b[2:4])
		b = b[4:]
	}
	return decodeEtherType(et, b, p)
}

func decodeEtherType(et uint16, b []byte, p *packet) decodeStatus {
	switch et {
	case 0x0800:
		return decodeIPv4(b, p)
	case 0x86dd:
		return decodeIPv6(b, p)
	case 0x8864: // PPPoE session
		if len(b) < 8 {
			return decodedTruncated
		}
		switch binary.BigEndian.Uint16(b[6:8]) {
		case 0x0021:
			return decodeIPv4(b[8:], p)
		case 0x0057:
			return decodeIPv6(b[8:], p)
		}
	}
	return decodedNotIP
}

func decodeIP(b []byte, p *packet) decodeStatus {
	if len(b) < 1 {
		return decodedTruncated
	}
	switch b[0] >> 4 {
	case 4:
		return decodeIPv4(b, p)
	case 6:
		return decodeIPv6(b, p)
	}
	return decodedNotIP
}

func decodeIPv4(b []byte, p *packet) decodeStatus {
	if len(b) < 20 || b[0]>>4 != 4 {
		return decodedTruncated
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:4]))
	if ihl < 20 || len(b) < ihl {
		return decodedTruncated
	}
	// Trust the IP length over the frame (Ethernet pads short frames); a snapped frame is shorter.
	if total >= ihl && total < len(b) {
		b = b[:total]
	}
	p.v6 = false
	p.src = [16]byte{}
	p.dst = [16]byte{}
	copy(p.src[:4], b[12:16])
	copy(p.dst[:4], b[16:20])
	p.proto = b[9]
	frag := binary.BigEndian.Uint16(b[6:8])
	p.fragID = uint32(binary.BigEndian.Uint16(b[4:6]))
	p.fragment = frag&0x1fff != 0
	p.firstFragment = !p.fragment && frag&0x2000 != 0 // offset 0, more fragments
	if p.fragment {
		return decodedFragment
	}
	return decodeTransport(b[ihl:], p)
}

func decodeIPv6(b []byte, p *packet) decodeStatus {
	if len(b) < 40 || b[0]>>4 != 6 {
		return decodedTruncated
	}
	plen := int(binary.BigEndian.Uint16(b[4:6]))
	if 40+plen < len(b) && plen > 0 {
		b = b[:40+plen]
	}
	p.v6 = true
	copy(p.src[:], b[8:24])
	copy(p.dst[:], b[24:40])
	next := b[6]
	b = b[40:]
	p.fragment, p.firstFragment = false, false
	for i := 0; i < 8; i++ {
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if len(b) < 8 {
				return decodedTruncated
			}
			n := (int(b[1]) + 1) * 8
			if len(b) < n {
				return decodedTruncated
			}
			next, b = b[0], b[n:]
		case 44: // fragment
			if len(b) < 8 {
				return decodedTruncated
			}
			p.fragID = binary.BigEndian.Uint32(b[4:8])
			if binary.BigEndian.Uint16(b[2:4])&0xfff8 != 0 {
				p.proto = b[0]
				p.fragment = true
				return decodedFragment
			}
			p.firstFragment = b[3]&1 != 0 // offset 0, more fragments
			next, b = b[0], b[8:]
		case 51: // authentication header
			if len(b) < 8 {
				return decodedTruncated
			}
			n := (int(b[1]) + 2) * 4
			if len(b) < n {
				return decodedTruncated
			}
			next, b = b[0], b[n:]
		default:
			p.proto = next
			return decodeTransport(b, p)
		}
	}
	p.proto = next
	return decodedOtherIP
}

func decodeTransport(b []byte, p *packet) decodeStatus {
	switch p.proto {
	case protoTCP:
		if len(b) < 20 {
			return decodedTruncated
		}
		off := int(b[12]>>4) * 4
		if off < 20 || len(b) < off {
			return decodedTruncated
		}
		p.sport = binary.BigEndian.Uint16(b[0:2])
		p.dport = binary.BigEndian.Uint16(b[2:4])
		p.seq = binary.BigEndian.Uint32(b[4:8])
		p.ack = binary.BigEndian.Uint32(b[8:12])
		p.flags = b[13]
		p.payload = b[off:]
		return decodedTransport
	case protoUDP:
		if len(b) < 8 {
			return decodedTruncated
		}
		p.sport = binary.BigEndian.Uint16(b[0:2])
		p.dport = binary.BigEndian.Uint16(b[2:4])
		ul := int(binary.BigEndian.Uint16(b[4:6]))
		if ul >= 8 && ul < len(b) {
			b = b[:ul]
		}
		p.flags = 0
		p.payload = b[8:]
		return decodedTransport
	}
	return decodedOtherIP
}
