package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"hopscope/internal/capture/quic"
	"hopscope/internal/capture/reasm"
	"hopscope/internal/sniff"
)

// Config tunes an Analyzer. The zero value works.
type Config struct {
	// MaxStreamBytes is how many leading bytes of each direction of a TCP stream are reassembled for
	// recognition; 0 means 16 KiB.
	MaxStreamBytes int
	// MaxReassemblyBytes bounds the memory held by all reassembly buffers together; flows that start while
	// the bound is reached are recognised from their first segment only. 0 means 256 MiB.
	MaxReassemblyBytes int64
	// MaxFlows bounds the flow table; packets of new flows beyond it are counted but not tracked.
	// 0 means 4 million.
	MaxFlows int
	// MaxQUICPackets is how many client datagrams of a QUIC flow are tried for Initial packets; 0 means 16.
	MaxQUICPackets int
	// Filter selects the packets analysed; nil means all.
	Filter *Filter
	// ExpectedFlows sizes the flow table up front; 0 means grow as needed.
	ExpectedFlows int
	// Workers is how many goroutines own flows when ReadFile reads an uncompressed pcap or pcapng file of at
	// least 32 MiB (one more walks the file and decodes each record for its shard; the result is the
	// same as one goroutine's). 0 means one per CPU (GOMAXPROCS); 1 means the calling goroutine alone.
	Workers int
}

func (c Config) withDefaults() Config {
	if c.MaxStreamBytes <= 0 {
		c.MaxStreamBytes = 16 << 10
	}
	if c.MaxReassemblyBytes <= 0 {
		c.MaxReassemblyBytes = 256 << 20
	}
	if c.MaxFlows <= 0 {
		c.MaxFlows = 4 << 20
	}
	if c.MaxQUICPackets <= 0 {
		c.MaxQUICPackets = 16
	}
	return c
}

// Stats counts what the analyzer saw.
type Stats struct {
	Packets, Bytes int64
	// Transport counts TCP and UDP packets attributed to flows; Fragments counts later IP fragments added
	// to the flow of their datagram's first fragment; OtherIP counts other IP packets (and later fragments
	// whose first fragment was not seen); NotIP counts non-IP frames; Truncated counts frames cut inside a
	// header; UnknownLink counts frames of unsupported link types; Untracked counts packets of flows
	// beyond MaxFlows; Filtered counts packets the filter rejected.
	Transport, Fragments, OtherIP, NotIP, Truncated, UnknownLink, Untracked, Filtered int64
	// Flows is the number of flows tracked.
	Flows int
}

// flowKey identifies a flow regardless of direction: endpoint a sorts before endpoint b.
type flowKey struct {
	a, b   [16]byte
	pa, pb uint16
	proto  uint8
}

// flow is one 5-tuple's state. Direction 0 is client→server.
type flow struct {
	id int
	// seq is the capture-wide number of the flow's first packet.
	seq            int64
	client, server netip.AddrPort
	// clientIsA says which key endpoint is the client.
	clientIsA bool
	proto     uint8
	first     int64
	last      int64
	bytes     [2]int64
	pkts      [2]int64

	// TCP handshake timing (ns since epoch; 0 = not seen).
	synAt, synAckAt, rtt int64
	hasRTT               bool
	closed               bool
	base                 [2]uint32
	haveBase             [2]bool

	decided    bool
	v          sniff.Verdict
	first16    []byte // up to 16 leading bytes, in first16buf
	first16buf [16]byte
	streams    [2]*reasm.Buffer
	quic       *quic.Assembler
	udpSeen    int
	// isDNS is set when the flow carries DNS; its responses feed the name cache.
	isDNS bool
	// dnsOff is how far the server stream of DNS over TCP has been parsed.
	dnsOff int
}

