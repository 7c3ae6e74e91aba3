//go:build !linux

package mitm

import "net/netip"

// LookupProcess names the local process owning a client connection; it is only implemented on Linux
// and returns "" elsewhere.
func LookupProcess(client, server netip.AddrPort) string { return "" }

func osSockets() map[SocketKey]uint64 { return nil }

func osScanProcesses() map[uint64]string { return nil }
