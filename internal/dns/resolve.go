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

// session records the queries of one resolution.
type session struct {
	r       *Resolver
	mu      sync.Mutex
	queries []Query
}

// ask sends one query to srv and records it.
func (s *session) ask(ctx context.Context, srv Server, m *mdns.Msg, purpose string) (*mdns.Msg, error) {
	q := Query{Name: m.Question[0].Name, Type: typeName(m.Question[0].Qtype), Purpose: purpose}
	resp, err := s.r.exchange(ctx, srv, m, &q)
	s.mu.Lock()
	s.queries = append(s.queries, q)
	s.mu.Unlock()
	return resp, err
}

func (s *session) sortedQueries() []Query {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.queries)
	slices.SortStableFunc(out, func(a, b Query) int { return a.Start.Compare(b.Start) })
	return out
}

// typeResult is the resolution of one record type.
type typeResult struct {
	qtype   uint16
	aliases []Alias
	canon   string
	recs    []Record
	final   *mdns.Msg // the last reply
	server  string
	err     error
}

// checkName validates and qualifies a name given by a user.
func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", errors.New("empty name")
	}
	if _, ok := mdns.IsDomainName(name); !ok {
		return "", fmt.Errorf("%q is not a valid domain name", name)
	}
	return mdns.Fqdn(name), nil
}

// Resolve asks the configured server for name's records of each type (A and AAAA when none are given),
// follows CNAME chains (asking again for a target the server left out), finds the answering zone's SOA
// and NS, and returns everything seen. A definite negative answer returns the Result together with a
// *NegativeError (errors.Is(err, ErrNegative)); a failure returns the partial Result and an error
// (*RcodeError, *TimeoutError, *MalformedError, *LoopError, ...).
func (r *Resolver) Resolve(ctx context.Context, name string, types ...uint16) (*Result, error) {
	return r.resolve(ctx, name, types, !r.cfg.NoAuthority)
}

// Addresses resolves name's A and AAAA records (without the authority queries) and returns the chain:
// Chain.Addrs() lists every address, IPv4 first; Chain.Aliases the CNAME steps; Chain.Canonical the name
// they end at. A caller that needs one address (trace) takes Addrs()[0] and says that the others exist.
// An IP literal returns a chain holding just that address, without a query. No address at all returns
// a *NegativeError.
func (r *Resolver) Addresses(ctx context.Context, name string) (Chain, error) {
	if a, err := netip.ParseAddr(strings.TrimSpace(name)); err == nil {
		rt := "A"
		if a.Is6() {
			rt = "AAAA"
		}
		return Chain{Name: a.String(), Canonical: a.String(), Records: []Record{{Name: a.String(), Type: rt, Data: a.String(), Addr: a}}}, nil
	}
	res, err := r.resolve(ctx, name, []uint16{mdns.TypeA, mdns.TypeAAAA}, false)
	if res == nil {
		return Chain{}, err
	}
	return res.Chain, err
}

func (r *Resolver) resolve(ctx context.Context, name string, types []uint16, withAuthority bool) (*Result, error) {
	fq, err := checkName(name)
	if err != nil {
		return nil, err
	}
	if len(types) == 0 {
		types = []uint16{mdns.TypeA, mdns.TypeAAAA}
	}
	start := r.cfg.Now()
	s := &session{r: r}
	res := &Result{Name: fq, Server: r.cfg.Server}
	for _, t := range types {
		res.Types = append(res.Types, typeName(t))
	}
	trs := make([]typeResult, len(types))
	var wg sync.WaitGroup
	for i, t := range types {
		wg.Go(func() { trs[i] = s.lookup(ctx, fq, t) })
	}
	wg.Wait()
	err = r.merge(res, trs)
	if err == nil || errors.Is(err, ErrNegative) {
		if withAuthority {
			s.authority(ctx, res, trs)
		}
	}
	res.Queries = s.sortedQueries()
	res.Elapsed = r.cfg.Now().Sub(start)
	return res, err
}

