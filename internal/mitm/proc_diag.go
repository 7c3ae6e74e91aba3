package mitm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"syscall"
)

// sock_diag wire format (linux/inet_diag.h, linux/netlink.h, linux/sock_diag.h), little-endian hosts
// only. A request is a netlink header then an inet_diag_req_v2; each socket in a reply is a netlink
// header then an inet_diag_msg, optionally followed by attributes.
const (
	sizeofNlMsghdr      = 16
	sizeofInetDiagReqV2 = 56
	sizeofInetDiagMsg   = 72
	sockDiagByFamily    = 20 // SOCK_DIAG_BY_FAMILY
	nlmsgDone           = 3  // NLMSG_DONE
	nlmsgError          = 2  // NLMSG_ERROR
	nlmFRequest         = 1  // NLM_F_REQUEST
	nlmFDump            = 0x300
	afInet              = 2
	afInet6             = 10
	ipprotoTCP          = 6
)

// SockDiagDumpRequest encodes a netlink SOCK_DIAG_BY_FAMILY request for every TCP socket of family
// (AF_INET 2 or AF_INET6 10) in every state.
func SockDiagDumpRequest(seq uint32, family uint8) []byte {
	b := make([]byte, sizeofNlMsghdr+sizeofInetDiagReqV2)
	binary.LittleEndian.PutUint32(b[0:], uint32(len(b)))
	binary.LittleEndian.PutUint16(b[4:], sockDiagByFamily)
	binary.LittleEndian.PutUint16(b[6:], nlmFRequest|nlmFDump)
	binary.LittleEndian.PutUint32(b[8:], seq)
	r := b[sizeofNlMsghdr:]
	r[0], r[1] = family, ipprotoTCP
	binary.LittleEndian.PutUint32(r[4:], 0xFFFFFFFF) // all states
	return b
}

// SockDiagRequest encodes a netlink SOCK_DIAG_BY_FAMILY request for the one TCP socket whose local end
// is local and remote end is remote (no NLM_F_DUMP: the kernel looks it up by this 4-tuple and answers
// with that socket alone, or with ENOENT). Two IPv4 ends (IPv4-mapped ones included) ask AF_INET,
// which also finds an AF_INET6 socket connected to an IPv4-mapped address; others ask AF_INET6.
func SockDiagRequest(seq uint32, local, remote netip.AddrPort) []byte {
	b := make([]byte, sizeofNlMsghdr+sizeofInetDiagReqV2)
	putSockDiagRequest(b, seq, local, remote)
	return b
}

// putSockDiagRequest encodes SockDiagRequest into b, which holds exactly one request and is zero.
func putSockDiagRequest(b []byte, seq uint32, local, remote netip.AddrPort) {
	binary.LittleEndian.PutUint32(b[0:], uint32(len(b)))
	binary.LittleEndian.PutUint16(b[4:], sockDiagByFamily)
	binary.LittleEndian.PutUint16(b[6:], nlmFRequest)
	binary.LittleEndian.PutUint32(b[8:], seq)
	r := b[sizeofNlMsghdr:]
	l, rem := local.Addr().Unmap(), remote.Addr().Unmap()
	r[0], r[1] = afInet6, ipprotoTCP
	if l.Is4() && rem.Is4() {
		r[0] = afInet
	}
	binary.LittleEndian.PutUint32(r[4:], 0xFFFFFFFF) // all states
	id := r[8:]                                      // inet_diag_sockid
	binary.BigEndian.PutUint16(id[0:], local.Port())
	binary.BigEndian.PutUint16(id[2:], remote.Port())
	putSockidAddr(id[4:20], l)
	putSockidAddr(id[20:36], rem)
	binary.LittleEndian.PutUint32(id[40:], 0xFFFFFFFF) // INET_DIAG_NOCOOKIE: any socket with this 4-tuple
	binary.LittleEndian.PutUint32(id[44:], 0xFFFFFFFF)
}

func putSockidAddr(dst []byte, a netip.Addr) {
	if a.Is4() {
		v := a.As4()
		copy(dst, v[:])
		return
	}
	v := a.As16()
	copy(dst, v[:])
}

// SocketInfo is the kernel's answer about one TCP socket.
type SocketInfo struct {
	// Local and Remote are the socket's ends, IPv4-mapped addresses unmapped.
	Local, Remote netip.AddrPort
	// UID is the user that created the socket.
	UID uint32
	// Inode is the socket's inode, as in a /proc/PID/fd link "socket:[Inode]"; 0 for a socket no
	// process holds any more (one in TIME_WAIT).
	Inode uint64
}

// errOtherSeq marks a reply to an earlier request (one whose reader gave up), to be skipped.
var errOtherSeq = errors.New("sock_diag: reply to another request")

