package report

import (
	"hopscope/internal/enrich"
	"hopscope/internal/inventory"
)

// Domains is an application's inventory (from the proxy, a HAR file or a capture) grouped by registrable
// domain, with what is known about each server address.
type Domains struct {
	inventory.Summary
	// Servers holds enrichment for each server address, keyed by its text form; nil when not enriched.
	Servers map[string]enrich.Info `json:"servers,omitempty"`
	// Checks are per-host observations, such as a handshake RTT too small for the database's location.
	Checks []HostCheck `json:"checks,omitempty"`
}

// HostCheck compares what a host's measured RTT allows with where the database places its server.
type HostCheck struct {
	Host   string `json:"host"`
	Server string `json:"server"`
	// MaxDistanceKm is the farthest the server can be given the handshake RTT (light in fibre, ~100 km per ms RTT).
	MaxDistanceKm float64 `json:"max_distance_km"`
	// DBDistanceKm is the distance from the vantage point to the database's location; -1 when unknown.
	DBDistanceKm float64 `json:"db_distance_km"`
	// Contradiction is true when DBDistanceKm exceeds MaxDistanceKm: the database location cannot be right.
	Contradiction bool   `json:"contradiction"`
	Note          string `json:"note"`
}