// Analyzer turns packets into named flows. It is not safe for concurrent use.
type Analyzer struct {
	cfg      Config
	flows    map[flowKey]*flow
	order    []*flow
	pkt      packet
	stats    Stats
	buffered int64
	dns      dnsCache
	warnings []string
	warned   map[string]bool
	first    int64
	last     int64
	// slab hands out flows in blocks to spare one allocation per flow.
	slab []flow
	// dnsScratch is reused for the answers of each DNS response.
	dnsScratch []dnsAnswer
	// frags maps fragmented datagrams to the flow of their first fragment.
	frags fragTable[flowDir]
	// lastKey and lastFlow are the flow of the previous packet (lastFlow nil before the first).
	lastKey  flowKey
	lastFlow *flow
}

// NewAnalyzer returns an Analyzer with cfg's limits.
func NewAnalyzer(cfg Config) *Analyzer {
	return &Analyzer{
		cfg:    cfg.withDefaults(),
		flows:  make(map[flowKey]*flow, min(max(cfg.ExpectedFlows, 64), 1<<20)),
		warned: map[string]bool{},
	}
}

// warn records a warning once per distinct text.
func (a *Analyzer) warn(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if a.warned[s] || len(a.warnings) >= 50 {
		return
	}
	a.warned[s] = true
	a.warnings = append(a.warnings, s)
}

// Warn adds a warning from the packet source (a truncated file, dropped packets).
func (a *Analyzer) Warn(s string) {
	if !a.warned[s] {
		a.warned[s] = true
		a.warnings = append(a.warnings, s)
	}
}

// Stats returns the counters so far.
func (a *Analyzer) Stats() Stats {
	s := a.stats
	s.Flows = len(a.order)
	return s
}

// Packet analyses one captured frame: ts is the capture time in nanoseconds since the Unix epoch, wireLen
// the frame's length on the wire (at least len(data)). data is not retained.
func (a *Analyzer) Packet(link LinkType, ts int64, data []byte, wireLen int) {
	a.count(ts, wireLen)
	p := &a.pkt
	switch st := decode(link, data, p); st {
	case decodedTransport:
	case decodedFragment:
		a.laterFragment(ts, p, int64(wireLen))
		return
	default:
		a.untransported(st, link)
		return
	}
	if a.cfg.Filter != nil && !a.cfg.Filter.match(p) {
		a.stats.Filtered++
		return
	}
	a.stats.Transport++
	k, srcIsA := key(p)
	a.handle(ts, p, int64(wireLen), k, srcIsA, a.stats.Packets)
}

// count adds one captured frame to the totals and the capture's time span.
func (a *Analyzer) count(ts int64, wireLen int) {
	a.stats.Packets++
	a.stats.Bytes += int64(wireLen)
	if a.first == 0 || ts < a.first {
		a.first = ts
	}
	if ts > a.last {
		a.last = ts
	}
}

// untransported counts a frame that decoding did not take to a TCP or UDP flow.
func (a *Analyzer) untransported(st decodeStatus, link LinkType) {
	switch st {
	case decodedOtherIP:
		a.stats.OtherIP++
	case decodedNotIP:
		a.stats.NotIP++
	case decodedTruncated:
		a.stats.Truncated++
	default:
		a.stats.UnknownLink++
		if a.stats.UnknownLink == 1 {
			a.warn("link type %d is not supported; its packets were skipped", link)
		}
	}
}

// key builds the direction-free key of p and reports whether p's source is endpoint a.
func key(p *packet) (flowKey, bool) {
	k := flowKey{proto: p.proto}
	srcFirst := false
	switch c := compare16(&p.src, &p.dst); {
	case c < 0:
		srcFirst = true
	case c == 0:
		srcFirst = p.sport <= p.dport
	}
	if srcFirst {
		k.a, k.b, k.pa, k.pb = p.src, p.dst, p.sport, p.dport
	} else {
		k.a, k.b, k.pa, k.pb = p.dst, p.src, p.dport, p.sport
	}
	return k, srcFirst
}

func compare16(x, y *[16]byte) int {
	a0, b0 := binary.BigEndian.Uint64(x[:8]), binary.BigEndian.Uint64(y[:8])
	if a0 != b0 {
		if a0 < b0 {
			return -1
		}
		return 1
	}
	a1, b1 := binary.BigEndian.Uint64(x[8:]), binary.BigEndian.Uint64(y[8:])
	switch {
	case a1 < b1:
		return -1
	case a1 > b1:
		return 1
	}
	return 0
}

