// Package probe is hopscope's trace engine: probe packets, reply parsing, sockets, scheduling and reply matching.
//
// The package is layered so that most of it runs without privileges:
//
//   - Wire formats are pure functions: BuildPacket and BuildPayload make ICMP echo, UDP and TCP SYN
//     probes (IPv4 and IPv6) that carry the probe's identity in fields that load balancers do not hash
//     (ICMP sequence with a constant checksum, the UDP checksum, the TCP sequence number), as Paris
//     traceroute does; ParseICMPv4, ParseICMPv6, ParseErrQueue and ParseTCP read replies, and
//     Flow.Match decides whether a reply belongs to this trace and to which probe.
//   - The Tracer schedules probes (every TTL in flight at once, paced), matches replies, waits
//     adaptively and stops early; it talks to the network through the two-method Conn interface and
//     reads time from an injected clock, so it is tested against a simulated network.
//   - No reply is lost to speed. A reply that comes after its probe's adaptive wait still counts,
//     marked late (path.Probe.Late: evidence of a router slow to generate ICMP, not of path latency),
//     and lengthens the waits that follow. A hop with no reply when its probes' waits have passed
//     gets a second chance: one more probe, all such hops at once, and replies are awaited until
//     Config.SecondChance after its first probe (60% of the timeout by default, so 600 ms: ICMP
//     up to ~500 ms late on a 100 ms path). A second-chance probe appears in the hop only when it
//     was answered. Routers slower than that show as silent unless the timeout is raised.
//   - Sockets live in socket_linux.go (raw sockets with CAP_NET_RAW; otherwise ICMP datagram sockets and
//     UDP/TCP sockets with IP_RECVERR, as tracepath does) and socket_other.go (unsupported).
//   - Path MTU discovery (Options.PathMTU, DiscoverMTU) works as tracepath does, unprivileged: UDP
//     probes with DF set (IP_PMTUDISC_PROBE) toward the end of the traced path, shrinking to the
//     next-hop MTU each ICMP "fragmentation needed" / ICMPv6 "packet too big" reports (RFC 1191,
//     RFC 8201), until one crosses; each reporting router is placed at its hop in the trace
//     (path.PathMTU). A router that drops big packets without an error (a PMTU black hole) stops
//     discovery at that size, with a note.
//   - NAT detection, as Dublin traceroute and Trippy do it: in raw mode each ICMP error's quoted IPv4
//     header is compared with the probe sent (source address; the IP ID, which carries the probe's
//     sequence, names the probe when a rewrite changed its UDP checksum), and the first hop whose
//     quote shows a rewrite is reported (Reply.Rewrites, path.Trace.NAT). A NAT that translates the
//     quoted packet back, as RFC 5508 requires and Linux conntrack does, cannot be seen this way;
//     the unprivileged mode, which never sees the quoted header, sees none either.
//   - The engine does no DNS: Run gets a resolved target, and names responders through the two-method
//     Namer (the dns stage's PathResolver in the CLI), prefetching each name as its first reply arrives.
//
// References: RFC 792 (ICMP), RFC 4443 (ICMPv6), RFC 1191 and RFC 8201 (path MTU discovery), RFC 1812 §4.3.2.3 (quoted datagram), RFC 4884
// (multi-part ICMP messages), RFC 4950 (MPLS label stack extension), RFC 3032 (MPLS label entry),
// RFC 6437 (IPv6 flow label), and the Paris traceroute paper (Augustin et al., IMC 2006).
package probe
