package probe

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"hopscope/internal/path"
)

// Socket is the Linux side of a trace: it sends probes and returns the matched replies (a Conn).
// It is used from one goroutine.
type Socket struct {
	flow Flow
	mode Mode
	// send is the raw IPPROTO_RAW socket (ModeRaw) or the datagram socket (unprivileged ICMP/UDP).
	send int
	// recv are the sockets polled for replies, with how to read them.
	recv []recvSock
	// tcp maps the per-probe TCP sockets of the unprivileged mode to their probe.
	tcp map[int]Probe
	// reserved hold the UDP/TCP source ports of a raw-mode trace.
	reserved []int
	// pending are matched replies not yet returned, from pending[head] on.
	pending []Reply
	head    int
	// dstAddr is the destination's socket address (port 0; Send sets a UDP probe's port).
	dstAddr rawSockaddr
	// poll waits for the receiving sockets and the TCP probe sockets; nil once closed.
	poll     *poller
	buf, oob []byte
	now      func() time.Time
}

type recvKind int

const (
	recvRawICMP recvKind = iota + 1 // raw ICMP/ICMPv6 socket
	recvRawTCP                      // raw TCP socket (SYN-ACK, RST)
	recvDgram                       // datagram socket: echo replies and the error queue
)

type recvSock struct {
	fd   int
	kind recvKind
}

