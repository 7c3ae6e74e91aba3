// Package explain turns an enriched path into findings: AS hand-offs, carriers, latency jumps and spikes,
// loss (real path loss versus routers limiting their ICMP replies) and jitter (queueing versus a jittery
// router), hop locations, the distance and speed-of-light bound, and a plain-English summary.
//
// Everything here is a pure function of a *path.Trace and the enrichment of its addresses; the package
// does no I/O. Times in findings are milliseconds (float64) and distances kilometres, rounded for display.
package explain

// Findings is everything Explain concludes about one path.
type Findings struct {
	// Hops has one entry per hop of the trace, in TTL order.
	Hops []Hop
	// ASPath is the sequence of autonomous systems the path crosses, stray single hops absorbed.
	ASPath []ASRun
	// Carriers are the operators in path order (sibling ASes of one organisation merged); the destination's
	// operator is last, marked Observed false when no hop inside it answered.
	Carriers []Carrier
	// HandOffs are the points where one carrier hands the traffic to the next.
	HandOffs []HandOff
	// Destination is what is known about the target and whether it answered.
	Destination Destination
	// Source is where the trace was run from, as far as can be told.
	Source Source
	// Jumps are rises in RTT that later hops keep: real path latency.
	Jumps []Jump
	// Spikes are hops slower than later hops: slow ICMP generation on that router, not path latency.
	Spikes []Spike
	// ClockStepMs is the step in which every RTT of the trace comes (a coarse clock: old routers' 4 or
	// 8 ms "msec" timers, Windows' 15.625 ms tick); rises and excesses under two steps are then not
	// counted as jumps or spikes. 0 when the RTTs are not quantised.
	ClockStepMs float64
	// NoRTT is set when hops answered but none carries a time (a route list without its statistics):
	// latency and distance cannot be judged.
	NoRTT bool
	// FarSide are hops placed near the start of a long crossing that already answer with the far end's RTT.
	FarSide []FarSide
	// MPLS are hops that quoted an MPLS label stack (RFC 4950): the probe was inside a label-switched path,
	// where time-exceeded replies usually travel to the tunnel's end before coming back.
	MPLS []MPLSHop
	// Distance is the great-circle distance from source to destination with the light-speed bound; nil when
	// either end has no coordinates.
	Distance *Distance
	// MultiResponders are hops where more than one address answered (load balancing or a path change).
	MultiResponders []MultiResponder
	// SilentHops are the TTLs where nothing answered.
	SilentHops []int
	// Special are hops answering from private, CGNAT, unannounced or other special-purpose space.
	Special []SpecialAddr
	// Contradictions are locations that the measured RTT rules out.
	Contradictions []Contradiction
	// Loss is what the loss at each hop means, at most one verdict per hop, in TTL order: real loss from a
	// hop on, a router limiting its own replies, a destination answering with loss, loss at the last hop
	// seen, or too few probes to tell.
	Loss []LossFinding
	// Jitter is where the RTT variation grows and stays (queueing on a link) and which single routers
	// vary alone (their ICMP generation), at most one per hop, in TTL order.
	Jitter []JitterFinding
	// Markers are what hops' replies say beyond an answer, in TTL order: an unreachable that ends the path,
	// replies with TTL ≤ 1, late or duplicate replies, probes quoted with a TTL other than 1.
	Markers []Marker
	// Multipath is the load-balanced diamonds of a multipath trace (MDA, scamper tracelb); nil when the
	// trace carries no multipath graph.
	Multipath *MultipathFinding
	// Impact is one sentence on what real path loss or jitter means for an application; empty when none
	// was found.
	Impact string
	// Summary is a short paragraph a network engineer would write about the path.
	Summary string
}

// RTT summarises the probes of one hop or responder in milliseconds.
type RTT struct {
	MinMs    float64
	MedianMs float64
	MaxMs    float64
	// Count is how many RTTs the summary is built from.
	Count int
}

// Place is a location with where it came from.
type Place struct {
	City    string
	Country string
	// Lat and Lon are meaningful only when HasCoords.
	Lat       float64
	Lon       float64
	HasCoords bool
	// Source is "hostname", "database", "exchange" (the address is on an exchange's peering LAN), "user",
	// "inferred" (from a neighbouring hop) or "rtt" (from the speed-of-light bound of an RTT: near the source).
	Source string
	// Confidence is how sure the place is: a hostname hint's own ("high", "medium", "low"), an RTT
	// inference's by its radius, "medium" for a database city, "low" for a database country or a place
	// borrowed from a neighbouring hop, "high" for the user's; empty only when a caller built the place.
	Confidence string
}

