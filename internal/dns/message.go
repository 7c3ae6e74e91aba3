package dns

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	mdns "github.com/miekg/dns"
)

// ednsSize is the UDP payload size advertised (the DNS Flag Day 2020 value).
const ednsSize = 1232

// queryOpts shape one query message.
type queryOpts struct {
	recurse bool // RD bit
	cd      bool // CD bit: ask the resolver not to validate
	subnet  netip.Prefix
	nsid    bool
	noEDNS  bool // a plain RFC 1035 query, for servers that reject EDNS
}

// buildQuery returns a query for name/qtype with EDNS (DO bit set, so signatures come back).
func buildQuery(id uint16, name string, qtype uint16, o queryOpts) *mdns.Msg {
	m := new(mdns.Msg)
	m.Id = id
	m.RecursionDesired = o.recurse
	m.CheckingDisabled = o.cd
	m.Question = []mdns.Question{{Name: mdns.Fqdn(name), Qtype: qtype, Qclass: mdns.ClassINET}}
	if o.noEDNS {
		return m
	}
	opt := &mdns.OPT{Hdr: mdns.RR_Header{Name: ".", Rrtype: mdns.TypeOPT}}
	opt.SetUDPSize(ednsSize)
	opt.SetDo(true)
	if o.nsid {
		opt.Option = append(opt.Option, &mdns.EDNS0_NSID{Code: mdns.EDNS0NSID})
	}
	if o.subnet.IsValid() {
		p := o.subnet.Masked()
		e := &mdns.EDNS0_SUBNET{Code: mdns.EDNS0SUBNET, SourceNetmask: uint8(p.Bits()), Family: 1, Address: p.Addr().AsSlice()}
		if p.Addr().Is6() {
			e.Family = 2
		}
		opt.Option = append(opt.Option, e)
	}
	m.Extra = []mdns.RR{opt}
	return m
}

// errNotOurs marks a datagram that cannot be the reply to our query (wrong ID, or too short to tell);
// a UDP reader keeps waiting after one.
var errNotOurs = errors.New("not a reply to this query")

type notOursError struct{ why string }

func (e *notOursError) Error() string { return e.why }
func (e *notOursError) Unwrap() error { return errNotOurs }

// parseReply checks that b is a well-formed reply to q and unpacks it. It returns an error wrapping
// errNotOurs for a datagram that is not ours, and a *MalformedError (Server empty) for one that is ours
// but unreadable. A truncated (TC) reply that cannot be unpacked is returned as a header-only message
// with Truncated set, so the caller retries over TCP.
func parseReply(b []byte, q *mdns.Msg) (*mdns.Msg, error) {
	if len(b) < 2 {
		return nil, &notOursError{fmt.Sprintf("a %d-byte datagram", len(b))}
	}
	if id := binary.BigEndian.Uint16(b); id != q.Id {
		return nil, &notOursError{fmt.Sprintf("ID mismatch: got 0x%04x, expected 0x%04x", id, q.Id)}
	}
	if len(b) < 12 {
		return nil, &MalformedError{Size: len(b), Reason: "shorter than a DNS header (12 bytes)"}
	}
	flags := binary.BigEndian.Uint16(b[2:])
	if flags&0x8000 == 0 {
		return nil, &MalformedError{Size: len(b), Reason: "not a response (QR bit clear)"}
	}
	tc := flags&0x0200 != 0
	m := new(mdns.Msg)
	if err := m.Unpack(b); err != nil {
		if tc {
			h := new(mdns.Msg)
			h.Id, h.Response, h.Truncated = q.Id, true, true
			h.Rcode = int(flags & 0xF)
			return h, nil
		}
		return nil, &MalformedError{Size: len(b), Reason: "cannot parse: " + err.Error()}
	}
	counts := [4]int{int(binary.BigEndian.Uint16(b[4:])), int(binary.BigEndian.Uint16(b[6:])), int(binary.BigEndian.Uint16(b[8:])), int(binary.BigEndian.Uint16(b[10:]))}
	got := [4]int{len(m.Question), len(m.Answer), len(m.Ns), len(m.Extra)}
	names := [4]string{"question", "answer", "authority", "additional"}
	for i := range counts {
		if counts[i] != got[i] && !tc {
			return nil, &MalformedError{Size: len(b), Reason: fmt.Sprintf("message ends early: header announces %d %s record(s), %d present", counts[i], names[i], got[i])}
		}
	}
	if len(m.Question) > 0 && len(q.Question) > 0 {
		a, w := m.Question[0], q.Question[0]
		if !strings.EqualFold(a.Name, w.Name) || a.Qtype != w.Qtype {
			return nil, &MalformedError{Size: len(b), Reason: fmt.Sprintf("reply is for %s %s, asked %s %s", a.Name, typeName(a.Qtype), w.Name, typeName(w.Qtype))}
		}
	}
	return m, nil
}

