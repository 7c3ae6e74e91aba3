package dns

import (
	"strings"

	mdns "github.com/miekg/dns"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// rrs parses zone-file lines into records.
func rrs(lines ...string) []mdns.RR {
	out := make([]mdns.RR, 0, len(lines))
	for _, l := range lines {
		rr, err := mdns.NewRR(l)
		if err != nil {
			panic(err)
		}
		out = append(out, rr)
	}
	return out
}

// reply builds a reply to q with the given sections.
func reply(q *mdns.Msg, rcode int, aa bool, answer, ns, extra []mdns.RR) *mdns.Msg {
	m := new(mdns.Msg)
	m.SetReply(q)
	m.Rcode, m.Authoritative = rcode, aa
	m.Answer, m.Ns, m.Extra = answer, ns, extra
	return m
}
