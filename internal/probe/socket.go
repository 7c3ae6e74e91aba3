package probe

import (
	"errors"
	"fmt"
	"net/netip"

	"hopscope/internal/path"
)

// ErrNeedPrivilege means no socket could send probes with the current privileges; the error wrapping
// it says what to do (grant CAP_NET_RAW, widen net.ipv4.ping_group_range, or run as root).
var ErrNeedPrivilege = errors.New("probing needs privileges")

// Mode chooses how probes are sent.
type Mode string

// Socket modes.
const (
	// ModeAuto uses raw sockets when the process may open them (CAP_NET_RAW), the unprivileged mode otherwise.
	ModeAuto Mode = ""
	// ModeRaw sends hand-built packets on raw sockets and reads every ICMP error, with its
	// quoted header and MPLS extensions.
	ModeRaw Mode = "raw"
	// ModeUnprivileged uses ICMP datagram sockets (net.ipv4.ping_group_range) and UDP/TCP sockets
	// with IP_RECVERR, reading ICMP errors from the socket error queue as tracepath does. Quoted
	// TTLs and MPLS labels are not available; TCP probes use one socket, hence one flow, each.
	ModeUnprivileged Mode = "unprivileged"
)

// SocketConfig says what to open for a trace.
type SocketConfig struct {
	Method path.Protocol
	// Dst is the address to trace.
	Dst netip.Addr
	// Port is the UDP/TCP destination port; 0 means 33434 for UDP and 443 for TCP.
	Port int
	// Vary and Flows: see Flow.
	Vary  bool
	Flows int
	Mode  Mode
	// Rand returns random 32-bit values for per-trace identifiers; nil means math/rand/v2.
	Rand func() uint32
}

// DefaultPort returns the destination port used when SocketConfig.Port is 0.
func DefaultPort(m path.Protocol) int {
	switch m {
	case path.ProtoUDP:
		return 33434
	case path.ProtoTCP:
		return 443
	}
	return 0
}

func (c SocketConfig) check() error {
	switch c.Method {
	case path.ProtoICMP, path.ProtoUDP, path.ProtoTCP:
	default:
		return fmt.Errorf("probe method %q: want icmp, udp or tcp", c.Method)
	}
	if !c.Dst.IsValid() {
		return errors.New("no destination address")
	}
	if c.Port < 0 || c.Port > 65535 || c.Port+max(c.Flows, 1)-1 > 65535 {
		return fmt.Errorf("port %d out of range", c.Port)
	}
	switch c.Mode {
	case ModeAuto, ModeRaw, ModeUnprivileged:
	default:
		return fmt.Errorf("socket mode %q: want raw or unprivileged", c.Mode)
	}
	return nil
}

// needPrivilege wraps ErrNeedPrivilege with what the user can do.
func needPrivilege(what string, err error) error {
	return fmt.Errorf("%w: %s: %v; grant the binary raw sockets (sudo setcap cap_net_raw+ep $(command -v hopscope)), "+
		"allow your group ICMP datagram sockets (sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"), "+
		"use --method udp or tcp, or run as root", ErrNeedPrivilege, what, err)
}
