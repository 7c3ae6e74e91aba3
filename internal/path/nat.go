package path

import "net/netip"

// NAT is where a trace saw its probes rewritten on the way, by comparing the packet quoted in each
// ICMP error with the packet sent (as Dublin traceroute and Trippy do). A NAT that translates the
// quoted packet back (RFC 5508, as Linux connection tracking does) cannot be seen this way.
type NAT struct {
	// TTL is the first hop whose quote differs from what was sent: the rewrite happened after the
	// hop before it (TTL-1) had seen the probe, at that hop's router or on the link after it.
	TTL int `json:"ttl"`
	// From is the responder at TTL whose quote showed it.
	From netip.Addr `json:"from"`
	// Changes say what differed, e.g. "source address 10.1.0.2 → 198.51.100.99".
	Changes []string `json:"changes"`
}
