package probe

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"hopscope/internal/path"
)

// MTUKind is what became of one path MTU probe.
type MTUKind int

// Outcomes of a path MTU probe.
const (
	// MTUTimeout: nothing came back before the deadline.
	MTUTimeout MTUKind = iota
	// MTUPassed: the probe crossed every link up to its TTL (time exceeded there, or the target answered).
	MTUPassed
	// MTUTooBig: a router (or the local stack, when From is invalid) could not forward the probe and
	// reported the next link's MTU (ICMP fragmentation needed, ICMPv6 packet too big, local EMSGSIZE).
	MTUTooBig
)

// MTUReply is the outcome of one path MTU probe.
type MTUReply struct {
	Kind MTUKind
	// From is the router that answered; invalid for a local EMSGSIZE and for a timeout.
	From netip.Addr
	// MTU is the next-hop MTU reported with MTUTooBig; 0 when the router did not say (RFC 1191 §4
	// predates the field), then the next plateau below the probe's size is tried.
	MTU int
}

// MTUProber sends one probe that must not be fragmented (DF set; IPv6 never fragments in routers).
type MTUProber interface {
	// ProbeMTU sends a probe of size bytes, IP header included, with the given TTL, and returns
	// what came back for it before deadline (MTUTimeout when nothing did).
	ProbeMTU(size, ttl int, deadline time.Time) (MTUReply, error)
}

// MTUConfig says how far and how long to probe.
type MTUConfig struct {
	// Start is the first size tried: the first link's MTU when known, or a size too large for any
	// link (65535), which the local stack refuses, saying the first link's MTU. Required.
	Start int
	// TTL is the TTL of the probes: the target's hop, or the last hop that answers. Required.
	TTL int
	// Wait is how long one probe is waited for; 0 means 1 s.
	Wait time.Duration
	// Hop names the hop of a router's address (its TTL in the trace); nil, or 0, means unknown.
	Hop func(netip.Addr) int
	// Min is the smallest size worth trying; 0 means 68 (IPv4's minimum), use 1280 for IPv6.
	Min int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// plateaus are the RFC 1191 §7 MTU plateaus, tried when a router reports no next-hop MTU.
var plateaus = []int{65535, 32000, 17914, 8166, 4352, 2002, 1492, 1280, 1006, 508, 296, 68}

// nextPlateau returns the largest plateau below size (min when none is at least min).
func nextPlateau(size, minSize int) int {
	for _, p := range plateaus {
		if p < size && p >= minSize {
			return p
		}
	}
	return minSize
}

// DiscoverMTU finds the path MTU up to cfg.TTL as tracepath does: it sends a probe of the current
// size with DF set toward the end of the path; a router that cannot forward it answers with its next
// link's MTU, which becomes the next size, until a probe crosses the whole path. Each size gets two
// tries; when neither is answered, discovery stops there (the ICMP errors may be filtered, a PMTU
// black hole) and says so in Note. It takes about one round trip per drop, plus one.
func DiscoverMTU(ctx context.Context, p MTUProber, cfg MTUConfig) *path.PathMTU {
	if cfg.Wait == 0 {
		cfg.Wait = time.Second
	}
	if cfg.Min == 0 {
		cfg.Min = 68
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	res := &path.PathMTU{Local: cfg.Start, MTU: cfg.Start}
	if cfg.Start < cfg.Min || cfg.TTL < 1 {
		res.MTU, res.Note = 0, fmt.Sprintf("not run: start size %d or ttl %d out of range", cfg.Start, cfg.TTL)
		return res
	}
	size, tries := cfg.Start, 0
	// Each answered probe lowers the size or ends discovery; bound the loop all the same.
	for range 2 * len(plateaus) {
		if err := ctx.Err(); err != nil {
			res.Note = fmt.Sprintf("stopped at %d bytes: %v", size, err)
			return res
		}
		r, err := p.ProbeMTU(size, cfg.TTL, cfg.Now().Add(cfg.Wait))
		if err != nil {
			res.Note = fmt.Sprintf("stopped at %d bytes: %v", size, err)
			return res
		}
		switch r.Kind {
		case MTUPassed:
			res.MTU, res.Complete = size, true
			return res
		case MTUTimeout:
			if tries++; tries < 2 {
				continue
			}
			res.MTU = size
			res.Note = fmt.Sprintf("no answer to %d-byte probes at ttl %d: a router may drop them without an ICMP error (a PMTU black hole), the end of the path does not answer, or a NAT leaves the packets quoted in its errors untranslated", size, cfg.TTL)
			return res
		case MTUTooBig:
			next := r.MTU
			if next <= 0 || next >= size {
				next = nextPlateau(size, cfg.Min)
			}
			if next < cfg.Min || next >= size {
				res.MTU = size
				res.Note = fmt.Sprintf("told %d bytes is too big, with nothing smaller to try", size)
				return res
			}
			if n := len(res.Drops); r.From.IsValid() && n > 0 && res.Drops[n-1].From == r.From {
				res.Drops[n-1].MTU = next // the same router again, while searching the plateaus
			} else if r.From.IsValid() {
				d := path.MTUDrop{From: r.From, MTU: next}
				if cfg.Hop != nil {
					d.TTL = cfg.Hop(r.From)
				}
				res.Drops = append(res.Drops, d)
			} else if size == res.Local {
				res.Local = next // the route's own MTU was smaller than the start
			}
			size, tries = next, 0
			res.MTU = size
		}
	}
	res.Note = fmt.Sprintf("gave up at %d bytes after too many size changes", size)
	return res
}

// hopOf returns a function giving the TTL at which an address answered in tr (the first such hop), 0 when none.
func hopOf(tr *path.Trace) func(netip.Addr) int {
	return func(a netip.Addr) int {
		for _, h := range tr.Hops {
			if h.Responder(a) != nil {
				return h.TTL
			}
		}
		return 0
	}
}

// mtuTTL is the TTL to probe the path MTU at: the target's hop when it answered, else the last hop
// that answered; 0 when nothing did.
func mtuTTL(tr *path.Trace) int {
	if ok, ttl := tr.Reached(); ok {
		return ttl
	}
	for i := len(tr.Hops) - 1; i >= 0; i-- {
		if !tr.Hops[i].Silent() {
			return tr.Hops[i].TTL
		}
	}
	return 0
}
