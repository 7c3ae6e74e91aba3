package probe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"hopscope/internal/path"
)

// Recv returns the next reply that matches this trace, or an error wrapping os.ErrDeadlineExceeded.
// It waits on the runtime's network poller (poller), so an idle wait costs no thread.
func (s *Socket) Recv(deadline time.Time) (Reply, error) {
	for {
		if s.head < len(s.pending) {
			r := s.pending[s.head]
			s.head++
			if s.head == len(s.pending) { // all handed out: reuse the array
				s.pending, s.head = s.pending[:0], 0
			}
			return r, nil
		}
		if !time.Now().Before(deadline) {
			return Reply{}, fmt.Errorf("receive: %w", os.ErrDeadlineExceeded)
		}
		if s.poll == nil {
			return Reply{}, errors.New("receive: socket closed")
		}
		if err := s.poll.wait(deadline); err != nil {
			return Reply{}, fmt.Errorf("receive: %w", err)
		}
	}
}

// ready handles a socket the poller found ready: a receiving socket is drained, an unprivileged TCP
// probe's socket settled.
func (s *Socket) ready(fd int, _ uint32) {
	for _, r := range s.recv {
		if r.fd == fd {
			s.drain(r)
			return
		}
	}
	if _, ok := s.tcp[fd]; ok {
		s.tcpReady(fd)
	}
}

// drain reads everything queued on a receiving socket (and its error queue) and keeps what matches.
func (s *Socket) drain(r recvSock) {
	for i := 0; i < 1000; i++ { // bounded: a flood of foreign packets cannot hold the loop
		got := false
		if r.kind == recvDgram {
			if m, ok := s.readErrQueue(r.fd); ok {
				got = true
				if m != nil {
					s.match(m.Message, m.at)
				}
			}
		}
		n, oobn, fromAddr, _, err := rawRecvmsg(r.fd, s.buf, s.oob, 0)
		if err != nil {
			if !got {
				return
			}
			continue
		}
		at, ttl := parseCmsgs(s.oob[:oobn])
		b := s.buf[:n]
		switch r.kind {
		case recvRawICMP:
			var m *Message
			if s.flow.V6() {
				m, err = ParseICMPv6(b)
				if m != nil {
					m.From, m.ReplyTTL = fromAddr, ttl
				}
			} else {
				m, err = ParseICMPv4(b)
			}
			if err == nil {
				s.match(m, at)
			}
		case recvRawTCP:
			seg, err := ParseTCP(b, s.flow.V6())
			if err == nil {
				if s.flow.V6() {
					seg.From, seg.ReplyTTL = fromAddr, ttl
				}
				if rep, ok := s.flow.MatchTCP(seg); ok {
					rep.At = at
					s.pending = append(s.pending, rep)
				}
			}
		case recvDgram: // an echo reply on an ICMP datagram socket (the kernel filtered by identifier)
			if s.flow.Method == path.ProtoICMP {
				if m, err := parseICMP(b, s.flow.V6()); err == nil {
					m.From, m.ReplyTTL = fromAddr, ttl
					s.match(m, at)
				}
			}
		}
	}
}

func (s *Socket) match(m *Message, at time.Time) {
	if rep, ok := s.flow.Match(m); ok {
		rep.At = at
		s.pending = append(s.pending, rep)
	}
}

// readErrQueue reads one message from the error queue: ok is false when the queue is empty; the
// message is nil when the entry is not an ICMP error (a local error such as EMSGSIZE).
func (s *Socket) readErrQueue(fd int) (*errMessage, bool) {
	n, oobn, dst, dport, err := rawRecvmsg(fd, s.buf, s.oob, unix.MSG_ERRQUEUE)
	if err != nil {
		return nil, false
	}
	at, ttl := parseCmsgs(s.oob[:oobn])
	ee, offender, ok := parseExtendedErr(s.oob[:oobn])
	if !ok {
		return nil, true
	}
	if ee.Origin != unix.SO_EE_ORIGIN_ICMP && ee.Origin != unix.SO_EE_ORIGIN_ICMP6 {
		return nil, true
	}
	proto := map[path.Protocol]uint8{path.ProtoICMP: protoICMP, path.ProtoUDP: protoUDP, path.ProtoTCP: protoTCP}[s.flow.Method]
	if s.flow.Method == path.ProtoICMP && s.flow.V6() {
		proto = protoICMPv6
	}
	m, err := ParseErrQueue(ErrQueueEntry{Data: s.buf[:n], V6: ee.Origin == unix.SO_EE_ORIGIN_ICMP6, Offender: offender,
		Dst: dst, DstPort: uint16(dport), SrcPort: s.flow.SrcPort, Type: ee.Type, Code: ee.Code, Proto: proto, TTL: ttl})
	if err != nil {
		return nil, true
	}
	return &errMessage{Message: m, at: at}, true
}

