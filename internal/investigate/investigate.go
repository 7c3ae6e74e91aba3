// Package investigate runs the whole investigation of an application: for each host it used, resolve,
// trace, enrich and explain, then summarise the app (where its servers are, what is slow and why).
//
// The measuring stages are injected (Resolver, Tracer) so the orchestration and the summary are tested
// without a network; the CLI wires the real DNS resolver and probe engine. Every measured path goes
// through the analysis stage (internal/analysis) with the configured enricher.
package investigate

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"hopscope/internal/analysis"
	"hopscope/internal/inventory"
	"hopscope/internal/path"
	"hopscope/internal/report"
)

// Target is one host the application used, with how much it used it.
type Target struct {
	Host string
	// Port is the server port the app used; 0 means unknown (the tracer's default is used).
	Port     int
	Flows    int
	Requests int
	Bytes    int64
	// Addrs are server addresses the inventory saw for the host; the resolver's answer is preferred.
	Addrs []netip.Addr
}

// Resolution is what DNS said about a host.
type Resolution struct {
	// Aliases is the CNAME chain from the host to Canonical (each name once, in order).
	Aliases   []string
	Canonical string
	Addrs     []netip.Addr
}

// Resolver resolves host names.
type Resolver interface {
	Resolve(ctx context.Context, host string) (Resolution, error)
}

// Tracer measures the path to one address of a target.
type Tracer interface {
	Trace(ctx context.Context, target path.Target) (*path.Trace, error)
}

// VantageTracer measures the path to a target from several vantage points at once (a measurement
// network's probes), one trace per probe.
type VantageTracer interface {
	TraceFrom(ctx context.Context, target path.Target) ([]*path.Trace, error)
}

