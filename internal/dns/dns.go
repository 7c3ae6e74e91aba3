// Package dns resolves names the way a dig power user reads them: every CNAME step with its TTL, every
// A and AAAA address, the zone's authority, which server answered, DNSSEC evidence, EDNS Client Subnet
// scope and the timing of each query, over UDP, TCP, DNS over TLS (RFC 7858) or DNS over HTTPS (RFC 8484),
// through a resolver or by following delegation from the roots (Trace).
//
// Messages are built and parsed by github.com/miekg/dns; this package adds the exchange (with strict
// checks on what comes back), chain following, and the interpretation. It knows nothing about
// enrichment or rendering: callers enrich Result.Chain.Addrs() and build a report from the Result.
//
// Use from other stages:
//
//   - Resolver.Addresses(ctx, name) returns a Chain: Chain.Addrs() lists every A and AAAA address (IPv4
//     first), Chain.Aliases the CNAME steps, Chain.Canonical where they end.
//   - PathResolver is all the DNS a path trace needs, so the trace engine does none: Target resolves
//     the target into a path.Target (alias chain, every address, the first of the wanted Family traced,
//     the system resolver as fallback); `hopscope trace` traces it, `trace --all-addresses` each
//     address. Its Prefetch and Name methods name the hops through one ReverseResolver.
//   - ReverseResolver names addresses (PTR) with one cache and one bound on queries in flight for every
//     caller: LookupAddrs many at once, Prefetch and Name one at a time.
//   - Resolver.ResolveAll resolves many names with bounded concurrency (`hopscope dns --bulk`).
//
// Errors are typed so callers can branch: *NegativeError (errors.Is(err, ErrNegative): NXDOMAIN,
// NODATA), *RcodeError (SERVFAIL, REFUSED, ... naming the server, with a DNSSEC or CNAME-loop diagnosis
// behind a SERVFAIL), *TimeoutError (the server and the wait), *MalformedError (a reply with our ID that
// cannot be read), *LoopError (the chain), *LameError (a trace found no authoritative server).
//
// RFCs: 1034/1035 (DNS), 2308 (negative caching, SOA in negative answers), 4035 (AD, CD, DO bits),
// 5001 (NSID), 6891 (EDNS), 7766 (TCP), 7858 (DoT), 7871 (client subnet), 8484 (DoH).
package dns

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"time"

	mdns "github.com/miekg/dns"
)

// DefaultTries is how many datagrams a UDP query sends when Config.Tries is zero, as dig does.
const DefaultTries = 3

// DefaultTimeout is the wait for one reply when Config.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// DefaultMaxChain is the longest CNAME chain followed when Config.MaxChain is zero.
const DefaultMaxChain = 16

// Config configures a Resolver; the zero value asks the first server of /etc/resolv.conf.
type Config struct {
	// Server is the server to ask; the zero Server means the first nameserver of ResolvConf.
	Server Server
	// ResolvConf is the resolv.conf path read when Server is zero; empty means /etc/resolv.conf.
	ResolvConf string
	// Timeout is the wait for each reply; zero means DefaultTimeout.
	Timeout time.Duration
	// Tries is how many datagrams a UDP query sends within Timeout when no reply comes (dig's +tries);
	// zero means DefaultTries.
	Tries int
	// Subnet, when valid, is sent as EDNS Client Subnet in every query (RFC 7871).
	Subnet netip.Prefix
	// NoAuthority skips the SOA and NS queries that find the answering zone (bulk lookups).
	NoAuthority bool
	// MaxChain bounds CNAME chains; zero means DefaultMaxChain.
	MaxChain int
	// TLS configures DoT and DoH clients; nil means the system roots. ServerName is filled from the
	// server's host when empty.
	TLS *tls.Config
	// HTTPClient is used for DoH; nil means a client built from TLS.
	HTTPClient *http.Client
	// Roots are the servers a trace starts from; nil means the IANA root servers on port 53.
	Roots []netip.AddrPort
	// TracePort is the port used for servers learned from delegations during a trace; zero means 53.
	TracePort uint16
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ID returns message IDs; nil means miekg/dns's random IDs.
	ID func() uint16
}

// Resolver asks one server (or walks from the roots) and explains what came back. It is safe for
// concurrent use.
type Resolver struct {
	cfg  Config
	http *http.Client
}

// New validates cfg and returns a Resolver. It reads ResolvConf when no Server is given.
func New(cfg Config) (*Resolver, error) {
	if cfg.Timeout < 0 {
		return nil, errors.New("dns: negative timeout")
	}
	if cfg.Tries < 0 || cfg.Tries > 10 {
		return nil, errors.New("dns: tries must be 1 to 10 (0 for the default)")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxChain <= 0 {
		cfg.MaxChain = DefaultMaxChain
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ID == nil {
		cfg.ID = mdns.Id
	}
	if cfg.TracePort == 0 {
		cfg.TracePort = 53
	}
	if cfg.Subnet.IsValid() {
		cfg.Subnet = cfg.Subnet.Masked()
	}
	if cfg.Server == (Server{}) {
		path := cfg.ResolvConf
		if path == "" {
			path = "/etc/resolv.conf"
		}
		s, err := ServerFromResolvConf(path)
		if err != nil {
			return nil, fmt.Errorf("dns: default server: %w", err)
		}
		cfg.Server = s
	}
	if cfg.Server.Port == 0 {
		return nil, fmt.Errorf("dns: server %s has no port", cfg.Server.Host)
	}
	if cfg.Server.Transport == "" {
		cfg.Server.Transport = TransportAuto
	}
	if len(cfg.Roots) == 0 {
		cfg.Roots = IANARoots()
	}
	r := &Resolver{cfg: cfg, http: cfg.HTTPClient}
	if r.http == nil {
		var tc *tls.Config
		if cfg.TLS != nil {
			tc = cfg.TLS.Clone()
		}
		r.http = &http.Client{Transport: &http.Transport{TLSClientConfig: tc, ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 16}}
	}
	return r, nil
}

// Server returns the server this resolver asks.
func (r *Resolver) Server() Server { return r.cfg.Server }

// Timeout returns the wait for each reply.
func (r *Resolver) Timeout() time.Duration { return r.cfg.Timeout }

// IANARoots returns the IPv4 addresses of the 13 root servers (a.root-servers.net … m.root-servers.net)
// on port 53. Tests never use them: they pass Config.Roots.
func IANARoots() []netip.AddrPort {
	addrs := []string{"198.41.0.4", "170.247.170.2", "192.33.4.12", "199.7.91.13", "192.203.230.10",
		"192.5.5.241", "192.112.36.4", "198.97.190.53", "192.36.148.17", "192.58.128.30", "193.0.14.129",
		"199.7.83.42", "202.12.27.33"}
	out := make([]netip.AddrPort, len(addrs))
	for i, a := range addrs {
		out[i] = netip.AddrPortFrom(netip.MustParseAddr(a), 53)
	}
	return out
}
