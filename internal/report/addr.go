package report

import (
	"net/netip"
	"strconv"

	"hopscope/internal/enrich"
	"hopscope/internal/explain"
)

// AddrInfo is what the report says about one address: who operates it and where it is, each with its
// source. Empty strings and zero numbers mean "not known".
type AddrInfo struct {
	Addr string `json:"addr,omitempty"`

	// ASN and ASOrg from the routing data; 0 / "" when unannounced or unknown.
	ASN   uint32 `json:"asn,omitempty"`
	ASOrg string `json:"as_org,omitempty"`
	// ASSource names where the AS came from ("embedded", a file name, "hostname", "reported").
	ASSource string `json:"as_source,omitempty"`
	// Operator is the short carrier name for ASOrg ("Tata Communications"); "" when unknown.
	Operator string `json:"operator,omitempty"`

	// Country is the ISO 3166-1 alpha-2 code; City and Region when a city-level source had them.
	Country string  `json:"country,omitempty"`
	Region  string  `json:"region,omitempty"`
	City    string  `json:"city,omitempty"`
	Lat     float64 `json:"lat,omitempty"`
	Lon     float64 `json:"lon,omitempty"`
	// HasCoords is true when Lat/Lon are known.
	HasCoords bool `json:"has_coords,omitempty"`
	// GeoSource names where Country/City/coordinates came from ("embedded", a file name, "hostname").
	GeoSource string `json:"geo_source,omitempty"`

	// Special is set for special-purpose or non-routed space; nil for ordinary global unicast.
	Special *SpecialRange `json:"special,omitempty"`
	// Hint is what the router's hostname says; nil when the name gave nothing.
	Hint *NameHint `json:"hint,omitempty"`

	// Place is the address's best location (hostname hint weighed against the database); nil when unknown.
	Place *Place `json:"place,omitempty"`
	// ASLabel is "AS6453", with "*" when the AS was read from the hostname; "" when no AS.
	ASLabel string `json:"as_label,omitempty"`
	// Line is a one-line description: "AS132203 Tencent, Singapore SG"; "" when nothing is known.
	Line string `json:"line,omitempty"`
}

// SpecialRange describes a special-purpose or non-routed range.
type SpecialRange struct {
	Prefix string `json:"prefix"`
	// Kind is a short machine name: "private", "cgnat", "loopback", "unannounced", ...
	Kind string `json:"kind"`
	// Name is a human description, for example "RFC 1918 private network".
	Name string `json:"name"`
	// Routable is false for space that never appears on the public internet.
	Routable bool `json:"routable"`
}

// NameHint is a location or operator clue read from a router's reverse DNS name.
type NameHint struct {
	// Token is the part of the name that matched ("svw-singapore", "par2", "as6453").
	Token     string  `json:"token"`
	City      string  `json:"city,omitempty"`
	Country   string  `json:"country,omitempty"`
	Lat       float64 `json:"lat,omitempty"`
	Lon       float64 `json:"lon,omitempty"`
	HasCoords bool    `json:"has_coords,omitempty"`
	// ASN is an operator AS number found in the name; 0 when none.
	ASN uint32 `json:"asn,omitempty"`
	// Confidence is "high", "medium" or "low".
	Confidence string `json:"confidence,omitempty"`
}

// NewAddrInfo converts the enrichment of one address into the report's form, with its labels.
func NewAddrInfo(in enrich.Info) AddrInfo { return newAddrInfo(in, nil) }

// operatorNames remembers explain.OperatorName per organisation: a path's many responders share few.
type operatorNames map[string]string

func (m operatorNames) of(org string) string {
	if m == nil {
		return explain.OperatorName(org)
	}
	op, ok := m[org]
	if !ok {
		op = explain.OperatorName(org)
		m[org] = op
	}
	return op
}

// newAddrInfo is NewAddrInfo with operator names taken from ops (nil: computed each time).
func newAddrInfo(in enrich.Info, ops operatorNames) AddrInfo {
	out := AddrInfo{ASN: in.ASN, ASOrg: in.ASOrg, ASSource: in.ASSource, Country: in.Country, Region: in.Region,
		City: in.City, Lat: in.Lat, Lon: in.Lon, HasCoords: in.HasCoords, GeoSource: in.GeoSource}
	if in.Addr.IsValid() {
		out.Addr = in.Addr.String()
	}
	if in.ASOrg != "" {
		out.Operator = ops.of(in.ASOrg)
	}
	if s := in.Special; s != nil {
		out.Special = &SpecialRange{Prefix: s.Prefix.String(), Kind: s.Kind, Name: s.Name, Routable: s.Routable}
	}
	if h := in.Hint; h != nil {
		out.Hint = &NameHint{Token: h.Token, City: h.City, Country: h.Country, Lat: h.Lat, Lon: h.Lon,
			HasCoords: h.HasCoords, ASN: h.ASN, Confidence: h.Confidence}
	}
	out.Place = newPlace(explain.PlaceOf(in))
	if in.ASN != 0 {
		out.ASLabel = "AS" + strconv.FormatUint(uint64(in.ASN), 10)
		if in.ASSource == "hostname" {
			out.ASLabel += "*"
		}
	}
	out.Line = addrLine(in)
	return out
}

// NewAddrInfos converts a map of enrichment keyed by address into one keyed by the address's text form;
// nil for an empty map.
func NewAddrInfos(m map[netip.Addr]enrich.Info) map[string]AddrInfo {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]AddrInfo, len(m))
	for a, in := range m {
		out[a.String()] = NewAddrInfo(in)
	}
	return out
}

// addrLine is "AS132203 Tencent, Singapore SG", the special range's name when nothing else is known.
func addrLine(i enrich.Info) string {
	// Concatenated directly: every responder of a wide hop has a line.
	line := ""
	if i.ASN != 0 {
		line = "AS" + strconv.FormatUint(uint64(i.ASN), 10)
		if i.ASOrg != "" {
			line += " " + i.ASOrg
		}
	}
	place := i.City
	if i.Country != "" {
		if place != "" {
			place += " "
		}
		place += i.Country
	}
	switch {
	case place != "" && line != "":
		line += ", " + place
	case place != "":
		line = place
	case line == "" && i.Special != nil:
		line = i.Special.Name
	}
	return line
}
