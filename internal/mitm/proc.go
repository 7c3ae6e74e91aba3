package mitm

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
)

// FindSocketInode scans a /proc/net/tcp or /proc/net/tcp6 table for the connection whose local end is
// local and remote end is remote, and returns its socket inode (0 when absent).
func FindSocketInode(r io.Reader, local, remote netip.AddrPort) (uint64, error) {
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if line == 1 || len(f) < 10 {
			continue // header
		}
		l, err := parseProcAddr(f[1])
		if err != nil {
			return 0, fmt.Errorf("line %d: local address: %w", line, err)
		}
		if l != local {
			continue
		}
		rem, err := parseProcAddr(f[2])
		if err != nil {
			return 0, fmt.Errorf("line %d: remote address: %w", line, err)
		}
		if rem != remote {
			continue
		}
		ino, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("line %d: inode %q: %w", line, f[9], err)
		}
		return ino, nil
	}
	return 0, sc.Err()
}

// ReadSocketTable adds every connection in a /proc/net/tcp or /proc/net/tcp6 table to into.
func ReadSocketTable(r io.Reader, into map[SocketKey]uint64) error {
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if line == 1 || len(f) < 10 {
			continue // header
		}
		l, err := parseProcAddr(f[1])
		if err != nil {
			return fmt.Errorf("line %d: local address: %w", line, err)
		}
		rem, err := parseProcAddr(f[2])
		if err != nil {
			return fmt.Errorf("line %d: remote address: %w", line, err)
		}
		ino, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			return fmt.Errorf("line %d: inode %q: %w", line, f[9], err)
		}
		into[SocketKey{l, rem}] = ino
	}
	return sc.Err()
}

// parseProcAddr decodes "0100007F:1F90" (IPv4) or a 32-hex-digit IPv6 address, each 32-bit word in
// host (little-endian) order, then ':' and the port in hex.
func parseProcAddr(s string) (netip.AddrPort, error) {
	a, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("%q: no port", s)
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%q: port: %w", s, err)
	}
	raw, err := hex.DecodeString(a)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, fmt.Errorf("%q: want 8 or 32 hex digits", s)
	}
	for i := 0; i < len(raw); i += 4 {
		binary.BigEndian.PutUint32(raw[i:], binary.LittleEndian.Uint32(raw[i:]))
	}
	addr, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(addr.Unmap(), uint16(port)), nil
}
