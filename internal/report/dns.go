package report

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/dns"
	"hopscope/internal/enrich"
)

// DNS is one resolution: the alias chain, every record (addresses enriched), the zone's authority,
// who answered, DNSSEC evidence, the client subnet exchange, every query with its timing, and for a
// trace the delegation walk.
type DNS struct {
	Name  string   `json:"name"`
	Types []string `json:"types"`
	// Server is the server asked ("127.0.0.53:53", "tls://dns.example:853", "https://dns.example/dns-query");
	// for a trace, the first root.
	Server    string `json:"server"`
	Transport string `json:"transport"`
	Trace     bool   `json:"trace,omitempty"`

	// Outcome is "answer", "nxdomain", "nodata" or "error".
	Outcome string `json:"outcome"`
	Rcode   string `json:"rcode,omitempty"`
	// Error says what went wrong in DNS terms when Outcome is "error" (or why a negative answer is negative).
	Error string `json:"error,omitempty"`

	// AnsweredBy is the server that gave the final answer; Authoritative its AA bit.
	AnsweredBy         string `json:"answered_by,omitempty"`
	Authoritative      bool   `json:"authoritative"`
	RecursionAvailable bool   `json:"recursion_available"`
	// NSID is the answering server's identifier (RFC 5001); empty when it sent none.
	NSID string `json:"nsid,omitempty"`

	// Aliases are the CNAME steps in order; Canonical the name they end at.
	Aliases   []DNSAlias  `json:"aliases,omitempty"`
	Canonical string      `json:"canonical"`
	Records   []DNSRecord `json:"records,omitempty"`

	Authority *DNSAuthority `json:"authority,omitempty"`
	DNSSEC    *DNSSEC       `json:"dnssec,omitempty"`
	Subnet    *DNSSubnet    `json:"subnet,omitempty"`
	// BySubnet compares the answers given to several client subnets (dns --subnet A,B,...); nil otherwise.
	BySubnet  []DNSSubnetAnswer `json:"by_subnet,omitempty"`
	Queries   []DNSQuery        `json:"queries,omitempty"`
	Steps     []DNSStep         `json:"steps,omitempty"`
	ElapsedMS float64           `json:"elapsed_ms"`
}

// DNSAlias is one CNAME step.
type DNSAlias struct {
	Name   string `json:"name"`
	Target string `json:"target"`
	TTL    uint32 `json:"ttl"`
}

// DNSRecord is one record of the asked type(s) at the canonical name.
type DNSRecord struct {
	Name string `json:"name"`
	Type string `json:"type"`
	TTL  uint32 `json:"ttl"`
	Data string `json:"data"`
	// Info is what is known about an A/AAAA address; nil for other types or when not enriched.
	Info *AddrInfo `json:"info,omitempty"`
	// Network is "AS132203 Tencent", or the special range's name when no AS is known; Location is
	// "Singapore, SG". Both are "" when Info is nil or knows nothing of it.
	Network  string `json:"network,omitempty"`
	Location string `json:"location,omitempty"`
	// PTR is the address's reverse name when it was asked for (dns --ptr); empty otherwise.
	PTR string `json:"ptr,omitempty"`
}

// DNSAuthority is the zone holding the final name.
type DNSAuthority struct {
	Zone string   `json:"zone"`
	NS   []string `json:"ns,omitempty"`
	SOA  *DNSSOA  `json:"soa,omitempty"`
}

// DNSSOA is the zone's SOA record.
type DNSSOA struct {
	MName   string `json:"mname"`
	RName   string `json:"rname"`
	Serial  uint32 `json:"serial"`
	Minimum uint32 `json:"minimum"` // negative caching TTL
	TTL     uint32 `json:"ttl"`
}

// DNSSEC is the DNSSEC evidence: Status is "secure", "signed-unvalidated", "insecure" or "bogus".
type DNSSEC struct {
	Status string `json:"status"`
	AD     bool   `json:"ad"`
	RRSIGs int    `json:"rrsigs"`
	// Meaning explains Status in a sentence.
	Meaning string `json:"meaning"`
}

// DNSSubnet is the EDNS Client Subnet exchange.
type DNSSubnet struct {
	Sent   string `json:"sent"`
	Echoed bool   `json:"echoed"`
	// Scope is the prefix length the answer is valid for; -1 when the server did not echo the option.
	Scope   int    `json:"scope"`
	Meaning string `json:"meaning"`
}

