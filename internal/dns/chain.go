package dns

import (
	"strings"

	mdns "github.com/miekg/dns"
)

// follow walks the CNAME records of answer from name, the way a stub reads a resolver's reply. seen
// holds the lower-cased names already on the chain (name included) and chain the names in order; both
// are extended. It returns the new alias steps, the name reached, and the records of type qtype owned
// by it (all of them for ANY; the CNAME itself when qtype is CNAME). A step back to a seen name is a
// *LoopError; more than limit steps a *ChainTooLongError.
func follow(name string, qtype uint16, answer []mdns.RR, seen map[string]bool, chain []string, limit int) (aliases []Alias, canonical string, recs []Record, newChain []string, err error) {
	cur := name
	if qtype != mdns.TypeCNAME {
		cnames := map[string]*mdns.CNAME{}
		for _, rr := range answer {
			if c, ok := rr.(*mdns.CNAME); ok {
				k := strings.ToLower(c.Hdr.Name)
				if _, dup := cnames[k]; !dup {
					cnames[k] = c
				}
			}
		}
		for {
			c, ok := cnames[strings.ToLower(cur)]
			if !ok {
				break
			}
			aliases = append(aliases, Alias{Name: c.Hdr.Name, Target: c.Target, TTL: c.Hdr.Ttl})
			chain = append(chain, c.Target)
			k := strings.ToLower(c.Target)
			if seen[k] {
				return aliases, c.Target, nil, chain, &LoopError{Chain: chain}
			}
			if len(chain)-1 > limit {
				return aliases, c.Target, nil, chain, &ChainTooLongError{Chain: chain, Limit: limit}
			}
			seen[k] = true
			cur = c.Target
		}
	}
	for _, rr := range answer {
		h := rr.Header()
		if !strings.EqualFold(h.Name, cur) || h.Rrtype == mdns.TypeRRSIG {
			continue
		}
		if h.Rrtype == qtype || (qtype == mdns.TypeANY && h.Rrtype != mdns.TypeCNAME) {
			recs = append(recs, toRecord(rr))
		}
	}
	return aliases, cur, recs, chain, nil
}

// negativeSOA returns the SOA of a negative reply's authority section (RFC 2308), or nil.
func negativeSOA(m *mdns.Msg) *mdns.SOA {
	for _, rr := range m.Ns {
		if s, ok := rr.(*mdns.SOA); ok {
			return s
		}
	}
	return nil
}

// countRRSIG counts signatures in the answer and authority sections.
func countRRSIG(m *mdns.Msg) int {
	n := 0
	for _, sec := range [][]mdns.RR{m.Answer, m.Ns} {
		for _, rr := range sec {
			if rr.Header().Rrtype == mdns.TypeRRSIG {
				n++
			}
		}
	}
	return n
}

// dnssecStatus classifies the evidence of the final replies.
func dnssecStatus(allAD bool, rrsigs int) DNSSECStatus {
	switch {
	case allAD:
		return DNSSECSecure
	case rrsigs > 0:
		return DNSSECUnvalidated
	}
	return DNSSECInsecure
}
