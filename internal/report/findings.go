package report

// Findings is everything the analysis concludes about one path, in the report's own types.
type Findings struct {
	// ASPath is the sequence of autonomous systems the path crosses, stray single hops absorbed.
	ASPath []ASRun `json:"as_path"`
	// Carriers are the operators in path order (sibling ASes of one organisation merged); the destination's
	// operator is last, marked Observed false when no hop inside it answered.
	Carriers []Carrier `json:"carriers"`
	// HandOffs are the points where one carrier hands the traffic to the next.
	HandOffs []HandOff `json:"hand_offs"`
	// Destination is what is known about the target and whether it answered.
	Destination Destination `json:"destination"`
	// Source is where the trace was run from, as far as can be told.
	Source Source `json:"source"`
	// Jumps are rises in RTT that later hops keep: real path latency.
	Jumps []Jump `json:"latency_jumps"`
	// Spikes are hops slower than later hops: slow ICMP generation on that router, not path latency.
	Spikes []Spike `json:"latency_spikes"`
	// ClockStepMs is the step in which every RTT comes (a coarse clock); absent when not quantised.
	ClockStepMs float64 `json:"clock_step_ms,omitempty"`
	// NoRTT is set when hops answered but none carries a time (a route list without its statistics).
	NoRTT bool `json:"no_rtt,omitempty"`
	// FarSide are hops placed near the start of a long crossing that already answer with the far end's RTT.
	FarSide []FarSide `json:"far_side_rtts"`
	// MPLS are hops that quoted an MPLS label stack (RFC 4950): the probe was inside a label-switched path,
	// where time-exceeded replies usually travel to the tunnel's end before coming back.
	MPLS []MPLSHop `json:"mpls"`
	// Distance is the great-circle distance from source to destination with the light-speed bound; nil when
	// either end has no coordinates.
	Distance *Distance `json:"distance,omitempty"`
	// MultiResponders are hops where more than one address answered (load balancing or a path change).
	MultiResponders []MultiResponder `json:"multi_responders"`
	// SilentHops are the TTLs where nothing answered.
	SilentHops []int `json:"silent_hops"`
	// Special are hops answering from private, CGNAT, unannounced or other special-purpose space.
	Special []SpecialAddr `json:"special_addresses"`
	// Contradictions are locations that the measured RTT rules out.
	Contradictions []Contradiction `json:"location_contradictions"`
	// Markers are what hops' replies say beyond an answer (an unreachable that ends the path, replies with
	// TTL ≤ 1, late or duplicate replies, quoted TTLs other than 1), in TTL order.
	Markers []Marker `json:"markers"`
	// Loss is what the loss at each hop means, at most one verdict per hop, in TTL order.
	Loss []LossFinding `json:"loss"`
	// Jitter is where the RTT variation grows and stays, and which single routers vary alone.
	Jitter []JitterFinding `json:"jitter"`
	// Impact is one sentence on what real path loss or jitter means for an application; absent when none
	// was found.
	Impact string `json:"impact,omitempty"`
	// Summary is a short paragraph a network engineer would write about the path.
	Summary string `json:"summary"`
}

// ASRun is a stretch of consecutive hops in one AS.
type ASRun struct {
	ASN      uint32 `json:"asn"`
	Org      string `json:"org,omitempty"`
	Operator string `json:"operator"`
	FirstTTL int    `json:"first_ttl"`
	LastTTL  int    `json:"last_ttl"`
	// Hops counts the hops in the run that carried this AS.
	Hops int `json:"hops"`
	// Strays are single hops inside the run that mapped to another AS and were not taken as a hand-off.
	Strays []Stray `json:"strays,omitempty"`
}

// Stray is a lone hop whose AS differs from the hops around it.
type Stray struct {
	TTL int    `json:"ttl"`
	ASN uint32 `json:"asn"`
}

