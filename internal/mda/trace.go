package mda

import (
	"context"
	"errors"
	"fmt"
	"time"

	"hopscope/internal/path"
	"hopscope/internal/probe"
)

// Options configure Trace: the algorithm's Config plus what to send and how.
type Options struct {
	Config
	// Method is icmp (the zero value), udp or tcp. UDP varies the destination port from Port up, TCP
	// the source port (raw sockets only), ICMP the checksum and, over IPv6 with raw sockets, the
	// flow label.
	Method path.Protocol
	// Port is the UDP/TCP destination port; 0 means the method's default (probe.DefaultPort).
	Port int
	// Mode chooses raw or unprivileged sockets; the zero value picks what the privileges allow.
	Mode probe.Mode
	// Names names the responders; nil means no reverse lookups.
	Names probe.Namer
	// NameWait bounds the wait for names once the probes are done; 0 means 2 s.
	NameWait time.Duration
	// Rand returns random 32-bit values for per-trace identifiers; nil means math/rand/v2.
	Rand func() uint32
}

// ErrTCPNeedsRaw means MDA over TCP was asked for without raw sockets: the unprivileged mode opens a
// connection per probe, whose source port (the flow) the kernel picks, so no flow can be sent again.
var ErrTCPNeedsRaw = errors.New("MDA over TCP needs raw sockets (CAP_NET_RAW): unprivileged TCP probes cannot repeat a flow")

// Trace enumerates the load-balanced paths to target.Addr from this host (see Run) over the trace
// engine's sockets, and returns them in the path model with the target, protocol, source and socket
// notes filled in as probe.Run does. A zero MaxFlows means 1024 for UDP and ICMP (destination ports
// 33434..34457 by default, checksums) and Config's 256 for TCP, whose raw mode reserves a socket per
// source port.
func Trace(ctx context.Context, target path.Target, opts Options) (*path.Trace, error) {
	if opts.Method == path.ProtoUnknown {
		opts.Method = path.ProtoICMP
	}
	if opts.MaxFlows == 0 && opts.Method != path.ProtoTCP {
		// UDP ports and ICMP checksums are plentiful; TCP reserves a socket per source port.
		opts.MaxFlows = 1024
	}
	cfg, err := opts.Config.withDefaults()
	if err != nil {
		return nil, err
	}
	if opts.Method == path.ProtoTCP && opts.Mode == probe.ModeUnprivileged {
		return nil, ErrTCPNeedsRaw
	}
	sock, err := probe.OpenSocket(probe.SocketConfig{Method: opts.Method, Dst: target.Addr, Port: opts.Port, Vary: true,
		Flows: cfg.MaxFlows, Mode: opts.Mode, Rand: opts.Rand})
	if err != nil {
		return nil, err
	}
	defer sock.Close()
	if opts.Method == path.ProtoTCP && sock.Mode() != probe.ModeRaw {
		return nil, ErrTCPNeedsRaw
	}
	var conn probe.Conn = sock
	if opts.Names != nil {
		conn = prefetchConn{Conn: sock, names: opts.Names}
	}
	tr, err := Run(ctx, conn, cfg)
	if err != nil {
		return nil, err
	}
	flow := sock.Flow()
	tr.Target = target
	tr.Target.Addr = flow.Dst
	if opts.Method != path.ProtoICMP {
		tr.Target.Port = int(flow.DstPort)
	}
	tr.Protocol = opts.Method
	tr.From = flow.Src
	tr.PacketSize = probe.PacketSize(opts.Method, flow.V6())
	tr.Warnings = append(tr.Warnings, notes(opts.Method, flow, sock.Mode())...)
	tr.Meta = map[string]string{"algorithm": "mda"}
	if sock.Mode() == probe.ModeUnprivileged {
		tr.Meta["socket_mode"] = string(probe.ModeUnprivileged)
	}
	if opts.Names != nil {
		wait := opts.NameWait
		if wait == 0 {
			wait = 2 * time.Second
		}
		probe.Name(ctx, tr, opts.Names, wait)
	}
	return tr, nil
}

// notes say what the flows varied and what a reader should know about that.
func notes(m path.Protocol, flow probe.Flow, mode probe.Mode) []string {
	var out []string
	switch m {
	case path.ProtoUDP:
		out = append(out, fmt.Sprintf("MDA flows vary the UDP destination port from %d up", flow.DstPort))
	case path.ProtoTCP:
		out = append(out, fmt.Sprintf("MDA flows vary the TCP source port from %d up", flow.SrcPort))
	case path.ProtoICMP:
		what := "the ICMP checksum"
		if flow.V6() && mode == probe.ModeRaw {
			what += " and the IPv6 flow label"
		}
		out = append(out, "MDA flows vary "+what+"; routers that hash only addresses and ports (Linux among them) keep every ICMP echo on one branch: use -M udp or tcp to see their load balancing")
	}
	return out
}

// prefetchConn starts reverse lookups as soon as a responder is seen, so names are ready when the
// run ends.
type prefetchConn struct {
	probe.Conn
	names probe.Namer
}

func (c prefetchConn) Recv(deadline time.Time) (probe.Reply, error) {
	r, err := c.Conn.Recv(deadline)
	if err == nil && r.From.IsValid() {
		c.names.Prefetch(r.From)
	}
	return r, err
}
