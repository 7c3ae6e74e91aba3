package capture

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// dnsAnswer is one address a DNS response gave, with the name asked and the alias chain to it.
type dnsAnswer struct {
	// asked is the question name; host owns the address record (the end of the CNAME chain).
	asked, host string
	// chain runs from asked to host; nil when they are equal.
	chain []string
	addr  netip.Addr
	ttl   uint32
}

func normName(s string) string { return strings.ToLower(strings.TrimSuffix(s, ".")) }

// dnsAnswers extracts the A and AAAA answers from a DNS response message. A query or a response without
// addresses gives none and no error.
func dnsAnswers(msg []byte) ([]dnsAnswer, error) {
	var m dns.Msg
	if err := m.Unpack(msg); err != nil {
		return nil, fmt.Errorf("dns message (%d bytes): %w", len(msg), err)
	}
	if !m.Response || m.Rcode != dns.RcodeSuccess || len(m.Question) == 0 {
		return nil, nil
	}
	asked := normName(m.Question[0].Name)
	cname := map[string]string{}
	for _, rr := range m.Answer {
		if c, ok := rr.(*dns.CNAME); ok {
			cname[normName(c.Hdr.Name)] = normName(c.Target)
		}
	}
	var out []dnsAnswer
	for _, rr := range m.Answer {
		var a netip.Addr
		switch r := rr.(type) {
		case *dns.A:
			a, _ = netip.AddrFromSlice(r.A.To4())
		case *dns.AAAA:
			a, _ = netip.AddrFromSlice(r.AAAA.To16())
		default:
			continue
		}
		if !a.IsValid() {
			continue
		}
		owner := normName(rr.Header().Name)
		ans := dnsAnswer{asked: asked, host: owner, addr: a, ttl: rr.Header().Ttl}
		if owner != asked {
			chain := []string{asked}
			for n, i := asked, 0; i < 16; i++ {
				t, ok := cname[n]
				if !ok {
					break
				}
				chain = append(chain, t)
				if t == owner {
					break
				}
				n = t
			}
			if chain[len(chain)-1] != owner {
				// The address is not reached from the question: not an answer to it.
				ans.asked = owner
				chain = nil
			}
			ans.chain = chain
		}
		out = append(out, ans)
	}
	return out, nil
}