func addrOf(b [16]byte, v6 bool) netip.Addr {
	if v6 {
		return netip.AddrFrom16(b)
	}
	return netip.AddrFrom4([4]byte{b[0], b[1], b[2], b[3]})
}

// servicePort reports whether port is a well-known service port, used to guess the client when the
// flow's first packet does not say (no SYN seen).
func servicePort(port uint16) bool {
	switch port {
	case 53, 80, 443, 853, 5353, 8080, 8443, 1900, 123, 22, 25, 587, 993, 995, 5228, 8883, 3478, 19302:
		return true
	}
	return port < 1024
}

// handle updates the flow of a decoded packet; k and srcIsA come from key(p), seq is the packet's
// number in the capture (it orders flows that start at the same time).
func (a *Analyzer) handle(ts int64, p *packet, wire int64, k flowKey, srcIsA bool, seq int64) {
	// Packets come in runs of one flow more often than not: the last flow found spares a map look-up
	// (a cache miss in a table of a few hundred thousand flows).
	f := a.lastFlow
	if f == nil || a.lastKey != k {
		f = a.flows[k]
	}
	if f != nil && p.proto == protoTCP && p.flags&(tcpSYN|tcpACK) == tcpSYN && f.closed {
		// A new connection reusing a finished 5-tuple.
		f = nil
	}
	if f == nil {
		if len(a.order) >= a.cfg.MaxFlows {
			a.stats.Untracked++
			if a.stats.Untracked == 1 {
				a.warn("more than %d flows: later flows were not tracked", a.cfg.MaxFlows)
			}
			return
		}
		f = a.newFlow(k, srcIsA, ts, p)
		f.seq = seq
		a.flows[k] = f
	}
	a.lastKey, a.lastFlow = k, f
	dir := 0
	if srcIsA != f.clientIsA {
		dir = 1
	}
	if p.firstFragment {
		a.frags.add(fragKeyOf(p), flowDir{f, dir}, ts)
	}
	f.bytes[dir] += wire
	f.pkts[dir]++
	if ts > f.last {
		f.last = ts
	}
	if p.proto == protoTCP {
		a.tcp(f, dir, ts, p)
	} else {
		a.udp(f, dir, ts, p)
	}
}

func (a *Analyzer) newFlow(k flowKey, srcIsA bool, ts int64, p *packet) *flow {
	srcIsClient := true
	if p.proto == protoTCP && p.flags&tcpSYN != 0 {
		srcIsClient = p.flags&tcpACK == 0
	} else if servicePort(p.sport) && !servicePort(p.dport) {
		srcIsClient = false
	} else if servicePort(p.sport) && servicePort(p.dport) && p.sport < p.dport {
		srcIsClient = false
	}
	if len(a.slab) == 0 {
		a.slab = make([]flow, 256)
	}
	// Whoever sends to a multicast or broadcast address asks; a multicast source never does.
	group := func(b *[16]byte) bool {
		return p.v6 && b[0] == 0xff || !p.v6 && (b[0] >= 224 && b[0] < 240 || b[0] == 255 && b[3] == 255)
	}
	switch {
	case group(&p.dst):
		srcIsClient = true
	case group(&p.src):
		srcIsClient = false
	}
	f := &a.slab[0]
	a.slab = a.slab[1:]
	*f = flow{id: len(a.order) + 1, proto: p.proto, first: ts, last: ts}
	src := netip.AddrPortFrom(addrOf(p.src, p.v6), p.sport)
	dst := netip.AddrPortFrom(addrOf(p.dst, p.v6), p.dport)
	if srcIsClient {
		f.client, f.server, f.clientIsA = src, dst, srcIsA
	} else {
		f.client, f.server, f.clientIsA = dst, src, !srcIsA
	}
	a.order = append(a.order, f)
	return f
}

