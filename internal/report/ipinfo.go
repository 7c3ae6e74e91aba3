package report

import "hopscope/internal/enrich"

// IPInfo is the answer for one address of `hopscope ip`: what was asked, the reverse name used for
// hostname hints, and the enrichment record (AS, operator, country, city, special range, hint).
type IPInfo struct {
	// Query is the argument as given (an address, possibly with "=NAME").
	Query string `json:"query"`
	// Addr is the address looked up.
	Addr string `json:"addr"`
	// Name is the reverse DNS name read for hints; "" when none was given.
	Name string `json:"name,omitempty"`
	// Info is what the sources know about Addr.
	Info enrich.Info `json:"info"`
}
