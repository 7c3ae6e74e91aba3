package netlab

import (
	"context"
	"fmt"
	"strconv"
)

// ECMPSpec returns the lab of hopscope's MDA tests and benchmark with one load-balanced stretch of
// branches parallel routers (2 to 16):
//
//	client - r1 -< m1 .. mN >- r2 - server (203.0.113.25, 2001:db8:ff::25)
//
// A trace from client to the server sees r1 at TTL 1, the branches at TTL 2, r2 at TTL 3 and the
// server at TTL 4. Every router hashes with hash (HashL4: UDP and TCP flows spread; HashL3: ICMPv6
// flows spread by their flow label). r2 has a route back through every branch, so which of its
// addresses its ICMP errors come from depends on the probe's flow too.
func ECMPSpec(branches int, hash HashPolicy) Spec {
	branches = min(max(branches, 2), 16)
	s := Spec{
		Name: "ecmp" + strconv.Itoa(branches),
		Nodes: []Node{{Name: "client"}, {Name: "r1", Router: true, ECMPHash: hash}, {Name: "r2", Router: true, ECMPHash: hash},
			{Name: "server", Addrs: []string{"203.0.113.25/32", "2001:db8:ff::25/128"}}},
		Links: []Link{{A: "client", B: "r1"}, {A: "r2", B: "server"}},
	}
	for i := 1; i <= branches; i++ {
		m := "m" + strconv.Itoa(i)
		s.Nodes = append(s.Nodes, Node{Name: m, Router: true, ECMPHash: hash})
		s.Links = append(s.Links, Link{A: "r1", B: m}, Link{A: m, B: "r2"})
	}
	return s
}

// ECMPNestedSpec returns a lab with a diamond inside one branch of another:
//
//	client - r1 -< a, b ;  a -< a1, a2 >- a3 ;  b - b1 - b2 ;  a3, b2 >- r2 - server
//
// A trace from client to the server (203.0.113.25, 2001:db8:ff::25) sees r1 (TTL 1), {a, b} (2),
// {a1, a2, b1} (3), {a3, b2} (4), r2 (5) and the server (6). Routers that hash the same fields with
// the same seed split the flows alike, so a would send every flow r1 gave it down one branch (hash
// polarisation): after Start, call SeedECMPHashes to give every router a seed of its own.
func ECMPNestedSpec(hash HashPolicy) Spec {
	s := Spec{
		Name:  "ecmpnest",
		Nodes: []Node{{Name: "client"}, {Name: "server", Addrs: []string{"203.0.113.25/32", "2001:db8:ff::25/128"}}},
		Links: []Link{
			{A: "client", B: "r1"}, {A: "r1", B: "a"}, {A: "r1", B: "b"},
			{A: "a", B: "a1"}, {A: "a", B: "a2"}, {A: "a1", B: "a3"}, {A: "a2", B: "a3"},
			{A: "b", B: "b1"}, {A: "b1", B: "b2"},
			{A: "a3", B: "r2"}, {A: "b2", B: "r2"}, {A: "r2", B: "server"},
		},
	}
	for _, n := range []string{"r1", "a", "b", "a1", "a2", "a3", "b1", "b2", "r2"} {
		s.Nodes = append(s.Nodes, Node{Name: n, Router: true, ECMPHash: hash})
	}
	return s
}

// SeedECMPHashes gives every router of l a multipath hash seed of its own, derived from base (sysctl
// net.ipv4.fib_multipath_hash_seed, Linux 6.11 or later, which IPv6 uses too), so that a balancer
// behind another does not repeat its split. On older kernels it returns an error saying so.
func SeedECMPHashes(ctx context.Context, l *Lab, base uint32) error {
	for i, n := range l.Spec().Nodes {
		if !n.Router {
			continue
		}
		seed := base + uint32(i)*0x9e3779b9
		if seed == 0 {
			seed = 1 // 0 means a random seed
		}
		out, err := l.Exec(ctx, n.Name, "sysctl", "-w", "net.ipv4.fib_multipath_hash_seed="+strconv.FormatUint(uint64(seed), 10)).CombinedOutput()
		if err != nil {
			return fmt.Errorf("netlab: multipath hash seed of %s (needs Linux 6.11 or later): %v: %s", n.Name, err, out)
		}
	}
	return nil
}

// ReplyFromInbound makes every router of l send its IPv4 ICMP errors from the address of the
// interface the offending packet came in on (net.ipv4.icmp_errors_use_inbound_ifaddr=1), as most
// vendors' routers do, instead of Linux's default, the address of the interface the error leaves by
// (which, where a router has several routes back, changes with the probe's flow: one router then
// shows as several interfaces at its hop). Linux has no such switch for ICMPv6.
func ReplyFromInbound(ctx context.Context, l *Lab) error {
	for _, n := range l.Spec().Nodes {
		if !n.Router {
			continue
		}
		out, err := l.Exec(ctx, n.Name, "sysctl", "-w", "net.ipv4.icmp_errors_use_inbound_ifaddr=1").CombinedOutput()
		if err != nil {
			return fmt.Errorf("netlab: icmp_errors_use_inbound_ifaddr on %s: %v: %s", n.Name, err, out)
		}
	}
	return nil
}
