// Package enrich turns an address (and optionally its reverse name) into who operates it and where it is.
package enrich

import "net/netip"

// Info is what is known about one address. Every field group has its own source; empty strings and
// zero numbers mean "not known", and HasCoords says whether Lat/Lon hold a value.
type Info struct {
	Addr netip.Addr

	// ASN and ASOrg from the routing data (embedded DB or an mmdb); 0 / "" when unannounced or unknown.
	ASN   uint32
	ASOrg string
	// ASSource names the database the AS came from ("embedded", a file name, or "reported" when the trace tool printed it).
	ASSource string

	// Country is the ISO 3166-1 alpha-2 code; City, Region when a city-level source had them.
	Country string
	Region  string
	City    string
	Lat     float64
	Lon     float64
	// HasCoords is true when Lat/Lon are known (from a database or a hostname hint).
	HasCoords bool
	// GeoSource names where Country/City/coordinates came from ("embedded", a file name, "hostname").
	GeoSource string

	// Special names a special-purpose range ("private", "cgnat", "loopback", "link-local", "documentation",
	// "unannounced-internal", ...); empty for ordinary global unicast space.
	Special *Special

	// Hint is the location read from the router's hostname; nil when the name gave none.
	Hint *Hint

	// Anycast is set when the address is anycast (a public resolver, a root or com/net name server, a
	// CDN edge, or a name such as Google's "any-in-…1e100.net"): the instance that answered is wherever
	// routing led the probe, so Country/City say nothing about where it is and only the trace's RTTs
	// bound its distance (about 100 km per ms). nil when no source says so; Source names the source. It
	// may point into a shared table: read it, never change it.
	Anycast *Anycast

	// Exchange is set when the address is on an internet exchange's peering LAN (Exchange.Prefix set,
	// from data/ixp.tsv; City/Country/coordinates then come from it, GeoSource "exchange"), or when the
	// router's name spells an exchange (Prefix zero, Source "hostname"): the hop is "at exchange Name in
	// City" and the hand-off to the next network is there, rather than "internal address space". nil
	// when neither says so. It may point into a shared table: read it, never change it.
	Exchange *Exchange
}

// Special describes a special-purpose or non-routed range.
type Special struct {
	Prefix netip.Prefix
	// Kind is a short machine name: "private", "cgnat", "loopback", "link-local", "documentation",
	// "multicast", "unspecified", "benchmarking", "reserved", "unique-local", "unannounced".
	Kind string
	// Name is a human description, for example "RFC 1918 private network".
	Name string
	// Routable is false for space that never appears on the public internet.
	Routable bool
}

// Hint is a location or operator clue read from a router's reverse DNS name.
type Hint struct {
	// Token is the part of the name that matched ("svw-singapore", "par2", "as6453").
	Token   string
	City    string
	Country string
	Lat     float64
	Lon     float64
	// HasCoords is true when Lat/Lon are set.
	HasCoords bool
	// ASN is an operator AS number found in the name ("as6453"); 0 when none.
	ASN uint32
	// Confidence is "high" for a spelled-out city name, "medium" for an unambiguous code, "low" for an
	// ambiguous one that only agreed with other evidence.
	Confidence string
	// Exchange names the internet exchange the name spells ("Netnod Stockholm (STHIX)" from
	// "as15169-10g-sk1.sthix.net"); "" when none. ASN is then usually the member's AS.
	Exchange string
	// Interconnect is true when the name marks a link to another network: an exchange, an AS number,
	// or an interconnect word ("…-ic-…", "pni", "peer", "…-nap"); the hand-off is at this hop.
	Interconnect bool
}
