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

// negativeReverseTTL is how long "no PTR" (or a failed lookup) is remembered, and how long a name from
// the system resolver (which gives no TTL) is kept.
const negativeReverseTTL = 5 * time.Minute

// minReverseTTL is the shortest time a found name is remembered, whatever its TTL.
const minReverseTTL = time.Minute

// ReverseResolver looks up the PTR names of addresses with a cache shared by every caller (every trace
// of the process names its hops through one) and a bound on queries in flight. Lookups run detached
// from the caller: a caller that stops waiting leaves the answer to the cache. Safe for concurrent use.
type ReverseResolver struct {
	// ask returns a's name ("" when none) and how long to keep it.
	ask   func(ctx context.Context, a netip.Addr) (string, time.Duration, error)
	now   func() time.Time
	wait  time.Duration // bounds one lookup, the wait for a free slot included
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
	rr := newReverse(concurrency, r.cfg.Now, 2*r.cfg.Timeout) // UDP, then TCP when truncated
	rr.ask = func(ctx context.Context, a netip.Addr) (string, time.Duration, error) { return askPTR(ctx, r, a) }
	return rr
}

func newReverse(concurrency int, now func() time.Time, wait time.Duration) *ReverseResolver {
	if concurrency <= 0 {
		concurrency = DefaultReverseConcurrency
	}
	if now == nil {
		now = time.Now
	}
	return &ReverseResolver{now: now, wait: wait, limit: make(chan struct{}, concurrency), cache: map[netip.Addr]reverseEntry{}}
}

// LookupAddrs returns the first PTR name (without the trailing dot) of each address that has one.
// Addresses without a name, and lookups that failed or were not done when ctx ended, are absent from
// the map. Repeated and concurrent lookups of the same address share one query.
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
		wg.Go(func() {
			if name := rr.Name(ctx, a); name != "" {
				mu.Lock()
				out[a] = name
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return out
}

// Prefetch starts looking up a's name in the background unless it is cached or under way.
func (rr *ReverseResolver) Prefetch(a netip.Addr) {
	a = a.Unmap()
	if !a.IsValid() {
		return
	}
	if _, ok := rr.cached(a); !ok {
		rr.start(a) // the result channel is buffered: nobody needs to read it
	}
}

// Name returns a's PTR name without the trailing dot, waiting for its lookup until ctx ends; "" when
// a has no name, the lookup failed or ctx ended first.
func (rr *ReverseResolver) Name(ctx context.Context, a netip.Addr) string {
	a = a.Unmap()
	if !a.IsValid() {
		return ""
	}
	if name, ok := rr.cached(a); ok {
		return name
	}
	select {
	case res := <-rr.start(a):
		return res.Val.(string)
	case <-ctx.Done():
		return ""
	}
}

// start joins or starts the lookup of a.
func (rr *ReverseResolver) start(a netip.Addr) <-chan singleflight.Result {
	return rr.group.DoChan(a.String(), func() (any, error) {
		ctx, cancel := context.WithTimeout(context.Background(), rr.wait)
		defer cancel()
		return rr.lookup(ctx, a), nil
	})
}

func (rr *ReverseResolver) cached(a netip.Addr) (string, bool) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	e, ok := rr.cache[a]
	if !ok || rr.now().After(e.expires) {
		return "", false
	}
	return e.name, true
}

// lookup asks once (bounded by the semaphore) and caches the outcome; a lookup that ran out of time
// is not cached.
func (rr *ReverseResolver) lookup(ctx context.Context, a netip.Addr) string {
	select {
	case rr.limit <- struct{}{}:
	case <-ctx.Done():
		return ""
	}
	defer func() { <-rr.limit }()
	name, ttl, err := rr.ask(ctx, a)
	if ctx.Err() != nil {
		return ""
	}
	name = strings.TrimSuffix(name, ".")
	if err != nil || name == "" {
		name, ttl = "", negativeReverseTTL
	}
	rr.mu.Lock()
	rr.cache[a] = reverseEntry{name: name, expires: rr.now().Add(ttl)}
	rr.mu.Unlock()
	return name
}

// askPTR sends one PTR query through r and returns the first name with its TTL (at least
// minReverseTTL).
func askPTR(ctx context.Context, r *Resolver, a netip.Addr) (string, time.Duration, error) {
	arpa, err := mdns.ReverseAddr(a.String())
	if err != nil {
		return "", 0, err
	}
	m := buildQuery(r.cfg.ID(), arpa, mdns.TypePTR, queryOpts{recurse: true})
	var q Query
	resp, err := r.exchange(ctx, r.cfg.Server, m, &q)
	if err != nil {
		return "", 0, err
	}
	for _, ans := range resp.Answer {
		if p, ok := ans.(*mdns.PTR); ok {
			return p.Ptr, max(time.Duration(p.Hdr.Ttl)*time.Second, minReverseTTL), nil
		}
	}
	return "", 0, nil
}
