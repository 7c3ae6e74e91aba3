package report

import (
	"time"

	"hopscope/internal/enrich"
	"hopscope/internal/explain"
	"hopscope/internal/path"
)

// Path is the report of one measured path: what was probed, every hop with its responders, their
// enrichment and RTTs, and the findings with a plain-English summary (docs/report-schema.md).
type Path struct {
	Target PathTarget `json:"target"`
	// Input names where the measurement came from ("traceroute-bsd", "mtr-json", "hopscope", ...).
	Input string `json:"input"`
	// Protocol is the probe protocol ("icmp", "udp", "tcp"); empty when the input did not say.
	Protocol string `json:"protocol,omitempty"`
	// From is the probing host's address; empty when unknown.
	From string `json:"from,omitempty"`
	// Started is when the measurement began; absent when unknown.
	Started time.Time `json:"started,omitzero"`
	// MaxTTL and ProbesPerHop as configured; 0 when unknown.
	MaxTTL       int `json:"max_ttl,omitempty"`
	ProbesPerHop int `json:"probes_per_hop,omitempty"`
	// Warnings the tool printed and notes from the importer.
	Warnings []string `json:"warnings,omitempty"`
	// Meta holds source-specific identifiers (RIPE Atlas msm_id/prb_id, ...).
	Meta map[string]string `json:"meta,omitempty"`
	// Hops in TTL order, one per TTL from the first seen.
	Hops []PathHop `json:"hops"`
	// Findings are the conclusions about the path (their per-hop view is folded into Hops).
	Findings explain.Findings `json:"findings"`
	// Summary repeats Findings.Summary for readers that want only the paragraph.
	Summary string `json:"summary"`
	// Trace is the measurement itself in the path model (every probe, flow id, MPLS label), so that a saved
	// report can be analyzed again ("hopscope analyze result.json") without loss.
	Trace *path.Trace `json:"trace,omitempty"`
}

// PathTarget is what the trace was aimed at.
type PathTarget struct {
	Name      string   `json:"name,omitempty"`
	Addr      string   `json:"addr,omitempty"`
	Canonical string   `json:"canonical,omitempty"`
	Aliases   []string `json:"aliases,omitempty"`
	// OtherAddrs are further addresses the name resolved to that were not probed.
	OtherAddrs []string `json:"other_addrs,omitempty"`
	// Port for UDP/TCP probes; 0 when unknown or not applicable.
	Port int `json:"port,omitempty"`
}

// PathHop is one TTL of a path.
type PathHop struct {
	TTL    int  `json:"ttl"`
	Silent bool `json:"silent"`
	// Sent counts probes (or the aggregate's sent count); Answered those with a reply.
	Sent     int `json:"sent"`
	Answered int `json:"answered"`
	// RTT over all responders; absent when nothing was measured.
	RTT *explain.RTT `json:"rtt,omitempty"`
	// ASN chosen for the hop and where it came from ("database", "reported", "hostname"); 0 / "" when none.
	ASN      uint32 `json:"asn,omitempty"`
	ASSource string `json:"as_source,omitempty"`
	Operator string `json:"operator,omitempty"`
	// Place is the hop's best location; absent when unknown.
	Place *explain.Place `json:"place,omitempty"`
	// Marks tag the hop with findings: "jump", "spike", "far-side", "multi", "special", "contradiction",
	// "stray", "destination".
	Marks      []string        `json:"marks,omitempty"`
	Responders []PathResponder `json:"responders,omitempty"`
}

// PathResponder is one address that answered at a hop, with its enrichment and RTTs.
type PathResponder struct {
	// Addr is absent when the input named the responder without its address (mtr without -n).
	Addr string `json:"addr,omitempty"`
	Name string `json:"name,omitempty"`
	// ReportedASN is the AS the trace tool printed; 0 when none.
	ReportedASN uint32 `json:"reported_asn,omitempty"`
	// Info is the enrichment of Addr (AS, organisation, country, city, special range, hostname hint).
	Info enrich.Info `json:"info"`
	// RTT of this responder's probes; absent when none carried a time.
	RTT *explain.RTT `json:"rtt,omitempty"`
	// Loss is the fraction of probes lost as an aggregate source reported it (mtr); absent otherwise.
	Loss *float64 `json:"loss,omitempty"`
	// MPLS is the first label stack this responder quoted (RFC 4950); absent when none.
	MPLS []path.MPLSLabel `json:"mpls,omitempty"`
}
