package dns

import (
	"net/netip"
	"time"
)

// Record is one resource record in presentation form.
type Record struct {
	Name string // owner name, fully qualified
	Type string // "A", "AAAA", "CNAME", "MX", ...
	TTL  uint32
	// Data is the record data as a zone file writes it ("192.0.2.1", "10 mx.example.", "\"v=spf1 -all\"").
	Data string
	// Addr is the address of an A or AAAA record; the zero Addr for other types.
	Addr netip.Addr
}

// Alias is one CNAME step: Name is an alias of Target.
type Alias struct {
	Name   string
	Target string
	TTL    uint32
	// Server is the server whose answer carried this step.
	Server string
}

// Chain is a name resolved through its aliases.
type Chain struct {
	// Name is the name asked for, fully qualified.
	Name string
	// Aliases are the CNAME steps in order; empty when Name is not an alias.
	Aliases []Alias
	// Canonical is the name the aliases end at (Name when there are none).
	Canonical string
	// Records are the records of the asked type(s) found at Canonical, in the order the server gave them.
	Records []Record
}

// Addrs returns the A and AAAA addresses of the chain, IPv4 first, without duplicates.
func (c Chain) Addrs() []netip.Addr {
	var v4, v6 []netip.Addr
	seen := map[netip.Addr]bool{}
	for _, r := range c.Records {
		if !r.Addr.IsValid() || seen[r.Addr] {
			continue
		}
		seen[r.Addr] = true
		if r.Addr.Is4() {
			v4 = append(v4, r.Addr)
		} else {
			v6 = append(v6, r.Addr)
		}
	}
	return append(v4, v6...)
}

// Outcome is what the resolution came to.
type Outcome string

// Outcomes.
const (
	OutcomeAnswer   Outcome = "answer"   // records of the asked type exist
	OutcomeNXDomain Outcome = "nxdomain" // the name does not exist
	OutcomeNoData   Outcome = "nodata"   // the name exists without records of the asked type
)

// Authority describes the zone that holds the answer.
type Authority struct {
	// Zone is the zone the final name belongs to ("video.qq.test."); empty when not found.
	Zone string
	// NS are the zone's name servers as published in its NS record set.
	NS []string
	// SOA is the zone's SOA record (always looked for; returned with negative answers).
	SOA *SOA
}

// SOA is a zone's start of authority.
type SOA struct {
	Zone    string
	MName   string // primary name server
	RName   string // responsible mailbox, in DNS form
	Serial  uint32
	Minimum uint32 // negative caching TTL
	TTL     uint32
}

// DNSSECStatus summarises what the answers say about DNSSEC.
type DNSSECStatus string

// DNSSEC statuses, from the resolver's point of view.
const (
	// DNSSECSecure: the resolver validated the answer (AD bit set).
	DNSSECSecure DNSSECStatus = "secure"
	// DNSSECUnvalidated: signatures (RRSIG) came back but the resolver did not set AD (it does not validate,
	// or the answer came straight from an authority, which never sets AD).
	DNSSECUnvalidated DNSSECStatus = "signed-unvalidated"
	// DNSSECInsecure: no signatures and no AD: the zone is unsigned or nobody checked.
	DNSSECInsecure DNSSECStatus = "insecure"
	// DNSSECBogus: the resolver answered SERVFAIL, and the same query with checking disabled (CD) succeeded:
	// validation failed.
	DNSSECBogus DNSSECStatus = "bogus"
)

// DNSSEC is the DNSSEC evidence of a resolution.
type DNSSEC struct {
	Status DNSSECStatus
	// AD is true when every answer had the Authenticated Data bit.
	AD bool
	// RRSIGs counts signatures in the answer sections.
	RRSIGs int
}

// Subnet is the EDNS Client Subnet exchange (RFC 7871).
type Subnet struct {
	// Sent is the client subnet put in the query.
	Sent netip.Prefix
	// Echoed is true when the server returned the option; false means it ignored ECS.
	Echoed bool
	// Scope is the scope prefix length the server returned: the answer is valid for Sent's address
	// truncated to Scope bits (0 = valid for everyone). Meaningful only when Echoed.
	Scope int
}

// Query is one exchange with one server.
type Query struct {
	Name string
	Type string
	// Server is host:port (or the DoH URL); Transport how it was reached (TCP when a UDP reply was truncated).
	Server    string
	Transport Transport
	// Purpose says why the query was sent: "answer", "follow" (a CNAME target the server left out),
	// "authority", "cd-retry", "loop-check", "no-edns" (a retry without EDNS after FORMERR), "trace".
	Purpose string
	// Start is when the query was sent; RTT how long the reply took (zero when Err is set).
	Start time.Time
	RTT   time.Duration
	Rcode string
	// Flags are the reply's header flags as dig shows them ("qr rd ra aa ad").
	Flags string
	// Size is the reply's length in bytes.
	Size    int
	Answers int
	// Err is why the exchange failed; empty on success.
	Err string
}

// Result is a complete resolution of one name.
type Result struct {
	// Name is the name asked for, fully qualified; Types the record types asked ("A", "AAAA").
	Name  string
	Types []string
	// Server is the server asked; for a trace, the first root server.
	Server Server
	// Trace is true when the resolution followed delegation from the roots.
	Trace bool

	Chain   Chain
	Outcome Outcome
	// Rcode of the final answer ("NOERROR", "NXDOMAIN").
	Rcode string
	// AnsweredBy is the server that gave the final answer (host:port or URL).
	AnsweredBy string
	// Authoritative is true when the final answer had the AA bit (it came from the zone's own server).
	Authoritative bool
	// RecursionAvailable is the RA bit of the final answer.
	RecursionAvailable bool
	// NSID is the server's name server identifier (RFC 5001) when it sent one.
	NSID      string
	Authority Authority
	DNSSEC    DNSSEC
	// Subnet is nil when no client subnet was sent.
	Subnet *Subnet
	// Queries lists every exchange in the order sent.
	Queries []Query
	// Steps is the delegation walk of a trace; nil otherwise.
	Steps []TraceStep
	// Elapsed is the wall time of the whole resolution.
	Elapsed time.Duration
}

// TraceStep is one server asked during a trace.
type TraceStep struct {
	// Zone is the zone the server was asked as an authority for ("." for a root).
	Zone string
	// QName and QType are what was asked.
	QName string
	QType string
	// ServerName is the name server's name (from the referral or the root hints); ServerAddr its address.
	ServerName string
	ServerAddr string
	RTT        time.Duration
	// Kind is "referral", "answer", "cname", "nxdomain", "nodata", "lame" or "error".
	Kind string
	// Detail says what the server did ("REFUSED", "answered without AA", "timeout after 2s").
	Detail string
	// Referral lists the delegated zone's servers when Kind is "referral".
	Referral *Referral
}

// Referral is a delegation to a child zone.
type Referral struct {
	Zone    string
	Servers []NameServer
}

// NameServer is one server of a delegation.
type NameServer struct {
	Name  string
	Addrs []netip.Addr
	// Glue is true when the addresses came in the referral's additional section; false when hopscope had
	// to resolve the name itself (a delegation without glue).
	Glue bool
}