func (a *Analyzer) tcp(f *flow, dir int, ts int64, p *packet) {
	fl := p.flags
	switch {
	case fl&(tcpSYN|tcpACK) == tcpSYN && dir == 0:
		f.synAt, f.synAckAt, f.hasRTT = ts, 0, false
		f.base[0], f.haveBase[0] = p.seq+1, true
	case fl&(tcpSYN|tcpACK) == tcpSYN|tcpACK && dir == 1:
		if f.synAt != 0 && f.synAckAt == 0 {
			f.synAckAt = ts
			f.rtt, f.hasRTT = ts-f.synAt, true
		}
		f.base[1], f.haveBase[1] = p.seq+1, true
	case fl&tcpSYN == 0 && fl&tcpACK != 0 && dir == 0 && f.synAckAt != 0 && f.synAt != 0 && f.rtt == f.synAckAt-f.synAt && len(p.payload) == 0:
		// The client's ACK completes the handshake: SYN→SYN/ACK→ACK as seen here.
		f.rtt = ts - f.synAt
	}
	if fl&(tcpFIN|tcpRST) != 0 {
		f.closed = true
	}
	if f.decided && f.isDNS && dir == 1 && len(p.payload) > 0 {
		a.dnsOverTCP(f, ts, p)
		return
	}
	if f.decided || len(p.payload) == 0 {
		return
	}
	if !f.haveBase[dir] {
		// No SYN seen: the stream starts with the first data we see.
		f.base[dir], f.haveBase[dir] = p.seq, true
	}
	off := int64(int32(p.seq - f.base[dir]))
	if off < 0 {
		return
	}
	if f.first16 == nil && dir == 0 && off == 0 {
		f.first16 = append(f.first16buf[:0], p.payload[:min(16, len(p.payload))]...)
	}
	// Fast path: the whole first segment settles it.
	if f.streams[0] == nil && f.streams[1] == nil && off == 0 {
		var c, s []byte
		if dir == 0 {
			c = p.payload
		} else {
			s = p.payload
		}
		v, more := sniff.Stream(c, s, false)
		if !more {
			a.decide(f, v)
			return
		}
	}
	b := f.streams[dir]
	if b == nil {
		if a.buffered+int64(a.cfg.MaxStreamBytes) > a.cfg.MaxReassemblyBytes {
			a.warn("reassembly memory limit (%d bytes) reached: some flows were recognised from their first segment only", a.cfg.MaxReassemblyBytes)
			c, s := p.payload, []byte(nil)
			if dir == 1 {
				c, s = nil, p.payload
			}
			v, _ := sniff.Stream(c, s, true)
			a.decide(f, v)
			return
		}
		b = &reasm.Buffer{Max: a.cfg.MaxStreamBytes}
		f.streams[dir] = b
	}
	before := b.Buffered()
	b.Write(off, p.payload)
	a.buffered += int64(b.Buffered() - before)
	c, s := f.contiguous()
	full := (f.streams[0] != nil && f.streams[0].Full()) || (len(c) == 0 && f.streams[1] != nil && f.streams[1].Full())
	v, more := sniff.Stream(c, s, full)
	if !more {
		a.decide(f, v)
	}
}

func (f *flow) contiguous() (c, s []byte) {
	if f.streams[0] != nil {
		c = f.streams[0].Contiguous()
	}
	if f.streams[1] != nil {
		s = f.streams[1].Contiguous()
	}
	return c, s
}

// decide records the verdict and frees the flow's buffers, except that DNS over TCP keeps reading the
// server's answers.
func (a *Analyzer) decide(f *flow, v sniff.Verdict) {
	f.decided = true
	f.v = v
	if v.Err != nil {
		a.warn("flow %s → %s: %v", f.client, f.server, v.Err)
	}
	if v.Protocol == sniff.DNS && f.proto == protoTCP {
		f.isDNS = true
		// Keep the server's side: its answers name later flows.
		if f.streams[0] != nil {
			a.buffered -= int64(f.streams[0].Buffered())
			f.streams[0].Release()
			f.streams[0] = nil
		}
		if f.quic != nil {
			f.quic.Release()
			f.quic = nil
		}
		if s := f.streams[1]; s != nil {
			a.parseTCPDNS(f, f.last)
		}
		return
	}
	a.release(f)
}

