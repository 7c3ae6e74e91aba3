package mda

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"hopscope/internal/netlab"
	"hopscope/internal/path"
	"hopscope/internal/probe"
	"hopscope/internal/tracefile"
)

var (
	labServer4 = netip.MustParseAddr("203.0.113.25")
	labServer6 = netip.MustParseAddr("2001:db8:ff::25")
)

// startLab starts spec with every router hashing with a seed of its own (so that a balancer behind
// another splits flows its own way).
func startLab(t *testing.T, spec netlab.Spec) *netlab.Lab {
	t.Helper()
	l := netlab.New(t, spec)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := netlab.SeedECMPHashes(ctx, l, 0x5eed); err != nil {
		t.Skip(err)
	}
	return l
}

// labMDA runs Trace from the lab's client at 99%, with fixed identifiers so that a run repeats.
func labMDA(t *testing.T, l *netlab.Lab, dst netip.Addr, m path.Protocol, mode probe.Mode) *path.Trace {
	t.Helper()
	rng := rand.New(rand.NewPCG(13, 99))
	var tr *path.Trace
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := l.Run("client", func() error {
		var err error
		tr, err = Trace(ctx, path.Target{Addr: dst}, Options{Config: Config{Confidence: 0.99, Timeout: 2 * time.Second,
			MinWait: 300 * time.Millisecond}, Method: m, Mode: mode, Rand: rng.Uint32})
		return err
	})
	if err != nil {
		t.Fatalf("mda %s %v: %v", m, dst, err)
	}
	return tr
}

// graphOf is a multipath graph in comparable form: "ttl addr" interfaces and "ttl from>to" links.
type graphOf struct{ ifaces, links []string }

func (g graphOf) String() string {
	return fmt.Sprintf("interfaces %v\n\tlinks %v", g.ifaces, g.links)
}

// traceGraph is what an MDA trace found.
func traceGraph(tr *path.Trace) graphOf {
	var g graphOf
	for _, h := range tr.Hops {
		for _, r := range h.Responders {
			g.ifaces = append(g.ifaces, fmt.Sprintf("%d %s", h.TTL, r.Addr))
		}
	}
	for _, l := range tr.Multipath.Links {
		g.links = append(g.links, fmt.Sprintf("%d %s>%s", l.TTL, l.From, l.To))
	}
	slices.Sort(g.ifaces)
	slices.Sort(g.links)
	return g
}

