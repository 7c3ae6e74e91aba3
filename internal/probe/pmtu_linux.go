package probe

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// MTUSocket probes the path MTU from a connected UDP socket, unprivileged, as tracepath does:
// IP_MTU_DISCOVER (IPV6_MTU_DISCOVER) set to PMTUDISC_PROBE sends with DF set at the size asked
// whatever the kernel has cached for the path, and IP_RECVERR (IPV6_RECVERR) returns the ICMP errors,
// with the next-hop MTU of "fragmentation needed" and "packet too big", on the error queue.
type MTUSocket struct {
	fd       int
	dst      netip.Addr
	v6       bool
	seq      uint16
	buf, oob []byte
}

// OpenMTUSocket opens a path MTU socket toward dst (UDP port port, which should be closed there so the
// target answers with port unreachable).
func OpenMTUSocket(dst netip.Addr, port int) (*MTUSocket, error) {
	dst = dst.Unmap()
	s := &MTUSocket{dst: dst, v6: dst.Is6(), buf: make([]byte, 65536), oob: make([]byte, 512)}
	fam, lvl, opt, probe := unix.AF_INET, unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, unix.IP_PMTUDISC_PROBE
	if s.v6 {
		fam, lvl, opt, probe = unix.AF_INET6, unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER, unix.IPV6_PMTUDISC_PROBE
	}
	fd, err := unix.Socket(fam, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_UDP)
	if err != nil {
		return nil, fmt.Errorf("open path MTU socket: %w", err)
	}
	s.fd = fd
	if err := unix.SetsockoptInt(fd, lvl, opt, probe); err != nil {
		s.Close()
		return nil, fmt.Errorf("path MTU socket: setsockopt MTU_DISCOVER: %w", err)
	}
	if err := setRecvErr(fd, s.v6); err != nil {
		s.Close()
		return nil, err
	}
	if err := unix.Connect(fd, sockaddr(dst, port)); err != nil {
		s.Close()
		return nil, fmt.Errorf("path MTU socket: connect to %v: %w", dst, err)
	}
	return s, nil
}

// routeMTU returns the MTU the kernel has for the route to the destination (the path MTU it cached,
// else the first link's).
func (s *MTUSocket) routeMTU() (int, error) {
	lvl, opt := unix.IPPROTO_IP, unix.IP_MTU
	if s.v6 {
		lvl, opt = unix.IPPROTO_IPV6, unix.IPV6_MTU
	}
	mtu, err := unix.GetsockoptInt(s.fd, lvl, opt)
	if err != nil {
		return 0, os.NewSyscallError("getsockopt IP_MTU", err)
	}
	return mtu, nil
}

// ProbeMTU sends one datagram of size bytes (IP and UDP headers included) with DF set and ttl, and
// waits until deadline for its fate.
func (s *MTUSocket) ProbeMTU(size, ttl int, deadline time.Time) (MTUReply, error) {
	hdr := 28
	if s.v6 {
		hdr = 48
	}
	if size < hdr+13 {
		return MTUReply{}, fmt.Errorf("path MTU probe of %d bytes: want at least %d", size, hdr+13)
	}
	s.drain()
	s.seq++
	if s.seq == 0 || s.seq == 0xffff {
		s.seq = 1
	}
	pl := make([]byte, size-hdr)
	markPayload(pl, Probe{Seq: s.seq, TTL: ttl, Flow: 1})
	if err := setTTL(s.fd, s.v6, ttl); err != nil {
		return MTUReply{}, err
	}
	if _, err := unix.Write(s.fd, pl); err != nil {
		if errors.Is(err, unix.EMSGSIZE) {
			// Larger than the first link: the error queue has that link's MTU (with PMTUDISC_PROBE the
			// device's, not a path MTU the kernel may have cached).
			if r, ok := s.readErr(); ok && r.Kind == MTUTooBig && r.MTU > 0 {
				return r, nil
			}
			mtu, _ := s.routeMTU()
			return MTUReply{Kind: MTUTooBig, MTU: mtu}, nil
		}
		return MTUReply{}, os.NewSyscallError("send path MTU probe", err)
	}
	for {
		wait := time.Until(deadline)
		if wait <= 0 {
			return MTUReply{Kind: MTUTimeout}, nil
		}
		fds := []unix.PollFd{{Fd: int32(s.fd), Events: unix.POLLIN | unix.POLLERR}}
		if _, err := unix.Poll(fds, int(wait.Milliseconds())+1); err != nil && !errors.Is(err, unix.EINTR) {
			return MTUReply{}, os.NewSyscallError("poll", err)
		}
		if r, ok := s.readErr(); ok {
			return r, nil
		}
		if n, _, err := unix.Recvfrom(s.fd, s.buf, 0); err == nil && n >= 0 {
			return MTUReply{Kind: MTUPassed, From: s.dst}, nil // something listens there and answered
		}
	}
}

// readErr reads the error queue until it finds the fate of the current probe; ok is false when the
// queue holds nothing about it.
func (s *MTUSocket) readErr() (MTUReply, bool) {
	for {
		n, oobn, _, _, err := unix.Recvmsg(s.fd, s.buf, s.oob, unix.MSG_ERRQUEUE)
		if err != nil {
			return MTUReply{}, false
		}
		ee, from, ok := parseExtendedErr(s.oob[:oobn])
		if !ok {
			continue
		}
		// The quote holds the payload when the router quoted enough: it must be this probe's.
		if seq, ok := payloadSeq(s.buf[:n]); ok && seq != s.seq {
			continue
		}
		if r, ok := classifyMTU(ee.Origin, ee.Type, ee.Code, ee.Errno, ee.Info, from, s.dst); ok {
			return r, true
		}
	}
}

// drain empties the error queue of errors about earlier probes.
func (s *MTUSocket) drain() {
	for {
		if _, _, _, _, err := unix.Recvmsg(s.fd, s.buf, s.oob, unix.MSG_ERRQUEUE); err != nil {
			return
		}
	}
}

// classifyMTU reads one error-queue entry (origin, ICMP type and code, errno, info) about a path MTU
// probe to dst; ok is false for entries that say nothing about its size.
func classifyMTU(origin, typ, code uint8, errno, info uint32, from, dst netip.Addr) (MTUReply, bool) {
	switch origin {
	case unix.SO_EE_ORIGIN_LOCAL:
		if unix.Errno(errno) == unix.EMSGSIZE {
			return MTUReply{Kind: MTUTooBig, MTU: int(info)}, true
		}
	case unix.SO_EE_ORIGIN_ICMP:
		switch {
		case typ == icmp4Unreachable && code == 4:
			return MTUReply{Kind: MTUTooBig, From: from, MTU: int(info)}, true
		case typ == icmp4TimeExceeded, typ == icmp4Unreachable && from == dst:
			return MTUReply{Kind: MTUPassed, From: from}, true
		}
	case unix.SO_EE_ORIGIN_ICMP6:
		switch {
		case typ == 2: // packet too big
			return MTUReply{Kind: MTUTooBig, From: from, MTU: int(info)}, true
		case typ == icmp6TimeExceeded, typ == icmp6Unreachable && from == dst:
			return MTUReply{Kind: MTUPassed, From: from}, true
		}
	}
	return MTUReply{}, false
}

// Close closes the socket.
func (s *MTUSocket) Close() error { return unix.Close(s.fd) }
