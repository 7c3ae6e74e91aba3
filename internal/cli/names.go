package cli

import (
	"context"
	"net/netip"
	"time"

	"hopscope/internal/dns"
	"hopscope/internal/probe"
)

// hopNames returns the reverse-name cache a trace uses for its hops: PTR lookups through the DNS stage's
// ReverseResolver (one cache and one bound on queries in flight for every trace of the process), asking
// server ("" = /etc/resolv.conf). When no resolver can be set up, the system resolver is used.
func hopNames(server string) *probe.Names {
	names := &probe.Names{Timeout: 2 * time.Second}
	cfg := dns.Config{Timeout: time.Second, NoAuthority: true}
	if server != "" {
		s, err := dns.ParseServer(server)
		if err != nil {
			names.Lookup = probe.PTRFrom(server)
			return names
		}
		cfg.Server = s
	}
	r, err := dns.New(cfg)
	if err != nil {
		return names
	}
	rr := dns.NewReverseResolver(r, 0)
	names.Lookup = func(ctx context.Context, a netip.Addr) (string, error) {
		return rr.LookupAddrs(ctx, []netip.Addr{a})[a.Unmap()], nil
	}
	return names
}
