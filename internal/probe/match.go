package probe

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"hopscope/internal/path"
)

// Kind says what a reply means for the probe it answers.
type Kind int

// Reply kinds.
const (
	// KindTimeExceeded: a router on the way answered (ICMP time exceeded).
	KindTimeExceeded Kind = iota + 1
	// KindReached: the target answered (echo reply, port unreachable, SYN-ACK or RST).
	KindReached
	// KindUnreachable: a destination unreachable other than the target's port unreachable.
	KindUnreachable
)

// Reply is a received packet matched to one probe of this trace.
type Reply struct {
	Seq  uint16
	Kind Kind
	From netip.Addr
	// At is when the reply was received.
	At time.Time
	// Unreachable is traceroute's annotation ("H", "N", "P", "X", ... or a number) for KindUnreachable.
	Unreachable string
	ReplyTTL    int
	QuotedTTL   int
	MPLS        []path.MPLSLabel
	// Rewrites say how the quoted probe differs from the one sent ("source address A → B"): a NAT on
	// the way that did not translate the quote; nil when it is as sent or not quoted with its header.
	Rewrites []string
}

// Match reports whether m answers a probe of this flow and, if so, returns the reply (At unset).
// It checks the quoted destination, protocol and ports or identifiers, so that other processes'
// traffic and other traces are never taken for ours.
func (f *Flow) Match(m *Message) (Reply, bool) {
	if m.V6 != f.V6() {
		return Reply{}, false
	}
	r := Reply{From: m.From, ReplyTTL: m.ReplyTTL, MPLS: m.MPLS}
	echoReply := m.Type == icmp4EchoReply
	if m.V6 {
		echoReply = m.Type == icmp6EchoReply
	}
	if echoReply {
		if f.Method != path.ProtoICMP || m.EchoID != f.ICMPID || m.From != f.Dst || !validSeq(m.EchoSeq) {
			return Reply{}, false
		}
		r.Seq, r.Kind = m.EchoSeq, KindReached
		return r, true
	}
	q := m.Quoted
	if len(q.L4) < 8 {
		return Reply{}, false
	}
	if q.Dst.IsValid() && q.Dst.Unmap() != f.Dst {
		return Reply{}, false
	}
	// A quote from another source is ours when everything else is (an IPv4 NAT on the way rewrote the
	// probe and not the quote); IPv6 stays strict.
	rewritten := q.HasIP && q.Src.Unmap() != f.Src
	if rewritten && f.V6() {
		return Reply{}, false
	}
	wantProto := map[path.Protocol]uint8{path.ProtoICMP: protoICMP, path.ProtoUDP: protoUDP, path.ProtoTCP: protoTCP}[f.Method]
	if f.Method == path.ProtoICMP && f.V6() {
		wantProto = protoICMPv6
	}
	if q.Proto != 0 && q.Proto != wantProto {
		return Reply{}, false
	}
	l4 := q.L4
	sport, dport := binary.BigEndian.Uint16(l4[0:]), binary.BigEndian.Uint16(l4[2:])
	switch f.Method {
	case path.ProtoICMP:
		req := uint8(icmp4EchoRequest)
		if f.V6() {
			req = icmp6EchoRequest
		}
		if l4[0] != req || binary.BigEndian.Uint16(l4[4:]) != f.ICMPID {
			return Reply{}, false
		}
		r.Seq = binary.BigEndian.Uint16(l4[6:])
	case path.ProtoUDP:
		if sport != f.SrcPort || !f.portIn(dport, f.DstPort) {
			return Reply{}, false
		}
		r.Seq = binary.BigEndian.Uint16(l4[6:]) // the checksum carries the identity
		if rewritten {
			// Rewriting the address changed the checksum; the IP ID carries the identity too (raw IPv4).
			r.Seq = q.ID
		}
	case path.ProtoTCP:
		if dport != f.DstPort || !f.portIn(sport, f.SrcPort) {
			return Reply{}, false
		}
		d := binary.BigEndian.Uint32(l4[4:]) - f.SeqBase
		if d > 0xffff {
			return Reply{}, false
		}
		r.Seq = uint16(d)
	default:
		return Reply{}, false
	}
	if !validSeq(r.Seq) {
		return Reply{}, false
	}
	if q.HasIP {
		r.QuotedTTL = q.TTL
	}
	if rewritten {
		r.Rewrites = append(r.Rewrites, "source address "+f.Src.String()+" → "+q.Src.Unmap().String())
	}
	if rewritten && q.ID != r.Seq && f.Method != path.ProtoUDP {
		r.Rewrites = append(r.Rewrites, fmt.Sprintf("IP ID %d → %d", r.Seq, q.ID))
	}
	r.Kind, r.Unreachable = classify(m, f.Dst)
	if r.Kind == 0 {
		return Reply{}, false
	}
	return r, true
}

// MatchTCP reports whether s is the target's answer (SYN-ACK or RST) to a SYN of this flow.
func (f *Flow) MatchTCP(s *Segment) (Reply, bool) {
	if f.Method != path.ProtoTCP || s.From.Unmap() != f.Dst || s.SrcPort != f.DstPort || !f.portIn(s.DstPort, f.SrcPort) || !s.ACK {
		return Reply{}, false
	}
	d := s.Ack - 1 - f.SeqBase
	if d > 0xffff || !validSeq(uint16(d)) {
		return Reply{}, false
	}
	return Reply{Seq: uint16(d), Kind: KindReached, From: s.From.Unmap(), ReplyTTL: s.ReplyTTL}, true
}

// portIn reports whether p is one of the ports base..base+Flows-1 this flow may use.
func (f *Flow) portIn(p, base uint16) bool {
	n := 1
	if f.Vary && f.Flows > 1 {
		n = f.Flows
	}
	return p >= base && int(p-base) < n
}

func validSeq(s uint16) bool { return s != 0 && s != 0xffff }

// classify turns an ICMP error into a reply kind and traceroute's annotation.
func classify(m *Message, dst netip.Addr) (Kind, string) {
	if !m.V6 {
		switch m.Type {
		case icmp4TimeExceeded:
			if m.Code == 0 {
				return KindTimeExceeded, ""
			}
			return 0, "" // fragment reassembly time exceeded
		case icmp4Unreachable:
			if m.Code == icmp4PortUnreach && m.From == dst {
				return KindReached, ""
			}
			ann := map[uint8]string{0: "N", 1: "H", 2: "P", 3: "P", 4: "F", 5: "S", 6: "N", 7: "H", 9: "X", 10: "X", 13: "X", 14: "V", 15: "C"}[m.Code]
			if ann == "" {
				ann = strconv.Itoa(int(m.Code))
			}
			return KindUnreachable, ann
		}
		return KindUnreachable, strconv.Itoa(int(m.Code))
	}
	switch m.Type {
	case icmp6TimeExceeded:
		if m.Code == 0 {
			return KindTimeExceeded, ""
		}
		return 0, ""
	case icmp6Unreachable:
		if m.Code == icmp6PortUnreach && m.From == dst {
			return KindReached, ""
		}
		ann := map[uint8]string{0: "N", 1: "X", 3: "H", 4: "P", 5: "X", 6: "X"}[m.Code]
		if ann == "" {
			ann = strconv.Itoa(int(m.Code))
		}
		return KindUnreachable, ann
	}
	return KindUnreachable, strconv.Itoa(int(m.Code))
}
