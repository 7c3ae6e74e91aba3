//go:build linux

package capture

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/sys/unix"
)

// Live captures from an interface through an AF_PACKET socket (no libpcap, no cgo) and feeds a until
// ctx ends, the duration passes or the packet count is reached. The analyzer's filter is compiled to
// classic BPF and attached to the socket, and runs again in user space on what the kernel passes.
func Live(ctx context.Context, opt LiveOptions, a *Analyzer) error {
	ifi, err := net.InterfaceByName(opt.Interface)
	if err != nil {
		return fmt.Errorf("capture interface %q: %w", opt.Interface, err)
	}
	link := LinkEthernet
	if len(ifi.HardwareAddr) == 0 && ifi.Flags&net.FlagLoopback == 0 {
		link = LinkRaw // tun and other layer-3 devices hand over bare IP packets
	}
	h, err := pcapgo.NewEthernetHandle(opt.Interface)
	if err != nil {
		if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) || containsPermission(err) {
			return fmt.Errorf("capture on %s: %w", opt.Interface, ErrNeedPrivilege)
		}
		return fmt.Errorf("capture on %s: %w", opt.Interface, err)
	}
	snap := opt.Snaplen
	if snap <= 0 {
		snap = 65535
	}
	if err := h.SetCaptureLength(snap); err != nil {
		h.Close()
		return fmt.Errorf("capture on %s: set capture length: %w", opt.Interface, err)
	}
	// The kernel drops what the filter surely rejects; the user-space filter decides the rest.
	if flt := a.cfg.Filter; flt != nil && link == LinkEthernet {
		if prog, err := flt.CompileBPF(uint32(snap)); err != nil {
			a.Warn(fmt.Sprintf("filter %q not compiled for the kernel (%v): filtering in user space only", flt, err))
		} else if err := h.SetBPF(prog); err != nil {
			a.Warn(fmt.Sprintf("filter %q not attached to the socket (%v): filtering in user space only", flt, err))
		}
	}
	if opt.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opt.Duration)
		defer cancel()
	}
	// Closing the socket is what wakes a blocked read.
	var once sync.Once
	closeH := func() { once.Do(func() { h.Close() }) }
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-ctx.Done():
			closeH()
		case <-stop:
		}
	}()
	defer closeH()
	start := a.Stats()
	for {
		data, ci, err := h.ZeroCopyReadPacketData()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var errno unix.Errno
			if errors.As(err, &errno) && (errno == unix.EAGAIN || errno == unix.EINTR) {
				continue
			}
			return fmt.Errorf("capture on %s: %w", opt.Interface, err)
		}
		ts := ci.Timestamp
		if ts.IsZero() {
			if opt.Now != nil {
				ts = opt.Now()
			} else {
				ts = time.Now()
			}
		}
		a.Packet(link, ts.UnixNano(), data, max(ci.Length, len(data)))
		if opt.Count > 0 {
			s := a.Stats()
			if s.Packets-s.Filtered-(start.Packets-start.Filtered) >= opt.Count {
				return nil
			}
		}
	}
}

func containsPermission(err error) bool {
	s := err.Error()
	return len(s) > 0 && (contains(s, "operation not permitted") || contains(s, "permission denied"))
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