// merge folds the per-type results into res and returns the resolution's error.
func (r *Resolver) merge(res *Result, trs []typeResult) error {
	allAD, rrsigs, replies := true, 0, 0
	nx, nodata := 0, 0
	var firstErr error
	for _, tr := range trs {
		if len(tr.aliases) > len(res.Chain.Aliases) {
			res.Chain.Aliases = tr.aliases
		}
		if tr.canon != "" && res.Chain.Canonical == "" {
			res.Chain.Canonical = tr.canon
		}
		res.Chain.Records = append(res.Chain.Records, tr.recs...)
		if tr.err != nil {
			var bogus *RcodeError
			if errors.As(tr.err, &bogus) && strings.Contains(bogus.Detail, "DNSSEC") {
				res.DNSSEC.Status = DNSSECBogus
			}
			if firstErr == nil {
				firstErr = tr.err
			}
			continue
		}
		m := tr.final
		replies++
		allAD = allAD && m.AuthenticatedData
		rrsigs += countRRSIG(m)
		if res.AnsweredBy == "" || len(tr.recs) > 0 {
			res.AnsweredBy = tr.server
			res.Authoritative = m.Authoritative
			res.RecursionAvailable = m.RecursionAvailable
			res.Rcode = rcodeName(m.Rcode)
		}
		if n := nsidOf(m); n != "" {
			res.NSID = n
		}
		if r.cfg.Subnet.IsValid() && res.Subnet == nil {
			res.Subnet = &Subnet{Sent: r.cfg.Subnet}
			if e, ok := subnetOf(m); ok {
				res.Subnet.Echoed, res.Subnet.Scope = true, int(e.SourceScope)
			}
		}
		switch {
		case len(tr.recs) > 0:
		case m.Rcode == mdns.RcodeNameError:
			nx++
		default:
			nodata++
		}
	}
	res.Chain.Name = res.Name
	if res.Chain.Canonical == "" {
		res.Chain.Canonical = res.Name
	}
	if replies > 0 && res.DNSSEC.Status == "" {
		res.DNSSEC = DNSSEC{Status: dnssecStatus(allAD, rrsigs), AD: allAD, RRSIGs: rrsigs}
	}
	if firstErr != nil {
		return firstErr
	}
	switch {
	case len(res.Chain.Records) > 0:
		res.Outcome = OutcomeAnswer
		return nil
	case nx > 0:
		res.Outcome = OutcomeNXDomain
	default:
		res.Outcome = OutcomeNoData
	}
	ne := &NegativeError{Name: res.Chain.Canonical, Type: strings.Join(res.Types, "/"), Rcode: res.Rcode, Server: res.AnsweredBy}
	for _, tr := range trs {
		if soa := negativeSOA(tr.final); soa != nil {
			ne.Zone = soa.Hdr.Name
		}
	}
	return ne
}

// lookup resolves one type through the configured server, following the CNAME chain.
func (s *session) lookup(ctx context.Context, name string, qtype uint16) typeResult {
	r := s.r
	srv := r.cfg.Server
	tr := typeResult{qtype: qtype, canon: name, server: srv.String()}
	if srv.Transport == TransportAuto {
		tr.server = srv.Address()
	}
	seen := map[string]bool{strings.ToLower(name): true}
	chain := []string{name}
	cur := name
	for hop := 0; ; hop++ {
		purpose := "answer"
		if hop > 0 {
			purpose = "follow"
		}
		m := buildQuery(r.cfg.ID(), cur, qtype, queryOpts{recurse: true, subnet: r.cfg.Subnet, nsid: hop == 0})
		resp, err := s.ask(ctx, srv, m, purpose)
		if err == nil && rejectsEDNS(resp) {
			// A server from before EDNS (RFC 6891 §7): ask again the RFC 1035 way, as dig does.
			m = buildQuery(r.cfg.ID(), cur, qtype, queryOpts{recurse: true, noEDNS: true})
			resp, err = s.ask(ctx, srv, m, "no-edns")
		}
		if err != nil {
			tr.err = err
			return tr
		}
		tr.final = resp
		switch resp.Rcode {
		case mdns.RcodeSuccess, mdns.RcodeNameError:
		case mdns.RcodeServerFailure:
			tr.err = s.diagnoseServfail(ctx, srv, cur, qtype, tr.server, extendedError(resp))
			return tr
		default:
			tr.err = &RcodeError{Name: cur, Type: typeName(qtype), Rcode: rcodeName(resp.Rcode), Server: tr.server, Detail: extendedError(resp)}
			return tr
		}
		al, canon, recs, newChain, err := follow(cur, qtype, resp.Answer, seen, chain, r.cfg.MaxChain)
		chain = newChain
		for i := range al {
			al[i].Server = tr.server
		}
		tr.aliases = append(tr.aliases, al...)
		tr.canon, tr.recs = canon, recs
		if err != nil {
			var le *LoopError
			if errors.As(err, &le) {
				le.Server = tr.server
			}
			tr.err = err
			return tr
		}
		if len(recs) > 0 || len(al) == 0 || resp.Rcode == mdns.RcodeNameError || qtype == mdns.TypeCNAME || negativeSOA(resp) != nil {
			return tr
		}
		// The chain ends at a target the server left out (an authoritative server answering for a
		// target outside its zones): ask for the target.
		cur = canon
	}
}