// union merges two graphs.
func union(a, b graphOf) graphOf {
	merge := func(x, y []string) []string {
		out := slices.Clone(x)
		for _, s := range y {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		slices.Sort(out)
		return out
	}
	return graphOf{merge(a.ifaces, b.ifaces), merge(a.links, b.links)}
}

// scamperLB runs scamper's tracelb from the client (at 99%, probes 150 ms apart, the shortest gap it
// accepts) and returns the graph its flows saw.
func scamperLB(t *testing.T, l *netlab.Lab, dst netip.Addr, method string) graphOf {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := l.Exec(ctx, "client", "scamper", "-O", "json", "-c", "tracelb -P "+method+" -c 99 -W 15 -w 1",
		"-i", dst.String()).Output()
	if err != nil {
		t.Fatalf("scamper tracelb -P %s %v: %v", method, dst, err)
	}
	g, err := parseTracelbJSON(out)
	if err != nil {
		t.Fatalf("scamper tracelb output: %v\n%s", err, out)
	}
	return g
}

// parseTracelbJSON reads scamper's tracelb JSON through hopscope's own importer (the interfaces at
// each TTL, and the links its flows crossed) into the graph's comparable form.
func parseTracelbJSON(b []byte) (graphOf, error) {
	trs, err := tracefile.Parse(b, tracefile.FormatScamper)
	if err != nil {
		return graphOf{}, err
	}
	for _, tr := range trs {
		if tr.Multipath != nil {
			return traceGraph(tr), nil
		}
	}
	return graphOf{}, fmt.Errorf("no tracelb object")
}

// nodesPerHop names, per TTL, the lab nodes that answered ("a|b").
func nodesPerHop(l *netlab.Lab, tr *path.Trace) []string {
	owner := map[netip.Addr]string{}
	for _, n := range l.Nodes() {
		for _, a := range l.Addrs(n) {
			owner[a] = n
		}
	}
	var out []string
	for _, h := range tr.Hops {
		var ns []string
		for _, r := range h.Responders {
			n, ok := owner[r.Addr]
			if !ok {
				n = r.Addr.String()
			}
			if !slices.Contains(ns, n) {
				ns = append(ns, n)
			}
		}
		slices.Sort(ns)
		out = append(out, strings.Join(ns, "|"))
	}
	return out
}

// nodeLinks are the trace's links as "ttl X>Y" between lab nodes.
func nodeLinks(l *netlab.Lab, tr *path.Trace) []string {
	owner := map[netip.Addr]string{}
	for _, n := range l.Nodes() {
		for _, a := range l.Addrs(n) {
			owner[a] = n
		}
	}
	var out []string
	for _, k := range tr.Multipath.Links {
		s := fmt.Sprintf("%d %s>%s", k.TTL, owner[k.From], owner[k.To])
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// expectedNodeLinks are the links a complete enumeration finds: every pair of nodes at consecutive
// TTLs (hops as expectedNodes gives them) that the spec joins by a link.
func expectedNodeLinks(spec netlab.Spec, hops []string) []string {
	adjacent := func(a, b string) bool {
		for _, k := range spec.Links {
			if k.A == a && k.B == b || k.A == b && k.B == a {
				return true
			}
		}
		return false
	}
	var out []string
	for i := 0; i+1 < len(hops); i++ {
		for _, a := range strings.Split(hops[i], "|") {
			for _, b := range strings.Split(hops[i+1], "|") {
				if adjacent(a, b) {
					out = append(out, fmt.Sprintf("%d %s>%s", i+1, a, b))
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// subset reports whether every element of a is in b.
func subset(a, b []string) bool {
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}

// expectedNodes is netlab's derivation of the same, from the lab's spec.
func expectedNodes(t *testing.T, spec netlab.Spec) []string {
	t.Helper()
	hops, err := netlab.ExpectedHops(spec, "client", "server")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range hops {
		var ns []string
		for _, r := range h.Responders {
			ns = append(ns, r.Node)
		}
		slices.Sort(ns)
		out = append(out, strings.Join(ns, "|"))
	}
	return out
}

// TestLabMDA traces the ECMP labs (2 and 4 branches, a nested diamond) with MDA at 99% and checks
// that every branch is found, as the lab's spec says, and that scamper's tracelb in the same lab sees
// the same interfaces and links. Linux hashes no ICMP echo field, so ICMP over IPv4 sees one branch
// (scamper too); ICMPv6 spreads by flow label where routers hash it (HashL3).
func TestLabMDA(t *testing.T) {
	netlab.RequireRoot(t)
	netlab.RequireTool(t, "scamper")
	type run struct {
		name    string
		dst     netip.Addr
		method  path.Protocol
		scamper string // tracelb -P method; "" compares nothing
		// oneBranch: the probes cannot spread (ICMP over Linux ECMP): each diamond shows one branch.
		oneBranch bool
		mode      probe.Mode
	}
	labs := []struct {
		spec netlab.Spec
		runs []run
	}{
		{netlab.ECMPSpec(2, netlab.HashL4), []run{
			{name: "udp", dst: labServer4, method: path.ProtoUDP, scamper: "udp-sport"},
			{name: "tcp", dst: labServer4, method: path.ProtoTCP, scamper: "tcp-sport"},
			{name: "icmp", dst: labServer4, method: path.ProtoICMP, scamper: "icmp-echo", oneBranch: true},
			{name: "udp6", dst: labServer6, method: path.ProtoUDP, scamper: "udp-sport"},
			{name: "tcp6", dst: labServer6, method: path.ProtoTCP},
			// Unprivileged UDP sockets vary the destination port too (the error queue reads the replies).
			{name: "udp unprivileged", dst: labServer4, method: path.ProtoUDP, mode: probe.ModeUnprivileged},
		}},
		{netlab.ECMPSpec(4, netlab.HashL4), []run{
			{name: "udp", dst: labServer4, method: path.ProtoUDP, scamper: "udp-sport"},
		}},
		{netlab.ECMPNestedSpec(netlab.HashL4), []run{
			{name: "udp", dst: labServer4, method: path.ProtoUDP, scamper: "udp-sport"},
			{name: "udp6", dst: labServer6, method: path.ProtoUDP, scamper: "udp-sport"},
		}},
		{netlab.ECMPSpec(2, netlab.HashL3), []run{
			{name: "icmp6 flow label", dst: labServer6, method: path.ProtoICMP},
		}},
	}
	for _, lab := range labs {
		t.Run(lab.spec.Name, func(t *testing.T) {
			l := startLab(t, lab.spec)
			want := expectedNodes(t, lab.spec)
			for _, r := range lab.runs {
				t.Run(r.name, func(t *testing.T) {
					start := time.Now()
					tr := labMDA(t, l, r.dst, r.method, r.mode)
					took := time.Since(start)
					got := nodesPerHop(l, tr)
					if len(got) != len(want) {
						t.Fatalf("hops %v, want %v", got, want)
					}
					for i := range want {
						ok := got[i] == want[i]
						if r.oneBranch && !ok {
							ok = !strings.Contains(got[i], "|") && slices.Contains(strings.Split(want[i], "|"), got[i])
						}
						if !ok {
							t.Errorf("hop %d: %s, want %s (all %v)", i+1, got[i], want[i], got)
						}
					}
					mp := tr.Multipath
					if mp == nil || len(mp.Incomplete) > 0 || mp.Confidence != 0.99 || mp.Probes == 0 {
						t.Fatalf("multipath %+v", mp)
					}
					if ok, ttl := tr.Reached(); !ok || ttl != len(want) {
						t.Errorf("reached %v at %d, want hop %d", ok, ttl, len(want))
					}
					ours := traceGraph(tr)
					if got, want := nodeLinks(l, tr), expectedNodeLinks(lab.spec, want); !r.oneBranch && !slices.Equal(got, want) {
						t.Errorf("links between lab nodes\n got %v\nwant %v", got, want)
					}
					t.Logf("hopscope: %d probes, %d flows, %v", mp.Probes, mp.Flows, took.Round(time.Millisecond))
					if r.mode == probe.ModeUnprivileged && tr.Meta["socket_mode"] != string(probe.ModeUnprivileged) {
						t.Errorf("meta %v: want the unprivileged socket mode", tr.Meta)
					}
					if r.scamper == "" {
						return
					}
					start = time.Now()
					theirs := scamperLB(t, l, r.dst, r.scamper)
					t.Logf("scamper tracelb -P %s: %v", r.scamper, time.Since(start).Round(time.Millisecond))
					if !slices.Equal(ours.ifaces, theirs.ifaces) || !subset(theirs.links, ours.links) {
						// scamper picks its flows at random and may miss a branch (1% per hypothesis
						// at 99%): a second run with new flows settles what the lab has.
						theirs = union(theirs, scamperLB(t, l, r.dst, r.scamper))
					}
					// scamper probes a merge point over one flow or few, so its flows show fewer
					// links than there are; every link it shows must be among ours.
					if !slices.Equal(ours.ifaces, theirs.ifaces) || !subset(theirs.links, ours.links) {
						t.Errorf("hopscope and scamper differ\nhopscope: %v\nscamper:  %v", ours, theirs)
					}
				})
			}
		})
	}
}