type errMessage struct {
	*Message
	at time.Time
}

// tcpReady handles an unprivileged TCP probe socket that became writable or failed.
func (s *Socket) tcpReady(fd int) {
	p := s.tcp[fd]
	done := func(r Reply) {
		r.Seq = p.Seq
		s.pending = append(s.pending, r)
		s.closeTCP(fd)
	}
	if em, ok := s.readErrQueue(fd); ok {
		if em == nil {
			return
		}
		m := em.Message
		// The socket is the probe's own: check that the quote is of this connection, then classify.
		if len(m.Quoted.L4) >= 4 && binary.BigEndian.Uint16(m.Quoted.L4[2:]) == s.flow.DstPort && m.Quoted.Dst == s.flow.Dst {
			if k, ann := classify(m, s.flow.Dst); k != 0 {
				done(Reply{Kind: k, Unreachable: ann, From: m.From, ReplyTTL: m.ReplyTTL, At: em.at})
			}
		}
		return
	}
	soerr, err := rawGetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return
	}
	switch unix.Errno(soerr) {
	case 0, unix.ECONNREFUSED: // SYN-ACK or RST from the target
		done(Reply{Kind: KindReached, From: s.flow.Dst, At: s.now()})
	default:
		// Other errors (EHOSTUNREACH without an error-queue entry) end this probe silently.
		s.closeTCP(fd)
	}
}

// closeTCP closes an unprivileged TCP probe's socket once its probe is settled.
func (s *Socket) closeTCP(fd int) {
	if s.poll != nil {
		s.poll.remove(fd)
	}
	rawClose(fd)
	delete(s.tcp, fd)
}

// parseCmsgs returns the kernel receive time (SO_TIMESTAMPNS; now when absent) and the TTL / hop limit (0 when absent).
func parseCmsgs(oob []byte) (time.Time, int) {
	at, ttl := time.Time{}, 0
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err == nil {
		for _, m := range msgs {
			h := m.Header
			switch {
			case h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS && len(m.Data) >= 16:
				sec := int64(binary.NativeEndian.Uint64(m.Data[0:]))
				nsec := int64(binary.NativeEndian.Uint64(m.Data[8:]))
				at = time.Unix(sec, nsec)
			case h.Level == unix.IPPROTO_IP && h.Type == unix.IP_TTL && len(m.Data) >= 4,
				h.Level == unix.IPPROTO_IPV6 && h.Type == unix.IPV6_HOPLIMIT && len(m.Data) >= 4:
				ttl = int(binary.NativeEndian.Uint32(m.Data))
			}
		}
	}
	if at.IsZero() {
		at = time.Now()
	}
	return at, ttl
}

// parseExtendedErr finds the IP_RECVERR / IPV6_RECVERR control message: the extended error and the offender.
func parseExtendedErr(oob []byte) (unix.SockExtendedErr, netip.Addr, bool) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return unix.SockExtendedErr{}, netip.Addr{}, false
	}
	const eeLen = int(unsafe.Sizeof(unix.SockExtendedErr{}))
	for _, m := range msgs {
		h := m.Header
		if !(h.Level == unix.IPPROTO_IP && h.Type == unix.IP_RECVERR) && !(h.Level == unix.IPPROTO_IPV6 && h.Type == unix.IPV6_RECVERR) {
			continue
		}
		if len(m.Data) < eeLen {
			return unix.SockExtendedErr{}, netip.Addr{}, false
		}
		ee := unix.SockExtendedErr{
			Errno:  binary.NativeEndian.Uint32(m.Data[0:]),
			Origin: m.Data[4], Type: m.Data[5], Code: m.Data[6],
			Info: binary.NativeEndian.Uint32(m.Data[8:]), Data: binary.NativeEndian.Uint32(m.Data[12:]),
		}
		sa := m.Data[eeLen:]
		var off netip.Addr
		if len(sa) >= 2 {
			switch binary.NativeEndian.Uint16(sa) {
			case unix.AF_INET:
				if len(sa) >= 8 {
					off = netip.AddrFrom4([4]byte(sa[4:8]))
				}
			case unix.AF_INET6:
				if len(sa) >= 24 {
					off = netip.AddrFrom16([16]byte(sa[8:24])).Unmap()
				}
			}
		}
		return ee, off, true
	}
	return unix.SockExtendedErr{}, netip.Addr{}, false
}