// OpenSocket opens the sockets of one trace. In ModeAuto it tries raw sockets and falls back to the
// unprivileged mode when they are not permitted; an error wrapping ErrNeedPrivilege says what to do
// when neither works.
func OpenSocket(cfg SocketConfig) (*Socket, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	rnd := cfg.Rand
	if rnd == nil {
		rnd = rand.Uint32
	}
	dst := cfg.Dst.Unmap()
	port := cfg.Port
	if port == 0 {
		port = DefaultPort(cfg.Method)
	}
	src, err := sourceFor(dst)
	if err != nil {
		return nil, err
	}
	s := &Socket{
		flow: Flow{Method: cfg.Method, Src: src, Dst: dst, DstPort: uint16(port), Vary: cfg.Vary, Flows: max(cfg.Flows, 1),
			ICMPID: uint16(rnd()), SeqBase: rnd(), FlowLabel: rnd() & 0xfffff},
		send: -1, tcp: map[int]Probe{}, buf: make([]byte, 2048), oob: make([]byte, 512), now: time.Now,
		dstAddr: makeRawSockaddr(dst, 0),
	}
	if cfg.Mode != ModeUnprivileged {
		err := s.openRaw(rnd)
		if err == nil {
			s.mode = ModeRaw
			if err := s.startPoll(); err != nil {
				s.Close()
				return nil, err
			}
			return s, nil
		}
		s.Close()
		s.recv, s.reserved, s.send = nil, nil, -1
		if cfg.Mode == ModeRaw || !(errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES)) {
			if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
				return nil, needPrivilege("raw socket", err)
			}
			return nil, err
		}
	}
	s.mode = ModeUnprivileged
	if err := s.openDgram(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.startPoll(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// startPoll opens the poller and registers the receiving sockets with it.
func (s *Socket) startPoll() error {
	p, err := newPoller(s.ready)
	if err != nil {
		return err
	}
	s.poll = p
	for _, r := range s.recv {
		if err := p.add(r.fd, unix.EPOLLIN); err != nil {
			return err
		}
	}
	return nil
}

// Flow returns the trace's flow (addresses, ports and identifiers).
func (s *Socket) Flow() Flow { return s.flow }

// Mode returns the mode in use (raw or unprivileged).
func (s *Socket) Mode() Mode { return s.mode }

// sourceFor returns the source address the kernel would use towards dst (a UDP connect sends nothing).
func sourceFor(dst netip.Addr) (netip.Addr, error) {
	fam := unix.AF_INET
	if dst.Is6() {
		fam = unix.AF_INET6
	}
	fd, err := unix.Socket(fam, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("find source address: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Connect(fd, sockaddr(dst, 9)); err != nil {
		return netip.Addr{}, fmt.Errorf("no route to %v: %w", dst, err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("find source address: %w", err)
	}
	a, _ := addrPort(sa)
	return a, nil
}

func sockaddr(a netip.Addr, port int) unix.Sockaddr {
	if a.Is4() {
		return &unix.SockaddrInet4{Addr: a.As4(), Port: port}
	}
	return &unix.SockaddrInet6{Addr: a.As16(), Port: port}
}

func addrPort(sa unix.Sockaddr) (netip.Addr, int) {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrFrom4(sa.Addr), sa.Port
	case *unix.SockaddrInet6:
		return netip.AddrFrom16(sa.Addr).Unmap(), sa.Port
	}
	return netip.Addr{}, 0
}

func (s *Socket) family() int {
	if s.flow.V6() {
		return unix.AF_INET6
	}
	return unix.AF_INET
}

// openRaw opens the IPPROTO_RAW sending socket, the raw ICMP (and TCP) receiving sockets, and
// reserves the source ports.
func (s *Socket) openRaw(rnd func() uint32) error {
	fam, v6 := s.family(), s.flow.V6()
	fd, err := unix.Socket(fam, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
	if err != nil {
		return fmt.Errorf("open raw socket: %w", err)
	}
	s.send = fd
	icmpProto := unix.IPPROTO_ICMP
	if v6 {
		icmpProto = unix.IPPROTO_ICMPV6
	}
	if fd, err = s.openRecv(icmpProto); err != nil {
		return err
	}
	s.recv = append(s.recv, recvSock{fd: fd, kind: recvRawICMP})
	if err := icmpFilter(fd, v6); err != nil {
		return err
	}
	switch s.flow.Method {
	case path.ProtoTCP:
		if fd, err = s.openRecv(unix.IPPROTO_TCP); err != nil {
			return err
		}
		s.recv = append(s.recv, recvSock{fd: fd, kind: recvRawTCP})
		return s.reservePorts(unix.SOCK_STREAM, s.flow.Flows, rnd)
	case path.ProtoUDP:
		return s.reservePorts(unix.SOCK_DGRAM, 1, rnd)
	}
	return nil
}

// openRecv opens a raw receiving socket with kernel timestamps and (IPv6) the hop limit.
func (s *Socket) openRecv(proto int) (int, error) {
	fd, err := unix.Socket(s.family(), unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return -1, fmt.Errorf("open raw socket: %w", err)
	}
	if err := s.recvOptions(fd); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

func (s *Socket) recvOptions(fd int) error {
	opts := [][3]int{{unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1}}
	if s.flow.V6() {
		opts = append(opts, [3]int{unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT, 1})
	} else {
		opts = append(opts, [3]int{unix.IPPROTO_IP, unix.IP_RECVTTL, 1})
	}
	for _, o := range opts {
		if err := rawSetsockoptInt(fd, o[0], o[1], o[2]); err != nil {
			return fmt.Errorf("set socket option %d/%d: %w", o[0], o[1], err)
		}
	}
	return nil
}

// icmpFilter lets only echo replies and errors through a raw ICMP socket.
func icmpFilter(fd int, v6 bool) error {
	if !v6 {
		mask := ^uint32(1<<icmp4EchoReply | 1<<icmp4Unreachable | 1<<icmp4TimeExceeded | 1<<icmp4ParamProblem)
		return os.NewSyscallError("setsockopt ICMP_FILTER", unix.SetsockoptInt(fd, unix.SOL_RAW, unix.ICMP_FILTER, int(mask)))
	}
	var f unix.ICMPv6Filter
	for i := range f.Data {
		f.Data[i] = ^uint32(0)
	}
	for _, t := range []int{icmp6EchoReply, icmp6Unreachable, icmp6TimeExceeded, icmp6ParamProblem} {
		f.Data[t>>5] &^= 1 << (t & 31)
	}
	return os.NewSyscallError("setsockopt ICMPV6_FILTER", unix.SetsockoptICMPv6Filter(fd, unix.IPPROTO_ICMPV6, unix.ICMPV6_FILTER, &f))
}

// reservePorts binds n consecutive source ports so that no other socket uses them while the trace runs.
func (s *Socket) reservePorts(typ, n int, rnd func() uint32) error {
	for try := 0; try < 50; try++ {
		base := 32768 + int(rnd()%uint32(28000-n))
		var fds []int
		ok := true
		for i := 0; i < n && ok; i++ {
			fd, err := unix.Socket(s.family(), typ|unix.SOCK_CLOEXEC, 0)
			if err != nil {
				return fmt.Errorf("reserve source port: %w", err)
			}
			fds = append(fds, fd)
			ok = unix.Bind(fd, sockaddr(s.flow.Src, base+i)) == nil
		}
		if ok {
			s.reserved = fds
			s.flow.SrcPort = uint16(base)
			return nil
		}
		for _, fd := range fds {
			unix.Close(fd)
		}
	}
	return errors.New("reserve source port: no free range of ports")
}

// openDgram opens the unprivileged sockets: an ICMP datagram socket or a UDP socket with IP_RECVERR
// (TCP opens one socket per probe in Send).
func (s *Socket) openDgram() error {
	v6 := s.flow.V6()
	var proto, typ int
	switch s.flow.Method {
	case path.ProtoTCP:
		s.flow.Vary = true
		return nil
	case path.ProtoICMP:
		typ, proto = unix.SOCK_DGRAM, unix.IPPROTO_ICMP
		if v6 {
			proto = unix.IPPROTO_ICMPV6
		}
	case path.ProtoUDP:
		typ, proto = unix.SOCK_DGRAM, unix.IPPROTO_UDP
	}
	fd, err := unix.Socket(s.family(), typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		if s.flow.Method == path.ProtoICMP && (errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM)) {
			return needPrivilege("ICMP datagram socket (net.ipv4.ping_group_range excludes this group)", err)
		}
		return fmt.Errorf("open datagram socket: %w", err)
	}
	s.send = fd
	if err := unix.Bind(fd, sockaddr(s.flow.Src, 0)); err != nil {
		return fmt.Errorf("bind datagram socket: %w", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return fmt.Errorf("datagram socket name: %w", err)
	}
	_, port := addrPort(sa)
	s.flow.SrcPort, s.flow.ICMPID = uint16(port), uint16(port)
	if err := s.recvOptions(fd); err != nil {
		return err
	}
	if err := setRecvErr(fd, v6); err != nil {
		return err
	}
	s.recv = append(s.recv, recvSock{fd: fd, kind: recvDgram})
	return nil
}

func setRecvErr(fd int, v6 bool) error {
	if v6 {
		return os.NewSyscallError("setsockopt IPV6_RECVERR", rawSetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_RECVERR, 1))
	}
	return os.NewSyscallError("setsockopt IP_RECVERR", rawSetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_RECVERR, 1))
}

func setTTL(fd int, v6 bool, ttl int) error {
	if v6 {
		return os.NewSyscallError("setsockopt IPV6_UNICAST_HOPS", rawSetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, ttl))
	}
	return os.NewSyscallError("setsockopt IP_TTL", rawSetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TTL, ttl))
}

// Send transmits one probe.
func (s *Socket) Send(p Probe) error {
	if s.mode == ModeRaw {
		pkt, err := BuildPacket(&s.flow, p)
		if err != nil {
			return err
		}
		return os.NewSyscallError("sendto", rawSendto(s.send, pkt, &s.dstAddr))
	}
	v6 := s.flow.V6()
	if s.flow.Method == path.ProtoTCP {
		return s.sendTCPConnect(p)
	}
	b, err := BuildPayload(&s.flow, p)
	if err != nil {
		return err
	}
	if err := setTTL(s.send, v6, p.TTL); err != nil {
		return err
	}
	to := s.dstAddr
	if s.flow.Method == path.ProtoUDP {
		to.setPort(int(s.flow.dstPort(p.Flow)))
	}
	return os.NewSyscallError("sendto", rawSendto(s.send, b, &to))
}

// sendTCPConnect starts a non-blocking connect with the probe's TTL on a socket of its own. Its calls
// are raw system calls (see poll_syscall_linux.go): none blocks, and the probe's send time is taken
// before them.
func (s *Socket) sendTCPConnect(p Probe) error {
	v6 := s.flow.V6()
	fd, err := rawSocket(s.family(), unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open tcp socket: %w", err)
	}
	err = setTTL(fd, v6, p.TTL)
	if err == nil {
		err = setRecvErr(fd, v6)
	}
	if err == nil {
		err = s.recvOptions(fd)
	}
	if err != nil {
		rawClose(fd)
		return err
	}
	to := s.dstAddr
	to.setPort(int(s.flow.DstPort))
	err = rawConnect(fd, &to)
	if err != nil && !errors.Is(err, unix.EINPROGRESS) {
		rawClose(fd)
		return os.NewSyscallError("connect", err)
	}
	if err := s.poll.add(fd, unix.EPOLLOUT); err != nil {
		rawClose(fd)
		return err
	}
	s.tcp[fd] = p
	return nil
}

// Close releases every socket.
func (s *Socket) Close() error {
	fds := append([]int{}, s.reserved...)
	if s.send >= 0 {
		fds = append(fds, s.send)
	}
	for _, r := range s.recv {
		if r.fd != s.send {
			fds = append(fds, r.fd)
		}
	}
	for fd := range s.tcp {
		fds = append(fds, fd)
	}
	for _, fd := range fds {
		unix.Close(fd)
	}
	if s.poll != nil {
		s.poll.close()
		s.poll = nil
	}
	s.send, s.recv, s.reserved, s.tcp = -1, nil, nil, map[int]Probe{}
	return nil
}
