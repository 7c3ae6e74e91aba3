package dnstest

import (
	"strings"
	"sync/atomic"

	mdns "github.com/miekg/dns"
)

// Static is an in-process server for a fixed set of records that answers like a recursive resolver
// (RA set): it follows CNAMEs inside its records, returns NXDOMAIN or NODATA with the SOA otherwise.
// Queries counts the queries it received.
type Static struct {
	byName  map[string][]mdns.RR
	soa     mdns.RR
	Queries atomic.Int64
}

// NewStatic parses zone-file text (absolute names, explicit TTLs) into a Static server; it panics on
// a bad record, which is a bug in the test.
func NewStatic(zone string) *Static {
	s := &Static{byName: map[string][]mdns.RR{}}
	zp := mdns.NewZoneParser(strings.NewReader(zone), ".", "static")
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		k := strings.ToLower(rr.Header().Name)
		s.byName[k] = append(s.byName[k], rr)
		if rr.Header().Rrtype == mdns.TypeSOA && s.soa == nil {
			s.soa = rr
		}
	}
	if err := zp.Err(); err != nil {
		panic("dnstest: static zone: " + err.Error())
	}
	return s
}

// ServeDNS answers one query.
func (s *Static) ServeDNS(w mdns.ResponseWriter, req *mdns.Msg) {
	s.Queries.Add(1)
	m := new(mdns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	if opt := req.IsEdns0(); opt != nil {
		m.SetEdns0(1232, opt.Do())
	}
	if len(req.Question) != 1 {
		m.Rcode = mdns.RcodeFormatError
		_ = w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	for range 8 {
		rrs, ok := s.byName[name]
		if !ok {
			m.Rcode = mdns.RcodeNameError
			break
		}
		var cname *mdns.CNAME
		matched := false
		for _, rr := range rrs {
			if rr.Header().Rrtype == q.Qtype {
				m.Answer = append(m.Answer, rr)
				matched = true
			}
			if c, ok := rr.(*mdns.CNAME); ok {
				cname = c
			}
		}
		if matched || cname == nil || q.Qtype == mdns.TypeCNAME {
			break
		}
		m.Answer = append(m.Answer, cname)
		name = strings.ToLower(cname.Target)
	}
	if len(m.Answer) == 0 || m.Rcode == mdns.RcodeNameError {
		if s.soa != nil {
			m.Ns = []mdns.RR{s.soa}
		}
	}
	_ = w.WriteMsg(m)
}
