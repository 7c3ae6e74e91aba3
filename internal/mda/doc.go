// Package mda enumerates every load-balanced next hop on a path with the Multipath Detection Algorithm.
//
// The Multipath Detection Algorithm (MDA; Augustin, Friedman and Teixeira, "Multipath tracing with
// Paris traceroute", E2EMON 2007; Veitch, Augustin, Friedman and Teixeira, "Failure control in
// multipath route tracing", INFOCOM 2009) is what scamper's tracelb and Paris traceroute's mda run.
// Per-flow load balancers pick a next hop from a hash of header fields, so probes that differ only in
// a field the balancer hashes (the flow identifier: UDP destination port, TCP source port, ICMP
// checksum, IPv6 flow label) follow the branches with about equal chances, and probes that share it
// follow one branch. The algorithm works hop by hop:
//
//   - For each interface v seen at TTL h it sends TTL h+1 probes on flows known to reach v, until the
//     stopping rule says that, having seen k distinct successors of v, a (k+1)-th would have shown
//     with probability at least the chosen confidence: n_k flows (StoppingPoints; 6, 11, 16, 21, ...
//     at 95%, 8, 15, 21, 28, ... at 99%, as scamper's table).
//   - When too few known flows reach v, new flows are first sent at TTL h to find more of them
//     ("node control"); an interface found that way is one more interface of TTL h.
//   - Each interface first gets one probe alone: when it reaches the end of the path (the destination
//     or an unreachable), that answer settles the interface, since a router does not balance a host on
//     its own link over other next hops (as Paris traceroute's MDA and scamper stop there).
//   - A successor that never answers is a silent hop: the flows go on from the last interface that
//     answered, and links cross the gap (path.Link.Gap), up to GapLimit silent hops.
//   - The total number of probes and the run time are bounded; a hop where the stopping rule did not
//     hold when the budget ran out is listed as incomplete (path.Multipath.Incomplete).
//
// The algorithm runs over the trace engine's two-method probe.Conn and an injected clock (Run), so it
// is tested against a simulated network; Trace opens the engine's sockets (probe.OpenSocket with
// varying flows) and returns the result in the path model: every interface seen at a TTL is a
// responder of that hop, with its probes, and path.Trace.Multipath carries the links between TTLs.
//
// Linux routers hash no ICMP identifier or checksum (only the IPv6 flow label, with an L3 hash
// policy), so ICMP probes over Linux ECMP see one branch per diamond, as scamper's do; UDP and TCP
// flows spread wherever ports are hashed.
package mda
