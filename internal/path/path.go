// Package path is the model of a measured network path that every input produces and every output reads.
//
// A Trace is what one traceroute-like measurement saw: the target, the probe
// protocol and, per TTL, every probe sent with its outcome and every distinct
// responder. Values here are plain data: no I/O, no enrichment, no opinions.
// "Not measured" is always explicit (a Status or a nil pointer), never a zero
// that looks like a value.
package path

import (
	"net/netip"
	"time"
)

// Protocol is the probe protocol of a trace.
type Protocol string

// Probe protocols. ProtoUnknown means the source did not say.
const (
	ProtoUnknown Protocol = ""
	ProtoICMP    Protocol = "icmp"
	ProtoUDP     Protocol = "udp"
	ProtoTCP     Protocol = "tcp"
)

// Status is the outcome of one probe.
type Status string

// Probe outcomes.
const (
	// StatusReply: a responder answered (time exceeded, or the destination's echo reply / port unreachable / SYN-ACK / RST).
	StatusReply Status = "reply"
	// StatusTimeout: nothing came back in time (a "*").
	StatusTimeout Status = "timeout"
	// StatusUnreachable: an ICMP destination unreachable other than "port unreachable" from the target
	// (traceroute's !H, !N, !P, !X, !S, !F, !V, !C, !<num>). Unreachable carries the code.
	StatusUnreachable Status = "unreachable"
	// StatusError: the probe could not be sent or the tool reported a local error.
	StatusError Status = "error"
)

// Probe is one packet sent at one TTL and what became of it.
type Probe struct {
	Status Status `json:"status"`
	// From is the responder's address; invalid (zero netip.Addr) when Status is timeout or error.
	From netip.Addr `json:"from,omitzero"`
	// RTT is the round-trip time; meaningful only when HasRTT.
	RTT time.Duration `json:"rtt_ns,omitempty"`
	// HasRTT is false when the source gave a reply without a time (or no reply).
	HasRTT bool `json:"has_rtt,omitempty"`
	// Unreachable is traceroute's annotation without the "!" ("H", "N", "X", "P", "S", "F", "V", "C", or a number);
	// empty when not unreachable.
	Unreachable string `json:"unreachable,omitempty"`
	// ReplyTTL is the IP TTL (hop limit) of the reply as received; 0 means unknown.
	ReplyTTL int `json:"reply_ttl,omitempty"`
	// QuotedTTL is the TTL of our probe as quoted back in the ICMP error; 0 means unknown.
	QuotedTTL int `json:"quoted_ttl,omitempty"`
	// MPLS holds the label stack from ICMP extensions (RFC 4950); nil when none.
	MPLS []MPLSLabel `json:"mpls,omitempty"`
	// Late marks a reply that arrived after the tool had given up on the probe (RIPE Atlas "late").
	Late bool `json:"late,omitempty"`
	// Dup marks a duplicate reply (the tool saw more than one reply for the probe).
	Dup bool `json:"dup,omitempty"`
	// FlowID is the flow identifier the probe was sent with (Paris traceroute); 0 means unknown or fixed.
	FlowID int `json:"flow_id,omitempty"`
}

// MPLSLabel is one entry of an MPLS label stack (RFC 3032 / RFC 4950).
type MPLSLabel struct {
	Label uint32 `json:"label"`
	TC    uint8  `json:"tc"`
	S     bool   `json:"s"`
	TTL   uint8  `json:"ttl"`
}

// Stats is an aggregate a tool reported instead of individual probes (mtr's report and JSON), or
// what hopscope's own continuous rounds (package rounds) kept of many. Times are meaningful only when
// Received > 0.
type Stats struct {
	Sent     int           `json:"sent"`
	Received int           `json:"received"`
	Last     time.Duration `json:"last_ns"`
	Best     time.Duration `json:"best_ns"`
	Avg      time.Duration `json:"avg_ns"`
	Worst    time.Duration `json:"worst_ns"`
	StdDev   time.Duration `json:"stddev_ns"`
	// Jitter is the mean absolute difference between consecutive RTTs (mtr's Javg); 0 when fewer
	// than two RTTs were received or the source did not say.
	Jitter time.Duration `json:"jitter_ns,omitempty"`
	// Late counts the replies among Received that came after their probe's wait (a router slow to
	// send ICMP); 0 when none did or the source cannot tell.
	Late int `json:"late,omitempty"`
	// Samples are the most recent RTTs, oldest first, a bounded window (package rounds keeps the
	// last 100); nil when the source gave only aggregates.
	Samples []time.Duration `json:"samples_ns,omitempty"`
}

// Loss returns the fraction of probes lost, or -1 when nothing was sent.
func (s Stats) Loss() float64 {
	if s.Sent <= 0 {
		return -1
	}
	return float64(s.Sent-s.Received) / float64(s.Sent)
}