func (a *Analyzer) release(f *flow) {
	for i, b := range f.streams {
		if b != nil {
			a.buffered -= int64(b.Buffered())
			b.Release()
			f.streams[i] = nil
		}
	}
	if f.quic != nil {
		f.quic.Release()
		f.quic = nil
	}
}

func (a *Analyzer) udp(f *flow, dir int, ts int64, p *packet) {
	pl := p.payload
	// DNS answers feed the name cache for as long as the flow lasts.
	if (f.isDNS || !f.decided) && len(pl) >= 12 && udpDNS(p, pl, true) {
		a.dnsResponse(f, dir, ts, pl)
		if !f.decided {
			a.decide(f, sniff.Verdict{Protocol: sniff.DNS})
			f.isDNS = true
		}
		return
	}
	if f.decided || len(pl) == 0 {
		return
	}
	if dir != 0 {
		if f.pkts[0] == 0 && f.udpSeen == 0 && len(f.first16) == 0 {
			// The server spoke first and we never saw the client: keep its bytes for "unknown".
			f.first16 = append(f.first16buf[:0], pl[:min(16, len(pl))]...)
		}
		return
	}
	f.udpSeen++
	if f.first16 == nil {
		f.first16 = append(f.first16buf[:0], pl[:min(16, len(pl))]...)
	}
	switch {
	case udpDNS(p, pl, false):
		f.isDNS = true
		a.decide(f, sniff.Verdict{Protocol: sniff.DNS})
		return
	case f.quic != nil || quic.IsLongHeader(pl):
		if f.quic == nil {
			f.quic = &quic.Assembler{}
		}
		done, err := f.quic.Add(pl)
		if done {
			h := f.quic.Hello()
			v := sniff.Verdict{Protocol: sniff.QUIC, Hello: &h}
			if h.ServerName != "" {
				v.Name, v.Source = normName(h.ServerName), "quic-sni"
			}
			a.decide(f, v)
			return
		}
		if err != nil && !errors.Is(err, quic.ErrNotInitial) {
			a.warn("flow %s → %s: %v", f.client, f.server, err)
		}
		if f.udpSeen >= a.cfg.MaxQUICPackets {
			a.decide(f, sniff.Verdict{Protocol: sniff.QUIC, Err: errors.New("no complete ClientHello in the first Initial packets")})
		}
		return
	}
	a.decide(f, sniff.Verdict{Protocol: sniff.Unknown})
}

// finish settles flows still waiting for bytes at the end of the capture.
func (a *Analyzer) finish(f *flow) {
	if f.decided {
		return
	}
	switch {
	case f.quic != nil:
		v := sniff.Verdict{Protocol: sniff.QUIC}
		a.decide(f, v)
	case f.proto == protoTCP && (f.streams[0] != nil || f.streams[1] != nil):
		c, s := f.contiguous()
		v, _ := sniff.Stream(c, s, true)
		a.decide(f, v)
	case len(f.first16) > 0:
		a.decide(f, sniff.Verdict{Protocol: sniff.Unknown})
	default:
		f.decided = true // no payload seen: protocol stays unknown without bytes
		f.v = sniff.Verdict{Protocol: sniff.Unknown}
	}
}

// helloInfo turns a parsed ClientHello into the inventory's TLS details.
func helloInfo(h *sniff.ClientHello) (sni, version string, alpn []string) {
	return h.ServerName, h.MaxVersion(), h.ALPN
}

// udpDNS reports whether a UDP payload is a DNS query (response false) or response. NetBIOS name
// service (port 137) shares the format and is not DNS; mDNS responses (port 5353) carry no question.
func udpDNS(p *packet, pl []byte, response bool) bool {
	if p.sport == 137 || p.dport == 137 {
		return false
	}
	if sniff.IsDNSMessage(pl, response) {
		return true
	}
	if (p.sport == 5353 || p.dport == 5353) && len(pl) >= 12 {
		if response {
			return pl[2]&0x80 != 0 && pl[4] == 0 && pl[5] == 0 && (pl[6] != 0 || pl[7] != 0)
		}
		return pl[2]&0x80 == 0 && (pl[4] != 0 || pl[5] != 0) // queries may carry known answers
	}
	return false
}
