// Package netlab builds throwaway lab networks of Linux network namespaces for tests and benchmarks.
//
// A Spec declares nodes (hosts and routers), point-to-point links with
// addresses and optional delay, jitter and loss, optional static routes and an
// optional DNS server. Start (or New in a test) creates it and Close removes it:
//
//	l := netlab.New(t, netlab.Spec{
//		Nodes: []netlab.Node{{Name: "client"}, {Name: "r1", Router: true}, {Name: "server"}},
//		Links: []netlab.Link{{A: "client", B: "r1"}, {A: "r1", B: "server", Delay: 30 * time.Millisecond}},
//	})
//	dst, _ := l.Addr("server", false)
//	err := l.Run("client", func() error { /* open sockets here; they stay in the namespace */ })
//	out, err := l.Exec(ctx, "client", "traceroute", "-n", dst.String()).CombinedOutput()
//
// # What a lab is made of
//
//   - Every node is a network namespace named "hs-<pid>-<lab>-<node>", so labs of
//     parallel tests and processes never collide. Sweep (run once by Start)
//     removes namespaces left by dead processes, and only those.
//   - A link without Delay, Jitter or Loss (and without an MPLS or SlowICMP node
//     at either end) is a veth pair. Any other link is a pair of TUN devices (IFF_TUN|IFF_NO_PI, one per end) joined by an
//     in-process relay (package relay) that delays every packet by Delay in
//     each direction (so the link adds 2×Delay to a round trip), adds uniform
//     jitter without reordering (unless Reorder), and drops Loss of the packets
//     with a seeded generator (Spec.Seed). `tc netem` is not needed.
//   - Interfaces are named "e<link>-<peer>" (cut to 15 characters).
//   - Links without addresses get 10.200.0.0/16 /30s and fd00:200::/48 /64s;
//     explicit addresses must stay in 10.0.0.0/8, the TEST-NETs
//     (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), 2001:db8::/32 or fd00::/8.
//   - Routes are computed: every node gets shortest-path routes (by hop count,
//     through routers only) to every link subnet and loopback address (Node.Addrs)
//     of the lab, for IPv4 and IPv6. Several equally short next hops make a
//     multipath (ECMP) route. Spec.Routes add or replace routes. There is no
//     default route, so traffic to addresses outside the lab goes nowhere.
//   - Routers forward IPv4 and IPv6 and hash multipath routes on exactly the
//     header fields (fib_multipath_hash_policy=3): with HashL4 (the default)
//     addresses, protocol and ports, so UDP and TCP probes with varying ports
//     spread over the branches while a pinned flow (same ports) keeps one, as
//     Paris traceroute expects. Linux hashes no ICMP identifier, so ICMP echoes
//     between two addresses take one branch; with HashL3 ICMPv6 probes that
//     vary the flow label spread. The hash seed is fixed (Spec.Seed) where the
//     kernel allows, so a lab splits flows the same way every run.
//   - Every node has ICMP rate limits off (unless Node.ICMPPerSecond), rp_filter
//     off, IPv6 duplicate address detection off, and ping_group_range open to
//     all groups so unprivileged ICMP datagram sockets work inside the lab.
//   - Node.Silent installs nftables rules that drop the ICMP errors the node
//     would send (time exceeded, unreachable, ...); Node.Drop drops incoming
//     echo requests, UDP or TCP addressed to the node (a silent destination).
//   - Node.ForwardLoss drops a share of the packets a router forwards (nftables
//     numgen random), loss on the path from the next hop on; Node.ICMPLoss drops
//     a share of its own ICMP errors and Node.ICMPLimit caps them per second
//     (nftables limit): a router rate-limiting ICMP, which later hops do not show.
//     Node.ForwardLossFrom limits ForwardLoss to packets from one neighbour.
//   - Node.MPLS makes the node's time-exceeded messages carry an MPLS label
//     stack (RFC 4950 in an RFC 4884 extension), added by the relays on its
//     links since Linux does not produce them.
//   - Node.SlowICMP makes the node's ICMP errors come late by a fixed time (a
//     router slow to generate ICMP, "slow ICMP at hop k by D"): the relays on
//     its links hold them, without holding up the traffic behind them.
//   - Node.NAT rewrites one host's source address on a router (IPv4): statelessly
//     with nftables filter hooks, so the packets quoted in ICMP errors keep the
//     rewritten address (older NAT boxes), or with a conntrack masquerade, which
//     translates them back (RFC 5508).
//   - Spec.DNS runs a real unbound inside a node, answering authoritatively for
//     PTR names (Node.Names) and forward records (DNSSpec.Records), refusing
//     everything else. Resolvers returns its addresses; through Exec, every
//     node's /etc/resolv.conf points at it (or at 127.0.0.1 without DNS).
//
// Run executes Go code in a node's namespace on a locked OS thread; sockets
// (raw, ICMP datagram, UDP, TCP) opened there keep working from any goroutine,
// and programs started from inside fn run in the namespace too. Exec runs a
// program through `ip netns exec`. Addr, Addrs, Resolver and Resolvers give the
// addresses to use; LinkStats reads a shaped link's relay counters.
// ExpectedHops derives from a Spec what a traceroute between two nodes should
// find: per TTL the responding nodes (several at ECMP hops), their addresses and
// PTR names, whether they are silent, and the round trip of configured delays.
//
// Tests that use labs need root; RequireRoot skips otherwise, and New also
// registers Close with t.Cleanup. Article returns the lab that mirrors the path
// of the seed article (see its documentation for the topology). For shell
// scripts (benchmarks against traceroute, mtr, scamper), the labctl command
// in this directory starts the article lab, prints its namespace names and
// addresses as KEY=value lines and keeps it up until SIGINT or SIGTERM.
//
// Timing: the relay wakes on Go timers, so on a busy machine shaped links add
// a few milliseconds on top of the configured delay (tests should bound RTTs
// from below by the configured round trip and only loosely from above).
// Starting the article lab takes about 1-3 s, mostly in the kernel.
package netlab
