package dns

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// systemAddresses asks the system resolver for host's addresses (IPv4 first) and its canonical name,
// the only alias step the system resolver reveals.
func systemAddresses(ctx context.Context, sys *net.Resolver, host string) ([]string, []netip.Addr, error) {
	found, err := sys.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, nil, err
	}
	var v4, v6 []netip.Addr
	for _, a := range found {
		a = a.Unmap()
		switch {
		case slices.Contains(v4, a) || slices.Contains(v6, a):
		case a.Is4():
			v4 = append(v4, a)
		default:
			v6 = append(v6, a)
		}
	}
	var aliases []string
	if cn, err := sys.LookupCNAME(ctx, host); err == nil {
		if cn = strings.TrimSuffix(cn, "."); !strings.EqualFold(cn, host) {
			aliases = []string{cn}
		}
	}
	return aliases, append(v4, v6...), nil
}

// systemPTR asks the system resolver for a's first name; it gives no TTL, so the name is kept for
// negativeReverseTTL.
func systemPTR(ctx context.Context, sys *net.Resolver, a netip.Addr) (string, time.Duration, error) {
	names, err := sys.LookupAddr(ctx, a.String())
	if err != nil || len(names) == 0 {
		return "", 0, err
	}
	return names[0], negativeReverseTTL, nil
}