// Config configures Run. Resolver and Tracer (or Vantages) are required.
type Config struct {
	Resolver Resolver
	Tracer   Tracer
	// Vantages, when not nil, traces every host from several vantage points instead of Tracer, and each
	// host gets the comparison of its paths (analysis.Vantages).
	Vantages VantageTracer
	// Enricher looks up the addresses of every measured path; nil means nothing is known about them.
	Enricher analysis.Lookuper
	// Analysis tunes the analysis of every path (the vantage point).
	Analysis analysis.Options
	// Concurrency bounds how many hosts are investigated at once; 0 means 4.
	Concurrency int
	// Progress, when set, is called after each host finishes (from any goroutine, serialised).
	Progress func(done, total int, host string, err error)
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Run investigates every target and returns the investigation with its summary. It fails only when
// the configuration is unusable; per-host failures are recorded on the host.
func Run(ctx context.Context, cfg Config, source, origin string, targets []Target) (*report.Investigation, error) {
	if cfg.Resolver == nil || cfg.Tracer == nil && cfg.Vantages == nil {
		return nil, errors.New("investigate: resolver and tracer are required")
	}
	if len(targets) == 0 {
		return nil, errors.New("investigate: no hosts to investigate")
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	conc := cfg.Concurrency
	if conc <= 0 {
		conc = 4
	}
	inv := &report.Investigation{Source: source, Origin: origin, Started: now().UTC(), Hosts: make([]report.InvestigatedHost, len(targets))}
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
		sem  = make(chan struct{}, conc)
	)
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				inv.Hosts[i] = report.InvestigatedHost{Host: t.Host, Port: t.Port, Error: ctx.Err().Error()}
				return
			}
			h, err := investigateHost(ctx, cfg, t)
			<-sem
			inv.Hosts[i] = h
			if cfg.Progress != nil {
				mu.Lock()
				done++
				cfg.Progress(done, len(targets), t.Host, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	inv.Finished = now().UTC()
	Summarize(inv)
	return inv, nil
}

func investigateHost(ctx context.Context, cfg Config, t Target) (report.InvestigatedHost, error) {
	h := report.InvestigatedHost{Host: t.Host, Port: t.Port, Flows: t.Flows, Requests: t.Requests, Bytes: t.Bytes}
	target := path.Target{Name: t.Host, Port: t.Port}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(t.Host); err == nil {
		addrs = []netip.Addr{a}
		target.Name = ""
	} else {
		res, err := cfg.Resolver.Resolve(ctx, t.Host)
		switch {
		case err == nil && len(res.Addrs) > 0:
			addrs = res.Addrs
			target.Aliases = res.Aliases
			if res.Canonical != "" && !strings.EqualFold(strings.TrimSuffix(res.Canonical, "."), t.Host) {
				target.Canonical = strings.TrimSuffix(res.Canonical, ".")
			}
			h.Aliases = res.Aliases
		case len(t.Addrs) > 0:
			// The name no longer resolves from here; the addresses the app used still tell where it went.
			addrs = t.Addrs
		case err != nil:
			h.Error = err.Error()
			if !strings.HasPrefix(h.Error, "resolve") { // the DNS stage's errors already say "resolve NAME: ..."
				h.Error = "resolve: " + h.Error
			}
			return h, err
		default:
			h.Error = "resolve: no addresses"
			return h, errors.New(h.Error)
		}
	}
	// Prefer an address the app really used, when the resolver also returned it.
	chosen := addrs[0]
	for _, a := range t.Addrs {
		if slices.Contains(addrs, a) {
			chosen = a
			break
		}
	}
	target.Addr = chosen
	for _, a := range addrs {
		if a != chosen {
			target.OtherAddrs = append(target.OtherAddrs, a)
			h.OtherAddrs = append(h.OtherAddrs, a.String())
		}
	}
	h.Addr = chosen.String()
	if cfg.Vantages != nil {
		return traceFromVantages(ctx, cfg, target, h)
	}
	tr, err := cfg.Tracer.Trace(ctx, target)
	if err != nil {
		h.Error = "trace: " + err.Error()
		return h, err
	}
	if tr.Target.Name == "" {
		tr.Target.Name = target.Name
	}
	h.Path = analysis.Path(tr, cfg.Enricher, cfg.Analysis)
	fillHost(&h)
	return h, nil
}

// traceFromVantages traces target from every vantage point and compares the paths: the host's path is
// the first measured one, its explanation the comparison's summary.
func traceFromVantages(ctx context.Context, cfg Config, target path.Target, h report.InvestigatedHost) (report.InvestigatedHost, error) {
	trs, err := cfg.Vantages.TraceFrom(ctx, target)
	if err == nil && len(trs) == 0 {
		err = errors.New("no probe returned a result")
	}
	if err != nil {
		h.Error = "trace: " + err.Error()
		return h, err
	}
	for _, tr := range trs {
		if tr.Target.Name == "" {
			tr.Target.Name = target.Name
		}
	}
	ps, v := analysis.Vantages(trs, cfg.Enricher)
	h.Path = ps[0]
	for _, p := range ps {
		if len(p.Hops) > 0 {
			h.Path = p
			break
		}
	}
	fillHost(&h)
	if v != nil {
		h.Vantages = v
		h.Why = v.Summary
	}
	return h, nil
}

// TargetsFromInventory turns an inventory into targets, one per host, with the port the app used most.
func TargetsFromInventory(inv *inventory.Inventory) []Target {
	type acc struct {
		t     Target
		ports map[int]int
	}
	byHost := map[string]*acc{}
	var order []string
	for _, f := range inv.Flows {
		host := strings.TrimSuffix(strings.ToLower(f.Host), ".")
		if host == "" {
			if !f.Server.IsValid() {
				continue
			}
			host = f.Server.Addr().String()
		}
		a := byHost[host]
		if a == nil {
			a = &acc{t: Target{Host: host}, ports: map[int]int{}}
			byHost[host] = a
			order = append(order, host)
		}
		a.t.Flows++
		if f.HTTP != nil {
			a.t.Requests++
		}
		a.t.Bytes += f.BytesUp + f.BytesDown
		if f.Server.IsValid() {
			a.ports[int(f.Server.Port())]++
			if ad := f.Server.Addr(); !slices.Contains(a.t.Addrs, ad) {
				a.t.Addrs = append(a.t.Addrs, ad)
			}
		}
	}
	out := make([]Target, 0, len(order))
	for _, h := range order {
		a := byHost[h]
		best, n := 0, 0
		for p, c := range a.ports {
			if c > n || (c == n && p < best) {
				best, n = p, c
			}
		}
		a.t.Port = best
		out = append(out, a.t)
	}
	slices.SortStableFunc(out, func(a, b Target) int { return cmp.Compare(b.Bytes, a.Bytes) })
	return out
}

// ParseHosts reads a host list: one "host", "host:port" or "[v6addr]:port" per line; '#' starts a comment.
// name is used in errors.
func ParseHosts(r io.Reader, name string) ([]Target, error) {
	var out []Target
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		s := sc.Text()
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = s[:i]
		}
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		t, err := parseHost(s)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		key := t.Host + ":" + strconv.Itoa(t.Port)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no hosts", name)
	}
	return out, nil
}

func parseHost(s string) (Target, error) {
	if strings.ContainsAny(s, " \t/") {
		return Target{}, fmt.Errorf("want host or host:port, got %q", s)
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return Target{Host: a.String()}, nil
	}
	host, port := s, 0
	if h, p, err := net.SplitHostPort(s); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return Target{}, fmt.Errorf("bad port in %q", s)
		}
		host, port = h, n
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" || strings.ContainsAny(host, "[]:") && !isAddr(host) {
		return Target{}, fmt.Errorf("want host or host:port, got %q", s)
	}
	return Target{Host: host, Port: port}, nil
}

func isAddr(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}