// Carrier is one operator on the path, possibly with several sibling ASes.
type Carrier struct {
	Name string   `json:"name"`
	ASNs []uint32 `json:"asns"`
	// FirstTTL and LastTTL bound the carrier's hops; 0 when not observed.
	FirstTTL int `json:"first_ttl,omitempty"`
	LastTTL  int `json:"last_ttl,omitempty"`
	Hops     int `json:"hops"`
	// Observed is false for the destination's operator when none of its hops answered.
	Observed bool `json:"observed"`
	// Destination marks the carrier that operates the destination address.
	Destination bool `json:"destination,omitempty"`
	// Transit marks a single-hop carrier between two others (typically the interconnect address).
	Transit bool `json:"transit,omitempty"`
}

// HandOff is where one carrier passes the traffic to the next, confirmed by the following hops staying there.
type HandOff struct {
	From     string   `json:"from"`
	FromASNs []uint32 `json:"from_asns"`
	To       string   `json:"to"`
	ToASNs   []uint32 `json:"to_asns"`
	// AfterTTL is the last hop of From, AtTTL the first hop of To.
	AfterTTL int `json:"after_ttl"`
	AtTTL    int `json:"at_ttl"`
	// Place is where the hand-off happens, when a hop next to it is located.
	Place *Place `json:"place,omitempty"`
	// Via names single-hop carriers passed on the way (interconnect addresses).
	Via []string `json:"via,omitempty"`
	// Interconnect is the router name next to the hand-off that names the other carrier (for example
	// "tatateleglobe-8.gw.opentransit.net", Orange's side of its link to Tata); empty when none does.
	Interconnect string `json:"interconnect,omitempty"`
	// InterconnectTTL is the hop of that name; 0 when none.
	InterconnectTTL int `json:"interconnect_ttl,omitempty"`
	// Within is the carrier whose sibling networks (ASes of one organisation, China Unicom's AS10099 and
	// AS9929) meet here; empty for a hand-off between carriers.
	Within string `json:"within,omitempty"`
	// Entry is set when the path enters its first network seen here from hops of no known network
	// (private, unannounced addresses): From is empty.
	Entry bool `json:"entry,omitempty"`
}

// Destination is what is known about the target.
type Destination struct {
	Addr string `json:"addr,omitempty"`
	Name string `json:"name,omitempty"`
	ASN  uint32 `json:"asn,omitempty"`
	Org  string `json:"org,omitempty"`
	// Operator is the carrier name of ASN.
	Operator string `json:"operator,omitempty"`
	Country  string `json:"country,omitempty"`
	City     string `json:"city,omitempty"`
	// Place is the destination's location; Source "inferred" when taken from the last located hop in the
	// destination's country.
	Place *Place `json:"place,omitempty"`
	// PlaceBasis explains where Place came from.
	PlaceBasis string `json:"place_basis,omitempty"`
	// FromLastHop is true when the trace did not name its target address and Addr is the last responding
	// hop's.
	FromLastHop bool `json:"from_last_hop,omitempty"`
	// Reached is true when the target address answered; ReachedTTL is that hop.
	Reached    bool `json:"reached"`
	ReachedTTL int  `json:"reached_ttl,omitempty"`
	// LastRespondingTTL is the last hop where anything answered; 0 when nothing did.
	LastRespondingTTL int `json:"last_responding_ttl,omitempty"`
	// TrailingSilent counts the silent hops after the last responding one.
	TrailingSilent int `json:"trailing_silent,omitempty"`
	// Anycast is true when the registry's place is ruled out by the RTT at which the destination answered:
	// likely anycast (place_basis says why); no place is stated then.
	Anycast bool `json:"anycast,omitempty"`
}

// Source is where the trace was run from.
type Source struct {
	Known bool   `json:"known"`
	Place *Place `json:"place,omitempty"`
	// Basis explains how the source was found ("--from-location", "hop 2 hostname", ...).
	Basis string `json:"basis"`
	// Approximate is true when the place is an estimate (the country's exit point, a nearby hop).
	Approximate bool `json:"approximate,omitempty"`
	// RadiusKm is how far from place the source may be (the minimum RTT × 100 km of the hop it was inferred
	// from); absent when the user gave it or only a country is known.
	RadiusKm float64 `json:"radius_km,omitempty"`
}

