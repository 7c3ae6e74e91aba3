package path

import "net/netip"

// PathMTU is the result of path MTU discovery (as tracepath does it): the largest packet that
// crossed the path and every hop where that size went down.
type PathMTU struct {
	// Local is the MTU of the route out of the source (the first link), in bytes; 0 when unknown.
	Local int `json:"local,omitempty"`
	// MTU is the path MTU in bytes, IP header included: the largest probe that crossed the whole
	// path (or as far as discovery got, see Complete); 0 when discovery did not run.
	MTU int `json:"mtu,omitempty"`
	// Complete is true when a probe of MTU bytes reached the last hop probed (the target, or the last
	// responder when the target does not answer); false when discovery stopped before (see Note).
	Complete bool `json:"complete"`
	// Drops lists, in path order, the routers that reported a smaller next link (ICMP fragmentation
	// needed, ICMPv6 packet too big); nil when the MTU never went down after the first link.
	Drops []MTUDrop `json:"drops,omitempty"`
	// Note says why discovery stopped early or was skipped; empty when it completed.
	Note string `json:"note,omitempty"`
}

// MTUDrop is one router that could not forward a probe because its next link is smaller.
type MTUDrop struct {
	// TTL is the hop of the router that reported it (the smaller link starts after this hop); 0 when
	// the router's address was not seen at any hop of the trace.
	TTL int `json:"ttl,omitempty"`
	// From is the router's address (the source of its ICMP error).
	From netip.Addr `json:"from"`
	// MTU is the next-hop MTU it reported, in bytes; from here on the path carries at most this.
	MTU int `json:"mtu"`
}
