package probe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"hopscope/internal/path"
)

// Message is an ICMP or ICMPv6 message as received: an echo reply or an error quoting one of our probes.
type Message struct {
	// V6 is true for ICMPv6.
	V6 bool
	// From is the responder (the outer source); for ICMPv6 and the error queue the socket layer sets it.
	From netip.Addr
	// ReplyTTL is the TTL / hop limit of the message as received; 0 when unknown.
	ReplyTTL int
	Type     uint8
	Code     uint8
	// EchoID and EchoSeq are set for echo replies.
	EchoID, EchoSeq uint16
	// Quoted is the datagram quoted by an error; zero for echo replies.
	Quoted Quoted
	// MPLS is the label stack from an RFC 4950 extension object; nil when none.
	MPLS []path.MPLSLabel
}

// Quoted is what an ICMP error quoted of the original datagram.
type Quoted struct {
	// HasIP is false when only the transport header is known (the error queue of a datagram socket).
	HasIP    bool
	Src, Dst netip.Addr
	Proto    uint8
	TTL      int
	// ID is the IPv4 identification of the quoted header; 0 for IPv6 or without the IP header.
	ID        uint16
	FlowLabel uint32
	// L4 is the start of the quoted transport header (at least 8 bytes when non-nil).
	L4 []byte
}

// ICMP types hopscope reads.
const (
	icmp4EchoReply     = 0
	icmp4Unreachable   = 3
	icmp4TimeExceeded  = 11
	icmp4ParamProblem  = 12
	icmp6Unreachable   = 1
	icmp6TimeExceeded  = 3
	icmp6ParamProblem  = 4
	icmp6EchoReply     = 129
	icmp4EchoRequest   = 8
	icmp6EchoRequest   = 128
	icmp4PortUnreach   = 3
	icmp6PortUnreach   = 4
	rfc4884CompatBytes = 128
)

// ErrNotOurs is returned by parsers for well-formed packets hopscope ignores (other ICMP types, other TCP flags).
var ErrNotOurs = errors.New("not a reply to a probe")

// ParseError says what is wrong with a received packet and where.
type ParseError struct {
	What   string // "ICMPv4", "quoted IPv6 header", ...
	Offset int
	Reason string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("parse %s at offset %d: %s", e.What, e.Offset, e.Reason)
}

func perr(what string, off int, format string, a ...any) error {
	return &ParseError{What: what, Offset: off, Reason: fmt.Sprintf(format, a...)}
}

