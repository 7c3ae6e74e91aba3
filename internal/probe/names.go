package probe

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Names resolves responder addresses to reverse DNS names concurrently, once per address, with a
// timeout. The zero value uses the system resolver with a 2 s timeout. It is safe for concurrent use
// and may be shared by several traces.
type Names struct {
	// Lookup returns the PTR name of an address; nil means net.DefaultResolver.LookupAddr.
	Lookup func(ctx context.Context, a netip.Addr) (string, error)
	// Timeout bounds each lookup; 0 means 2 s.
	Timeout time.Duration

	mu sync.Mutex
	m  map[netip.Addr]*nameEntry
}

type nameEntry struct {
	done chan struct{}
	name string
}

// Prefetch starts resolving a in the background unless it is known or under way.
func (n *Names) Prefetch(a netip.Addr) { n.entry(a) }

func (n *Names) entry(a netip.Addr) *nameEntry {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil {
		n.m = map[netip.Addr]*nameEntry{}
	}
	if e, ok := n.m[a]; ok {
		return e
	}
	e := &nameEntry{done: make(chan struct{})}
	n.m[a] = e
	lookup, timeout := n.Lookup, n.Timeout
	if lookup == nil {
		lookup = systemPTR
	}
	if timeout == 0 {
		timeout = 2 * time.Second
	}
	go func() {
		defer close(e.done)
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if name, err := lookup(ctx, a); err == nil {
			e.name = strings.TrimSuffix(name, ".")
		}
	}()
	return e
}

// Name returns the name of a, waiting for its lookup (bounded by the timeout or ctx); "" when none.
func (n *Names) Name(ctx context.Context, a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	e := n.entry(a)
	select {
	case <-e.done:
		return e.name
	case <-ctx.Done():
		return ""
	}
}

func systemPTR(ctx context.Context, a netip.Addr) (string, error) {
	names, err := net.DefaultResolver.LookupAddr(ctx, a.String())
	if err != nil || len(names) == 0 {
		return "", err
	}
	return names[0], nil
}

// PTRFrom returns a Names.Lookup that asks the DNS server at server ("host" or "host:port") directly.
func PTRFrom(server string) func(ctx context.Context, a netip.Addr) (string, error) {
	server = withPort(server)
	return func(ctx context.Context, a netip.Addr) (string, error) {
		rev, err := dns.ReverseAddr(a.String())
		if err != nil {
			return "", err
		}
		q := new(dns.Msg)
		q.SetQuestion(rev, dns.TypePTR)
		c := &dns.Client{}
		r, _, err := c.ExchangeContext(ctx, q, server)
		if err != nil {
			return "", err
		}
		for _, rr := range r.Answer {
			if p, ok := rr.(*dns.PTR); ok {
				return p.Ptr, nil
			}
		}
		return "", nil
	}
}

// withPort adds port 53 to a server given without one.
func withPort(server string) string {
	if _, _, err := net.SplitHostPort(server); err == nil {
		return server
	}
	return net.JoinHostPort(strings.Trim(server, "[]"), "53")
}
