package probe

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"hopscope/internal/path"
)

// Options configure Run: the scheduler's Config plus what to send and how.
type Options struct {
	Config
	// Method is icmp (the zero value), udp or tcp.
	Method path.Protocol
	// Port is the UDP/TCP destination port; 0 means the method's default (DefaultPort).
	Port int
	// Mode chooses raw or unprivileged sockets; the zero value picks what the privileges allow.
	Mode Mode
	// Names names the responders; nil means no reverse lookups.
	Names Namer
	// NameWait bounds the wait for names once the probes are done; 0 means 2 s.
	NameWait time.Duration
	// Rand returns random 32-bit values for per-trace identifiers; nil means math/rand/v2.
	Rand func() uint32
	// PathMTU runs path MTU discovery after the trace (unprivileged UDP probes with DF set, as
	// tracepath sends) and fills Trace.PathMTU; false leaves it nil.
	PathMTU bool
}

// Namer names responders by their addresses (reverse DNS). The engine does no DNS itself: the CLI
// passes the dns stage's PathResolver.
type Namer interface {
	// Prefetch starts looking up a's name in the background; Run calls it for every reply, so it must
	// be cheap for an address already known or under way.
	Prefetch(a netip.Addr)
	// Name returns a's name, waiting for its lookup until ctx ends; "" when a has none.
	Name(ctx context.Context, a netip.Addr) string
}

// Run traces the path to target.Addr and returns it in the path model, target included. The target
// comes resolved: Run reads only its address (and copies the rest into the trace).
func Run(ctx context.Context, target path.Target, opts Options) (*path.Trace, error) {
	if opts.Method == path.ProtoUnknown {
		opts.Method = path.ProtoICMP
	}
	tracer, err := NewTracer(opts.Config)
	if err != nil {
		return nil, err
	}
	sock, err := OpenSocket(SocketConfig{Method: opts.Method, Dst: target.Addr, Port: opts.Port, Vary: opts.Vary,
		Flows: tracer.Flows(), Mode: opts.Mode, Rand: opts.Rand})
	if err != nil {
		return nil, err
	}
	defer sock.Close()
	flow := sock.Flow()
	warnings := flowWarnings(flow, opts)
	var conn Conn = sock
	if opts.Names != nil {
		conn = prefetchConn{Conn: sock, names: opts.Names}
	}
	tr, err := tracer.Run(ctx, conn)
	if err != nil {
		return nil, err
	}
	describe(tr, target, flow, opts, sock.Mode(), warnings)
	if opts.PathMTU {
		tr.PathMTU = discoverPathMTU(ctx, tr, opts)
	}
	nameAll(ctx, tr, opts)
	return tr, nil
}

// NATSkipped is the warning a trace made without raw sockets carries: it cannot look for a NAT.
const NATSkipped = "NAT detection skipped: without raw sockets the packet each ICMP error quotes is not visible (run as root or grant CAP_NET_RAW)"

// flowWarnings are the notes a trace over flow carries about how its flows were kept.
func flowWarnings(flow Flow, opts Options) []string {
	if flow.Vary && !opts.Vary {
		// Unprivileged TCP: one socket, hence one source port, per probe.
		return []string{"unprivileged TCP probes use one connection each, so flows vary per probe (grant CAP_NET_RAW to pin the flow)"}
	}
	return nil
}

// describe fills what the tracer does not know: the target, the protocol, the source, the packet size,
// the flows and the socket mode.
func describe(tr *path.Trace, target path.Target, flow Flow, opts Options, mode Mode, warnings []string) {
	tr.Target = target
	tr.Target.Addr = flow.Dst
	if opts.Method != path.ProtoICMP {
		tr.Target.Port = int(flow.DstPort)
	}
	tr.Protocol = opts.Method
	tr.From = flow.Src
	tr.PacketSize = PacketSize(opts.Method, flow.V6())
	tr.Warnings = append(tr.Warnings, warnings...)
	tr.FlowsVaried = flow.Vary
	if mode == ModeUnprivileged {
		tr.Meta = map[string]string{"socket_mode": string(ModeUnprivileged)}
		if !flow.V6() {
			tr.Warnings = append(tr.Warnings, NATSkipped)
		}
	}
}