// ParseSockDiagReply decodes one datagram of the kernel's answer to SockDiagRequest with sequence number
// seq. The kernel's "no such socket" comes back as an error wrapping syscall.ENOENT; a datagram
// answering another sequence number as errOtherSeq; a malformed one as an error saying at which byte
// offset what was wrong.
func ParseSockDiagReply(b []byte, seq uint32) (SocketInfo, error) {
	for off := 0; off < len(b); {
		m := b[off:]
		if len(m) < sizeofNlMsghdr {
			return SocketInfo{}, fmt.Errorf("sock_diag reply: offset %d: %d bytes left, shorter than a netlink header", off, len(m))
		}
		n := int(binary.LittleEndian.Uint32(m[0:]))
		if n < sizeofNlMsghdr || n > len(m) {
			return SocketInfo{}, fmt.Errorf("sock_diag reply: offset %d: message length %d with %d bytes left", off, n, len(m))
		}
		body := m[sizeofNlMsghdr:n]
		typ := binary.LittleEndian.Uint16(m[4:])
		if got := binary.LittleEndian.Uint32(m[8:]); got != seq {
			return SocketInfo{}, fmt.Errorf("%w: offset %d: sequence %d, want %d", errOtherSeq, off, got, seq)
		}
		switch typ {
		case nlmsgError:
			if len(body) < 4 {
				return SocketInfo{}, fmt.Errorf("sock_diag reply: offset %d: %d-byte error message, want at least 4", off, len(body))
			}
			if code := int32(binary.LittleEndian.Uint32(body)); code < 0 {
				return SocketInfo{}, fmt.Errorf("sock_diag: %w", syscall.Errno(-code))
			}
			// error 0 is an acknowledgement: nothing to report
		case nlmsgDone:
			return SocketInfo{}, fmt.Errorf("sock_diag reply: offset %d: end of reply without a socket", off)
		case sockDiagByFamily:
			if len(body) < sizeofInetDiagMsg {
				return SocketInfo{}, fmt.Errorf("sock_diag reply: offset %d: %d-byte socket message, want at least %d", off, len(body), sizeofInetDiagMsg)
			}
			family := body[0]
			if family != afInet && family != afInet6 {
				return SocketInfo{}, fmt.Errorf("sock_diag reply: offset %d: address family %d, want 2 or 10", off+sizeofNlMsghdr, family)
			}
			id := body[4:]
			return SocketInfo{
				Local:  netip.AddrPortFrom(diagAddr(family, id[4:20]), binary.BigEndian.Uint16(id[0:])),
				Remote: netip.AddrPortFrom(diagAddr(family, id[20:36]), binary.BigEndian.Uint16(id[2:])),
				UID:    binary.LittleEndian.Uint32(body[64:]),
				Inode:  uint64(binary.LittleEndian.Uint32(body[68:])),
			}, nil
		default:
			return SocketInfo{}, fmt.Errorf("sock_diag reply: offset %d: message type %d, want %d, %d or %d", off, typ, sockDiagByFamily, nlmsgError, nlmsgDone)
		}
		off += (n + 3) &^ 3 // NLMSG_ALIGN
	}
	return SocketInfo{}, fmt.Errorf("sock_diag reply: %d bytes without a socket", len(b))
}

// ParseSockDiagDump adds the sockets in one datagram of the kernel's answer to SockDiagDumpRequest to
// into (IPv4-mapped addresses unmapped); done is true at the dump's end (NLMSG_DONE). A netlink error
// message or a malformed one is an error naming what is wrong.
func ParseSockDiagDump(b []byte, into map[SocketKey]uint64) (done bool, err error) {
	for len(b) > 0 {
		if len(b) < sizeofNlMsghdr {
			return false, fmt.Errorf("sock_diag: %d trailing bytes, shorter than a netlink header", len(b))
		}
		n := int(binary.LittleEndian.Uint32(b[0:]))
		if n < sizeofNlMsghdr || n > len(b) {
			return false, fmt.Errorf("sock_diag: message length %d with %d bytes left", n, len(b))
		}
		body := b[sizeofNlMsghdr:n]
		switch typ := binary.LittleEndian.Uint16(b[4:]); typ {
		case nlmsgDone:
			return true, nil
		case nlmsgError:
			if len(body) < 4 {
				return false, fmt.Errorf("sock_diag: short error message")
			}
			return false, fmt.Errorf("sock_diag: %w", syscall.Errno(-int32(binary.LittleEndian.Uint32(body))))
		case sockDiagByFamily:
			if len(body) < sizeofInetDiagMsg {
				return false, fmt.Errorf("sock_diag: %d-byte socket message, want %d", len(body), sizeofInetDiagMsg)
			}
			id := body[4:]
			local := netip.AddrPortFrom(diagAddr(body[0], id[4:20]), binary.BigEndian.Uint16(id[0:]))
			remote := netip.AddrPortFrom(diagAddr(body[0], id[20:36]), binary.BigEndian.Uint16(id[2:]))
			into[SocketKey{local, remote}] = uint64(binary.LittleEndian.Uint32(body[68:]))
		default:
			return false, fmt.Errorf("sock_diag: message type %d", typ)
		}
		b = b[min((n+3)&^3, len(b)):] // NLMSG_ALIGN
	}
	return false, nil
}

func diagAddr(family byte, b []byte) netip.Addr {
	if family == afInet {
		return netip.AddrFrom4([4]byte(b[:4]))
	}
	return netip.AddrFrom16([16]byte(b[:16])).Unmap()
}