// Label is the place as text: "Paris, FR", "FR", or "" when nothing is known.
func (p *Place) Label() string {
	if p == nil {
		return ""
	}
	switch {
	case p.City != "" && p.Country != "":
		return p.City + ", " + p.Country
	case p.City != "":
		return p.City
	case p.Country != "":
		return p.Country
	case p.HasCoords:
		return fmtCoords(p.Lat, p.Lon)
	}
	return ""
}

// Hop is the explained view of one TTL.
type Hop struct {
	TTL    int
	Silent bool
	// RTT over every responder; nil when nothing was measured.
	RTT *RTT
	// ASN chosen for the hop; 0 when none (silent, private, unannounced, unknown).
	ASN uint32
	// ASSource is "database", "reported" (printed by the trace tool) or "hostname" (weak).
	ASSource string
	// Operator is the carrier name for ASN.
	Operator string
	// Place is the best location for the hop; nil when unknown.
	Place *Place
	// Measure is the hop's loss and RTT variation (sent, received, last, best, average, worst, standard
	// deviation, jitter).
	Measure Measure
	// Marks are short tags for renderers: "jump", "spike", "far-side", "multi", "special", "contradiction",
	// "stray", "mpls", "destination", "unreachable", "reply-ttl", "late", "dup", "quoted-ttl", and from the loss and jitter findings "loss" (real loss from here
	// on), "dest-loss", "rate-limit", "last-loss" (loss at the last hop seen), "weak-loss", "queueing",
	// "jittery".
	Marks []string
}

// ASRun is a stretch of consecutive hops in one AS.
type ASRun struct {
	ASN      uint32
	Org      string
	Operator string
	FirstTTL int
	LastTTL  int
	// Hops counts the hops in the run that carried this AS.
	Hops int
	// Strays are single hops inside the run that mapped to another AS and were not taken as a hand-off.
	Strays []Stray
}

// Stray is a lone hop whose AS differs from the hops around it.
type Stray struct {
	TTL int
	ASN uint32
}

// Carrier is one operator on the path, possibly with several sibling ASes.
type Carrier struct {
	Name string
	ASNs []uint32
	// FirstTTL and LastTTL bound the carrier's hops; 0 when not observed.
	FirstTTL int
	LastTTL  int
	Hops     int
	// Observed is false for the destination's operator when none of its hops answered.
	Observed bool
	// Destination marks the carrier that operates the destination address.
	Destination bool
	// Transit marks a single-hop carrier between two others (typically the interconnect address).
	Transit bool
}

// HandOff is where one carrier passes the traffic to the next, confirmed by the following hops staying there.
type HandOff struct {
	From     string
	FromASNs []uint32
	To       string
	ToASNs   []uint32
	// AfterTTL is the last hop of From, AtTTL the first hop of To.
	AfterTTL int
	AtTTL    int
	// Place is where the hand-off happens, when a hop next to it is located.
	Place *Place
	// Via names single-hop carriers passed on the way (interconnect addresses).
	Via []string
	// Interconnect is the router name next to the hand-off that names the other carrier (for example
	// "tatateleglobe-8.gw.opentransit.net", Orange's side of its link to Tata); empty when none does.
	Interconnect string
	// InterconnectTTL is the hop of that name; 0 when none.
	InterconnectTTL int
	// Within is the carrier whose sibling networks (ASes of one organisation) meet here; empty for a
	// hand-off between carriers.
	Within string
	// Entry is set when the path enters its first network seen here from hops of no known network
	// (private, unannounced): From is empty.
	Entry bool
}

// Destination is what is known about the target.
type Destination struct {
	Addr string
	Name string
	ASN  uint32
	Org  string
	// Operator is the carrier name of ASN.
	Operator string
	Country  string
	City     string
	// Place is the destination's location; Source "inferred" when taken from the last located hop in the
	// destination's country.
	Place *Place
	// PlaceBasis explains where Place came from.
	PlaceBasis string
	// FromLastHop is true when the trace did not name its target address and Addr is the last responding
	// hop's.
	FromLastHop bool
	// Reached is true when the target address answered; ReachedTTL is that hop.
	Reached    bool
	ReachedTTL int
	// LastRespondingTTL is the last hop where anything answered; 0 when nothing did.
	LastRespondingTTL int
	// TrailingSilent counts the silent hops after the last responding one.
	TrailingSilent int
	// Anycast is true when the registry's place for the destination is ruled out by the RTT at which it
	// answered: likely anycast (PlaceBasis says why); its place is then not stated.
	Anycast bool
}