// ParseICMPv4 parses an IPv4 packet carrying ICMP as a raw socket returns it (IP header included).
func ParseICMPv4(b []byte) (*Message, error) {
	if len(b) < ipv4HeaderLen {
		return nil, perr("IPv4 header", 0, "%d bytes, need %d", len(b), ipv4HeaderLen)
	}
	if b[0]>>4 != 4 {
		return nil, perr("IPv4 header", 0, "version %d, want 4", b[0]>>4)
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < ipv4HeaderLen || len(b) < ihl {
		return nil, perr("IPv4 header", 0, "header length %d with %d bytes", ihl, len(b))
	}
	if b[9] != protoICMP {
		return nil, perr("IPv4 header", 9, "protocol %d, want ICMP", b[9])
	}
	m, err := parseICMP(b[ihl:], false)
	if err != nil {
		return nil, err
	}
	m.From = netip.AddrFrom4([4]byte(b[12:16]))
	m.ReplyTTL = int(b[8])
	return m, nil
}

// ParseICMPv6 parses an ICMPv6 message as a raw ICMPv6 socket returns it (no IPv6 header); the caller
// sets From and ReplyTTL from the socket's address and control message.
func ParseICMPv6(b []byte) (*Message, error) { return parseICMP(b, true) }

func parseICMP(b []byte, v6 bool) (*Message, error) {
	what := "ICMPv4"
	if v6 {
		what = "ICMPv6"
	}
	if len(b) < 8 {
		return nil, perr(what, 0, "%d bytes, need 8", len(b))
	}
	m := &Message{V6: v6, Type: b[0], Code: b[1]}
	switch {
	case !v6 && m.Type == icmp4EchoReply, v6 && m.Type == icmp6EchoReply:
		m.EchoID = binary.BigEndian.Uint16(b[4:])
		m.EchoSeq = binary.BigEndian.Uint16(b[6:])
		return m, nil
	case !v6 && (m.Type == icmp4Unreachable || m.Type == icmp4TimeExceeded || m.Type == icmp4ParamProblem),
		v6 && (m.Type == icmp6Unreachable || m.Type == icmp6TimeExceeded || m.Type == icmp6ParamProblem):
	default:
		return nil, ErrNotOurs
	}
	body := b[8:]
	// RFC 4884: the original datagram length, in 32-bit words (ICMPv4, byte 5) or 64-bit words (ICMPv6, byte 4).
	var origLen int
	if v6 {
		origLen = int(b[4]) * 8
	} else {
		origLen = int(b[5]) * 4
	}
	quoted := body
	if origLen > 0 && origLen <= len(body) {
		quoted = body[:origLen]
		if mpls, ok := parseExtensions(body[origLen:]); ok {
			m.MPLS = mpls
		}
	} else if origLen == 0 && len(body) > rfc4884CompatBytes {
		// Non-compliant routers (RFC 4884 §5.5) pad the datagram to 128 bytes and append extensions
		// without setting the length.
		if mpls, ok := parseExtensions(body[rfc4884CompatBytes:]); ok {
			m.MPLS = mpls
			quoted = body[:rfc4884CompatBytes]
		}
	}
	q, err := parseQuotedIP(quoted, v6)
	if err != nil {
		return nil, err
	}
	m.Quoted = q
	return m, nil
}

// parseQuotedIP reads the quoted IP header and the start of its transport header.
func parseQuotedIP(b []byte, v6 bool) (Quoted, error) {
	const off = 8 // offsets below are reported from the start of the ICMP message
	if v6 {
		if len(b) < ipv6HeaderLen+8 {
			return Quoted{}, perr("quoted IPv6 datagram", off, "%d bytes, need %d", len(b), ipv6HeaderLen+8)
		}
		if b[0]>>4 != 6 {
			return Quoted{}, perr("quoted IPv6 header", off, "version %d, want 6", b[0]>>4)
		}
		return Quoted{
			HasIP:     true,
			FlowLabel: binary.BigEndian.Uint32(b[0:]) & 0xfffff,
			Proto:     b[6],
			TTL:       int(b[7]),
			Src:       netip.AddrFrom16([16]byte(b[8:24])),
			Dst:       netip.AddrFrom16([16]byte(b[24:40])),
			L4:        b[ipv6HeaderLen:],
		}, nil
	}
	if len(b) < ipv4HeaderLen {
		return Quoted{}, perr("quoted IPv4 header", off, "%d bytes, need %d", len(b), ipv4HeaderLen)
	}
	if b[0]>>4 != 4 {
		return Quoted{}, perr("quoted IPv4 header", off, "version %d, want 4", b[0]>>4)
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < ipv4HeaderLen || len(b) < ihl+8 {
		return Quoted{}, perr("quoted IPv4 datagram", off, "header length %d with %d bytes, need 8 transport bytes", ihl, len(b))
	}
	return Quoted{
		HasIP: true,
		Proto: b[9],
		TTL:   int(b[8]),
		ID:    binary.BigEndian.Uint16(b[4:6]),
		Src:   netip.AddrFrom4([4]byte(b[12:16])),
		Dst:   netip.AddrFrom4([4]byte(b[16:20])),
		L4:    b[ihl:],
	}, nil
}

// parseExtensions reads an RFC 4884 extension structure and returns the RFC 4950 MPLS label stack.
// ok is false when b is not a valid extension structure (wrong version or checksum, truncated object).
func parseExtensions(b []byte) ([]path.MPLSLabel, bool) {
	if len(b) < 4 || b[0]>>4 != 2 {
		return nil, false
	}
	if binary.BigEndian.Uint16(b[2:]) != 0 && Checksum(0, b) != 0 {
		return nil, false
	}
	var labels []path.MPLSLabel
	for o := b[4:]; len(o) > 0; {
		if len(o) < 4 {
			return nil, false
		}
		n := int(binary.BigEndian.Uint16(o))
		if n < 4 || n > len(o) {
			return nil, false
		}
		class, ctype := o[2], o[3]
		if class == 1 && ctype == 1 { // MPLS label stack, incoming
			for e := o[4:n]; len(e) >= 4; e = e[4:] {
				v := binary.BigEndian.Uint32(e)
				labels = append(labels, path.MPLSLabel{Label: v >> 12, TC: uint8(v>>9) & 7, S: v>>8&1 == 1, TTL: uint8(v)})
			}
		}
		o = o[n:]
	}
	return labels, true
}

// ErrQueueEntry is what a socket's error queue (IP_RECVERR) returns for an ICMP error.
type ErrQueueEntry struct {
	// Data is the quoted transport header (ICMP, TCP) or, for UDP, the quoted payload.
	Data []byte
	// V6 is true for an ICMPv6 error.
	V6 bool
	// Offender is the responder; Dst and DstPort the original destination (the message name).
	Offender, Dst netip.Addr
	DstPort       uint16
	// SrcPort is the socket's own port.
	SrcPort    uint16
	Type, Code uint8
	// Proto is the socket's transport protocol.
	Proto uint8
	// TTL is the error's TTL / hop limit; 0 when unknown.
	TTL int
}

// ParseErrQueue builds a Message from an error-queue entry. For UDP the kernel returns the payload
// without the UDP header: the header is rebuilt from the ports, with the probe sequence (carried in
// hopscope's payload) in the checksum field as a raw socket would see it.
func ParseErrQueue(e ErrQueueEntry) (*Message, error) {
	data, proto := e.Data, e.Proto
	if proto == protoUDP {
		seq, ok := payloadSeq(data)
		if !ok {
			return nil, perr("error queue UDP payload", 0, "not a hopscope probe payload")
		}
		h := make([]byte, 8, 8+len(data))
		binary.BigEndian.PutUint16(h[0:], e.SrcPort)
		binary.BigEndian.PutUint16(h[2:], e.DstPort)
		binary.BigEndian.PutUint16(h[4:], uint16(8+len(data)))
		binary.BigEndian.PutUint16(h[6:], seq)
		data = append(h, data...)
	}
	if len(data) < 8 {
		return nil, perr("error queue payload", 0, "%d bytes, need 8", len(data))
	}
	v6, offender, dst, icmpType, icmpCode, ttl := e.V6, e.Offender, e.Dst, e.Type, e.Code, e.TTL
	return &Message{V6: v6, From: offender, ReplyTTL: ttl, Type: icmpType, Code: icmpCode,
		Quoted: Quoted{Dst: dst, Proto: proto, L4: data}}, nil
}

// Segment is the part of a TCP segment hopscope matches: the answer (SYN-ACK or RST) of a target to a SYN.
type Segment struct {
	From             netip.Addr
	ReplyTTL         int
	SrcPort, DstPort uint16
	Ack              uint32
	SYN, ACK, RST    bool
}

// ParseTCP parses an IPv4 packet (IP header included, as a raw TCP socket returns it) or, when v6,
// a TCP segment alone (the caller sets From and ReplyTTL).
func ParseTCP(b []byte, v6 bool) (*Segment, error) {
	s := &Segment{}
	if !v6 {
		if len(b) < ipv4HeaderLen || b[0]>>4 != 4 {
			return nil, perr("IPv4 header", 0, "%d bytes or version not 4", len(b))
		}
		ihl := int(b[0]&0x0f) * 4
		if ihl < ipv4HeaderLen || len(b) < ihl {
			return nil, perr("IPv4 header", 0, "header length %d with %d bytes", ihl, len(b))
		}
		if b[9] != protoTCP {
			return nil, perr("IPv4 header", 9, "protocol %d, want TCP", b[9])
		}
		s.From = netip.AddrFrom4([4]byte(b[12:16]))
		s.ReplyTTL = int(b[8])
		b = b[ihl:]
	}
	if len(b) < 20 {
		return nil, perr("TCP header", 0, "%d bytes, need 20", len(b))
	}
	s.SrcPort = binary.BigEndian.Uint16(b[0:])
	s.DstPort = binary.BigEndian.Uint16(b[2:])
	s.Ack = binary.BigEndian.Uint32(b[8:])
	flags := b[13]
	s.SYN, s.RST, s.ACK = flags&0x02 != 0, flags&0x04 != 0, flags&0x10 != 0
	if !s.RST && !(s.SYN && s.ACK) {
		return nil, ErrNotOurs
	}
	return s, nil
}
