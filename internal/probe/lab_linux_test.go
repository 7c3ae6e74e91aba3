package probe

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hopscope/internal/netlab"
	"hopscope/internal/path"
)

// labSpec is a 7-hop path with a silent router, a 20 ms link, and two ECMP stages: r3 hashes on
// ports (HashL4), r5 on addresses and the IPv6 flow label (HashL3). "dark" drops every probe.
//
//	client - r1 -20ms- r2(silent) - r3 -< r4a,r4b >- r5 -< r6a,r6b >- server
//	                                               r5 - dark
func labSpec() netlab.Spec {
	return netlab.Spec{
		Name: "probe",
		Nodes: []netlab.Node{
			{Name: "client"},
			{Name: "r1", Router: true, Names: map[string]string{"10.1.0.1": "r1.lab.example", "fd00:1::1": "r1.lab.example"}},
			{Name: "r2", Router: true, Silent: true},
			{Name: "r3", Router: true, ECMPHash: netlab.HashL4},
			{Name: "r4a", Router: true}, {Name: "r4b", Router: true},
			{Name: "r5", Router: true, ECMPHash: netlab.HashL3},
			{Name: "r6a", Router: true}, {Name: "r6b", Router: true},
			{Name: "server", Addrs: []string{"203.0.113.25/32", "2001:db8:ff::25/128"}},
			{Name: "dark", Drop: netlab.AllProbes, Addrs: []string{"198.51.100.7/32", "2001:db8:ff::7/128"}},
		},
		Links: []netlab.Link{
			{A: "client", B: "r1", AAddrs: []string{"10.1.0.2/30", "fd00:1::2/64"}, BAddrs: []string{"10.1.0.1/30", "fd00:1::1/64"}},
			{A: "r1", B: "r2", Delay: 20 * time.Millisecond},
			{A: "r2", B: "r3"},
			{A: "r3", B: "r4a"}, {A: "r3", B: "r4b"},
			{A: "r4a", B: "r5"}, {A: "r4b", B: "r5"},
			{A: "r5", B: "r6a"}, {A: "r5", B: "r6b"},
			{A: "r6a", B: "server"}, {A: "r6b", B: "server"},
			{A: "r5", B: "dark"},
		},
		DNS: &netlab.DNSSpec{Node: "r1"},
	}
}

var (
	labServer4 = netip.MustParseAddr("203.0.113.25")
	labServer6 = netip.MustParseAddr("2001:db8:ff::25")
	labDark4   = netip.MustParseAddr("198.51.100.7")
)

// nodeNamer maps responder addresses to lab node names.
func nodeNamer(l *netlab.Lab) func(netip.Addr) string {
	m := map[netip.Addr]string{}
	for _, n := range l.Nodes() {
		for _, a := range l.Addrs(n) {
			m[a] = n
		}
	}
	return func(a netip.Addr) string {
		if n, ok := m[a]; ok {
			return n
		}
		return a.String()
	}
}

// hopNodes returns, per TTL, the sorted node names that answered ("*" for a silent hop).
func hopNodes(tr *path.Trace, name func(netip.Addr) string) []string {
	var out []string
	for _, h := range tr.Hops {
		var ns []string
		for _, r := range h.Responders {
			if n := name(r.Addr); !slices.Contains(ns, n) {
				ns = append(ns, n)
			}
		}
		slices.Sort(ns)
		if len(ns) == 0 {
			ns = []string{"*"}
		}
		out = append(out, strings.Join(ns, "|"))
	}
	return out
}

// unionHops merges two hopNodes results hop by hop ("r4a" and "r4b" give "r4a|r4b").
func unionHops(a, b []string) []string {
	if len(a) != len(b) {
		return a
	}
	out := make([]string, len(a))
	for i := range a {
		var ns []string
		for _, n := range append(strings.Split(a[i], "|"), strings.Split(b[i], "|")...) {
			if n != "*" && !slices.Contains(ns, n) {
				ns = append(ns, n)
			}
		}
		slices.Sort(ns)
		if len(ns) == 0 {
			ns = []string{"*"}
		}
		out[i] = strings.Join(ns, "|")
	}
	return out
}