// Source is where the trace was run from.
type Source struct {
	Known bool
	Place *Place
	// Basis explains how the source was found ("--from-location", "hop 2 hostname", ...).
	Basis string
	// Approximate is true when the place is an estimate (the country's exit point, a nearby hop).
	Approximate bool
	// RadiusKm is how far from Place the source may be: the minimum RTT × 100 km of the hop it was
	// inferred from; 0 when the user gave it or nothing better is known than a country.
	RadiusKm float64
}

// Jump is a rise in RTT between two responding hops that the following hops keep.
type Jump struct {
	FromTTL int
	ToTTL   int
	// FromMs and ToMs are the minimum RTTs of the two hops.
	FromMs float64
	ToMs   float64
	// LevelMs is the RTT the rest of the path keeps after the jump (the lowest minimum from ToTTL on).
	LevelMs float64
	DeltaMs float64
	// Persistent is true when later hops confirm the new level; false when ToTTL is the last responding hop.
	Persistent bool
	// FromPlace and ToPlace name where the crossing starts and ends, when located hops tell.
	FromPlace *Place
	ToPlace   *Place
	// Largest marks the biggest persistent jump.
	Largest bool
}

// Spike is a hop whose RTT later hops do not carry.
type Spike struct {
	TTL   int
	MinMs float64
	MaxMs float64
	// LaterTTL is the later hop with the lowest RTT, LaterMs that RTT.
	LaterTTL int
	LaterMs  float64
	ExcessMs float64
	Place    *Place
	// Bypassed is set when the hop's RTT is what its own place's distance from the source needs and the
	// later hop answers faster than that distance allows: the later hops were reached another way (a
	// path that differs per flow, an anycast destination), and the hop's RTT is no slow ICMP.
	Bypassed bool
}

// FarSide is a hop located at the near end of a long crossing whose RTT is already that of a hop far away:
// its reply most likely travels to the far end and back (an MPLS tunnel returning ICMP from the tunnel end,
// RFC 3032 section 2.3.2, or an asymmetric return path).
type FarSide struct {
	TTL      int
	Place    *Place
	MinMs    float64
	FarTTL   int
	FarPlace *Place
	FarMs    float64
	// DistanceKm is between Place and FarPlace.
	DistanceKm float64
}

// MPLSHop is a hop whose reply quoted MPLS labels.
type MPLSHop struct {
	TTL int
	// Labels are the label values of the first quoted stack, outermost first.
	Labels []uint32
}

// Distance compares the path's RTT with what light in fibre needs for the great-circle distance.
type Distance struct {
	From *Place
	To   *Place
	Km   float64
	// LightMinMs is the least RTT physics allows over Km (geo.FibreKmPerMs).
	LightMinMs float64
	// MeasuredMs is the lowest RTT measured to the destination (or, when it did not answer, to the closest
	// hop placed with it); MeasuredTTL is that hop; 0 / 0 when nothing fits.
	MeasuredMs  float64
	MeasuredTTL int
	// Stretch is MeasuredMs / LightMinMs; 0 when not measured.
	Stretch float64
	// Approximate is true when either end is an estimate.
	Approximate bool
}

// MultiResponder is a hop where several addresses answered.
type MultiResponder struct {
	TTL int
	// Addrs are the responders' addresses (a responder known only by name is listed by its name).
	Addrs []string
	Names []string
	// SameOperator is true when every responder has a known AS and all belong to one carrier.
	SameOperator bool
}

// SpecialAddr is a responder in special-purpose or unannounced space.
type SpecialAddr struct {
	TTL    int
	Addr   string
	Prefix string
	Kind   string
	Name   string
	// Note says what it means on this path.
	Note string
}

// Contradiction is a location the measured RTT cannot allow.
type Contradiction struct {
	TTL   int
	Addr  string
	Place *Place
	// DistanceKm is from the reference point (the source, or an earlier hop) to Place.
	DistanceKm float64
	// MaxKm is the farthest the hop can be given its minimum RTT.
	MaxKm float64
	MinMs float64
	// Reference names the point measured from ("source" or "hop N").
	Reference string
}

