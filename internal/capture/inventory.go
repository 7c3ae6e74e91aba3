package capture

import (
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
	flows := slices.Clone(a.order)
	slices.SortFunc(flows, func(x, y *flow) int {
		switch {
		case x.first < y.first:
			return -1
		case x.first > y.first:
			return 1
		}
		return int(x.seq - y.seq)
	})
	for i, f := range flows {
		a.finish(f)
		f.id = i + 1 // IDs follow start time, whatever the order flows were created in
	}
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
				inv.Flows[i] = a.flowRecord(flows[i])
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

func (a *Analyzer) flowRecord(f *flow) inventory.Flow {
	out := inventory.Flow{
		ID:          "c" + strconv.Itoa(f.id),
		Client:      f.client,
		Server:      f.server,
		Protocol:    f.v.protocol,
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
		out.Protocol = protoNameUnknown
	}
	if out.Protocol == protoNameUnknown && len(f.first16) > 0 {
		out.FirstBytes = hex.EncodeToString(f.first16)
	}
	if h := f.v.hello; h != nil {
		sni, ver, alpn := helloInfo(h)
		out.TLS = &inventory.TLSInfo{SNI: strings.ToLower(sni), Version: ver, ALPN: alpn}
	}
	switch {
	case f.v.name != "":
		out.Host, out.NameSource = f.v.name, f.v.source
	default:
		if r, ok := a.dns.lookup(f.client.Addr(), f.server.Addr(), f.first); ok {
			out.Host, out.NameSource = r.host, "dns"
			if r.asked != r.host {
				out.AskedName = r.asked
			}
		}
	}
	return out
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