// labTrace runs a trace from the client's namespace; names are looked up in the namespace too.
func labTrace(t *testing.T, l *netlab.Lab, dst netip.Addr, opts Options) *path.Trace {
	t.Helper()
	// Correctness, not speed: generous waits so that a loaded machine does not turn replies into timeouts.
	if opts.MinWait == 0 {
		opts.MinWait, opts.WaitFactor, opts.Timeout = 500*time.Millisecond, 4, 2*time.Second
	}
	if opts.Names == nil {
		opts.Names = specNames(t, l.Spec())
	}
	var tr *path.Trace
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := l.Run("client", func() error {
		var err error
		tr, err = Run(ctx, path.Target{Addr: dst}, opts)
		return err
	})
	if err != nil {
		t.Fatalf("trace %v: %v", dst, err)
	}
	return tr
}

func TestLab(t *testing.T) {
	l := netlab.New(t, labSpec())
	node := nodeNamer(l)
	for _, m := range []path.Protocol{path.ProtoICMP, path.ProtoUDP, path.ProtoTCP} {
		for _, v6 := range []bool{false, true} {
			for _, vary := range []bool{false, true} {
				name := fmt.Sprintf("%s/v6=%v/vary=%v", m, v6, vary)
				t.Run(name, func(t *testing.T) {
					dst := labServer4
					if v6 {
						dst = labServer6
					}
					n := 3
					if vary {
						n = 12 // a branch is missed with probability 2×2⁻¹²
					}
					tr := labTrace(t, l, dst, Options{Config: Config{ProbesPerHop: n, Vary: vary}, Method: m})
					got := hopNodes(tr, node)
					if vary {
						// Which branch a flow takes is a hash: a second trace (new flows) covers the rare
						// run where every flow of one trace hashed onto the same branch.
						again := hopNodes(labTrace(t, l, dst, Options{Config: Config{ProbesPerHop: n, Vary: vary}, Method: m}), node)
						got = unionHops(got, again)
					}
					// r3 hashes ports: UDP/TCP flows spread when varied. r5 hashes the IPv6 flow label.
					stage1, stage2 := "r4?", "r6?"
					if vary && m != path.ProtoICMP {
						stage1 = "r4a|r4b"
					}
					if vary && v6 {
						stage2 = "r6a|r6b"
					}
					want := []string{"r1", "*", "r3", stage1, "r5", stage2, "server"}
					if len(got) != len(want) {
						t.Fatalf("hops %v, want %v", got, want)
					}
					for i := range want {
						ok := got[i] == want[i] || strings.HasSuffix(want[i], "?") && (got[i] == want[i][:2]+"a" || got[i] == want[i][:2]+"b")
						if !ok {
							t.Errorf("hop %d: %s, want %s (all: %v)", i+1, got[i], want[i], got)
						}
					}
					checkLabTrace(t, tr, dst, n)
				})
			}
		}
	}
	t.Run("silent destination stops after 5 silent hops", func(t *testing.T) {
		start := time.Now()
		tr := labTrace(t, l, labDark4, Options{})
		got := hopNodes(tr, node)
		want := []string{"r1", "*", "r3", "r4?", "r5", "*", "*", "*", "*", "*"}
		if len(got) != len(want) || got[0] != "r1" || got[4] != "r5" || got[9] != "*" || got[5] != "*" {
			t.Errorf("hops %v, want %v", got, want)
		}
		t.Logf("silent destination traced in %v", time.Since(start))
	})
}