// Jump is a rise in RTT between two responding hops that the following hops keep.
type Jump struct {
	FromTTL int `json:"from_ttl"`
	ToTTL   int `json:"to_ttl"`
	// FromMs and ToMs are the minimum RTTs of the two hops.
	FromMs float64 `json:"from_ms"`
	ToMs   float64 `json:"to_ms"`
	// LevelMs is the RTT the rest of the path keeps after the jump (the lowest minimum from ToTTL on).
	LevelMs float64 `json:"level_ms"`
	DeltaMs float64 `json:"delta_ms"`
	// Persistent is true when later hops confirm the new level; false when ToTTL is the last responding hop.
	Persistent bool `json:"persistent"`
	// FromPlace and ToPlace name where the crossing starts and ends, when located hops tell.
	FromPlace *Place `json:"from_place,omitempty"`
	ToPlace   *Place `json:"to_place,omitempty"`
	// Largest marks the biggest persistent jump.
	Largest bool `json:"largest,omitempty"`
}

// Spike is a hop whose RTT later hops do not carry.
type Spike struct {
	TTL   int     `json:"ttl"`
	MinMs float64 `json:"min_ms"`
	MaxMs float64 `json:"max_ms"`
	// LaterTTL is the later hop with the lowest RTT, LaterMs that RTT.
	LaterTTL int     `json:"later_ttl"`
	LaterMs  float64 `json:"later_ms"`
	ExcessMs float64 `json:"excess_ms"`
	Place    *Place  `json:"place,omitempty"`
	// Bypassed: the hop's RTT is what its place's distance needs and the later hop answers faster than
	// that distance allows; the later hops were reached another way, and the hop's RTT is no slow ICMP.
	Bypassed bool `json:"bypassed,omitempty"`
}

// FarSide is a hop located at the near end of a long crossing whose RTT is already that of a hop far away:
// its reply most likely travels to the far end and back (an MPLS tunnel returning ICMP from the tunnel end,
// RFC 3032 section 2.3.2, or an asymmetric return path).
type FarSide struct {
	TTL      int     `json:"ttl"`
	Place    *Place  `json:"place"`
	MinMs    float64 `json:"min_ms"`
	FarTTL   int     `json:"far_ttl"`
	FarPlace *Place  `json:"far_place"`
	FarMs    float64 `json:"far_ms"`
	// DistanceKm is between Place and FarPlace.
	DistanceKm float64 `json:"distance_km"`
}

// MPLSHop is a hop whose reply quoted MPLS labels.
type MPLSHop struct {
	TTL int `json:"ttl"`
	// Labels are the label values of the first quoted stack, outermost first.
	Labels []uint32 `json:"labels"`
}

// Distance compares the path's RTT with what light in fibre needs for the great-circle distance.
type Distance struct {
	From *Place  `json:"from"`
	To   *Place  `json:"to"`
	Km   float64 `json:"km"`
	// LightMinMs is the least RTT physics allows over Km (FibreKmPerMs).
	LightMinMs float64 `json:"light_min_rtt_ms"`
	// MeasuredMs is the lowest RTT measured to the destination (or, when it did not answer, to the closest
	// hop placed with it); MeasuredTTL is that hop; 0 / 0 when nothing fits.
	MeasuredMs  float64 `json:"measured_min_rtt_ms,omitempty"`
	MeasuredTTL int     `json:"measured_ttl,omitempty"`
	// Stretch is MeasuredMs / LightMinMs; 0 when not measured.
	Stretch float64 `json:"stretch,omitempty"`
	// Approximate is true when either end is an estimate.
	Approximate bool `json:"approximate,omitempty"`
}

// MultiResponder is a hop where several addresses answered.
type MultiResponder struct {
	TTL int `json:"ttl"`
	// Addrs are the responders' addresses (a responder known only by name is listed by its name).
	Addrs []string `json:"addrs"`
	Names []string `json:"names,omitempty"`
	// SameOperator is true when every responder has a known AS and all belong to one carrier.
	SameOperator bool `json:"same_operator"`
}

