package dns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"hopscope/internal/path"
)

// Family restricts which addresses of a target name a trace may use.
type Family int

// Address families.
const (
	AnyFamily Family = iota // IPv4 first, as traceroute does; IPv6 when there is no IPv4 address
	IPv4Only
	IPv6Only
)

// Allows reports whether a is of the family.
func (f Family) Allows(a netip.Addr) bool {
	switch f {
	case IPv4Only:
		return a.Is4()
	case IPv6Only:
		return a.Is6() && !a.Is4In6()
	}
	return true
}

// ErrNoAddress means a target name has no address of the wanted family.
var ErrNoAddress = errors.New("no address")

// DefaultPathTimeout is the wait for one reply when PathConfig.Timeout is zero.
const DefaultPathTimeout = 2 * time.Second

// PathConfig says how a path trace resolves its target and names its hops. The zero value asks the
// first server of /etc/resolv.conf, without a fallback.
type PathConfig struct {
	// Server is the DNS server to ask, in any form ParseServer reads; empty means the first nameserver
	// of ResolvConf.
	Server string
	// ResolvConf is read when Server is empty; empty means /etc/resolv.conf.
	ResolvConf string
	// Family selects the addresses Target may pick.
	Family Family
	// Timeout is the wait for each reply; zero means DefaultPathTimeout.
	Timeout time.Duration
	// Concurrency bounds the PTR queries in flight; zero means DefaultReverseConcurrency.
	Concurrency int
	// System is asked when the DNS server cannot be (no usable resolv.conf, no reply; for a target also
	// no address): it knows /etc/hosts, mDNS and search domains, but not the alias chain beyond the
	// canonical name. nil means no fallback (tests); the CLI passes net.DefaultResolver.
	System *net.Resolver
	// Now is the clock of the name cache; nil means time.Now.
	Now func() time.Time
}

// PathResolver resolves what a path trace needs: the target (alias chain and every address, one
// picked by family) and the names of the hops (PTR, through one cache and one bound on queries in
// flight however many traces share it). Its Prefetch and Name methods are what the trace engine's
// name hook asks for. Safe for concurrent use.
type PathResolver struct {
	cfg PathConfig
	// dns is nil when no server could be set up (setupErr says why): only System is asked.
	dns      *Resolver
	setupErr error
	names    *ReverseResolver
}

