//go:build !linux

package probe

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"time"
)

// MTUSocket probes the path MTU; only Linux is supported.
type MTUSocket struct{}

// OpenMTUSocket reports that path MTU discovery is not available on this system.
func OpenMTUSocket(dst netip.Addr, port int) (*MTUSocket, error) {
	return nil, fmt.Errorf("%w: path MTU discovery is implemented for Linux only, not %s", errors.ErrUnsupported, runtime.GOOS)
}

// ProbeMTU is not supported.
func (s *MTUSocket) ProbeMTU(int, int, time.Time) (MTUReply, error) {
	return MTUReply{}, errors.ErrUnsupported
}

// Close does nothing.
func (s *MTUSocket) Close() error { return nil }
