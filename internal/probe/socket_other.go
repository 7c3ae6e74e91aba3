//go:build !linux

package probe

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

// Socket is the operating system's side of a trace; only Linux is supported.
type Socket struct{ flow Flow }

// OpenSocket reports that probing is not available on this system.
func OpenSocket(cfg SocketConfig) (*Socket, error) {
	return nil, fmt.Errorf("%w: probing is implemented for Linux only, not %s", errors.ErrUnsupported, runtime.GOOS)
}

// Flow returns the trace's flow.
func (s *Socket) Flow() Flow { return s.flow }

// Mode returns the mode in use.
func (s *Socket) Mode() Mode { return ModeRaw }

// Send is not supported.
func (s *Socket) Send(Probe) error { return errors.ErrUnsupported }

// Recv is not supported.
func (s *Socket) Recv(time.Time) (Reply, error) { return Reply{}, errors.ErrUnsupported }

// Close does nothing.
func (s *Socket) Close() error { return nil }
