package netlab

import (
	"time"
)

// Spec declares a lab network: nodes (hosts and routers, one network namespace
// each), point-to-point links between them, optional extra routes and an
// optional DNS server. The zero value of every optional field works.
type Spec struct {
	// Name labels the lab in error messages; empty means "lab".
	Name string
	// Nodes are the hosts and routers.
	Nodes []Node
	// Links connect two nodes each.
	Links []Link
	// Routes add static routes, or replace the computed route of the same node and
	// destination.
	Routes []Route
	// NoAutoRoutes turns off the computed shortest-path routes; only Routes are installed.
	NoAutoRoutes bool
	// DNS, when set, runs unbound in a node, serving the nodes' PTR names and Records.
	DNS *DNSSpec
	// Seed seeds link loss and jitter and the ECMP hash; zero is a fixed default,
	// so labs are repeatable unless a test asks otherwise.
	Seed uint64
}

// Protocols is a set of probe protocols, used to say which incoming probes a node drops.
type Protocols uint8

// The probe protocols a node can drop.
const (
	ICMP Protocols = 1 << iota // ICMP and ICMPv6 echo requests
	UDP                        // every UDP datagram addressed to the node
	TCP                        // every TCP segment addressed to the node

	AllProbes = ICMP | UDP | TCP // a destination behind a firewall that drops everything
)

// HashPolicy chooses what a router's multipath (ECMP) routes hash on.
type HashPolicy uint8

// The multipath hash policies (Linux fib_multipath_hash_policy).
const (
	// HashL4 hashes addresses, protocol and ports, so UDP and TCP probes with
	// different ports can take different branches. Linux hashes no ICMP
	// identifier, so every ICMP echo of one source and destination takes the same branch.
	HashL4 HashPolicy = iota
	// HashL3 hashes addresses and protocol (and the flow label for IPv6): ICMPv6
	// probes with different flow labels can take different branches.
	HashL3
)

// Node is one network namespace: a host, or a router when Router is set.
type Node struct {
	// Name identifies the node: 1 to 20 characters of a-z, 0-9 and '-'.
	Name string
	// Router enables IPv4 and IPv6 forwarding.
	Router bool
	// Silent makes the node send no ICMP errors (time exceeded, destination
	// unreachable, parameter problem, and for IPv6 packet too big): a router that
	// shows as "* * *" in a traceroute.
	Silent bool
	// Drop lists incoming probes addressed to this node that it drops without
	// answering; zero drops none. Use AllProbes for a silent destination.
	Drop Protocols
	// ICMPPerSecond limits the ICMP errors the node sends per second (Linux's
	// global ICMP budget, which also draws a random part); zero means no limit.
	ICMPPerSecond int
	// Addrs are extra addresses (CIDR, e.g. "203.0.113.25/32") put on the node's
	// loopback and routed to it, such as a server's service addresses.
	Addrs []string
	// Names are the PTR names the lab DNS serves for this node's addresses,
	// keyed by address ("192.0.2.6" → "lag-10.nenly00z.rbci.orange.example").
	Names map[string]string
	// ECMPHash is what this node's multipath routes hash on; zero is HashL4.
	ECMPHash HashPolicy
	// MPLS, when set, makes the ICMP time-exceeded messages this node sends
	// carry the label stack as an RFC 4950 extension (in an RFC 4884 structure,
	// the original datagram padded or cut to 128 bytes), like a router inside an
	// MPLS tunnel. Linux does not do this, so the relays on the node's links add
	// it: all the node's links become TUN links. At most 8 labels.
	MPLS []MPLSLabel
	// SlowICMP delays the ICMP errors this node sends (time exceeded,
	// destination unreachable, parameter problem, packet too big) by this much
	// on top of the link delays, like a router whose control plane is slow to
	// generate ICMP; the traffic it forwards and its echo replies keep the link's
	// pace, and a held message holds up nothing behind it. The relays on the
	// node's links hold the messages: all its links become TUN links. Zero
	// delays nothing.
	SlowICMP time.Duration
	// NAT, when set, makes the node rewrite the source address of the packets
	// it forwards from one host (IPv4 only); nil rewrites nothing.
	NAT *NAT
	// ForwardLoss is the share (0 to 1) of the packets the node forwards that
	// it drops, in both directions, drawn per packet by nftables (numgen
	// random): loss on the path into the next hop and every hop after it (a
	// probe to those and its reply both cross the node, so a hop beyond sees
	// 1-(1-x)² of its probes unanswered). Zero drops nothing.
	ForwardLoss float64
	// ForwardLossFrom, when set, names the neighbour whose packets ForwardLoss
	// drops (those the node receives on its link to that node, so one
	// direction: a hop beyond sees ForwardLoss of its probes unanswered);
	// empty drops in both directions.
	ForwardLossFrom string
	// ICMPLoss is the share (0 to 1) of the node's own ICMP errors (time
	// exceeded, unreachable, ...) that it drops, drawn per message: a router
	// that rate-limits its ICMP, whose loss later hops do not show. Zero drops
	// nothing.
	ICMPLoss float64
	// ICMPLimit caps the node's own ICMP errors at this many per second with an
	// nftables limit (a token bucket without Linux's random part, unlike
	// ICMPPerSecond); zero means no cap.
	ICMPLimit int
}