// typeName is the mnemonic of a record type ("TYPE65534" for unknown ones).
func typeName(t uint16) string {
	if s, ok := mdns.TypeToString[t]; ok {
		return s
	}
	return fmt.Sprintf("TYPE%d", t)
}

// rcodeName is the mnemonic of a response code.
func rcodeName(rc int) string {
	if s, ok := mdns.RcodeToString[rc]; ok {
		return s
	}
	return fmt.Sprintf("RCODE%d", rc)
}

// ParseType reads a record type mnemonic ("a", "AAAA", "mx", "TYPE65") as used by --type.
func ParseType(s string) (uint16, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	if t, ok := mdns.StringToType[u]; ok && u != "NONE" && u != "OPT" {
		return t, nil
	}
	if n, ok := strings.CutPrefix(u, "TYPE"); ok {
		var v uint16
		if _, err := fmt.Sscanf(n, "%d", &v); err == nil && fmt.Sprint(v) == n && v != 0 && v != mdns.TypeOPT {
			return v, nil
		}
	}
	return 0, fmt.Errorf("unknown record type %q (want A, AAAA, CNAME, MX, TXT, NS, SOA, PTR, ...)", s)
}

// flagString renders the header flags as dig does.
func flagString(m *mdns.Msg) string {
	var f []string
	for _, x := range []struct {
		on   bool
		name string
	}{{m.Response, "qr"}, {m.Authoritative, "aa"}, {m.Truncated, "tc"}, {m.RecursionDesired, "rd"}, {m.RecursionAvailable, "ra"}, {m.AuthenticatedData, "ad"}, {m.CheckingDisabled, "cd"}} {
		if x.on {
			f = append(f, x.name)
		}
	}
	return strings.Join(f, " ")
}

// toRecord converts an RR to its presentation form.
func toRecord(rr mdns.RR) Record {
	h := rr.Header()
	rec := Record{Name: h.Name, Type: typeName(h.Rrtype), TTL: h.Ttl}
	full := rr.String()
	// Data is whatever follows the header in presentation form.
	hdr := h.String()
	rec.Data = strings.TrimPrefix(full, hdr)
	if rec.Data == full {
		// Fall back on splitting the 5 header fields.
		if f := strings.SplitN(full, "\t", 5); len(f) == 5 {
			rec.Data = f[4]
		}
	}
	switch v := rr.(type) {
	case *mdns.A:
		if a, ok := netip.AddrFromSlice(v.A); ok {
			rec.Addr = a.Unmap()
			rec.Data = rec.Addr.String()
		}
	case *mdns.AAAA:
		if a, ok := netip.AddrFromSlice(v.AAAA); ok {
			rec.Addr = a
			rec.Data = a.String()
		}
	}
	return rec
}

// subnetOf returns the client subnet option of a reply, if any.
func subnetOf(m *mdns.Msg) (*mdns.EDNS0_SUBNET, bool) {
	opt := m.IsEdns0()
	if opt == nil {
		return nil, false
	}
	for _, o := range opt.Option {
		if s, ok := o.(*mdns.EDNS0_SUBNET); ok {
			return s, true
		}
	}
	return nil, false
}

// nsidOf returns the NSID a server sent, decoded as text when printable.
func nsidOf(m *mdns.Msg) string {
	opt := m.IsEdns0()
	if opt == nil {
		return ""
	}
	for _, o := range opt.Option {
		if n, ok := o.(*mdns.EDNS0_NSID); ok && n.Nsid != "" {
			return decodeNSID(n.Nsid)
		}
	}
	return ""
}

func decodeNSID(hexs string) string {
	b := make([]byte, 0, len(hexs)/2)
	for i := 0; i+1 < len(hexs); i += 2 {
		var v byte
		if _, err := fmt.Sscanf(hexs[i:i+2], "%02x", &v); err != nil {
			return hexs
		}
		b = append(b, v)
	}
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return hexs
		}
	}
	return string(b)
}

// extendedError returns the text of an Extended DNS Error option (RFC 8914), if any.
func extendedError(m *mdns.Msg) string {
	opt := m.IsEdns0()
	if opt == nil {
		return ""
	}
	for _, o := range opt.Option {
		if e, ok := o.(*mdns.EDNS0_EDE); ok {
			s := mdns.ExtendedErrorCodeToString[e.InfoCode]
			if s == "" {
				s = fmt.Sprintf("EDE %d", e.InfoCode)
			}
			if e.ExtraText != "" {
				s += ": " + e.ExtraText
			}
			return s
		}
	}
	return ""
}
