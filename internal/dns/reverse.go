package dns

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"time"

	mdns "github.com/miekg/dns"
	"golang.org/x/sync/singleflight"
)

// DefaultReverseConcurrency bounds parallel PTR queries when NewReverseResolver gets 0.
const DefaultReverseConcurrency = 16

// negativeReverseTTL is how long "no PTR" (or a failed lookup) is remembered.
const negativeReverseTTL = 5 * time.Minute

// minReverseTTL is the shortest time a found name is remembered, whatever its TTL.
const minReverseTTL = time.Minute

// ReverseResolver looks up the PTR names of many addresses at once, with a cache shared by every caller
// (the trace engine names its hops with it) and a bound on queries in flight. Safe for concurrent use.
type ReverseResolver struct {
	r     *Resolver
	limit chan struct{}
	group singleflight.Group

	mu    sync.Mutex
	cache map[netip.Addr]reverseEntry
}

type reverseEntry struct {
	name    string
	expires time.Time
}

// NewReverseResolver returns a ReverseResolver asking through r with at most concurrency PTR queries in
// flight (0 means DefaultReverseConcurrency).
func NewReverseResolver(r *Resolver, concurrency int) *ReverseResolver {
	if concurrency <= 0 {
		concurrency = DefaultReverseConcurrency
	}
	return &ReverseResolver{r: r, limit: make(chan struct{}, concurrency), cache: map[netip.Addr]reverseEntry{}}
}

// LookupAddrs returns the first PTR name (without the trailing dot) of each address that has one.
// Addresses without a name, and lookups that failed or were cut short by ctx, are absent from the map.
// Repeated and concurrent lookups of the same address share one query.
func (rr *ReverseResolver) LookupAddrs(ctx context.Context, addrs []netip.Addr) map[netip.Addr]string {
	out := make(map[netip.Addr]string, len(addrs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	done := map[netip.Addr]bool{}
	for _, a := range addrs {
		a = a.Unmap()
		if !a.IsValid() || done[a] {
			continue
		}
		done[a] = true
		if name, ok := rr.cached(a); ok {
			if name != "" {
				out[a] = name
			}
			continue
		}
		wg.Go(func() {
			v, _, _ := rr.group.Do(a.String(), func() (any, error) { return rr.lookup(ctx, a), nil })
			if name := v.(string); name != "" {
				mu.Lock()
				out[a] = name
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return out
}

func (rr *ReverseResolver) cached(a netip.Addr) (string, bool) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	e, ok := rr.cache[a]
	if !ok || rr.r.cfg.Now().After(e.expires) {
		return "", false
	}
	return e.name, true
}

// lookup asks one PTR query (bounded by the semaphore) and caches the outcome; a lookup cut short by
// ctx is not cached.
func (rr *ReverseResolver) lookup(ctx context.Context, a netip.Addr) string {
	select {
	case rr.limit <- struct{}{}:
	case <-ctx.Done():
		return ""
	}
	defer func() { <-rr.limit }()
	arpa, err := mdns.ReverseAddr(a.String())
	if err != nil {
		return ""
	}
	m := buildQuery(rr.r.cfg.ID(), arpa, mdns.TypePTR, queryOpts{recurse: true})
	var q Query
	resp, err := rr.r.exchange(ctx, rr.r.cfg.Server, m, &q)
	if ctx.Err() != nil {
		return ""
	}
	name, ttl := "", negativeReverseTTL
	if err == nil {
		for _, ans := range resp.Answer {
			if p, ok := ans.(*mdns.PTR); ok {
				name = strings.TrimSuffix(p.Ptr, ".")
				ttl = max(time.Duration(p.Hdr.Ttl)*time.Second, minReverseTTL)
				break
			}
		}
	}
	rr.mu.Lock()
	rr.cache[a] = reverseEntry{name: name, expires: rr.r.cfg.Now().Add(ttl)}
	rr.mu.Unlock()
	return name
}