// checkLabTrace checks what every lab trace to the server shares: probes per hop, RTT bands around
// the 20 ms link (hop 1 is before it, hops 3+ after it: ≥ 40 ms), names, and the target answering.
func checkLabTrace(t *testing.T, tr *path.Trace, dst netip.Addr, n int) {
	t.Helper()
	if ok, ttl := tr.Reached(); !ok || ttl != 7 {
		t.Errorf("reached %v at ttl %d, want 7", ok, ttl)
	}
	for _, h := range tr.Hops {
		if len(h.Probes) != n {
			t.Errorf("hop %d: %d probes, want %d", h.TTL, len(h.Probes), n)
		}
		for _, p := range h.Probes {
			if p.Dup {
				t.Errorf("hop %d: duplicate reply", h.TTL)
			}
		}
		s := h.Summarize(netip.Addr{})
		switch {
		case h.TTL == 2:
			if s.OK {
				t.Errorf("silent hop 2 has RTTs %+v", s)
			}
		case !s.OK:
			t.Errorf("hop %d has no RTT", h.TTL)
		case h.TTL == 1 && s.Min > 30*time.Millisecond:
			t.Errorf("hop 1 RTT %v, want < 30ms (no delay before it)", s.Min)
		case h.TTL >= 3 && (s.Min < 38*time.Millisecond || s.Min > 200*time.Millisecond):
			t.Errorf("hop %d fastest RTT %v, want 40ms..200ms (the 20 ms link both ways)", h.TTL, s.Min)
		}
		if h.TTL != 2 && h.Answered() < n-1 {
			t.Errorf("hop %d: %d of %d probes answered", h.TTL, h.Answered(), n)
		}
	}
	if r := tr.Hop(1).Responders; len(r) != 1 || r[0].Name != "r1.lab.example" {
		t.Errorf("hop 1 responders %+v, want r1.lab.example", r)
	}
	if tr.Target.Addr != dst || tr.Source != "hopscope" || !tr.From.IsValid() {
		t.Errorf("trace header: target %v source %q from %v", tr.Target.Addr, tr.Source, tr.From)
	}
	if tr.Protocol != path.ProtoICMP && tr.Target.Port == 0 {
		t.Errorf("no target port for %s", tr.Protocol)
	}
	if tr.Protocol != path.ProtoTCP || true {
		if q := tr.Hop(3).Probes[0].QuotedTTL; q == 0 {
			t.Errorf("hop 3 quoted TTL unknown in raw mode")
		}
	}
}

// TestLabConcurrentTraces runs two traces of the same kind to the same target at once: each must
// see only its own replies.
func TestLabConcurrentTraces(t *testing.T) {
	l := netlab.New(t, labSpec())
	node := nodeNamer(l)
	for _, m := range []path.Protocol{path.ProtoICMP, path.ProtoUDP, path.ProtoTCP} {
		t.Run(string(m), func(t *testing.T) {
			var wg sync.WaitGroup
			trs := make([]*path.Trace, 2)
			for i := range trs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					trs[i] = labTrace(t, l, labServer4, Options{Method: m, Names: noNames})
				}()
			}
			wg.Wait()
			for i, tr := range trs {
				if tr == nil {
					continue
				}
				got := hopNodes(tr, node)
				if len(got) != 7 || got[0] != "r1" || got[1] != "*" || got[6] != "server" {
					t.Errorf("trace %d: hops %v", i, got)
				}
				for _, h := range tr.Hops {
					if len(h.Probes) != 3 || len(h.Responders) > 1 {
						t.Errorf("trace %d hop %d: %d probes, responders %v", i, h.TTL, len(h.Probes), h.Responders)
					}
					for _, p := range h.Probes {
						if p.Dup || p.Late {
							t.Errorf("trace %d hop %d: a probe marked dup/late: another trace's reply was taken", i, h.TTL)
						}
					}
				}
			}
		})
	}
}

// labNamer names responders with the PTR names the lab's DNS serves (netlab.Node.Names). These tests
// check that the engine names its hops; the PTR lookups themselves are internal/dns's, tested there.
type labNamer map[netip.Addr]string

// noNames names nothing.
var noNames = labNamer(nil)

func specNames(t *testing.T, spec netlab.Spec) labNamer {
	t.Helper()
	n := labNamer{}
	for _, node := range spec.Nodes {
		for addr, name := range node.Names {
			a, err := netip.ParseAddr(addr)
			if err != nil {
				t.Fatalf("node %s: name of %q: %v", node.Name, addr, err)
			}
			n[a] = name
		}
	}
	return n
}