// NewPathResolver validates cfg and reads ResolvConf when no Server is given. A Server that
// ParseServer cannot read is an error; so is a missing or empty resolv.conf when there is no System
// to fall back to.
func NewPathResolver(cfg PathConfig) (*PathResolver, error) {
	if cfg.Timeout < 0 {
		return nil, errors.New("dns: negative timeout")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultPathTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	rc := Config{Timeout: cfg.Timeout, ResolvConf: cfg.ResolvConf, NoAuthority: true, Now: cfg.Now}
	if cfg.Server != "" {
		s, err := ParseServer(cfg.Server)
		if err != nil {
			return nil, fmt.Errorf("dns server: %w", err)
		}
		rc.Server = s
	}
	p := &PathResolver{cfg: cfg}
	p.dns, p.setupErr = New(rc)
	switch {
	case p.setupErr == nil:
		p.names = NewReverseResolver(p.dns, cfg.Concurrency)
		if sys := cfg.System; sys != nil {
			// As for targets: a server that cannot be asked leaves the question to the system.
			p.names.wait += cfg.Timeout
			p.names.ask = func(ctx context.Context, a netip.Addr) (string, time.Duration, error) {
				name, ttl, err := askPTR(ctx, p.dns, a)
				if err != nil && ctx.Err() == nil {
					return systemPTR(ctx, sys, a)
				}
				return name, ttl, err
			}
		}
	case cfg.System == nil || cfg.Server != "":
		return nil, p.setupErr
	default:
		p.names = newReverse(cfg.Concurrency, cfg.Now, cfg.Timeout)
		p.names.ask = func(ctx context.Context, a netip.Addr) (string, time.Duration, error) {
			return systemPTR(ctx, cfg.System, a)
		}
	}
	return p, nil
}

// Target resolves host (a name, or an address literal, bracketed or not) and returns the target with
// its alias chain and every address, the first of the wanted family being the one to trace, plus
// warnings such as traceroute's "NAME has multiple addresses; using ADDR". It asks the DNS server
// (to see the CNAMEs) and falls back to the system resolver. No address of the family wraps
// ErrNoAddress.
func (p *PathResolver) Target(ctx context.Context, host string) (path.Target, []string, error) {
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		a = a.Unmap()
		if !p.cfg.Family.Allows(a) {
			return path.Target{}, nil, fmt.Errorf("%s: %w of the requested family", host, ErrNoAddress)
		}
		return path.Target{Addr: a}, nil, nil
	}
	name := strings.TrimSuffix(host, ".")
	aliases, addrs, err := p.forward(ctx, name)
	if err != nil {
		return path.Target{}, nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	t, ok := pickTarget(name, aliases, addrs, p.cfg.Family)
	if !ok {
		return path.Target{}, nil, fmt.Errorf("%s: %w of the requested family", host, ErrNoAddress)
	}
	var warnings []string
	if len(addrs) > 1 {
		warnings = append(warnings, fmt.Sprintf("%s has multiple addresses; using %s", name, t.Addr))
	}
	return t, warnings, nil
}

// pickTarget builds the target of name: the first address of the family is traced, the others are
// listed; aliases are the canonical names after name, in order.
func pickTarget(name string, aliases []string, addrs []netip.Addr, fam Family) (path.Target, bool) {
	t := path.Target{Name: name}
	for _, a := range addrs {
		if fam.Allows(a) {
			t.Addr = a
			break
		}
	}
	if !t.Addr.IsValid() {
		return path.Target{}, false
	}
	for _, a := range addrs {
		if a != t.Addr {
			t.OtherAddrs = append(t.OtherAddrs, a)
		}
	}
	if len(aliases) > 0 {
		t.Aliases = aliases
		t.Canonical = aliases[len(aliases)-1]
	}
	return t, true
}

// forward returns the alias chain (names without the trailing dot) and the addresses of name, IPv4
// first, from the DNS server or else from the system resolver.
func (p *PathResolver) forward(ctx context.Context, name string) ([]string, []netip.Addr, error) {
	var errs []error
	if p.dns != nil {
		chain, err := p.dns.Addresses(ctx, name)
		// One family may fail while the other answers: what was found is enough.
		if addrs := chain.Addrs(); len(addrs) > 0 {
			aliases := make([]string, len(chain.Aliases))
			for i, al := range chain.Aliases {
				aliases[i] = strings.TrimSuffix(al.Target, ".")
			}
			return aliases, addrs, nil
		}
		if err == nil {
			err = fmt.Errorf("%s: %w", name, ErrNoAddress)
		}
		errs = append(errs, err)
	} else {
		errs = append(errs, p.setupErr)
	}
	if p.cfg.System != nil {
		aliases, addrs, err := systemAddresses(ctx, p.cfg.System, name)
		if err == nil {
			return aliases, addrs, nil
		}
		errs = append(errs, systemError(name, err))
	}
	return nil, nil, joinErrors(errs)
}

// Prefetch starts looking up the name of a hop's address in the background.
func (p *PathResolver) Prefetch(a netip.Addr) { p.names.Prefetch(a) }

// Name returns the name of a hop's address, waiting for its lookup until ctx ends; "" when none.
func (p *PathResolver) Name(ctx context.Context, a netip.Addr) string { return p.names.Name(ctx, a) }

// joinErrors is errors.Join on one line ("first; second"): the message goes into one table cell or
// one line of standard error.
func joinErrors(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return &joined{errs: errs}
}

type joined struct{ errs []error }

func (j *joined) Error() string {
	parts := make([]string, len(j.errs))
	for i, e := range j.errs {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

func (j *joined) Unwrap() []error { return j.errs }