// NAT is a source address rewrite on a router (Node.NAT).
type NAT struct {
	// Source is the IPv4 address whose forwarded packets are rewritten (the
	// tracing host's).
	Source string
	// To is the address they get with the stateless rewrite: nftables rewrites
	// the source of packets from Source to To and the destination of packets to
	// To back to Source, without connection tracking, so the packets quoted in
	// ICMP errors keep To (as older NAT boxes behave). To goes on the node's
	// loopback so the lab routes it there. Ignored with Masquerade.
	To string
	// Masquerade uses Linux connection tracking instead (nftables masquerade,
	// to the outgoing interface's address), which translates the packets quoted
	// in ICMP errors back too (RFC 5508): a tracer cannot see it.
	Masquerade bool
}

// Link is a point-to-point link between nodes A and B. Without Delay, Jitter or
// Loss (and without an MPLS or SlowICMP node at either end) it is a veth pair; otherwise it
// is a pair of TUN devices joined by an in-process relay (see package relay)
// that shapes each direction alike.
type Link struct {
	// A and B name the two nodes.
	A, B string
	// AAddrs and BAddrs are the addresses (CIDR, IPv4 and/or IPv6) of each end.
	// When both are empty the lab picks 10.200.x.x/30 and fd00:200::/64 addresses.
	AAddrs, BAddrs []string
	// Delay is added to each direction; the round trip across the link grows by 2×Delay.
	Delay time.Duration
	// Jitter spreads each direction's delay uniformly over Delay±Jitter; packets
	// stay in order unless Reorder is set.
	Jitter time.Duration
	// Loss is the probability (0 to 1) that a packet is dropped, in each direction.
	Loss float64
	// Reorder lets jitter reorder packets.
	Reorder bool
	// MTU of both ends; zero means 1500.
	MTU int
}

// shaped reports whether the link needs the TUN relay.
func (l Link) shaped() bool { return l.Delay > 0 || l.Jitter > 0 || l.Loss > 0 }

// Route is a static route on one node. More than one Via makes a multipath
// (ECMP) route.
type Route struct {
	// Node is the node the route is installed on.
	Node string
	// Dst is the destination prefix (CIDR), or "default" or "default6".
	Dst string
	// Via are the next-hop addresses, all of Dst's address family.
	Via []string
}

// DNSSpec runs a real unbound inside a node of the lab, answering
// authoritatively (and only) for the lab's names: PTR records from every Node's
// Names and the forward Records. Every node's /etc/resolv.conf (as seen through
// `ip netns exec`, i.e. Lab.Exec) points at it.
type DNSSpec struct {
	// Node runs unbound; it listens on port 53 of every address of that node.
	Node string
	// Records are zone-file lines with absolute owner names, e.g.
	// "vweixinthumb.tc.example. 300 IN CNAME socwxsns.video.example.". Records are
	// grouped into one zone per top-level label, so CNAME chains within .example
	// are answered in one response.
	Records []string
}
