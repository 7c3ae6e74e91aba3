package dns

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	mdns "github.com/miekg/dns"
)

// maxDelegations bounds the referrals followed for one name; maxGlueDepth bounds nested lookups of
// name server addresses missing from referrals (glueless delegations).
const (
	maxDelegations = 32
	maxGlueDepth   = 4
)

// tracer walks delegations for one Trace call.
type tracer struct {
	s     *session
	mu    sync.Mutex
	steps []TraceStep
	// zones remembers the delegations seen (zone → referral) and addrs the addresses found for name
	// servers without glue, so later walks of the same Trace (the next type, a CNAME target, a name
	// server's address) start at the closest known zone, as a resolver's cache would.
	zones map[string]*Referral
	addrs map[string][]netip.Addr
}

// closest returns the deepest remembered delegation enclosing name, or nil.
func (t *tracer) closest(name string) *Referral {
	t.mu.Lock()
	defer t.mu.Unlock()
	for z := strings.ToLower(mdns.Fqdn(name)); ; {
		if ref, ok := t.zones[z]; ok {
			return ref
		}
		i, end := mdns.NextLabel(z, 0)
		if end || z == "." {
			return nil
		}
		z = z[i:]
	}
}

func (t *tracer) remember(ref *Referral) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.zones == nil {
		t.zones = map[string]*Referral{}
	}
	t.zones[strings.ToLower(ref.Zone)] = ref
}

func (t *tracer) add(st TraceStep) {
	t.mu.Lock()
	t.steps = append(t.steps, st)
	t.mu.Unlock()
}

// Trace resolves name from the root servers (Config.Roots), following referrals with and without glue,
// asking each zone's servers in turn and noting those that are lame (REFUSED, SERVFAIL, or an answer
// without the AA bit). CNAME targets are traced again from the roots. Types are traced one after the
// other (A then AAAA when none are given). Errors are as for Resolve, plus *LameError when no server of
// a zone answers for it.
func (r *Resolver) Trace(ctx context.Context, name string, types ...uint16) (*Result, error) {
	fq, err := checkName(name)
	if err != nil {
		return nil, err
	}
	if len(types) == 0 {
		types = []uint16{mdns.TypeA, mdns.TypeAAAA}
	}
	start := r.cfg.Now()
	s := &session{r: r}
	t := &tracer{s: s}
	root := r.cfg.Roots[0]
	res := &Result{Name: fq, Trace: true, Server: Server{Transport: TransportAuto, Host: root.Addr().String(), Port: root.Port()}}
	for _, ty := range types {
		res.Types = append(res.Types, typeName(ty))
	}
	trs := make([]typeResult, len(types))
	var lastRef []*Referral
	for i, ty := range types {
		var ref *Referral
		trs[i], ref = t.traceType(ctx, fq, ty)
		lastRef = append(lastRef, ref)
		if trs[i].err != nil && !errors.Is(trs[i].err, ErrNegative) {
			trs = trs[:i+1]
			break
		}
	}
	err = r.merge(res, trs)
	for i, tr := range trs {
		if lastRef[i] != nil && (len(tr.recs) > 0 || res.Authority.Zone == "") {
			res.Authority.Zone = lastRef[i].Zone
			res.Authority.NS = nil
			for _, ns := range lastRef[i].Servers {
				res.Authority.NS = append(res.Authority.NS, ns.Name)
			}
		}
		if tr.final != nil && len(tr.recs) == 0 {
			if soa := negativeSOA(tr.final); soa != nil {
				res.Authority.Zone, res.Authority.SOA = soa.Hdr.Name, soaOf(soa)
			}
		}
	}
	res.Steps = t.steps
	res.Queries = s.sortedQueries()
	res.Elapsed = r.cfg.Now().Sub(start)
	return res, err
}

// traceType resolves one type from the roots, following CNAMEs; it returns the last referral followed.
func (t *tracer) traceType(ctx context.Context, name string, qtype uint16) (typeResult, *Referral) {
	tr := typeResult{qtype: qtype, canon: name}
	seen := map[string]bool{strings.ToLower(name): true}
	chain := []string{name}
	cur := name
	var lastRef *Referral
	for {
		resp, server, ref, err := t.iterate(ctx, cur, qtype, 0)
		if ref != nil {
			lastRef = ref
		}
		if err != nil {
			tr.err = err
			return tr, lastRef
		}
		tr.final, tr.server = resp, server
		al, canon, recs, newChain, err := follow(cur, qtype, resp.Answer, seen, chain, t.s.r.cfg.MaxChain)
		chain = newChain
		for i := range al {
			al[i].Server = server
		}
		tr.aliases = append(tr.aliases, al...)
		tr.canon, tr.recs = canon, recs
		if err != nil {
			var le *LoopError
			if errors.As(err, &le) {
				le.Server = server
			}
			tr.err = err
			return tr, lastRef
		}
		if len(recs) > 0 || len(al) == 0 || resp.Rcode == mdns.RcodeNameError || qtype == mdns.TypeCNAME {
			return tr, lastRef
		}
		cur = canon
	}
}

