package probe

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// poller waits for a trace's sockets on Go's network poller. The sockets are registered,
// level-triggered, with an epoll instance of the trace's own; that instance is itself pollable and is
// registered with the runtime's poller (os.NewFile of a non-blocking descriptor). An idle wait then
// parks the goroutine like any network read, instead of holding a thread in a blocking ppoll that
// the runtime's monitor (sysmon) keeps checking on: that was most of the CPU a round of
// hopscope trace -c cost.
//
// The sockets stay out of the runtime's poller on purpose: it treats an EPOLLERR without EPOLLIN
// (an ICMP error queued on a socket with IP_RECVERR, the unprivileged mode's every reply) as an
// error of the descriptor and would fail every later wait; the private instance reports it as
// readiness, as ppoll did.
type poller struct {
	epfd   int
	file   *os.File        // owns epfd
	raw    syscall.RawConn // waits on file
	events []unix.EpollEvent
	// timer is a timerfd in the epoll instance that ends a wait at its deadline: a deadline on the
	// runtime's poller would be a runtime timer, and a runtime timer that fires wakes a second thread
	// to look for work (futex wake-ups) where a descriptor that becomes ready does not.
	timer int
	// armed is the deadline the timer is set to; zero when it is not set or has fired.
	armed time.Time
	// onReady is called for every ready socket with its epoll events.
	onReady func(fd int, events uint32)
	// try is the RawConn.Read callback (made once, so that a wait allocates nothing).
	try  func(uintptr) bool
	werr error
}

// newPoller opens an epoll instance whose ready sockets go to onReady.
func newPoller(onReady func(fd int, events uint32)) (*poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	if err := unix.SetNonblock(epfd, true); err != nil {
		unix.Close(epfd)
		return nil, os.NewSyscallError("set epoll non-blocking", err)
	}
	p := &poller{epfd: epfd, file: os.NewFile(uintptr(epfd), "epoll"), timer: -1, events: make([]unix.EpollEvent, 16), onReady: onReady}
	if err := p.open(); err != nil {
		p.close()
		return nil, err
	}
	p.try = p.poll
	return p, nil
}

// open registers the epoll instance with the runtime's poller and adds the timer to it.
func (p *poller) open() error {
	// A descriptor the runtime could not register has no deadlines: say so now rather than block later.
	if err := p.file.SetReadDeadline(time.Time{}); err != nil {
		return fmt.Errorf("register epoll with the runtime poller: %w", err)
	}
	var err error
	if p.raw, err = p.file.SyscallConn(); err != nil {
		return fmt.Errorf("register epoll with the runtime poller: %w", err)
	}
	if p.timer, err = unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC); err != nil {
		return os.NewSyscallError("timerfd_create", err)
	}
	return p.add(p.timer, unix.EPOLLIN)
}

// add watches fd for events (EPOLLIN or EPOLLOUT; errors and hang-ups are always reported).
func (p *poller) add(fd int, events uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(fd)}
	return os.NewSyscallError("epoll_ctl", rawEpollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, &ev))
}

// remove stops watching fd (before it is closed).
func (p *poller) remove(fd int) {
	rawEpollCtl(p.epfd, unix.EPOLL_CTL_DEL, fd, nil)
}

// wait hands the sockets that are ready to onReady, waiting for one until deadline. It returns
// os.ErrDeadlineExceeded when the deadline has passed already, and nil with no socket handed over
// when it passes during the wait (or on a spurious wake-up): callers loop and check their clock.
func (p *poller) wait(deadline time.Time) error {
	if !deadline.Equal(p.armed) {
		// Relative to now, so the timer fires at or after the deadline by the same (monotonic) clock.
		d := time.Until(deadline)
		if d <= 0 {
			return os.ErrDeadlineExceeded
		}
		if err := rawTimerfdSet(p.timer, d); err != nil {
			return os.NewSyscallError("timerfd_settime", err)
		}
		p.armed = deadline
	}
	p.werr = nil
	if err := p.raw.Read(p.try); err != nil {
		return err
	}
	return p.werr
}

// poll is one look at the epoll instance without blocking: false (wait for readiness) when nothing
// is ready.
func (p *poller) poll(uintptr) bool {
	n, err := rawEpollPoll(p.epfd, p.events)
	switch {
	case errors.Is(err, unix.EINTR):
		return true // look again after the caller's checks
	case err != nil:
		p.werr = os.NewSyscallError("epoll_wait", err)
		return true
	case n == 0:
		return false
	}
	for _, ev := range p.events[:n] {
		if int(ev.Fd) == p.timer {
			// The deadline passed (the caller sees it on its clock). Setting the timer again clears
			// its readiness, so the next wait must.
			p.armed = time.Time{}
			continue
		}
		p.onReady(int(ev.Fd), ev.Events)
	}
	return true
}

// close closes the epoll instance and the timer (not the sockets).
func (p *poller) close() error {
	if p.timer >= 0 {
		unix.Close(p.timer)
	}
	return p.file.Close()
}
