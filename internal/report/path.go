package report

import (
	"time"

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
	Findings Findings `json:"findings"`
	// Summary repeats Findings.Summary for readers that want only the paragraph.
	Summary string `json:"summary"`
	// Sections are the findings as labelled lines of plain English ("Destination", "Carriers", "Latency",
	// ...), in the order every renderer shows them; empty sections are left out.
	Sections []Section `json:"sections"`
	// Route is the path's located points in order (source, located hops, destination), with the
	// great-circle leg to each from the one before: what a map draws.
	Route []RoutePoint `json:"route"`
	// Unlocated counts answering hops without a location, which a map cannot draw.
	Unlocated int `json:"unlocated,omitempty"`
	// Networks are the ASes the path crosses with their operator names, in path order, each once.
	Networks []Network `json:"networks"`
	// MTU is what path MTU discovery found; absent when it did not run.
	MTU *PathMTU `json:"path_mtu,omitempty"`
	// NAT is where the probes were seen rewritten; absent when no rewrite was seen (or could be).
	NAT *NAT `json:"nat,omitempty"`
	// Multipath is the load balancing a multipath enumeration found (MDA, scamper tracelb): diamonds,
	// links, confidence and probes; absent on a trace that followed one flow.
	Multipath *Multipath `json:"multipath,omitempty"`
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
	RTT *RTT `json:"rtt,omitempty"`
	// Stats are the hop's loss (with its confidence interval) and RTT statistics, as mtr shows them;
	// absent when nothing was sent or measured.
	Stats *Stats `json:"stats,omitempty"`
	// Rounds are the hop's outcome in each of the most recent rounds of a continuous measurement, oldest
	// first (a bounded window); absent for a single pass or an imported trace.
	Rounds []RoundSample `json:"rounds,omitempty"`
	// LossVerdict is what the hop's loss means, one per hop: "path" (real loss starts here), "carried"
	// (a later hop showing that loss), "rate-limit" (the router's own replies), "destination", "last-hop"
	// (nothing after it tells), "weak" (too few probes); empty when the hop lost nothing worth a word.
	LossVerdict string `json:"loss_verdict,omitempty"`
	// JitterVerdict is "queueing" (the RTT variation rises here and stays), "router" (this router's ICMP
	// alone varies), "destination" or "last-hop"; empty when none.
	JitterVerdict string `json:"jitter_verdict,omitempty"`
	// ASN chosen for the hop and where it came from ("database", "reported", "hostname"); 0 / "" when none.
	ASN      uint32 `json:"asn,omitempty"`
	ASSource string `json:"as_source,omitempty"`
	Operator string `json:"operator,omitempty"`
	// Place is the hop's best location; absent when unknown.
	Place *Place `json:"place,omitempty"`
	// Marks tag the hop with findings: "jump", "spike", "far-side", "multi", "special", "contradiction",
	// "stray", "mpls", "destination".
	Marks []string `json:"marks,omitempty"`
	// Notes are the marks as short phrases ("jump +233 ms", "slow ICMP (hop 13: 236.2 ms)").
	Notes []string `json:"notes,omitempty"`
	// Severity is "alert" for a jump or an impossible location, "note" for any other mark, "" for none.
	Severity   string          `json:"severity,omitempty"`
	Responders []PathResponder `json:"responders,omitempty"`
}

