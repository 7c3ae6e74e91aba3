package report

import (
	"fmt"
	"net/netip"
	"strings"

	"hopscope/internal/enrich"
)

// IPInfo is the answer for one address of `hopscope ip`: what was asked, the reverse name used for
// hostname hints, what the sources know (AS, operator, country, city, special range, hint) and the
// labels renderers show.
type IPInfo struct {
	// Query is the argument as given (an address, possibly with "=NAME").
	Query string `json:"query"`
	// Addr is the address looked up.
	Addr string `json:"addr"`
	// Name is the reverse DNS name read for hints; "" when none was given.
	Name string `json:"name,omitempty"`
	// Info is what the sources know about Addr.
	Info AddrInfo `json:"info"`

	// PlaceLabel is "City, Region (lat, lon)", ending " *" when read from the hostname; "" without a city
	// or region.
	PlaceLabel string `json:"place_label,omitempty"`
	// Note is the special range's kind, with ", not routed" for space never seen on the internet; "" for
	// ordinary addresses.
	Note string `json:"note,omitempty"`
	// HintLabel says what the name told: `"pvu-paris" names Paris, FR (high confidence); operator AS6453`;
	// "" without a hint.
	HintLabel string `json:"hint_label,omitempty"`
	// Sources says where the AS and the place came from when that is not the embedded database
	// ("AS from x.mmdb, place from hostname"); "" otherwise.
	Sources string `json:"sources,omitempty"`
}

// NewIPInfo builds the answer for addr, asked as query with the reverse name name ("" for none), from
// its enrichment.
func NewIPInfo(query string, addr netip.Addr, name string, in enrich.Info) IPInfo {
	q := IPInfo{Query: query, Addr: addr.String(), Name: name, Info: NewAddrInfo(in),
		PlaceLabel: ipPlaceLabel(in), Sources: ipSources(in)}
	if s := in.Special; s != nil {
		q.Note = s.Kind
		if !s.Routable {
			q.Note += ", not routed"
		}
	}
	if h := in.Hint; h != nil {
		q.HintLabel = hintLabel(h)
	}
	return q
}

// ipPlaceLabel is "City, Region" with coordinates, marked * when read from the hostname.
func ipPlaceLabel(i enrich.Info) string {
	var parts []string
	if i.City != "" {
		parts = append(parts, i.City)
	}
	if i.Region != "" && i.Region != i.City {
		parts = append(parts, i.Region)
	}
	s := strings.Join(parts, ", ")
	if s != "" && i.HasCoords {
		s += fmt.Sprintf(" (%.2f, %.2f)", i.Lat, i.Lon)
	}
	if s != "" && i.GeoSource == "hostname" {
		s += " *"
	}
	return s
}

func hintLabel(h *enrich.Hint) string {
	var parts []string
	if h.City != "" {
		parts = append(parts, fmt.Sprintf("%q names %s, %s (%s confidence)", h.Token, h.City, h.Country, h.Confidence))
	}
	if h.ASN != 0 {
		parts = append(parts, fmt.Sprintf("operator AS%d", h.ASN))
	}
	return strings.Join(parts, "; ")
}

// ipSources says where the AS and the place came from, when that is not the embedded database.
func ipSources(i enrich.Info) string {
	var parts []string
	if i.ASSource != "" && i.ASSource != "embedded" {
		parts = append(parts, "AS from "+i.ASSource)
	}
	if i.GeoSource != "" && i.GeoSource != "embedded" {
		parts = append(parts, "place from "+i.GeoSource)
	}
	return strings.Join(parts, ", ")
}