// Marker is one kind of annotation on one hop's replies (MarkerUnreachable, MarkerReplyTTL, MarkerLate,
// MarkerDup, MarkerQuotedTTL).
type Marker struct {
	TTL  int
	Kind string
	// Code is, for an unreachable, traceroute's annotation without the "!" ("N", "H", "X", "13"); for a
	// quoted TTL, that TTL; empty otherwise.
	Code string
	// Addr is the responder that sent it; empty when known only by name.
	Addr string
	// Count is how many of the hop's Probes carried it.
	Count  int
	Probes int
	// Destination is true when the target's own address sent it (an answer, not the end of the path).
	Destination bool
	// Ends is true for an unreachable at the last hop that answered, from a router: the path ends there.
	Ends bool
	// Meaning says in one sentence what it means on this path.
	Meaning string
}

// Kinds of loss finding.
const (
	// LossPath: loss starts at the hop and every later hop keeps at least LevelPct: packets are lost on
	// the link into the hop (or in the router), and the traffic carries that loss on.
	LossPath = "path"
	// LossRateLimit: the hop loses more than the hops after it: the router limits or deprioritises its
	// own ICMP replies; traffic through it is not lost there.
	LossRateLimit = "rate-limit"
	// LossDestination: the destination answered with loss, the loss the traffic sees end to end.
	LossDestination = "destination"
	// LossLastHop: loss starts at the last hop that answered, which is not the destination, so no later
	// hop tells whether it is the path or the router's replies.
	LossLastHop = "last-hop"
)

// LossFinding is what the loss at one hop means.
type LossFinding struct {
	TTL int
	// Kind is LossPath, LossRateLimit, LossDestination or LossLastHop.
	Kind string
	// Weak is true when the probes are too few to tell (fewer than lossMinSent sent at a hop involved, or
	// fewer than lossMinLost lost): the loss looks like Kind, but could be chance or a router's replies.
	Weak bool
	// Sent, Received and LossPct are this hop's, LowPct–HighPct the 95 % Wilson interval of LossPct.
	Sent     int
	Received int
	LossPct  float64
	LowPct   float64
	HighPct  float64
	// LevelPct is, for LossPath, the loss every hop from TTL on keeps (the lowest among them) and, for
	// LossRateLimit, the loss of the later hops (the lowest after TTL): what the traffic itself loses.
	// LevelTTL is the hop that shows it; 0 when none.
	LevelPct float64
	LevelTTL int
	// FromTTL is, for LossDestination, the hop where the destination's loss starts (its own TTL when no
	// earlier hop shows it); TTL for the other kinds.
	FromTTL int
	// PrevTTL is the last answering hop before TTL (0 for none: the source): the lossy link is between
	// them. PrevOperator and Operator are the carriers at its two ends; empty when unknown.
	PrevTTL      int
	PrevOperator string
	Operator     string
}

// Kinds of jitter finding.
const (
	// JitterQueueing: the RTT variation rises at the hop and later hops keep it: queueing on the link
	// into the hop.
	JitterQueueing = "queueing"
	// JitterRouter: the hop's replies vary much more than the later hops': its ICMP generation, not the
	// path.
	JitterRouter = "router"
	// JitterDestination: the variation rises at the destination itself: the last link or the server.
	JitterDestination = "destination"
	// JitterLastHop: the variation rises at the last hop that answered, which is not the destination.
	JitterLastHop = "last-hop"
)

// JitterFinding is where the RTT variation along the path changes.
type JitterFinding struct {
	TTL int
	// Kind is JitterQueueing, JitterRouter, JitterDestination or JitterLastHop.
	Kind string
	// Metric is "stddev" (the RTTs' standard deviation, mtr's StDev) or "jitter" (the mean difference
	// between consecutive RTTs), whichever the measurement gave for its hops.
	Metric string
	// Ms is this hop's variation; Samples how many RTTs it comes from.
	Ms      float64
	Samples int
	// BeforeMs is the variation the path keeps before the hop (the lowest from the previous measured hop
	// on); 0 when the hop is the first measured.
	BeforeMs float64
	// LevelMs is, for JitterQueueing, the variation every hop from TTL on keeps and, for JitterRouter,
	// the later hops' (the lowest after TTL); LevelTTL is the hop that shows it; 0 when none.
	LevelMs  float64
	LevelTTL int
	// PrevTTL, PrevOperator and Operator name the link into the hop, as in LossFinding.
	PrevTTL      int
	PrevOperator string
	Operator     string
}
