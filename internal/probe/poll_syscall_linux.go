package probe

import (
	"encoding/binary"
	"net/netip"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The system calls of a trace's busy path (send a probe, look at the epoll instance, read a reply)
// never block: the sockets are non-blocking and the epoll look has a zero timeout. They are made as
// raw system calls, without the runtime's syscall bookkeeping: an ordinary call made after the
// process was idle (every wait parks on the network poller) wakes the runtime's monitor thread
// (sysmon), which then polls every 20 µs for a millisecond or more. Across the replies of every round
// that was the largest part of hopscope trace -c's CPU. Calls that can block stay ordinary calls.

// rawSockaddr is a socket address in the kernel's layout, built once per destination.
type rawSockaddr struct {
	buf [unix.SizeofSockaddrInet6]byte
	len uint32
}

// makeRawSockaddr returns a's socket address with port.
func makeRawSockaddr(a netip.Addr, port int) rawSockaddr {
	var rs rawSockaddr
	if a.Is4() {
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&rs.buf[0]))
		sa.Family = unix.AF_INET
		binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], uint16(port))
		sa.Addr = a.As4()
		rs.len = unix.SizeofSockaddrInet4
		return rs
	}
	sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(&rs.buf[0]))
	sa.Family = unix.AF_INET6
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], uint16(port))
	sa.Addr = a.As16()
	rs.len = unix.SizeofSockaddrInet6
	return rs
}

// setPort sets the port of a socket address made by makeRawSockaddr (both families keep it at offset 2).
func (rs *rawSockaddr) setPort(port int) { binary.BigEndian.PutUint16(rs.buf[2:4], uint16(port)) }

// rawAddrPort decodes an AF_INET or AF_INET6 socket address (IPv4-mapped addresses unmapped); the
// zero address for any other family.
func rawAddrPort(rsa *unix.RawSockaddrAny) (netip.Addr, int) {
	b := (*[unix.SizeofSockaddrAny]byte)(unsafe.Pointer(rsa))
	switch rsa.Addr.Family {
	case unix.AF_INET:
		return netip.AddrFrom4([4]byte(b[4:8])), int(binary.BigEndian.Uint16(b[2:4]))
	case unix.AF_INET6:
		return netip.AddrFrom16([16]byte(b[8:24])).Unmap(), int(binary.BigEndian.Uint16(b[2:4]))
	}
	return netip.Addr{}, 0
}

// errnoErr returns nil for 0 and the errno otherwise.
func errnoErr(e syscall.Errno) error {
	if e != 0 {
		return e
	}
	return nil
}

// rawSendto is sendto(2) on a non-blocking socket.
func rawSendto(fd int, b []byte, to *rawSockaddr) error {
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	_, _, e := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(p), uintptr(len(b)), unix.MSG_DONTWAIT,
		uintptr(unsafe.Pointer(&to.buf[0])), uintptr(to.len))
	return errnoErr(e)
}

// rawRecvmsg is recvmsg(2) with MSG_DONTWAIT: the data's length, the control data's length and the
// sender's address and port.
func rawRecvmsg(fd int, p, oob []byte, flags int) (n, oobn int, from netip.Addr, port int, err error) {
	var rsa unix.RawSockaddrAny
	var iov unix.Iovec
	iov.Base = &p[0]
	iov.SetLen(len(p))
	var msg unix.Msghdr
	msg.Name = (*byte)(unsafe.Pointer(&rsa))
	msg.Namelen = unix.SizeofSockaddrAny
	msg.Iov = &iov
	msg.SetIovlen(1)
	if len(oob) > 0 {
		msg.Control = &oob[0]
		msg.SetControllen(len(oob))
	}
	r, _, e := unix.RawSyscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), uintptr(flags|unix.MSG_DONTWAIT))
	if e != 0 {
		return 0, 0, netip.Addr{}, 0, e
	}
	from, port = rawAddrPort(&rsa)
	return int(r), int(msg.Controllen), from, port, nil
}

// rawEpollPoll is epoll_pwait(2) with a zero timeout and no signal mask.
func rawEpollPoll(epfd int, events []unix.EpollEvent) (int, error) {
	r, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// rawSetsockoptInt is setsockopt(2) of an int option.
func rawSetsockoptInt(fd, level, opt, value int) error {
	v := int32(value)
	_, _, e := unix.RawSyscall6(unix.SYS_SETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt), uintptr(unsafe.Pointer(&v)), 4, 0)
	return errnoErr(e)
}

// rawTimerfdSet sets a timerfd to fire once, d from now.
func rawTimerfdSet(fd int, d time.Duration) error {
	its := unix.ItimerSpec{Value: unix.NsecToTimespec(d.Nanoseconds())}
	_, _, e := unix.RawSyscall6(unix.SYS_TIMERFD_SETTIME, uintptr(fd), 0, uintptr(unsafe.Pointer(&its)), 0, 0, 0)
	return errnoErr(e)
}

// rawSocket is socket(2); typ should carry SOCK_NONBLOCK and SOCK_CLOEXEC.
func rawSocket(family, typ, proto int) (int, error) {
	r, _, e := unix.RawSyscall(unix.SYS_SOCKET, uintptr(family), uintptr(typ), uintptr(proto))
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

// rawConnect is connect(2) on a non-blocking socket (EINPROGRESS for a TCP connection under way).
func rawConnect(fd int, to *rawSockaddr) error {
	_, _, e := unix.RawSyscall(unix.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&to.buf[0])), uintptr(to.len))
	return errnoErr(e)
}

// rawGetsockoptInt is getsockopt(2) of an int option.
func rawGetsockoptInt(fd, level, opt int) (int, error) {
	var v int32
	l := uint32(4)
	_, _, e := unix.RawSyscall6(unix.SYS_GETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt),
		uintptr(unsafe.Pointer(&v)), uintptr(unsafe.Pointer(&l)), 0)
	return int(v), errnoErr(e)
}

// rawClose is close(2) of a socket without lingering (a probe's TCP socket).
func rawClose(fd int) { unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0) }

// rawEpollCtl is epoll_ctl(2).
func rawEpollCtl(epfd, op, fd int, ev *unix.EpollEvent) error {
	_, _, e := unix.RawSyscall6(unix.SYS_EPOLL_CTL, uintptr(epfd), uintptr(op), uintptr(fd), uintptr(unsafe.Pointer(ev)), 0, 0)
	return errnoErr(e)
}
