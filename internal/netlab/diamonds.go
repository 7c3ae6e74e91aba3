package netlab

import (
	"context"
	"fmt"
	"strconv"
)

// DiamondSpec returns a lab with one load-balanced stretch of width parallel
// routers (2 to 8): src - r1 - {b1..bN} - r2 - dst, dst also answering on
// 203.0.113.9. A trace from src to 203.0.113.9 sees r1 at TTL 1, the branches
// at TTL 2, r2 at TTL 3 and dst at TTL 4; r1 splits flows over the branches by
// the routers' multipath hash (HashL4 unless the caller changes it), r2 merges
// them. It is the 2- and 4-branch ECMP lab of issue 13 (MDA and scamper tracelb).
func DiamondSpec(width int) Spec {
	width = min(max(width, 2), 8)
	s := Spec{
		Name:  "diamond" + strconv.Itoa(width),
		Nodes: []Node{{Name: "src"}, {Name: "r1", Router: true}, {Name: "r2", Router: true}, {Name: "dst", Addrs: []string{"203.0.113.9/32"}}},
		Links: []Link{{A: "src", B: "r1"}, {A: "r2", B: "dst"}},
	}
	for i := 1; i <= width; i++ {
		b := "b" + strconv.Itoa(i)
		s.Nodes = append(s.Nodes, Node{Name: b, Router: true})
		s.Links = append(s.Links, Link{A: "r1", B: b}, Link{A: b, B: "r2"})
	}
	return s
}

// NestedDiamondSpec returns a lab with a diamond inside a diamond: r1 splits
// flows between a and b; a splits them again between a1 and a2, which merge at
// a3; b's branch runs b1 - b2 in step; a3 and b2 merge at r2. A trace from src
// to 203.0.113.9 sees r1 (TTL 1), {a, b} (2), {a1, a2, b1} (3), {a3, b2} (4),
// r2 (5) and dst (6): an outer diamond from r1 to r2 three wide, and an inner
// one from a to a3 two wide.
//
// Every router of a lab hashes with the same seed, so a would send every flow
// r1 gave it down the same branch (hash polarisation): after Start, give a a
// seed of its own with SetHashSeed(ctx, l, "a", seed) to see both a1 and a2.
func NestedDiamondSpec() Spec {
	names := []string{"r1", "a", "b", "a1", "a2", "a3", "b1", "b2", "r2"}
	s := Spec{
		Name:  "nested",
		Nodes: []Node{{Name: "src"}, {Name: "dst", Addrs: []string{"203.0.113.9/32"}}},
		Links: []Link{
			{A: "src", B: "r1"}, {A: "r1", B: "a"}, {A: "r1", B: "b"},
			{A: "a", B: "a1"}, {A: "a", B: "a2"}, {A: "a1", B: "a3"}, {A: "a2", B: "a3"},
			{A: "b", B: "b1"}, {A: "b1", B: "b2"},
			{A: "a3", B: "r2"}, {A: "b2", B: "r2"}, {A: "r2", B: "dst"},
		},
	}
	for _, n := range names {
		s.Nodes = append(s.Nodes, Node{Name: n, Router: true})
	}
	return s
}

// SetHashSeed gives node its own multipath hash seed (sysctl
// net.ipv4.fib_multipath_hash_seed, Linux 6.11 or later, which IPv6 uses too),
// so that its split of flows does not repeat an upstream router's that uses
// the lab's seed.
func SetHashSeed(ctx context.Context, l *Lab, node string, seed uint32) error {
	out, err := l.Exec(ctx, node, "sysctl", "-w", "net.ipv4.fib_multipath_hash_seed="+strconv.FormatUint(uint64(seed), 10)).CombinedOutput()
	if err != nil {
		return fmt.Errorf("set the multipath hash seed of %s: %v: %s", node, err, out)
	}
	return nil
}
