package cli

import (
	"context"
	"net"

	"hopscope/internal/dns"
	"hopscope/internal/investigate"
	"hopscope/internal/probe"
)

// traceDNS returns the DNS stage's resolver for traces: targets and hop names asked from cfg.Server,
// or else from the first server of /etc/resolv.conf with the system resolver behind it (a server the
// user names is the only one asked); one PTR cache and one bound on queries in flight for every trace
// of the process. The second result names hops for the probe engine: nil when numeric (no reverse
// lookups).
func traceDNS(cfg dns.PathConfig, numeric bool) (*dns.PathResolver, probe.Namer, error) {
	if cfg.Server == "" {
		cfg.System = net.DefaultResolver
	}
	r, err := dns.NewPathResolver(cfg)
	if err != nil {
		return nil, nil, err
	}
	if numeric {
		return r, nil, nil
	}
	return r, r, nil
}

// investigateDNS is traceDNS for investigate: addresses of any family, seen as an investigate.Resolver.
func investigateDNS(server string, numeric bool) (targetResolver, probe.Namer, error) {
	r, names, err := traceDNS(dns.PathConfig{Server: server}, numeric)
	return targetResolver{r}, names, err
}

// targetResolver resolves hosts the way "hopscope trace" does (alias chain and every address).
type targetResolver struct{ r *dns.PathResolver }

func (t targetResolver) Resolve(ctx context.Context, host string) (investigate.Resolution, error) {
	tgt, _, err := t.r.Target(ctx, host)
	if err != nil {
		return investigate.Resolution{}, err
	}
	res := investigate.Resolution{Aliases: tgt.Aliases, Canonical: tgt.Canonical}
	if tgt.Addr.IsValid() {
		res.Addrs = append(res.Addrs, tgt.Addr)
	}
	res.Addrs = append(res.Addrs, tgt.OtherAddrs...)
	return res, nil
}