// rejectsEDNS reports whether a reply refuses the EDNS query itself: FORMERR or NOTIMP without an OPT
// record of its own.
func rejectsEDNS(m *mdns.Msg) bool {
	return (m.Rcode == mdns.RcodeFormatError || m.Rcode == mdns.RcodeNotImplemented) && m.IsEdns0() == nil
}

// diagnoseServfail finds out what is behind a SERVFAIL: a DNSSEC validation failure (the query with
// checking disabled succeeds) or a CNAME loop (asking for each CNAME in turn comes back to a name).
func (s *session) diagnoseServfail(ctx context.Context, srv Server, name string, qtype uint16, server, ede string) error {
	r := s.r
	base := &RcodeError{Name: name, Type: typeName(qtype), Rcode: "SERVFAIL", Server: server, Detail: ede}
	m := buildQuery(r.cfg.ID(), name, qtype, queryOpts{recurse: true, cd: true, subnet: r.cfg.Subnet})
	if resp, err := s.ask(ctx, srv, m, "cd-retry"); err == nil && (resp.Rcode == mdns.RcodeSuccess || resp.Rcode == mdns.RcodeNameError) {
		base.Detail = joinDetail("DNSSEC validation failed (the same query with checking disabled succeeds)", ede)
		return base
	}
	seen := map[string]bool{strings.ToLower(name): true}
	chain := []string{name}
	cur := name
	for range r.cfg.MaxChain {
		m := buildQuery(r.cfg.ID(), cur, mdns.TypeCNAME, queryOpts{recurse: true})
		resp, err := s.ask(ctx, srv, m, "loop-check")
		if err != nil || resp.Rcode != mdns.RcodeSuccess {
			break
		}
		var target string
		for _, rr := range resp.Answer {
			if c, ok := rr.(*mdns.CNAME); ok && strings.EqualFold(c.Hdr.Name, cur) {
				target = c.Target
			}
		}
		if target == "" {
			break
		}
		chain = append(chain, target)
		if seen[strings.ToLower(target)] {
			return &LoopError{Chain: chain, Server: server + " (which answered SERVFAIL)"}
		}
		seen[strings.ToLower(target)] = true
		cur = target
	}
	return base
}

func joinDetail(a, b string) string {
	if b == "" {
		return a
	}
	return a + "; " + b
}

// authority fills res.Authority: the zone of the final name (from a negative answer's SOA or an SOA
// query), its SOA and its NS set. Failures leave fields empty; the queries record why.
func (s *session) authority(ctx context.Context, res *Result, trs []typeResult) {
	r := s.r
	for _, tr := range trs {
		if tr.final != nil {
			if soa := negativeSOA(tr.final); soa != nil && len(tr.recs) == 0 {
				res.Authority.Zone, res.Authority.SOA = soa.Hdr.Name, soaOf(soa)
				break
			}
		}
	}
	if res.Authority.SOA == nil {
		m := buildQuery(r.cfg.ID(), res.Chain.Canonical, mdns.TypeSOA, queryOpts{recurse: true, subnet: r.cfg.Subnet})
		resp, err := s.ask(ctx, r.cfg.Server, m, "authority")
		if err != nil {
			return
		}
		for _, sec := range [][]mdns.RR{resp.Answer, resp.Ns} {
			for _, rr := range sec {
				if soa, ok := rr.(*mdns.SOA); ok && res.Authority.SOA == nil {
					res.Authority.Zone, res.Authority.SOA = soa.Hdr.Name, soaOf(soa)
				}
			}
		}
	}
	if res.Authority.Zone == "" {
		return
	}
	m := buildQuery(r.cfg.ID(), res.Authority.Zone, mdns.TypeNS, queryOpts{recurse: true, subnet: r.cfg.Subnet})
	resp, err := s.ask(ctx, r.cfg.Server, m, "authority")
	if err != nil {
		return
	}
	for _, rr := range resp.Answer {
		if ns, ok := rr.(*mdns.NS); ok && strings.EqualFold(ns.Hdr.Name, res.Authority.Zone) {
			res.Authority.NS = append(res.Authority.NS, ns.Ns)
		}
	}
	slices.Sort(res.Authority.NS)
}

func soaOf(s *mdns.SOA) *SOA {
	return &SOA{Zone: s.Hdr.Name, MName: s.Ns, RName: s.Mbox, Serial: s.Serial, Minimum: s.Minttl, TTL: s.Hdr.Ttl}
}
