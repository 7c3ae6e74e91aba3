package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"hopscope/internal/path"
)

// Family restricts which addresses of a name are traced.
type Family int

// Address families.
const (
	AnyFamily Family = iota // IPv4 first, as traceroute does, IPv6 when there is no IPv4 address
	IPv4Only
	IPv6Only
)

// ResolveConfig says how to resolve a target name. The zero value asks the servers of /etc/resolv.conf.
type ResolveConfig struct {
	// Server is a DNS server ("host" or "host:port"); empty means the first server of ResolvConf.
	Server string
	// ResolvConf is the resolver configuration file; empty means /etc/resolv.conf.
	ResolvConf string
	Family     Family
}

// ErrNoAddress means the name has no address of the wanted family.
var ErrNoAddress = errors.New("no address")

// ResolveTarget resolves host (a name or an address literal) and returns the target with its
// CNAME chain and every address, and warnings such as traceroute's "has multiple addresses; using X".
// It asks the DNS server directly (to see the CNAMEs) and falls back to the system resolver.
func ResolveTarget(ctx context.Context, host string, cfg ResolveConfig) (path.Target, []string, error) {
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		a = a.Unmap()
		if cfg.Family == IPv4Only && !a.Is4() || cfg.Family == IPv6Only && !a.Is6() {
			return path.Target{}, nil, fmt.Errorf("%s: %w of the requested family", host, ErrNoAddress)
		}
		return path.Target{Addr: a}, nil, nil
	}
	name := strings.TrimSuffix(host, ".")
	chain, addrs, err := resolveDNS(ctx, name, cfg)
	if err != nil {
		// Fall back to the system resolver (it knows /etc/hosts, mDNS and search domains).
		var ferr error
		chain, addrs, ferr = resolveSystem(ctx, name)
		if ferr != nil {
			return path.Target{}, nil, fmt.Errorf("resolve %s: %w", host, errors.Join(err, ferr))
		}
	}
	var v4, v6 []netip.Addr
	for _, a := range addrs {
		if a.Is4() {
			v4 = append(v4, a)
		} else {
			v6 = append(v6, a)
		}
	}
	var pick []netip.Addr
	switch cfg.Family {
	case IPv4Only:
		pick = v4
	case IPv6Only:
		pick = v6
	default:
		pick = append(v4, v6...)
	}
	if len(pick) == 0 {
		return path.Target{}, nil, fmt.Errorf("%s: %w of the requested family", host, ErrNoAddress)
	}
	t := path.Target{Name: name, Addr: pick[0]}
	for _, a := range addrs {
		if a != t.Addr {
			t.OtherAddrs = append(t.OtherAddrs, a)
		}
	}
	if len(chain) > 0 {
		t.Aliases = chain
		t.Canonical = chain[len(chain)-1]
	}
	var warnings []string
	if len(addrs) > 1 {
		warnings = append(warnings, fmt.Sprintf("%s has multiple addresses; using %s", name, t.Addr))
	}
	return t, warnings, nil
}

// resolveDNS asks the server for A and AAAA, following CNAMEs; chain lists the canonical names after host.
func resolveDNS(ctx context.Context, host string, cfg ResolveConfig) ([]string, []netip.Addr, error) {
	server := cfg.Server
	if server == "" {
		file := cfg.ResolvConf
		if file == "" {
			file = "/etc/resolv.conf"
		}
		cc, err := dns.ClientConfigFromFile(file)
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", file, err)
		}
		if len(cc.Servers) == 0 {
			return nil, nil, fmt.Errorf("%s lists no nameserver", file)
		}
		server = net.JoinHostPort(cc.Servers[0], cc.Port)
	}
	server = withPort(server)
	var chain []string
	var addrs []netip.Addr
	var errs []error
	types := []uint16{dns.TypeA, dns.TypeAAAA}
	for _, qt := range types {
		name := dns.Fqdn(host)
		var c []string
		for hop := 0; hop < 10; hop++ {
			q := new(dns.Msg)
			q.SetQuestion(name, qt)
			q.RecursionDesired = true
			r, _, err := (&dns.Client{}).ExchangeContext(ctx, q, server)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s %s at %s: %w", name, dns.TypeToString[qt], server, err))
				break
			}
			if r.Rcode != dns.RcodeSuccess {
				errs = append(errs, fmt.Errorf("%s %s: %s", name, dns.TypeToString[qt], dns.RcodeToString[r.Rcode]))
				break
			}
			next := ""
			cur := name
			for changed := true; changed; {
				changed = false
				for _, rr := range r.Answer {
					if cn, ok := rr.(*dns.CNAME); ok && strings.EqualFold(cn.Hdr.Name, cur) {
						cur = cn.Target
						c = append(c, strings.TrimSuffix(cn.Target, "."))
						changed = true
					}
				}
			}
			found := false
			for _, rr := range r.Answer {
				if !strings.EqualFold(rr.Header().Name, cur) {
					continue
				}
				switch rr := rr.(type) {
				case *dns.A:
					if a, ok := netip.AddrFromSlice(rr.A.To4()); ok {
						addrs = append(addrs, a)
						found = true
					}
				case *dns.AAAA:
					if a, ok := netip.AddrFromSlice(rr.AAAA.To16()); ok {
						addrs = append(addrs, a.Unmap())
						found = true
					}
				}
			}
			if found || cur == name {
				break
			}
			next, name = cur, cur // the server gave the alias only: ask for the canonical name
			_ = next
		}
		if len(c) > len(chain) {
			chain = c
		}
	}
	if len(addrs) == 0 {
		if len(errs) > 0 {
			return nil, nil, errors.Join(errs...)
		}
		return nil, nil, fmt.Errorf("%s: %w", host, ErrNoAddress)
	}
	return chain, dedupe(addrs), nil
}

func resolveSystem(ctx context.Context, host string) ([]string, []netip.Addr, error) {
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, nil, err
	}
	for i := range addrs {
		addrs[i] = addrs[i].Unmap()
	}
	var chain []string
	if cn, err := net.DefaultResolver.LookupCNAME(ctx, host); err == nil {
		if cn = strings.TrimSuffix(cn, "."); !strings.EqualFold(cn, host) {
			chain = []string{cn}
		}
	}
	return chain, dedupe(addrs), nil
}

func dedupe(a []netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, x := range a {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
