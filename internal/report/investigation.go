package report

import (
	"time"

	"hopscope/internal/history"
)

// Investigation is an application investigated end to end: every host it used, resolved, traced, enriched
// and explained, then the whole app summarised.
type Investigation struct {
	// Source is where the host list came from: "proxy", "har", "capture" or "hosts".
	Source string `json:"source"`
	// Origin names the session file, HAR, capture or host list.
	Origin   string    `json:"origin,omitempty"`
	Started  time.Time `json:"started,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
	// Vantage is where the measurements were made from, when known; nil otherwise.
	Vantage *Place             `json:"vantage,omitempty"`
	Hosts   []InvestigatedHost `json:"hosts"`
	// ByCountry, ByOperator and ByAS share the app's hosts, requests and bytes per place and network.
	ByCountry  []Share `json:"by_country"`
	ByOperator []Share `json:"by_operator"`
	ByAS       []Share `json:"by_as"`
	// Slowest hosts first, with why.
	Slowest []SlowHost `json:"slowest"`
	// Bottlenecks are latency jumps shared by several hosts' paths (the common slow segment).
	Bottlenecks []Bottleneck `json:"bottlenecks"`
	// Changes since the previous investigation of each host; empty on the first run.
	Changes []HostChanges `json:"changes,omitempty"`
	Summary string        `json:"summary"`
	// Domains is the inventory the hosts came from; nil for a plain host list.
	Domains *Domains `json:"domains,omitempty"`
	// Warnings about hosts that could not be resolved or traced.
	Warnings []string `json:"warnings,omitempty"`
}

// InvestigatedHost is one host of the app and what its path showed.
type InvestigatedHost struct {
	Host string `json:"host"`
	// Port is the port traced (the one the app used); 0 when unknown.
	Port       int      `json:"port,omitempty"`
	Addr       string   `json:"addr,omitempty"`
	OtherAddrs []string `json:"other_addrs,omitempty"`
	Aliases    []string `json:"aliases,omitempty"`
	// Flows, Requests and Bytes are the app's use of the host (from the inventory); 0 for a host list.
	Flows    int   `json:"flows"`
	Requests int   `json:"requests"`
	Bytes    int64 `json:"bytes"`
	// Where the server is.
	ASN      uint32 `json:"asn,omitempty"`
	Org      string `json:"org,omitempty"`
	Operator string `json:"operator,omitempty"`
	Country  string `json:"country,omitempty"`
	City     string `json:"city,omitempty"`
	Place    *Place `json:"place,omitempty"`
	// PlaceLabel is where the server is as text ("Singapore, SG", "SG"); "" when unknown.
	PlaceLabel string `json:"place_label,omitempty"`
	// MinRTTMs is the lowest RTT to the destination (or last responding hop); meaningful when HasRTT.
	MinRTTMs float64  `json:"min_rtt_ms,omitempty"`
	HasRTT   bool     `json:"has_rtt"`
	Reached  bool     `json:"reached"`
	Carriers []string `json:"carriers,omitempty"`
	// DistanceKm from the vantage point; 0 when unknown. LightMinMs is its light-speed minimum RTT.
	DistanceKm float64 `json:"distance_km,omitempty"`
	LightMinMs float64 `json:"light_min_rtt_ms,omitempty"`
	// Why is a one-line explanation of the host's latency.
	Why string `json:"why,omitempty"`
	// Path is the full path report; nil when the host could not be traced. When the host was traced
	// from several vantage points, it is the first measured one's.
	Path *Path `json:"path,omitempty"`
	// Vantages compares the host's paths from several vantage points (investigate --via); nil when it
	// was traced from this machine only.
	Vantages *Vantages `json:"vantages,omitempty"`
	// Error says what failed for this host (resolution, trace); empty on success.
	Error string `json:"error,omitempty"`
}

// Share is one group's part of the app.
type Share struct {
	// Key is the group's identity ("SG", "AS132203", "Tencent"); Label its readable name.
	Key      string `json:"key"`
	Label    string `json:"label"`
	Hosts    int    `json:"hosts"`
	Requests int    `json:"requests"`
	Bytes    int64  `json:"bytes"`
	// HostShare, RequestShare and ByteShare are fractions of the app's totals (0..1).
	HostShare    float64 `json:"host_share"`
	RequestShare float64 `json:"request_share"`
	ByteShare    float64 `json:"byte_share"`
}

// SlowHost is a host ranked by latency.
type SlowHost struct {
	Host     string  `json:"host"`
	MinRTTMs float64 `json:"min_rtt_ms"`
	Why      string  `json:"why"`
}

// Bottleneck is a latency jump at the same segment on several hosts' paths.
type Bottleneck struct {
	// From and To are the two sides of the segment (addresses), FromPlace/ToPlace their locations.
	From      string `json:"from"`
	To        string `json:"to"`
	FromPlace *Place `json:"from_place,omitempty"`
	ToPlace   *Place `json:"to_place,omitempty"`
	FromASN   uint32 `json:"from_asn,omitempty"`
	ToASN     uint32 `json:"to_asn,omitempty"`
	// DeltaMs is the median jump across the hosts.
	DeltaMs float64  `json:"delta_ms"`
	Hosts   []string `json:"hosts"`
	Text    string   `json:"text"`
}

// HostChanges lists what changed for one host since its previous measurement.
type HostChanges struct {
	Host    string    `json:"host"`
	Since   time.Time `json:"since"`
	Changes []Change  `json:"changes"`
}

// Change is one difference between two measurements of the same host.
type Change struct {
	// Kind is "address", "as-path", "new-as", "left-as", "dest-as", "location", "rtt", "reached".
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// NewChanges converts the history stage's differences.
func NewChanges(cs []history.Change) []Change {
	out := make([]Change, 0, len(cs))
	for _, c := range cs {
		out = append(out, Change{Kind: c.Kind, Text: c.Text})
	}
	return out
}