// Responder is one distinct address that answered at a hop, with what the source said about it.
type Responder struct {
	Addr netip.Addr `json:"addr"`
	// Name is the reverse DNS name as the source reported it; empty when none or not resolved.
	Name string `json:"name,omitempty"`
	// ReportedASN is the AS number the source tool printed (macOS traceroute -a, mtr -z); 0 means none given.
	ReportedASN uint32 `json:"reported_asn,omitempty"`
	// Stats is set when the source gave aggregates instead of probes; nil otherwise.
	Stats *Stats `json:"stats,omitempty"`
}

// Hop is everything seen at one TTL.
type Hop struct {
	TTL int `json:"ttl"`
	// Probes in the order sent. Empty when the source reported only aggregates (see Responder.Stats)
	// or when an aggregate-only hop had no responder (then Silent is the only information).
	Probes []Probe `json:"probes,omitempty"`
	// Responders in order of first appearance.
	Responders []Responder `json:"responders,omitempty"`
	// Stats is the aggregate for a hop where nothing answered in an aggregate-only source (mtr "???"); nil otherwise.
	Stats *Stats `json:"stats,omitempty"`
	// Rounds is the outcome of the hop in each of the most recent rounds of a continuous measurement,
	// oldest first, a bounded window (package rounds keeps the last 100); nil for a single pass or an
	// imported trace.
	Rounds []RoundSample `json:"rounds,omitempty"`

	// index finds a responder by address in constant time on a hop with many responders (see
	// AddResponder); nil on a small hop. It is a cache, checked against Responders before use.
	index *responderIndex
}

// RoundSample is what one round of a continuous measurement saw at one hop.
type RoundSample struct {
	// Round numbers the round, from 0.
	Round int `json:"round"`
	// Sent is the number of probes the round sent to this hop.
	Sent int `json:"sent"`
	// Received is the number of those that were answered (late replies included).
	Received int `json:"received"`
	// RTT is the mean RTT of the round's replies at this hop; meaningful only when Received > 0.
	RTT time.Duration `json:"rtt_ns,omitempty"`
}

// Target is what the trace was aimed at.
type Target struct {
	// Name as the user gave it; empty when only an address was given.
	Name string `json:"name,omitempty"`
	// Addr is the address actually probed; invalid when the source did not say.
	Addr netip.Addr `json:"addr,omitzero"`
	// Canonical is the name the tool printed after resolution (the end of the CNAME chain), if different.
	Canonical string `json:"canonical,omitempty"`
	// Aliases is the CNAME chain from Name to Canonical, in order, when known.
	Aliases []string `json:"aliases,omitempty"`
	// OtherAddrs are further addresses the name resolved to that were not probed.
	OtherAddrs []netip.Addr `json:"other_addrs,omitempty"`
	// Port is the destination port for UDP/TCP probes; 0 means unknown or not applicable.
	Port int `json:"port,omitempty"`
}

// Trace is one measured path.
type Trace struct {
	Target   Target   `json:"target"`
	Protocol Protocol `json:"protocol,omitempty"`
	// Source names where the data came from: "hopscope", "traceroute-linux", "traceroute-bsd", "tracert",
	// "tracepath", "mtr-report", "mtr-json", "mtr-raw", "ripe-atlas", "scamper".
	Source string `json:"source"`
	// From is the source address of the probes; invalid when unknown.
	From netip.Addr `json:"from,omitzero"`
	// Started is when the measurement began; zero when unknown.
	Started time.Time `json:"started,omitzero"`
	// MaxTTL is the configured hop limit; 0 when unknown.
	MaxTTL int `json:"max_ttl,omitempty"`
	// PacketSize is the probe size in bytes as the tool reported it; 0 when unknown.
	PacketSize int `json:"packet_size,omitempty"`
	// ProbesPerHop as configured; 0 when unknown.
	ProbesPerHop int `json:"probes_per_hop,omitempty"`
	// FlowsVaried is true when probes deliberately varied the flow (MDA, classic UDP traceroute);
	// false when the flow was pinned (Paris) or unknown.
	FlowsVaried bool  `json:"flows_varied,omitempty"`
	Hops        []Hop `json:"hops"`
	// Warnings are messages the tool printed (for example "has multiple addresses") and notes from the importer.
	Warnings []string `json:"warnings,omitempty"`
	// Meta holds source-specific identifiers (RIPE Atlas msm_id/prb_id, scamper list names); nil when none.
	Meta map[string]string `json:"meta,omitempty"`
	// PathMTU is what path MTU discovery found along the path; nil when it was not run.
	PathMTU *PathMTU `json:"path_mtu,omitempty"`
	// NAT is the first hop whose ICMP errors quote the probe rewritten on the way (a NAT that does not
	// translate the quoted packet); nil when none was seen, or the source cannot tell (no quotes).
	NAT *NAT `json:"nat,omitempty"`
	// Multipath is the multipath graph of an MDA run or an imported scamper tracelb; nil otherwise.
	Multipath *Multipath `json:"multipath,omitempty"`
	// Rounds is the number of rounds a continuous measurement ran (package rounds), whose results the
	// hops carry as Stats; 0 for a single pass or when the source did not say.
	Rounds int `json:"rounds,omitempty"`
}
