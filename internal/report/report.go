// Package report is hopscope's versioned output schema: what every renderer (text, JSON, Markdown, HTML) reads.
//
// A Report is built from stage outputs (an enriched path and its findings, a DNS resolution, a domain
// inventory, an investigation); it is never a dump of internal state. SchemaVersion changes when a
// field's meaning changes or a field is removed; adding fields keeps the version.
package report

import (
	"time"

	"hopscope/internal/version"
)

// Schema identifies hopscope reports in JSON.
const Schema = "hopscope/report"

// SchemaVersion is the current version of the JSON schema (docs/report-schema.md).
const SchemaVersion = 2

// Kind says which section of a Report is filled.
type Kind string

// Report kinds.
const (
	KindPath          Kind = "path"          // analyze, trace
	KindDNS           Kind = "dns"           // dns
	KindDomains       Kind = "domains"       // domains, capture
	KindInvestigation Kind = "investigation" // investigate
	KindIP            Kind = "ip"            // ip
	KindHistory       Kind = "history"       // history
)

// Report is one result of one command. Exactly the section named by Kind is non-nil, except that a
// path report may also carry a DNS section (trace resolves its target first) and an investigation
// carries paths and domains inside it.
type Report struct {
	Schema        string    `json:"schema"`
	SchemaVersion int       `json:"schema_version"`
	Kind          Kind      `json:"kind"`
	Generated     time.Time `json:"generated,omitzero"`
	Tool          string    `json:"tool"` // "hopscope <version>"

	Path  *Path   `json:"path,omitempty"`
	Paths []*Path `json:"paths,omitempty"` // trace --all-addresses: one per address
	// Comparison sets the Paths of trace --all-addresses side by side; nil otherwise.
	Comparison    *Comparison    `json:"comparison,omitempty"`
	DNS           *DNS           `json:"dns,omitempty"`
	Domains       *Domains       `json:"domains,omitempty"`
	Investigation *Investigation `json:"investigation,omitempty"`
	IPs           []IPInfo       `json:"ips,omitempty"`
	History       *History       `json:"history,omitempty"`
	// Vantages compares the Paths of one target measured from several vantage points (trace --via,
	// analyze of a multi-probe measurement); nil otherwise.
	Vantages *Vantages `json:"vantages,omitempty"`
}

// New returns an empty report of kind, stamped with the schema, its version, the tool and when it was
// generated (in UTC). Every command builds its report through it.
func New(kind Kind, generated time.Time) *Report {
	return &Report{Schema: Schema, SchemaVersion: SchemaVersion, Kind: kind, Generated: generated.UTC(),
		Tool: "hopscope " + version.Version}
}
