package dnstest

import (
	"net/netip"
	"testing"
)

// Lab is a small DNS hierarchy on loopback, every server on the same high port:
//
//	127.0.0.2  nsd   root (.)                 delegates test. with glue
//	127.0.0.3  nsd   test.                    delegates qq.test., example.test. (glue), cdn.test. (no glue),
//	                                          lame.test. (to .5, which does not serve it), partlame.test.
//	                                          (one lame and one good server), geo.test. (to .6)
//	127.0.0.4  nsd   qq.test., example.test., partlame.test., 2.0.192.in-addr.arpa.
//	127.0.0.5  nsd   cdn.test. and other.test. (lame for lame.test. and partlame.test.)
//	127.0.0.6  Geo   geo.test. (answers by client subnet; signed)
//	127.0.0.7  unbound, recursive, with a stub for each zone (delegation cannot carry ports)
//
// The qq.test. zone has the article's shape: vweixinthumb.tc.qq.test. is a CNAME (TTL 600) to
// socwxsns.video.qq.test., which has three A and two AAAA records (TTL 60).
type Lab struct {
	Port                                    uint16
	Root, TLD, Auth, Lame, GeoAddr, Unbound netip.AddrPort
	Geo                                     *Geo
}

// LabOptions choose optional parts of the lab.
type LabOptions struct {
	// Validate makes unbound validate DNSSEC with geo.test.'s key as trust anchor.
	Validate bool
}

// Lab addresses.
var (
	RootIP    = netip.MustParseAddr("127.0.0.2")
	TLDIP     = netip.MustParseAddr("127.0.0.3")
	AuthIP    = netip.MustParseAddr("127.0.0.4")
	LameIP    = netip.MustParseAddr("127.0.0.5")
	GeoIP     = netip.MustParseAddr("127.0.0.6")
	UnboundIP = netip.MustParseAddr("127.0.0.7")
)

// Article-shaped records in qq.test.
var (
	ArticleAlias     = "vweixinthumb.tc.qq.test."
	ArticleCanonical = "socwxsns.video.qq.test."
	ArticleAddrs     = []netip.Addr{netip.MustParseAddr("198.51.100.25"), netip.MustParseAddr("198.51.100.26"),
		netip.MustParseAddr("198.51.100.27"), netip.MustParseAddr("2001:db8:25::1"), netip.MustParseAddr("2001:db8:25::2")}
)

const soa = "@ SOA ns1.lab.test. hostmaster.lab.test. 2026112501 3600 600 86400 60\n"

// Zones of the lab, by server.
var (
	RootZone = Zone{Name: ".", Records: soa + `@ NS a.root.test.
a.root.test. A 127.0.0.2
test. NS ns1.nic.test.
ns1.nic.test. A 127.0.0.3
`}
	TLDZone = Zone{Name: "test", Records: soa + `@ NS ns1.nic
ns1.nic A 127.0.0.3
qq NS ns1.qq
ns1.qq A 127.0.0.4
example NS ns1.example
ns1.example A 127.0.0.4
cdn NS ns.dnshost.example.test.
lame NS ns1.lame
ns1.lame A 127.0.0.5
partlame NS a.partlame
partlame NS b.partlame
a.partlame A 127.0.0.5
b.partlame A 127.0.0.4
geo NS ns1.geo
ns1.geo A 127.0.0.6
`}
	AuthZones = []Zone{
		{Name: "qq.test", Records: soa + `@ NS ns1
ns1 A 127.0.0.4
vweixinthumb.tc 600 CNAME socwxsns.video
socwxsns.video 60 A 198.51.100.25
socwxsns.video 60 A 198.51.100.26
socwxsns.video 60 A 198.51.100.27
socwxsns.video 60 AAAA 2001:db8:25::1
socwxsns.video 60 AAAA 2001:db8:25::2
loop1 CNAME loop2
loop2 CNAME loop3
loop3 CNAME loop1
`},
		{Name: "example.test", Records: soa + `@ NS ns1
@ MX 10 mail
@ MX 20 mail2
@ TXT "v=spf1 -all"
ns1 A 127.0.0.4
ns.dnshost A 127.0.0.5
mail A 192.0.2.25
mail2 A 192.0.2.26
www 300 CNAME edge.cdn.test.
v4only A 192.0.2.44
dangling CNAME nowhere
`},
		{Name: "partlame.test", Records: soa + `@ NS a
@ NS b
a A 127.0.0.5
b A 127.0.0.4
www A 192.0.2.90
`},
		{Name: "2.0.192.in-addr.arpa", Records: soa + `@ NS ns1.example.test.
25 PTR mail.example.test.
80 PTR edge.cdn.test.
`},
	}
	// LameZones are served by 127.0.0.5, which is lame for lame.test. and partlame.test.; it serves cdn.test.,
	// delegated without glue (its server's name is in example.test.), so a trace must resolve it.
	LameZones = []Zone{{Name: "other.test", Records: soa + "@ NS ns1.lab.test.\n"}, {Name: "cdn.test", Records: soa + `@ NS ns.dnshost.example.test.
edge 30 A 192.0.2.80
edge 30 A 192.0.2.81
edge 30 AAAA 2001:db8:80::1
`}}
)

// StartLab starts the whole hierarchy and the resolver; everything stops when the test ends.
func StartLab(t testing.TB, opts LabOptions) *Lab {
	t.Helper()
	Need(t, "nsd", "unbound")
	port := FreePort(t, RootIP, TLDIP, AuthIP, LameIP, GeoIP, UnboundIP)
	ap := func(a netip.Addr) netip.AddrPort { return netip.AddrPortFrom(a, port) }
	l := &Lab{Port: port, Root: ap(RootIP), TLD: ap(TLDIP), Auth: ap(AuthIP), Lame: ap(LameIP), GeoAddr: ap(GeoIP), Unbound: ap(UnboundIP)}
	StartNSD(t, l.Root, []Zone{RootZone})
	StartNSD(t, l.TLD, []Zone{TLDZone})
	StartNSD(t, l.Auth, AuthZones)
	StartNSD(t, l.Lame, LameZones)
	l.Geo = StartGeo(t, l.GeoAddr)
	cfg := UnboundConfig{
		Addr: l.Unbound,
		Stubs: []Stub{
			{Zone: "test", Addrs: []netip.AddrPort{l.TLD}},
			{Zone: "qq.test", Addrs: []netip.AddrPort{l.Auth}},
			{Zone: "example.test", Addrs: []netip.AddrPort{l.Auth}},
			{Zone: "cdn.test", Addrs: []netip.AddrPort{l.Lame}},
			{Zone: "lame.test", Addrs: []netip.AddrPort{l.Lame}},
			{Zone: "partlame.test", Addrs: []netip.AddrPort{l.Lame, l.Auth}},
			{Zone: "2.0.192.in-addr.arpa", Addrs: []netip.AddrPort{l.Auth}},
			{Zone: "geo.test", Addrs: []netip.AddrPort{l.GeoAddr}},
		},
		ECSServers: []netip.Addr{GeoIP},
		Extra: `  local-zone: "test." nodefault
  local-zone: "2.0.192.in-addr.arpa." nodefault
`,
	}
	if opts.Validate {
		cfg.TrustAnchors = []string{l.Geo.TrustAnchor}
	}
	StartUnbound(t, cfg)
	return l
}
