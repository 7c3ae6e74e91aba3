package netlab

import (
	"encoding/binary"
	"net/netip"
	"time"
)

// needsRelay reports whether the node's links must be TUN links with relays
// because the relays do part of the node's work (MPLS extensions, slow ICMP).
func (n Node) needsRelay() bool { return len(n.MPLS) > 0 || n.SlowICMP > 0 }

// slowICMPHold returns the relay hold (relay.Config.Hold) of a link end whose
// node sends its ICMP errors late by d: packets that are ICMP errors from one
// of the addresses in from are held d, others not at all.
func slowICMPHold(from map[netip.Addr]bool, d time.Duration) func(pkt []byte) time.Duration {
	return func(pkt []byte) time.Duration {
		if src, ok := icmpErrorSource(pkt); ok && from[src] {
			return d
		}
		return 0
	}
}

// icmpErrorSource returns the source address of pkt when it is an ICMP error
// (IPv4 destination unreachable, time exceeded, parameter problem; ICMPv6
// destination unreachable, packet too big, time exceeded, parameter problem)
// not behind extension headers or in a later fragment; ok is false otherwise.
func icmpErrorSource(pkt []byte) (src netip.Addr, ok bool) {
	if len(pkt) < 1 {
		return src, false
	}
	switch pkt[0] >> 4 {
	case 4:
		if len(pkt) < 20 {
			return src, false
		}
		ihl := int(pkt[0]&0x0f) * 4
		if ihl < 20 || len(pkt) < ihl+1 || pkt[9] != 1 || binary.BigEndian.Uint16(pkt[6:8])&0x1fff != 0 {
			return src, false
		}
		switch pkt[ihl] {
		case 3, 11, 12:
			return netip.AddrFrom4([4]byte(pkt[12:16])), true
		}
	case 6:
		if len(pkt) < 41 || pkt[6] != 58 {
			return src, false
		}
		if t := pkt[40]; t >= 1 && t <= 4 {
			return netip.AddrFrom16([16]byte(pkt[8:24])), true
		}
	}
	return src, false
}