// nameAll names the trace's responders through opts.Names, when set, within opts.NameWait.
func nameAll(ctx context.Context, tr *path.Trace, opts Options) {
	if opts.Names == nil {
		return
	}
	wait := opts.NameWait
	if wait == 0 {
		wait = 2 * time.Second
	}
	Name(ctx, tr, opts.Names, wait)
}

// mtuPort is the UDP port path MTU probes go to: traceroute's first port, closed on most hosts.
const mtuPort = 33434

// discoverPathMTU runs DiscoverMTU along the traced path: up to the target's hop (or the last that
// answered), each size waited for 3 × the largest RTT seen (200 ms at least, the timeout at most).
func discoverPathMTU(ctx context.Context, tr *path.Trace, opts Options) *path.PathMTU {
	ttl := mtuTTL(tr)
	if ttl == 0 {
		return &path.PathMTU{Note: "not run: nothing on the path answered"}
	}
	sock, err := OpenMTUSocket(tr.Target.Addr, mtuPort)
	if err != nil {
		return &path.PathMTU{Note: "not run: " + err.Error()}
	}
	defer sock.Close()
	var rtt time.Duration
	for i := range tr.Hops {
		if s := tr.Hops[i].Summarize(netip.Addr{}); s.OK {
			rtt = max(rtt, s.Max)
		}
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = time.Second
	}
	minSize := 68
	if tr.Target.Addr.Is6() && !tr.Target.Addr.Is4In6() {
		minSize = 1280
	}
	// The first probe, of the largest size, fails locally and says the first link's MTU.
	res := DiscoverMTU(ctx, sock, MTUConfig{Start: 65535, TTL: ttl, Wait: min(max(3*rtt, 200*time.Millisecond), timeout),
		Hop: hopOf(tr), Min: minSize, Now: opts.Now})
	if n := tr.NAT; n != nil && res != nil && !res.Complete && res.MTU != 0 && n.TTL <= ttl {
		// Errors from beyond a NAT that leaves their quotes untranslated name an address this host
		// never sent from: the kernel cannot hand them to the socket, so silence there is no black hole.
		res.Note = fmt.Sprintf("nothing beyond hop %d could answer the MTU probes: the NAT before hop %d rewrites them without translating the packets quoted in ICMP errors, so the kernel cannot match those errors to the probe's socket; the MTU beyond hop %d is unknown",
			n.TTL-1, n.TTL, n.TTL-1)
	}
	return res
}

// PacketSize is the size in bytes of the IP packets hopscope sends for method.
func PacketSize(m path.Protocol, v6 bool) int {
	h := ipv4HeaderLen
	if v6 {
		h = ipv6HeaderLen
	}
	if m == path.ProtoTCP {
		return h + tcpHeaderLen
	}
	return h + 8 + PayloadSize
}

// Name fills the responder names that are empty from names, waiting at most timeout in total.
func Name(ctx context.Context, tr *path.Trace, names Namer, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for _, h := range tr.Hops {
		for _, r := range h.Responders {
			names.Prefetch(r.Addr)
		}
	}
	for i := range tr.Hops {
		for j := range tr.Hops[i].Responders {
			r := &tr.Hops[i].Responders[j]
			if r.Name == "" {
				r.Name = names.Name(ctx, r.Addr)
			}
		}
	}
}

// prefetchConn starts reverse lookups as soon as a responder is seen, so names are ready when the trace ends.
type prefetchConn struct {
	Conn
	names Namer
}

func (c prefetchConn) Recv(deadline time.Time) (Reply, error) {
	r, err := c.Conn.Recv(deadline)
	if err == nil && r.From.IsValid() {
		c.names.Prefetch(r.From)
	}
	return r, err
}

// String describes a flow for messages ("udp 10.0.0.2:40000 → 203.0.113.25:33434").
func (f *Flow) String() string {
	if f.Method == path.ProtoICMP {
		return fmt.Sprintf("icmp %v → %v id %d", f.Src, f.Dst, f.ICMPID)
	}
	return fmt.Sprintf("%s %v → %v", f.Method, netip.AddrPortFrom(f.Src, f.SrcPort), netip.AddrPortFrom(f.Dst, f.DstPort))
}