// PathResponder is one address that answered at a hop, with its enrichment and RTTs.
type PathResponder struct {
	// Addr is absent when the input named the responder without its address (mtr without -n).
	Addr string `json:"addr,omitempty"`
	Name string `json:"name,omitempty"`
	// ReportedASN is the AS the trace tool printed; 0 when none.
	ReportedASN uint32 `json:"reported_asn,omitempty"`
	// Info is what is known of Addr (AS, organisation, country, city, special range, hostname hint).
	Info AddrInfo `json:"info"`
	// AS is the responder's AS as shown: "AS6453" from the database, "AS6453?" as the trace tool printed it.
	AS string `json:"as,omitempty"`
	// Operator is the responder's carrier (its hop's when the database has no organisation), or its
	// special range's kind when it has no AS.
	Operator string `json:"operator,omitempty"`
	// PlaceLabel is where the responder is, starred when read from its hostname.
	PlaceLabel string `json:"place_label,omitempty"`
	// RTT of this responder's probes; absent when none carried a time.
	RTT *RTT `json:"rtt,omitempty"`
	// LateRTT is set when the responder answered hopscope's probes only after their wait: its reply
	// times, evidence of a router slow to send ICMP rather than of path latency; absent otherwise.
	LateRTT *RTT `json:"late_rtt,omitempty"`
	// Loss is the fraction of probes lost as an aggregate source reported it (mtr); absent otherwise.
	// Stats.LossPct carries the same in percent, with its interval.
	Loss *float64 `json:"loss,omitempty"`
	// Stats are this responder's RTT statistics, and its loss when an aggregate source measured it
	// apart (mtr); absent when nothing was measured.
	Stats *Stats `json:"stats,omitempty"`
	// MPLS is the first label stack this responder quoted (RFC 4950); absent when none.
	MPLS []MPLSLabel `json:"mpls,omitempty"`
}

// MPLSLabel is one entry of an MPLS label stack (RFC 3032 / RFC 4950).
type MPLSLabel struct {
	Label uint32 `json:"label"`
	TC    uint8  `json:"tc"`
	S     bool   `json:"s"`
	TTL   uint8  `json:"ttl"`
}

// Section is one labelled block of findings.
type Section struct {
	Label string   `json:"label"`
	Lines []string `json:"lines"`
}

// RoutePoint is a located point of a path: the source, a hop or the destination.
type RoutePoint struct {
	// Kind is "source", "hop" or "destination".
	Kind string  `json:"kind"`
	Lat  float64 `json:"lat"`
	Lon  float64 `json:"lon"`
	// TTL is the hop; 0 for the source and for a destination that did not answer.
	TTL int `json:"ttl,omitempty"`
	// ASN is the network the point belongs to; 0 when unknown or for the source.
	ASN uint32 `json:"asn,omitempty"`
	// Label is "hop 9: Paris, FR", "you: Paris, FR", "destination 101.33.110.25: SG (did not answer)".
	Label string `json:"label"`
	// Place is the point's location label alone ("Paris, FR").
	Place string `json:"place"`
	// MinMs is the point's minimum RTT; meaningful when HasMs (the source counts as 0 ms).
	MinMs float64 `json:"min_ms,omitempty"`
	HasMs bool    `json:"has_ms"`
	// Via are the ASes of answering hops without a location between the previous point and this one.
	Via []uint32 `json:"via,omitempty"`
	// LegKm is the great-circle distance from the previous point; LegLightMs the least RTT light in fibre
	// needs over it; both 0 for the first point.
	LegKm      float64 `json:"leg_km,omitempty"`
	LegLightMs float64 `json:"leg_light_min_ms,omitempty"`
	// Arc is the leg's great circle as [lat, lon] pairs about every 200 km, both ends included: what a map
	// draws. Its longitudes continue from the previous leg's, so a route across the antimeridian runs on past
	// ±180 (Los Angeles after Sydney is at -118 + 360) and is one unbroken line. Absent for the first point.
	Arc [][2]float64 `json:"arc,omitempty"`
	// Approx is "country" when only the point's country is known and it stands at the country's centre;
	// empty when the point is located.
	Approx string `json:"approx,omitempty"`
	// RadiusKm is how far from the point the place may be (the country's size when Approx is "country");
	// 0 when the point is located.
	RadiusKm float64 `json:"radius_km,omitempty"`
}

// Network is an AS crossed by a path, with its operator's name.
type Network struct {
	ASN      uint32 `json:"asn"`
	Operator string `json:"operator,omitempty"`
}
