package dnstest

import (
	"crypto"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// Geo answers for the zone geo.test. by client subnet, like a CDN's geo-DNS: www.geo.test. is
// ShenzhenAddr for a client subnet inside ShenzhenNet and OtherAddr for anyone else. It also serves
// secure.geo.test. (correctly signed) and bogus.geo.test. (a signature that does not match the data).
type Geo struct {
	Addr netip.AddrPort
	// TrustAnchor is the zone's key-signing DNSKEY in zone-file form, for unbound's trust-anchor.
	TrustAnchor string

	key  *mdns.DNSKEY
	priv crypto.Signer
}

// Addresses and networks served by Geo.
var (
	ShenzhenNet  = netip.MustParsePrefix("203.0.113.0/24")
	ShenzhenAddr = netip.MustParseAddr("198.51.100.10")
	OtherAddr    = netip.MustParseAddr("192.0.2.10")
	SecureAddr   = netip.MustParseAddr("192.0.2.20")
)

const geoZone = "geo.test."

// StartGeo runs a Geo server on addr (UDP and TCP) until the test ends.
func StartGeo(t testing.TB, addr netip.AddrPort) *Geo {
	t.Helper()
	g := &Geo{Addr: addr}
	key := &mdns.DNSKEY{Hdr: mdns.RR_Header{Name: geoZone, Rrtype: mdns.TypeDNSKEY, Class: mdns.ClassINET, Ttl: 300},
		Flags: 257, Protocol: 3, Algorithm: mdns.ECDSAP256SHA256}
	priv, err := key.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	g.key, g.priv = key, priv.(crypto.Signer)
	g.TrustAnchor = strings.Join(strings.Fields(key.String()), " ")
	Serve(t, addr, mdns.HandlerFunc(g.serve))
	return g
}

// Serve runs handler on addr over UDP and TCP until the test ends.
func Serve(t testing.TB, addr netip.AddrPort, handler mdns.Handler) {
	t.Helper()
	pc, err := net.ListenPacket("udp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*mdns.Server{{PacketConn: pc, Handler: handler}, {Listener: l, Handler: handler}} {
		started := make(chan struct{})
		s.NotifyStartedFunc = func() { close(started) }
		go func() { _ = s.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = s.Shutdown() })
	}
}

func (g *Geo) rr(s string) mdns.RR {
	r, err := mdns.NewRR(s)
	if err != nil {
		panic("dnstest: bad record " + s + ": " + err.Error())
	}
	return r
}

func (g *Geo) sign(rrs []mdns.RR) *mdns.RRSIG {
	h := rrs[0].Header()
	sig := &mdns.RRSIG{Hdr: mdns.RR_Header{Name: h.Name, Rrtype: mdns.TypeRRSIG, Class: mdns.ClassINET, Ttl: h.Ttl},
		TypeCovered: h.Rrtype, Algorithm: g.key.Algorithm, Labels: uint8(mdns.CountLabel(h.Name)), OrigTtl: h.Ttl,
		Expiration: uint32(time.Now().Add(24 * time.Hour).Unix()), Inception: uint32(time.Now().Add(-time.Hour).Unix()),
		KeyTag: g.key.KeyTag(), SignerName: geoZone}
	if err := sig.Sign(g.priv, rrs); err != nil {
		panic("dnstest: sign: " + err.Error())
	}
	return sig
}

func (g *Geo) serve(w mdns.ResponseWriter, req *mdns.Msg) {
	m := new(mdns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	if len(req.Question) != 1 {
		m.Rcode = mdns.RcodeFormatError
		_ = w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	do := false
	var ecs *mdns.EDNS0_SUBNET
	if opt := req.IsEdns0(); opt != nil {
		do = opt.Do()
		for _, o := range opt.Option {
			if s, ok := o.(*mdns.EDNS0_SUBNET); ok {
				ecs = s
			}
		}
	}
	soa := g.rr(geoZone + " 300 IN SOA ns1.geo.test. hostmaster.geo.test. 1 3600 600 86400 60")
	var answer []mdns.RR
	exists := true
	switch name {
	case geoZone:
		switch q.Qtype {
		case mdns.TypeSOA:
			answer = []mdns.RR{soa}
		case mdns.TypeNS:
			answer = []mdns.RR{g.rr(geoZone + " 300 IN NS ns1.geo.test.")}
		case mdns.TypeDNSKEY:
			answer = []mdns.RR{g.key}
		}
	case "ns1.geo.test.":
		if q.Qtype == mdns.TypeA {
			answer = []mdns.RR{g.rr("ns1.geo.test. 300 IN A " + g.Addr.Addr().String())}
		}
	case "www.geo.test.":
		if q.Qtype == mdns.TypeA {
			a := OtherAddr
			if ecs != nil {
				if ip, ok := netip.AddrFromSlice(ecs.Address); ok && ShenzhenNet.Contains(ip.Unmap()) {
					a = ShenzhenAddr
				}
			}
			answer = []mdns.RR{g.rr("www.geo.test. 60 IN A " + a.String())}
		}
	case "secure.geo.test.", "bogus.geo.test.":
		if q.Qtype == mdns.TypeA {
			answer = []mdns.RR{g.rr(name + " 300 IN A " + SecureAddr.String())}
		}
	default:
		exists = false
	}
	if ecs != nil {
		scope := uint8(0)
		if name == "www.geo.test." {
			scope = ecs.SourceNetmask
		}
		echo := *ecs
		echo.SourceScope = scope
		m.SetEdns0(1232, do)
		m.IsEdns0().Option = append(m.IsEdns0().Option, &echo)
	} else if req.IsEdns0() != nil {
		m.SetEdns0(1232, do)
	}
	switch {
	case len(answer) > 0:
		m.Answer = answer
		if do {
			sig := g.sign(answer)
			if name == "bogus.geo.test." {
				sig.Signature = "AAAA" + sig.Signature[4:]
			}
			m.Answer = append(m.Answer, sig)
		}
	case !exists:
		m.Rcode = mdns.RcodeNameError
		m.Ns = []mdns.RR{soa}
	default:
		m.Ns = []mdns.RR{soa}
		if do {
			nsec := &mdns.NSEC{Hdr: mdns.RR_Header{Name: name, Rrtype: mdns.TypeNSEC, Class: mdns.ClassINET, Ttl: 60},
				NextDomain: "\\000." + name, TypeBitMap: []uint16{mdns.TypeA, mdns.TypeRRSIG, mdns.TypeNSEC}}
			if name == geoZone {
				nsec.TypeBitMap = []uint16{mdns.TypeNS, mdns.TypeSOA, mdns.TypeRRSIG, mdns.TypeNSEC, mdns.TypeDNSKEY}
			}
			m.Ns = append(m.Ns, g.sign([]mdns.RR{soa}), nsec, g.sign([]mdns.RR{nsec}))
		}
	}
	_ = w.WriteMsg(m)
}
