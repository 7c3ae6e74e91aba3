//go:build !linux

package mitm

import (
	"errors"
	"net/netip"
)

// LookupProcess names the local process owning a client connection; it is only implemented on Linux
// and returns "" elsewhere.
func LookupProcess(client, server netip.AddrPort) string { return "" }

// osProcessSources finds no sockets and no processes: process lookup is Linux only.
func osProcessSources() (func(local, remote netip.AddrPort) (uint64, error), procSource) {
	return func(netip.AddrPort, netip.AddrPort) (uint64, error) { return 0, errors.ErrUnsupported }, noProcs{}
}

type noProcs struct{}

func (noProcs) pids() []int { return nil }

func (noProcs) open(int) (procHandle, error) { return nil, errors.ErrUnsupported }
