package capture

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"net/netip"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"hopscope/internal/inventory"
	"hopscope/internal/sniff"
)

// Inventory settles the flows still waiting for bytes and returns every flow, named by the strongest
// evidence seen: TLS SNI, QUIC Initial SNI, HTTP Host, then the client's earlier DNS answers for the server
// address (within their TTL). origin names the file or interface. Flows are ordered by start time.
func (a *Analyzer) Inventory(origin string) *inventory.Inventory {
	inv := &inventory.Inventory{Source: "capture", Origin: origin}
	if a.first != 0 {
		inv.Started = time.Unix(0, a.first).UTC()
		inv.Ended = time.Unix(0, a.last).UTC()
	}
	flows := startOrder(a.order)
	for i, f := range flows {
		a.finish(f)
		f.id = i + 1 // IDs follow start time, whatever the order flows were created in
	}
	ids := flowIDs(len(flows))
	// Building the records only reads the analyzer: large inventories are built in parallel.
	inv.Flows = make([]inventory.Flow, len(flows))
	parts := 1
	if len(flows) >= 20000 {
		parts = min(runtime.GOMAXPROCS(0), 8)
	}
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*len(flows)/parts, (p+1)*len(flows)/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				a.flowRecord(&inv.Flows[i], flows[i], ids[i])
			}
		}()
	}
	wg.Wait()
	inv.Warnings = append(inv.Warnings, a.warnings...)
	if s := a.stats; s.Truncated > 0 {
		inv.Warnings = append(inv.Warnings, fmt.Sprintf("%d packets were cut inside a header (snap length or corruption) and skipped", s.Truncated))
	}
	return inv
}

// startOrder returns flows ordered by their first packet's time, then by capture order. Flows are created
// in capture order, so a capture whose timestamps never go back needs no sort; otherwise the keys are
// sorted apart from the flows (a flow is a few hundred bytes, a key 24).
func startOrder(order []*flow) []*flow {
	less := func(x, y *flow) bool { return x.first < y.first || x.first == y.first && x.seq < y.seq }
	sorted := true
	for i := 1; i < len(order) && sorted; i++ {
		sorted = !less(order[i], order[i-1])
	}
	if sorted {
		return slices.Clone(order)
	}
	type sortKey struct {
		first, seq int64
		f          *flow
	}
	keys := make([]sortKey, len(order))
	for i, f := range order {
		keys[i] = sortKey{f.first, f.seq, f}
	}
	slices.SortFunc(keys, func(x, y sortKey) int {
		if x.first != y.first {
			return cmp.Compare(x.first, y.first)
		}
		return cmp.Compare(x.seq, y.seq)
	})
	out := make([]*flow, len(order))
	for i := range keys {
		out[i] = keys[i].f
	}
	return out
}

// flowIDs returns the IDs "c1" … "cN", cut from one string rather than allocated one by one.
func flowIDs(n int) []string {
	buf := make([]byte, 0, n*8)
	ends := make([]int, n)
	for i := range n {
		buf = append(buf, 'c')
		buf = strconv.AppendInt(buf, int64(i+1), 10)
		ends[i] = len(buf)
	}
	all := string(buf)
	ids := make([]string, n)
	start := 0
	for i, end := range ends {
		ids[i], start = all[start:end], end
	}
	return ids
}

// flowRecord fills out, a zero record, with f's inventory entry.
func (a *Analyzer) flowRecord(out *inventory.Flow, f *flow, id string) {
	*out = inventory.Flow{
		ID:          id,
		Client:      f.client,
		Server:      f.server,
		Protocol:    f.v.Protocol,
		Start:       time.Unix(0, f.first).UTC(),
		Duration:    time.Duration(f.last - f.first),
		BytesUp:     f.bytes[0],
		BytesDown:   f.bytes[1],
		PacketsUp:   f.pkts[0],
		PacketsDown: f.pkts[1],
	}
	if f.proto == protoTCP {
		out.Transport = "tcp"
		out.HandshakeRTT, out.HasHandshakeRTT = time.Duration(f.rtt), f.hasRTT
	} else {
		out.Transport = "udp"
	}
	if out.Protocol == "" {
		out.Protocol = sniff.Unknown
	}
	if out.Protocol == sniff.Unknown && len(f.first16) > 0 {
		out.FirstBytes = hex.EncodeToString(f.first16)
	}
	if h := f.v.Hello; h != nil {
		sni, ver, alpn := helloInfo(h)
		out.TLS = &inventory.TLSInfo{SNI: strings.ToLower(sni), Version: ver, ALPN: alpn}
	}
	switch {
	case f.v.Name != "":
		out.Host, out.NameSource = f.v.Name, f.v.Source
	default:
		if r, ok := a.dns.lookup(f.client.Addr(), f.server.Addr(), f.first); ok {
			out.Host, out.NameSource = r.host, "dns"
			if r.asked != r.host {
				out.AskedName = r.asked
			}
		}
	}
}

// DNSName returns what the client's DNS answers said about server before at: the name asked, the name
// owning the address record and the alias chain between them (nil without aliases). ok is false when no
// answer within its TTL gave client that address.
func (a *Analyzer) DNSName(client, server netip.Addr, at time.Time) (asked, host string, chain []string, ok bool) {
	r, ok := a.dns.lookup(client, server, at.UnixNano())
	if !ok {
		return "", "", nil, false
	}
	return r.asked, r.host, r.chain, true
}