// iterate asks the roots, then each delegated zone's servers, until one answers authoritatively.
func (t *tracer) iterate(ctx context.Context, name string, qtype uint16, glueDepth int) (*mdns.Msg, string, *Referral, error) {
	r := t.s.r
	zone := "."
	var servers []NameServer
	for _, a := range r.cfg.Roots {
		servers = append(servers, NameServer{Name: "root " + a.String(), Addrs: []netip.Addr{a.Addr()}, Glue: true})
	}
	var ref *Referral
	if known := t.closest(name); known != nil {
		ref, zone, servers = known, known.Zone, known.Servers
	}
	for range maxDelegations {
		var notes []string
		var next *Referral
	servers:
		for _, ns := range servers {
			addrs := ns.Addrs
			if len(addrs) == 0 {
				var err error
				addrs, err = t.serverAddrs(ctx, ns.Name, glueDepth)
				if err != nil {
					notes = append(notes, fmt.Sprintf("%s: no address (%v)", ns.Name, err))
					continue
				}
			}
			for _, a := range addrs {
				port := r.cfg.TracePort
				if zone == "." {
					port = rootPort(r.cfg.Roots, a)
				}
				srv := Server{Transport: TransportAuto, Host: a.String(), Port: port}
				label := ns.Name + " (" + srv.Address() + ")"
				if zone == "." {
					label = "root " + srv.Address()
				}
				m := buildQuery(r.cfg.ID(), name, qtype, queryOpts{subnet: r.cfg.Subnet})
				st := TraceStep{Zone: zone, QName: name, QType: typeName(qtype), ServerName: strings.TrimPrefix(ns.Name, "root "), ServerAddr: srv.Address()}
				if zone == "." {
					st.ServerName = "root"
				}
				var q Query
				resp, err := r.exchange(ctx, srv, m, &q)
				q.Name, q.Type, q.Purpose = name, typeName(qtype), "trace"
				t.s.mu.Lock()
				t.s.queries = append(t.s.queries, q)
				t.s.mu.Unlock()
				st.RTT = q.RTT
				if err != nil {
					if ctx.Err() != nil {
						return nil, "", ref, err
					}
					st.Kind, st.Detail = "error", err.Error()
					t.add(st)
					notes = append(notes, label+": "+err.Error())
					continue
				}
				kind, detail, child := classify(resp, zone, name)
				st.Kind, st.Detail = kind, detail
				if kind == "referral" {
					st.Referral = child
					t.add(st)
					t.remember(child)
					next = child
					break servers
				}
				t.add(st)
				if kind == "lame" {
					notes = append(notes, label+": "+detail)
					continue
				}
				return resp, label, ref, nil
			}
		}
		if next == nil {
			return nil, "", ref, &LameError{Zone: zone, Servers: notes}
		}
		ref, zone, servers = next, next.Zone, next.Servers
	}
	return nil, "", ref, fmt.Errorf("trace %s: more than %d delegations", name, maxDelegations)
}

// rootPort is the port configured for root address a.
func rootPort(roots []netip.AddrPort, a netip.Addr) uint16 {
	for _, r := range roots {
		if r.Addr() == a {
			return r.Port()
		}
	}
	return 53
}

