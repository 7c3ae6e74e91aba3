package path

import "net/netip"

// Multipath is what a multipath enumeration found (hopscope's MDA, scamper's tracelb): every
// interface seen at each TTL is a Responder of that hop, and Links say which interface at one TTL
// was followed by which at the next, so that the load-balanced branches ("diamonds") can be read
// back. Nil on a trace that followed one flow (or a few, without a stopping rule).
type Multipath struct {
	// Confidence is the probability the stopping rule was chosen for (0.95 or 0.99): that no next
	// hop of a load balancer was missed. 0 when the source did not say.
	Confidence float64 `json:"confidence,omitempty"`
	// Probes is the number of probes the enumeration sent in all; 0 when unknown.
	Probes int `json:"probes,omitempty"`
	// Flows is the number of distinct flow identifiers used; 0 when unknown.
	Flows int `json:"flows,omitempty"`
	// Links are the edges seen between consecutive TTLs, in TTL order.
	Links []Link `json:"links,omitempty"`
	// Incomplete names the hops (TTLs) where the enumeration stopped before its stopping rule held
	// (probe budget spent, a responder that stopped answering); empty when every hop completed.
	Incomplete []int `json:"incomplete,omitempty"`
}

// Link is one edge of a multipath graph: a probe flow that reached From at TTL reached To at TTL+1
// (or, when Gap > 0, at TTL+1+Gap, across Gap hops where nothing answered).
type Link struct {
	TTL  int        `json:"ttl"`
	From netip.Addr `json:"from"`
	To   netip.Addr `json:"to"`
	// Gap is the number of silent hops between From and To; 0 for adjacent hops.
	Gap int `json:"gap,omitempty"`
	// Flows is how many distinct flows were seen crossing this edge; 0 when unknown.
	Flows int `json:"flows,omitempty"`
}