// DNSSubnetAnswer is what one client subnet is told.
type DNSSubnetAnswer struct {
	Subnet string `json:"subnet"`
	// Scope is the prefix length the answer is valid for; -1 when the server did not echo the option.
	Scope     int      `json:"scope"`
	Canonical string   `json:"canonical,omitempty"`
	Data      []string `json:"data,omitempty"` // the records' data in order (addresses for A/AAAA)
	Outcome   string   `json:"outcome"`
	Error     string   `json:"error,omitempty"`
}

// NewDNSSubnetAnswer summarises a resolution made with client subnet p.
func NewDNSSubnetAnswer(p netip.Prefix, res *dns.Result, err error) DNSSubnetAnswer {
	d := NewDNS(res, err, nil)
	a := DNSSubnetAnswer{Subnet: p.String(), Scope: -1, Canonical: d.Canonical, Outcome: d.Outcome, Error: d.Error}
	if d.Subnet != nil {
		a.Scope = d.Subnet.Scope
	}
	for _, r := range d.Records {
		a.Data = append(a.Data, r.Data)
	}
	return a
}

// DNSQuery is one exchange with its timing.
type DNSQuery struct {
	Name      string  `json:"name"`
	Type      string  `json:"type"`
	Server    string  `json:"server"`
	Transport string  `json:"transport"`
	Purpose   string  `json:"purpose"`
	RTTMS     float64 `json:"rtt_ms"`
	Rcode     string  `json:"rcode,omitempty"`
	Flags     string  `json:"flags,omitempty"`
	Size      int     `json:"size,omitempty"`
	Answers   int     `json:"answers"`
	Error     string  `json:"error,omitempty"`
}

// DNSStep is one server asked during a trace.
type DNSStep struct {
	Zone       string       `json:"zone"`
	QName      string       `json:"qname"`
	QType      string       `json:"qtype"`
	ServerName string       `json:"server_name"`
	ServerAddr string       `json:"server_addr"`
	RTTMS      float64      `json:"rtt_ms"`
	Kind       string       `json:"kind"` // referral, answer, cname, nxdomain, nodata, lame, error
	Detail     string       `json:"detail,omitempty"`
	Referral   *DNSReferral `json:"referral,omitempty"`
}

// DNSReferral is a delegation seen during a trace.
type DNSReferral struct {
	Zone    string          `json:"zone"`
	Servers []DNSNameServer `json:"servers"`
}

// DNSNameServer is one server of a delegation; Glue says whether its addresses came with the referral.
type DNSNameServer struct {
	Name  string   `json:"name"`
	Addrs []string `json:"addrs,omitempty"`
	Glue  bool     `json:"glue"`
}