// serverAddrs resolves a name server's address when the referral carried no glue.
func (t *tracer) serverAddrs(ctx context.Context, host string, depth int) ([]netip.Addr, error) {
	key := strings.ToLower(host)
	t.mu.Lock()
	cached, ok := t.addrs[key]
	t.mu.Unlock()
	if ok {
		return cached, nil
	}
	if depth >= maxGlueDepth {
		return nil, fmt.Errorf("glueless delegations nested deeper than %d", maxGlueDepth)
	}
	var out []netip.Addr
	var firstErr error
	for _, ty := range []uint16{mdns.TypeA, mdns.TypeAAAA} {
		resp, _, _, err := t.iterate(ctx, host, ty, depth+1)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		seen := map[string]bool{strings.ToLower(host): true}
		_, _, recs, _, _ := follow(host, ty, resp.Answer, seen, []string{host}, t.s.r.cfg.MaxChain)
		for _, rec := range recs {
			if rec.Addr.IsValid() {
				out = append(out, rec.Addr)
			}
		}
		if len(out) > 0 {
			break
		}
	}
	if len(out) == 0 {
		if firstErr == nil {
			firstErr = errors.New("no A or AAAA record")
		}
		return nil, firstErr
	}
	t.mu.Lock()
	if t.addrs == nil {
		t.addrs = map[string][]netip.Addr{}
	}
	t.addrs[key] = out
	t.mu.Unlock()
	return out, nil
}

// classify reads one reply of a trace: "answer", "cname", "nxdomain", "nodata" (authoritative, final),
// "referral" (with the child zone), or "lame" (the server does not serve the zone it was delegated).
func classify(m *mdns.Msg, zone, name string) (kind, detail string, child *Referral) {
	switch m.Rcode {
	case mdns.RcodeSuccess, mdns.RcodeNameError:
	default:
		return "lame", rcodeName(m.Rcode) + " for zone " + zone, nil
	}
	if m.Authoritative {
		switch {
		case m.Rcode == mdns.RcodeNameError:
			return "nxdomain", "NXDOMAIN (authoritative)", nil
		case len(m.Answer) > 0:
			for _, rr := range m.Answer {
				if rr.Header().Rrtype == mdns.TypeCNAME && strings.EqualFold(rr.Header().Name, name) {
					return "cname", "alias (authoritative)", nil
				}
			}
			return "answer", fmt.Sprintf("%d record(s) (authoritative)", len(m.Answer)), nil
		}
		return "nodata", "NODATA (authoritative)", nil
	}
	if child = referralOf(m, zone, name); child != nil {
		glue := 0
		for _, ns := range child.Servers {
			if ns.Glue {
				glue++
			}
		}
		return "referral", fmt.Sprintf("delegates %s to %d server(s), %d with glue", child.Zone, len(child.Servers), glue), child
	}
	if len(m.Answer) > 0 {
		return "lame", "answered without the AA bit (not authoritative for " + zone + ")", nil
	}
	if m.Rcode == mdns.RcodeNameError {
		return "lame", "NXDOMAIN without the AA bit (not authoritative for " + zone + ")", nil
	}
	return "lame", "neither an authoritative answer nor a referral below " + zone, nil
}

// referralOf returns the delegation in m's authority section to a zone strictly below zone that
// contains name, with glue from the additional section; nil when there is none.
func referralOf(m *mdns.Msg, zone, name string) *Referral {
	var ref *Referral
	for _, rr := range m.Ns {
		ns, ok := rr.(*mdns.NS)
		if !ok {
			continue
		}
		owner := ns.Hdr.Name
		if !mdns.IsSubDomain(zone, owner) || strings.EqualFold(owner, zone) || !mdns.IsSubDomain(owner, name) {
			continue
		}
		if ref == nil {
			ref = &Referral{Zone: owner}
		} else if !strings.EqualFold(ref.Zone, owner) {
			continue
		}
		ref.Servers = append(ref.Servers, NameServer{Name: ns.Ns})
	}
	if ref == nil {
		return nil
	}
	for i := range ref.Servers {
		ns := &ref.Servers[i]
		for _, rr := range m.Extra {
			if !strings.EqualFold(rr.Header().Name, ns.Name) {
				continue
			}
			switch v := rr.(type) {
			case *mdns.A:
				if a, ok := netip.AddrFromSlice(v.A); ok {
					ns.Addrs = append(ns.Addrs, a.Unmap())
				}
			case *mdns.AAAA:
				if a, ok := netip.AddrFromSlice(v.AAAA); ok {
					ns.Addrs = append(ns.Addrs, a)
				}
			}
		}
		// IPv4 first: IPv6 glue is often unreachable from where a trace runs.
		slices.SortStableFunc(ns.Addrs, func(a, b netip.Addr) int {
			switch {
			case a.Is4() && !b.Is4():
				return -1
			case !a.Is4() && b.Is4():
				return 1
			}
			return 0
		})
		ns.Glue = len(ns.Addrs) > 0
	}
	slices.SortStableFunc(ref.Servers, func(a, b NameServer) int { return strings.Compare(a.Name, b.Name) })
	return ref
}
