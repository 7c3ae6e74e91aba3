package enrich

import "net/netip"

// special is one row of the special-purpose address registry (RFC 6890 and its updates).
type special struct {
	prefix netip.Prefix
	// exported is what Classify returns: one shared value per row, so that classifying allocates nothing.
	exported Special
}

func sp(p, kind, name string, routable bool) special {
	pr := netip.MustParsePrefix(p)
	return special{pr, Special{Prefix: pr, Kind: kind, Name: name, Routable: routable}}
}

// specials4 and specials6 are ordered most specific first within overlapping entries.
var specials4 = []special{
	sp("192.0.0.8/32", "ietf-protocol", "IPv4 dummy address (RFC 7600): a host without IPv4 answered", false),
	sp("192.0.0.9/32", "anycast", "Port Control Protocol anycast (RFC 7723)", true),
	sp("192.0.0.10/32", "anycast", "Traversal Using Relays around NAT anycast (RFC 8155)", true),
	sp("0.0.0.0/32", "unspecified", "unspecified address", false),
	sp("192.0.0.0/29", "ietf-protocol", "DS-Lite (RFC 6333)", false),
	sp("192.0.0.0/24", "ietf-protocol", "IETF protocol assignments (RFC 6890)", false),
	sp("192.0.2.0/24", "documentation", "documentation TEST-NET-1 (RFC 5737)", false),
	sp("198.51.100.0/24", "documentation", "documentation TEST-NET-2 (RFC 5737)", false),
	sp("203.0.113.0/24", "documentation", "documentation TEST-NET-3 (RFC 5737)", false),
	sp("192.31.196.0/24", "as112", "AS112 DNS sink (RFC 7535)", true),
	sp("192.175.48.0/24", "as112", "AS112 direct delegation (RFC 7534)", true),
	sp("192.52.193.0/24", "amt", "Automatic Multicast Tunneling relay anycast (RFC 7450)", true),
	sp("192.88.99.0/24", "6to4", "6to4 relay anycast, deprecated (RFC 7526)", false),
	sp("169.254.0.0/16", "link-local", "IPv4 link-local (RFC 3927)", false),
	sp("192.168.0.0/16", "private", "RFC 1918 private network", false),
	sp("198.18.0.0/15", "benchmarking", "benchmarking network (RFC 2544)", false),
	sp("172.16.0.0/12", "private", "RFC 1918 private network", false),
	sp("100.64.0.0/10", "cgnat", "carrier-grade NAT shared space (RFC 6598)", false),
	sp("0.0.0.0/8", "this-network", `"this network" (RFC 791)`, false),
	sp("10.0.0.0/8", "private", "RFC 1918 private network", false),
	sp("127.0.0.0/8", "loopback", "loopback (RFC 1122)", false),
}

// specials4High covers 224.0.0.0/3, where every address is special; searched apart so that the common
// ranges stay short.
var specials4High = []special{
	sp("255.255.255.255/32", "broadcast", "limited broadcast (RFC 919)", false),
	sp("233.252.0.0/24", "documentation", "multicast documentation MCAST-TEST-NET (RFC 6676)", false),
	sp("224.0.0.0/4", "multicast", "IPv4 multicast (RFC 5771)", false),
	sp("240.0.0.0/4", "reserved", "reserved for future use (RFC 1112)", false),
}

var specials6 = []special{
	sp("::/128", "unspecified", "unspecified address", false),
	sp("::1/128", "loopback", "IPv6 loopback (RFC 4291)", false),
	sp("2001:1::1/128", "anycast", "Port Control Protocol anycast (RFC 7723)", true),
	sp("2001:1::2/128", "anycast", "Traversal Using Relays around NAT anycast (RFC 8155)", true),
	sp("64:ff9b::/96", "nat64", "NAT64 well-known prefix (RFC 6052): an IPv4 address behind a translator", true),
	sp("100::/64", "discard", "discard-only prefix (RFC 6666)", false),
	sp("2001:2::/48", "benchmarking", "IPv6 benchmarking (RFC 5180)", false),
	sp("2620:4f:8000::/48", "as112", "AS112 direct delegation (RFC 7534)", true),
	sp("64:ff9b:1::/48", "nat64", "local-use NAT64 prefix (RFC 8215)", false),
	sp("2001::/32", "teredo", "Teredo tunnel (RFC 4380)", true),
	sp("2001:db8::/32", "documentation", "IPv6 documentation (RFC 3849)", false),
	sp("2001:10::/28", "orchid", "ORCHID, deprecated (RFC 4843)", false),
	sp("2001:20::/28", "orchid", "ORCHIDv2 (RFC 7343)", false),
	sp("2001::/23", "ietf-protocol", "IETF protocol assignments (RFC 2928)", false),
	sp("3fff::/20", "documentation", "IPv6 documentation (RFC 9637)", false),
	sp("2002::/16", "6to4", "6to4 tunnel (RFC 3056): an IPv4 address is embedded", true),
	sp("5f00::/16", "srv6", "SRv6 segment identifiers (RFC 9602)", false),
	sp("fe80::/10", "link-local", "IPv6 link-local (RFC 4291)", false),
	sp("fec0::/10", "reserved", "site-local, deprecated (RFC 3879)", false),
	sp("fc00::/7", "unique-local", "IPv6 unique local address (RFC 4193)", false),
	sp("ff00::/8", "multicast", "IPv6 multicast (RFC 4291)", false),
}

// reserved6 covers IPv6 space outside global unicast 2000::/3 that no entry above names.
var reserved6 = sp("::/0", "reserved", "IPv6 space reserved by the IETF (outside 2000::/3)", false)

// Classify names the special-purpose range that a belongs to (the IANA special-purpose registries of
// RFC 6890 and its updates), or returns nil for ordinary global unicast space. IPv4-mapped IPv6
// addresses are classified as IPv4. It knows nothing of routing: see Enricher.Lookup for unannounced space.
// The returned Special is shared by every caller and must not be modified.
func Classify(a netip.Addr) *Special {
	a = a.Unmap()
	if a.Is4() {
		switch o := a.As4()[0]; {
		case o >= 224:
			return match(specials4High, a, nil)
		case o == 0 || o == 10 || o == 100 || o == 127 || o == 169 || o == 172 || o == 192 || o == 198 || o == 203:
			return match(specials4, a, nil)
		}
		return nil
	}
	if !a.Is6() {
		return nil
	}
	b := a.As16()
	if b[0]&0xe0 == 0x20 { // 2000::/3, global unicast
		if (b[0] == 0x20 && (b[1] == 0x01 || b[1] == 0x02)) || (b[0] == 0x26 && b[1] == 0x20) || (b[0] == 0x3f && b[1] == 0xff) {
			return match(specials6, a, nil)
		}
		return nil
	}
	return match(specials6, a, &reserved6)
}

func match(table []special, a netip.Addr, fallback *special) *Special {
	for i := range table {
		if table[i].prefix.Contains(a) {
			return table[i].export()
		}
	}
	if fallback != nil {
		return fallback.export()
	}
	return nil
}

func (s *special) export() *Special { return &s.exported }