// SpecialAddr is a responder in special-purpose or unannounced space.
type SpecialAddr struct {
	TTL    int    `json:"ttl"`
	Addr   string `json:"addr"`
	Prefix string `json:"prefix"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	// Note says what it means on this path.
	Note string `json:"note"`
}

// Contradiction is a location the measured RTT cannot allow.
type Contradiction struct {
	TTL   int    `json:"ttl"`
	Addr  string `json:"addr,omitempty"`
	Place *Place `json:"place"`
	// DistanceKm is from the reference point (the source, or an earlier hop) to Place.
	DistanceKm float64 `json:"distance_km"`
	// MaxKm is the farthest the hop can be given its minimum RTT.
	MaxKm float64 `json:"max_km"`
	MinMs float64 `json:"min_ms"`
	// Reference names the point measured from ("a source near London (within 1,100 km by RTT)").
	Reference string `json:"reference"`
}

// LossFinding is what the loss at one hop means (docs/report-schema.md, "loss").
type LossFinding struct {
	TTL int `json:"ttl"`
	// Kind is "path" (real loss from this hop on), "rate-limit" (the router's own replies), "destination"
	// (the destination answered with loss) or "last-hop" (loss at the last hop that answered, not the
	// destination: nothing later tells).
	Kind string `json:"kind"`
	// Weak is true when the probes are too few to tell: the loss looks like Kind, no more.
	Weak bool `json:"weak,omitempty"`
	// Sent, Received and LossPct are this hop's; LowPct–HighPct the 95 % Wilson interval of LossPct.
	Sent     int     `json:"sent"`
	Received int     `json:"received"`
	LossPct  float64 `json:"loss_pct"`
	LowPct   float64 `json:"loss_low_pct"`
	HighPct  float64 `json:"loss_high_pct"`
	// LevelPct is, for "path", the loss every hop from TTL on keeps and, for "rate-limit", the loss of the
	// later hops: what the traffic itself loses; LevelTTL is the hop that shows it (0 when none).
	LevelPct float64 `json:"level_pct,omitempty"`
	LevelTTL int     `json:"level_ttl,omitempty"`
	// FromTTL is, for "destination", the hop where its loss starts; TTL for the other kinds.
	FromTTL int `json:"from_ttl"`
	// PrevTTL is the last answering hop before TTL (0: the source), so the lossy link is PrevTTL → TTL;
	// PrevOperator and Operator are the carriers at its ends.
	PrevTTL      int    `json:"prev_ttl,omitempty"`
	PrevOperator string `json:"prev_operator,omitempty"`
	Operator     string `json:"operator,omitempty"`
}

// JitterFinding is where the RTT variation along the path changes (docs/report-schema.md, "jitter").
type JitterFinding struct {
	TTL int `json:"ttl"`
	// Kind is "queueing" (the variation rises here and later hops keep it), "router" (this hop alone
	// varies: its ICMP generation), "destination" (it rises at the destination) or "last-hop".
	Kind string `json:"kind"`
	// Metric is "stddev" (standard deviation of the RTTs) or "jitter" (mean difference between
	// consecutive RTTs).
	Metric string `json:"metric"`
	// Ms is this hop's variation, from Samples RTTs.
	Ms      float64 `json:"ms"`
	Samples int     `json:"samples"`
	// BeforeMs is the variation the path keeps before this hop.
	BeforeMs float64 `json:"before_ms"`
	// LevelMs is, for "queueing", the variation every later hop keeps and, for "router", the later hops';
	// LevelTTL the hop that shows it (0 when none).
	LevelMs  float64 `json:"level_ms,omitempty"`
	LevelTTL int     `json:"level_ttl,omitempty"`
	// PrevTTL, PrevOperator and Operator name the link into the hop.
	PrevTTL      int    `json:"prev_ttl,omitempty"`
	PrevOperator string `json:"prev_operator,omitempty"`
	Operator     string `json:"operator,omitempty"`
}