// NewDNS builds the report section from a resolution and its error (nil, a negative answer, or a
// failure with a partial result). infos holds enrichment by address; nil or missing entries leave
// Info nil. res may be nil when the failure came before any query.
func NewDNS(res *dns.Result, err error, infos map[netip.Addr]enrich.Info) *DNS {
	d := &DNS{}
	if err != nil {
		d.Outcome, d.Error = "error", err.Error()
	}
	if res == nil {
		return d
	}
	d.Name, d.Types, d.Trace = res.Name, res.Types, res.Trace
	d.Server, d.Transport = res.Server.String(), string(res.Server.Transport)
	if err == nil || errors.Is(err, dns.ErrNegative) {
		d.Outcome = string(res.Outcome)
	}
	d.Rcode, d.AnsweredBy, d.Authoritative, d.RecursionAvailable, d.NSID = res.Rcode, res.AnsweredBy, res.Authoritative, res.RecursionAvailable, res.NSID
	for _, a := range res.Chain.Aliases {
		d.Aliases = append(d.Aliases, DNSAlias{Name: a.Name, Target: a.Target, TTL: a.TTL})
	}
	d.Canonical = res.Chain.Canonical
	for _, r := range res.Chain.Records {
		rec := DNSRecord{Name: r.Name, Type: r.Type, TTL: r.TTL, Data: r.Data}
		if r.Addr.IsValid() {
			if info, ok := infos[r.Addr]; ok {
				ai := NewAddrInfo(info)
				rec.Info = &ai
				rec.Network, rec.Location = recordNetwork(info), joinNonEmpty(", ", info.City, info.Country)
			}
		}
		d.Records = append(d.Records, rec)
	}
	if a := res.Authority; a.Zone != "" {
		d.Authority = &DNSAuthority{Zone: a.Zone, NS: a.NS}
		if a.SOA != nil {
			d.Authority.SOA = &DNSSOA{MName: a.SOA.MName, RName: a.SOA.RName, Serial: a.SOA.Serial, Minimum: a.SOA.Minimum, TTL: a.SOA.TTL}
		}
	}
	if res.DNSSEC.Status != "" {
		d.DNSSEC = &DNSSEC{Status: string(res.DNSSEC.Status), AD: res.DNSSEC.AD, RRSIGs: res.DNSSEC.RRSIGs, Meaning: dnssecMeaning(res.DNSSEC.Status)}
	}
	if s := res.Subnet; s != nil {
		d.Subnet = &DNSSubnet{Sent: s.Sent.String(), Echoed: s.Echoed, Scope: s.Scope, Meaning: subnetMeaning(s)}
		if !s.Echoed {
			d.Subnet.Scope = -1
		}
	}
	for _, q := range res.Queries {
		d.Queries = append(d.Queries, DNSQuery{Name: q.Name, Type: q.Type, Server: q.Server, Transport: string(q.Transport),
			Purpose: q.Purpose, RTTMS: ms(q.RTT), Rcode: q.Rcode, Flags: q.Flags, Size: q.Size, Answers: q.Answers, Error: q.Err})
	}
	for _, s := range res.Steps {
		st := DNSStep{Zone: s.Zone, QName: s.QName, QType: s.QType, ServerName: s.ServerName, ServerAddr: s.ServerAddr,
			RTTMS: ms(s.RTT), Kind: s.Kind, Detail: s.Detail}
		if s.Referral != nil {
			st.Referral = &DNSReferral{Zone: s.Referral.Zone}
			for _, ns := range s.Referral.Servers {
				n := DNSNameServer{Name: ns.Name, Glue: ns.Glue}
				for _, a := range ns.Addrs {
					n.Addrs = append(n.Addrs, a.String())
				}
				st.Referral.Servers = append(st.Referral.Servers, n)
			}
		}
		d.Steps = append(d.Steps, st)
	}
	d.ElapsedMS = ms(res.Elapsed)
	return d
}

// SetPTR records the reverse names of the A/AAAA records from names (address → name).
func (d *DNS) SetPTR(names map[netip.Addr]string) {
	for i, r := range d.Records {
		if a, err := netip.ParseAddr(r.Data); err == nil && (r.Type == "A" || r.Type == "AAAA") {
			d.Records[i].PTR = names[a]
		}
	}
}

// Addrs returns the addresses of the A and AAAA records in order, without duplicates.
func (d *DNS) Addrs() []netip.Addr {
	var out []netip.Addr
	seen := map[netip.Addr]bool{}
	for _, r := range d.Records {
		if r.Type != "A" && r.Type != "AAAA" {
			continue
		}
		if a, err := netip.ParseAddr(r.Data); err == nil && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// recordNetwork is "AS132203 Tencent", the special range's name when no AS is known.
func recordNetwork(i enrich.Info) string {
	if i.ASN != 0 {
		return strings.TrimSpace("AS" + strconv.FormatUint(uint64(i.ASN), 10) + " " + i.ASOrg)
	}
	if i.Special != nil {
		return i.Special.Name
	}
	return ""
}

// joinNonEmpty joins the non-empty strings of s with sep.
func joinNonEmpty(sep string, s ...string) string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return strings.Join(out, sep)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func dnssecMeaning(s dns.DNSSECStatus) string {
	switch s {
	case dns.DNSSECSecure:
		return "the resolver validated the signatures (AD bit set)"
	case dns.DNSSECUnvalidated:
		return "signatures came back but nobody validated them (no AD bit: the server does not validate, or it is an authority)"
	case dns.DNSSECBogus:
		return "validation failed: the resolver answered SERVFAIL, and the same query with checking disabled succeeded"
	}
	return "no signatures and no AD bit: the zone is unsigned, or nothing on the way validated"
}

func subnetMeaning(s *dns.Subnet) string {
	switch {
	case !s.Echoed:
		return "the server did not return the option: it ignored the client subnet (the answer is what it gives everyone, or is based on the resolver's address)"
	case s.Scope == 0:
		return "scope /0: the answer is the same for every client"
	}
	p, err := s.Sent.Addr().Prefix(min(s.Scope, s.Sent.Addr().BitLen()))
	if err != nil {
		return "the answer depends on the client's network"
	}
	return "the answer is specific to clients in " + p.String()
}