func (n labNamer) Prefetch(netip.Addr) {}

func (n labNamer) Name(_ context.Context, a netip.Addr) string { return n[a] }

// TestLabMalformedReplies floods the client with malformed and foreign ICMP from r1 while it traces:
// truncated and random errors, errors quoting other flows, and echo replies to other identifiers.
// The trace must come out exactly as without them.
func TestLabMalformedReplies(t *testing.T) {
	l := netlab.New(t, labSpec())
	node := nodeNamer(l)
	var fd int
	err := l.Run("r1", func() error {
		var err error
		fd, err = unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	client := netip.MustParseAddr("10.1.0.2")
	rng := rand.New(rand.NewPCG(1, 2))
	junk := func() []byte {
		other := &Flow{Method: path.ProtoUDP, Src: client, Dst: labServer4, SrcPort: uint16(rng.IntN(65536)), DstPort: 33434}
		probe, _ := BuildPacket(other, Probe{Seq: uint16(rng.IntN(90) + 1), TTL: 3, Flow: 1})
		var icmp []byte
		switch rng.IntN(4) {
		case 0: // random bytes after an error header
			icmp = append([]byte{11, 0, 0, 0, 0, 0, 0, 0}, make([]byte, rng.IntN(60))...)
			for i := 8; i < len(icmp); i++ {
				icmp[i] = byte(rng.IntN(256))
			}
		case 1: // a truncated quote of a real-looking probe
			icmp = append([]byte{11, 0, 0, 0, 0, 0, 0, 0}, probe[:rng.IntN(len(probe))]...)
		case 2: // a well-formed error about another flow, with a bogus extension length
			icmp = append([]byte{11, 0, 0, 0, 0, byte(rng.IntN(256)), 0, 0}, probe...)
		default: // an echo reply "from the server" to another identifier
			icmp = []byte{0, 0, 0, 0, byte(rng.IntN(256)), byte(rng.IntN(256)), 0, byte(rng.IntN(90) + 1)}
		}
		icmp[2], icmp[3] = 0, 0
		binary.BigEndian.PutUint16(icmp[2:], Checksum(0, icmp)) // valid, so the kernel's ICMP layer sees them too
		from := netip.MustParseAddr("10.1.0.1")
		if icmp[0] == 0 {
			from = labServer4
		}
		h := []byte{0x45, 0, 0, 0, 0, 0, 0, 0, 64, protoICMP, 0, 0}
		h = append(append(h, from.AsSlice()...), client.AsSlice()...)
		return append(h, icmp...)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 400; i++ { // bounded: 400 packets, one per millisecond
			unix.Sendto(fd, junk(), 0, &unix.SockaddrInet4{Addr: client.As4()})
			time.Sleep(time.Millisecond)
		}
	}()
	for _, m := range []path.Protocol{path.ProtoICMP, path.ProtoUDP} {
		tr := labTrace(t, l, labServer4, Options{Method: m, Names: noNames})
		if got := hopNodes(tr, node); len(got) != 7 || got[0] != "r1" || got[1] != "*" || got[2] != "r3" || got[6] != "server" {
			t.Errorf("%s: hops %v", m, got)
		}
		checkLabTraceCounts(t, tr, 3)
	}
	<-done
}

// checkLabTraceCounts checks that every hop but the silent one has all n probes answered, none twice.
func checkLabTraceCounts(t *testing.T, tr *path.Trace, n int) {
	t.Helper()
	for _, h := range tr.Hops {
		want := n
		if h.TTL == 2 {
			want = 0
		}
		if h.Answered() != want || len(h.Probes) != n {
			t.Errorf("hop %d: %d of %d probes answered, want %d", h.TTL, h.Answered(), len(h.Probes), want)
		}
		for _, p := range h.Probes {
			if p.Dup || p.Late {
				t.Errorf("hop %d: probe marked dup/late", h.TTL)
			}
		}
	}
}
