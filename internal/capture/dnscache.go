package capture

import (
	"net/netip"
	"slices"

	"hopscope/internal/capture/reasm"
)

// dnsKey is a client and an address a DNS answer gave it (16-byte forms, so the map holds no pointers).
type dnsKey struct {
	client, addr [16]byte
}

func dnsKeyOf(client, addr netip.Addr) dnsKey {
	return dnsKey{client: client.As16(), addr: addr.As16()}
}

// dnsRecord is one answer as the client saw it; prev links to the previous record of the same key.
type dnsRecord struct {
	key         dnsKey
	at, expires int64
	asked, host string
	chain       []string
	prev        int32
}

// dnsCache remembers which names each client's DNS answers mapped to which addresses.
type dnsCache struct {
	head map[dnsKey]int32 // newest record index + 1
	recs []dnsRecord
	// names interns host names: the same few names recur in every answer.
	names map[string]string
}

// maxDNSRecords bounds the cache; answers beyond it are dropped.
const maxDNSRecords = 1 << 20

// internBytes returns the interned string equal to b, allocating only for a new name.
func (c *dnsCache) internBytes(b []byte) string {
	if v, ok := c.names[string(b)]; ok {
		return v
	}
	return c.intern(string(b))
}

func (c *dnsCache) intern(s string) string {
	if v, ok := c.names[s]; ok {
		return v
	}
	if c.names == nil {
		c.names = map[string]string{}
	}
	c.names[s] = s
	return s
}

func (c *dnsCache) add(client netip.Addr, at int64, ans dnsAnswer) {
	if len(c.recs) >= maxDNSRecords {
		return
	}
	if c.head == nil {
		c.head = map[dnsKey]int32{}
	}
	ttl := int64(max(ans.ttl, 1))
	k := dnsKeyOf(client, ans.addr)
	h := c.head[k]
	for i := h; i > 0; i = c.recs[i-1].prev {
		r := &c.recs[i-1]
		if r.asked == ans.asked && r.host == ans.host && r.at <= at && at <= r.expires {
			// The same answer again while the first was valid: one record covers both. (Moving "at"
			// would unname flows that started between the two answers.)
			r.expires = max(r.expires, at+ttl*1e9)
			return
		}
	}
	c.recs = append(c.recs, dnsRecord{key: k, at: at, expires: at + ttl*1e9, asked: c.intern(ans.asked), host: c.intern(ans.host), chain: ans.chain, prev: h})
	c.head[k] = int32(len(c.recs))
}

// merge adds every record of o (another shard's cache).
func (c *dnsCache) merge(o *dnsCache) {
	if c.head == nil {
		c.head = make(map[dnsKey]int32, len(o.head))
	}
	c.recs = slices.Grow(c.recs, min(len(o.recs), maxDNSRecords-len(c.recs)))
	for _, r := range o.recs {
		if len(c.recs) >= maxDNSRecords {
			return
		}
		r.asked, r.host = c.intern(r.asked), c.intern(r.host)
		r.prev = c.head[r.key]
		c.recs = append(c.recs, r)
		c.head[r.key] = int32(len(c.recs))
	}
}

// lookup returns the most recent answer that gave client the address addr before at and was still within
// its TTL at that time.
func (c *dnsCache) lookup(client, addr netip.Addr, at int64) (dnsRecord, bool) {
	best := int32(0)
	for i := c.head[dnsKeyOf(client, addr)]; i > 0; i = c.recs[i-1].prev {
		r := &c.recs[i-1]
		if r.at <= at && at <= r.expires && (best == 0 || r.at > c.recs[best-1].at) {
			best = i
		}
	}
	if best == 0 {
		return dnsRecord{}, false
	}
	return c.recs[best-1], true
}

// dnsResponse records the answers of a DNS response carried in flow f (UDP) in direction dir.
func (a *Analyzer) dnsResponse(f *flow, dir int, ts int64, msg []byte) {
	// The receiver of the response is the client that asked.
	client := f.client.Addr()
	if dir == 0 {
		client = f.server.Addr()
	}
	if client.IsMulticast() || client.IsUnspecified() {
		return // mDNS announcements are not answers to this host's questions
	}
	ans, err := appendDNSAnswers(a.dnsScratch, msg, a.dns.internBytes)
	a.dnsScratch = ans[:0]
	if err != nil {
		a.warn("flow %s ↔ %s: %v", f.client, f.server, err)
		return
	}
	for _, x := range ans {
		a.dns.add(client, ts, x)
	}
}

// dnsOverTCP adds server bytes of a DNS-over-TCP flow and parses the complete messages.
func (a *Analyzer) dnsOverTCP(f *flow, ts int64, p *packet) {
	if !f.haveBase[1] {
		f.base[1], f.haveBase[1] = p.seq, true
	}
	off := int64(int32(p.seq - f.base[1]))
	if off < 0 {
		return
	}
	b := f.streams[1]
	if b == nil {
		if a.buffered+int64(a.cfg.MaxStreamBytes) > a.cfg.MaxReassemblyBytes {
			return
		}
		b = &reasm.Buffer{Max: a.cfg.MaxStreamBytes}
		f.streams[1] = b
	}
	before := b.Buffered()
	b.Write(off, p.payload)
	a.buffered += int64(b.Buffered() - before)
	a.parseTCPDNS(f, ts)
}

func (a *Analyzer) parseTCPDNS(f *flow, ts int64) {
	b := f.streams[1]
	c := b.Contiguous()
	for len(c)-f.dnsOff >= 2 {
		n := int(c[f.dnsOff])<<8 | int(c[f.dnsOff+1])
		if len(c)-f.dnsOff-2 < n {
			break
		}
		ans, err := appendDNSAnswers(a.dnsScratch, c[f.dnsOff+2:f.dnsOff+2+n], a.dns.internBytes)
		a.dnsScratch = ans[:0]
		if err != nil {
			a.warn("flow %s → %s: %v", f.client, f.server, err)
		}
		for _, x := range ans {
			a.dns.add(f.client.Addr(), ts, x)
		}
		f.dnsOff += 2 + n
	}
	if b.Full() {
		a.buffered -= int64(b.Buffered())
		b.Release()
		f.streams[1] = nil
		f.isDNS = false // stop: the window is used up
	}
}
