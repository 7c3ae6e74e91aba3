package path

import (
	"bytes"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestSummarizeEachMatchesSummarize(t *testing.T) {
	a, b, c := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("2001:db8::3")
	ms := func(v int) time.Duration { return time.Duration(v) * time.Millisecond }
	reply := func(from netip.Addr, v int) Probe {
		return Probe{Status: StatusReply, From: from, RTT: ms(v), HasRTT: true}
	}
	tests := []struct {
		name string
		hop  Hop
	}{
		{"empty", Hop{TTL: 1}},
		{"one responder", Hop{Probes: []Probe{reply(a, 3), reply(a, 1), reply(a, 2)}, Responders: []Responder{{Addr: a}}}},
		{"interleaved", Hop{
			Probes:     []Probe{reply(a, 5), reply(b, 9), {Status: StatusTimeout}, reply(a, 1), reply(c, 4), reply(b, 7)},
			Responders: []Responder{{Addr: a}, {Addr: b}, {Addr: c}}}},
		{"late, no time and unlisted probes are left out", Hop{
			Probes: []Probe{reply(a, 5), {Status: StatusReply, From: a, RTT: ms(1), HasRTT: true, Late: true},
				{Status: StatusReply, From: b}, reply(c, 2)},
			Responders: []Responder{{Addr: a}, {Addr: b}}}},
		{"a responder known only by name gets the whole hop", Hop{
			Probes:     []Probe{reply(a, 5), reply(b, 1)},
			Responders: []Responder{{Addr: a}, {Name: "router.example"}, {Addr: b}}}},
		{"a listed twice", Hop{
			Probes:     []Probe{reply(a, 5), reply(b, 1), reply(a, 2)},
			Responders: []Responder{{Addr: a}, {Addr: b}, {Addr: a}}}},
		{"aggregates", Hop{Responders: []Responder{
			{Addr: a, Stats: &Stats{Sent: 10, Received: 8, Best: ms(1), Avg: ms(2), Worst: ms(5)}},
			{Addr: b, Stats: &Stats{Sent: 10}},
			{Name: "x", Stats: &Stats{Sent: 10, Received: 1, Best: ms(7), Avg: ms(7), Worst: ms(7)}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.hop.SummarizeEach()
			if len(got) != len(tc.hop.Responders) {
				t.Fatalf("%d summaries for %d responders", len(got), len(tc.hop.Responders))
			}
			for i, r := range tc.hop.Responders {
				if want := tc.hop.Summarize(r.Addr); !reflect.DeepEqual(got[i], want) {
					t.Errorf("responder %d (%v): got %+v, want %+v", i, r.Addr, got[i], want)
				}
			}
		})
	}
}

// FuzzSummarizeEach checks the one-pass summaries against Summarize on hops built from arbitrary bytes:
// each byte pair is a probe (responder index, RTT).
func FuzzSummarizeEach(f *testing.F) {
	f.Add([]byte{0, 5, 1, 9, 0, 1, 2, 4, 255, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var h Hop
		for i := 0; i+1 < len(data); i += 2 {
			r, v := data[i], data[i+1]
			switch {
			case r == 255:
				h.Probes = append(h.Probes, Probe{Status: StatusTimeout})
			case r == 254:
				h.Responders = append(h.Responders, Responder{Name: "n"})
			default:
				a := netip.AddrFrom4([4]byte{192, 0, 2, r % 8})
				h.AddProbe(Probe{Status: StatusReply, From: a, RTT: time.Duration(v) * time.Microsecond, HasRTT: v%5 != 0, Late: v%11 == 0}, "")
			}
		}
		got := h.SummarizeEach()
		for i, r := range h.Responders {
			if want := h.Summarize(r.Addr); got[i] != want {
				t.Fatalf("responder %d (%v): got %+v, want %+v", i, r.Addr, got[i], want)
			}
		}
	})
}

// naiveFind is the reference for Hop.Responder: the first responder with address a, by a scan.
func naiveFind(rs []Responder, a netip.Addr) int {
	for i := range rs {
		if rs[i].Addr == a {
			return i
		}
	}
	return -1
}

// hopOp is one step of TestResponderIndex and FuzzResponderIndex, applied to a hop and to a plain
// slice kept by the reference rules. kind is 'a' AddResponder, 'p' append directly, 't' truncate to n,
// 'c' go on with a copy, 'r' reverse and take a new slice, 'R' reverse in place (only for slices that
// list no address twice).
type hopOp struct {
	kind byte
	addr netip.Addr
	name string
	n    int
}

// applyOps runs ops on a hop and on the reference slice and fails at the first difference.
func applyOps(t *testing.T, ops []hopOp) {
	t.Helper()
	var h Hop
	var want []Responder
	seen := map[netip.Addr]bool{}
	check := func(step int) {
		t.Helper()
		if !reflect.DeepEqual(h.Responders, want) && !(len(h.Responders) == 0 && len(want) == 0) {
			t.Fatalf("step %d: responders %v, want %v", step, h.Responders, want)
		}
		for a := range seen {
			got, w := h.Responder(a), naiveFind(want, a)
			switch {
			case w < 0 && got != nil:
				t.Fatalf("step %d: Responder(%v) = %+v, want nil", step, a, *got)
			case w >= 0 && (got == nil || got != &h.Responders[w]):
				t.Fatalf("step %d: Responder(%v) = %v, want responder %d", step, a, got, w)
			}
		}
	}
	for step, op := range ops {
		seen[op.addr] = true
		switch op.kind {
		case 'a':
			r := h.AddResponder(Responder{Addr: op.addr, Name: op.name})
			if i := naiveFind(want, op.addr); i >= 0 {
				if want[i].Name == "" {
					want[i].Name = op.name
				}
			} else {
				want = append(want, Responder{Addr: op.addr, Name: op.name})
			}
			if r == nil || *r != want[naiveFind(want, op.addr)] {
				t.Fatalf("step %d: AddResponder(%v) returned %v", step, op.addr, r)
			}
		case 'p':
			h.Responders = append(h.Responders, Responder{Addr: op.addr, Name: op.name})
			want = append(want, Responder{Addr: op.addr, Name: op.name})
		case 't':
			// As an importer taking back a line does: truncate, then add through AddResponder (here the
			// index update it starts with) before appending directly again.
			k := min(op.n, len(want))
			h.Responders, want = h.Responders[:k], want[:k]
			h.syncIndex()
		case 'c':
			// Go on with a copy of the hop whose slice is a copy too; the original keeps its index.
			old := h
			h = Hop{TTL: old.TTL, Responders: slices.Clone(old.Responders), index: old.index}
			for _, r := range old.Responders {
				if old.Responder(r.Addr) == nil {
					t.Fatalf("step %d: the original hop lost %v", step, r.Addr)
				}
			}
		case 'r':
			// Reordered in place, then a new slice as AddResponder's contract asks (a slice that lists
			// an address twice can hide a reorder from the index); the in-place case without duplicates
			// is in TestResponderIndex.
			slices.Reverse(h.Responders)
			h.Responders = slices.Clone(h.Responders)
			slices.Reverse(want)
		case 'R':
			slices.Reverse(h.Responders)
			slices.Reverse(want)
		}
		check(step)
	}
}

func TestResponderIndex(t *testing.T) {
	addr := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}) }
	// many adds i responders 0..i-1, each twice (the second time with a name, which must not replace).
	many := func(from, to int) []hopOp {
		var ops []hopOp
		for i := from; i < to; i++ {
			ops = append(ops, hopOp{kind: 'a', addr: addr(i)}, hopOp{kind: 'a', addr: addr(i), name: "n" + fmt.Sprint(i)})
		}
		return ops
	}
	cat := func(parts ...[]hopOp) []hopOp { return slices.Concat(parts...) }
	tests := []struct {
		name string
		ops  []hopOp
	}{
		{"small hop, no index", many(0, 5)},
		{"past the index threshold", many(0, 3*indexFrom)},
		{"truncated in place, then other addresses", cat(many(0, 40), []hopOp{{kind: 't', n: 30}}, many(100, 120), many(0, 40))},
		{"truncated below the threshold", cat(many(0, 40), []hopOp{{kind: 't', n: 3}}, many(0, 40))},
		{"truncated to nothing", cat(many(0, 40), []hopOp{{kind: 't', n: 0}}, many(0, 40))},
		{"appended directly, duplicates included", cat(many(0, 20), []hopOp{{kind: 'p', addr: addr(3)}, {kind: 'p', addr: addr(200)}}, many(195, 205))},
		{"truncated, then overwritten directly", cat(many(0, 40), []hopOp{{kind: 't', n: 20}, {kind: 'p', addr: addr(7)}, {kind: 'p', addr: addr(35)}}, many(0, 40))},
		{"continued on a copy", cat(many(0, 30), []hopOp{{kind: 'c'}}, many(25, 60))},
		{"reordered", cat(many(0, 30), []hopOp{{kind: 'r'}}, many(0, 35))},
		{"reordered in place, no address twice", cat(many(0, 30), []hopOp{{kind: 'R'}}, many(0, 35))},
		{"reordered in place, then appended directly", cat(many(0, 30), []hopOp{{kind: 'R'}, {kind: 'p', addr: addr(5)}, {kind: 'p', addr: addr(100)}}, many(0, 35))},
		{"invalid address", cat(many(0, 20), []hopOp{{kind: 'a'}, {kind: 'a', name: "x"}, {kind: 'p'}})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { applyOps(t, tc.ops) })
	}
}

// FuzzResponderIndex runs arbitrary sequences of adds, direct appends, truncations, copies and
// reversals on a hop and checks every lookup against a scan. Each byte pair is one step.
func FuzzResponderIndex(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 0, 1, 3, 0, 0, 9})
	f.Add(bytes.Repeat([]byte{0, 7, 0, 3, 0, 250, 1, 3, 3, 4}, 12))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ops []hopOp
		for i := 0; i+1 < len(data) && len(ops) < 400; i += 2 {
			op := hopOp{addr: netip.AddrFrom4([4]byte{192, 0, 2, data[i+1] % 64})}
			switch data[i] % 8 {
			case 0, 1, 2:
				op.kind = 'a'
			case 3:
				op.kind, op.name = 'a', "n"
			case 4:
				op.kind = 'p'
			case 5:
				op.kind, op.n = 't', int(data[i+1])
			case 6:
				op.kind = 'c'
			case 7:
				op.kind = 'r'
			}
			ops = append(ops, op)
		}
		applyOps(t, ops)
	})
}

// countWork runs f with WorkHook counting and returns the elements the Hop and Trace methods looked at.
func countWork(t *testing.T, f func()) int {
	t.Helper()
	n := 0
	WorkHook = func(k int) { n += k }
	defer func() { WorkHook = nil }()
	f()
	return n
}

// manyAddr returns a distinct documentation address for each i.
func manyAddr(i int) netip.Addr {
	return netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 10: byte(i >> 24), 11: byte(i >> 16), 12: byte(i >> 8), 13: byte(i), 15: 1})
}

// wideHop returns a hop with n responders, each answering two probes, built through AddProbe.
func wideHop(n int) *Hop {
	h := &Hop{TTL: 5}
	for i := range 2 * n {
		h.AddProbe(Probe{Status: StatusReply, From: manyAddr(i / 2), RTT: time.Duration(i%97+1) * time.Millisecond, HasRTT: true}, "")
	}
	return h
}

// TestHopWorkIsLinear pins, by counting the elements looked at rather than timing anything, that what
// importers, explain and report do with a hop of n responders (once per probe, responder or input line)
// costs work linear in n: ten times the responders may cost at most maxRatio times the work. Quadratic
// code (a scan per responder) gives a ratio near 100; the last case is such code, to show the count
// catches it (issue 16, finding 2: 200,000 responders on one hop).
func TestHopWorkIsLinear(t *testing.T) {
	const n, maxRatio = 2_000, 13
	tests := []struct {
		name      string
		setup     func(n int) *Hop // nil: an empty hop
		run       func(h *Hop, n int)
		quadratic bool // the meter's own check: this case must be caught
	}{
		{"AddProbe, two probes per responder", nil, func(h *Hop, n int) {
			for i := range 2 * n {
				h.AddProbe(Probe{Status: StatusReply, From: manyAddr(i / 2), RTT: time.Millisecond, HasRTT: true}, "")
			}
		}, false},
		{"AddResponder each again with a name and an ASN", wideHop, func(h *Hop, n int) {
			for i := range n {
				h.AddResponder(Responder{Addr: manyAddr(i), Name: "r.example", ReportedASN: 64500})
			}
		}, false},
		{"Responder for each", wideHop, func(h *Hop, n int) {
			for i := range n {
				if h.Responder(manyAddr(i)) == nil {
					t.Fatalf("responder %d not found", i)
				}
			}
		}, false},
		{"an importer taking back every other line (truncate, add again)", nil, func(h *Hop, n int) {
			for i := range n {
				h.AddResponder(Responder{Addr: manyAddr(i)})
				if i%2 == 1 {
					h.Responders = h.Responders[:len(h.Responders)-1]
					h.AddResponder(Responder{Addr: manyAddr(i), Name: "again"})
				}
			}
		}, false},
		{"SummarizeEach, Answered and RTTs of the hop", wideHop, func(h *Hop, n int) {
			if s := h.SummarizeEach(); len(s) != n || !s[n-1].OK {
				t.Fatalf("%d summaries", len(s))
			}
			if h.Answered() != 2*n || len(h.RTTs(netip.Addr{})) != 2*n {
				t.Fatal("answered or RTTs wrong")
			}
		}, false},
		{"SummarizeEach of aggregates", func(n int) *Hop {
			h := &Hop{}
			for i := range n {
				h.Responders = append(h.Responders, Responder{Addr: manyAddr(i), Stats: &Stats{Sent: 3, Received: 2, Best: 1, Avg: 2, Worst: 3}})
			}
			return h
		}, func(h *Hop, n int) {
			if s := h.SummarizeEach(); len(s) != n || !s[n-1].OK {
				t.Fatalf("%d summaries", len(s))
			}
		}, false},
		{"SummarizeEach with responders known only by name", func(n int) *Hop {
			h := wideHop(n)
			for range n {
				h.Responders = append(h.Responders, Responder{Name: "router.example"})
			}
			return h
		}, func(h *Hop, n int) { h.SummarizeEach() }, false},
		{"HopAt for each of n hops in TTL order", nil, func(_ *Hop, n int) {
			var tr Trace
			for ttl := 1; ttl <= n; ttl++ {
				tr.HopAt(ttl).AddProbe(Probe{Status: StatusTimeout}, "")
			}
			if h := tr.Hop(n); h == nil || len(tr.Hops) != n {
				t.Fatalf("%d hops, hop %d %v", len(tr.Hops), n, h)
			}
		}, false},
		{"the meter's check: Summarize per responder", wideHop, func(h *Hop, n int) {
			for _, r := range h.Responders {
				h.Summarize(r.Addr)
			}
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			measure := func(n int) int {
				h := &Hop{}
				if tc.setup != nil {
					h = tc.setup(n)
				}
				return countWork(t, func() { tc.run(h, n) })
			}
			n := n
			if tc.quadratic {
				n /= 10 // quadratic work at 20,000 would take seconds
			}
			small, large := measure(n), measure(10*n)
			ratio := float64(large) / float64(max(small, 1))
			t.Logf("work for %d: %d, for %d: %d, ratio %.1f", n, small, 10*n, large, ratio)
			if small == 0 {
				t.Fatal("no work counted: the case does not reach the counted methods")
			}
			if tc.quadratic {
				if ratio < 50 {
					t.Errorf("ratio %.1f: the count does not show quadratic work", ratio)
				}
				return
			}
			if ratio > maxRatio {
				t.Errorf("ten times the responders cost %.1f times the work (at most %d for linear work)", ratio, maxRatio)
			}
		})
	}
}

// The benchmarks' sizes are ten times the worst real case (issue 16): 20,000 responders on one hop
// behind a load balancer, paths of at most a thousand hops.
const (
	benchResponders = 200_000
	benchHops       = 10_000
)

// BenchmarkHopAddProbe builds one hop of 200,000 responders, two probes each, through AddProbe: what
// an importer does line by line.
func BenchmarkHopAddProbe(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if h := wideHop(benchResponders); len(h.Responders) != benchResponders {
			b.Fatalf("%d responders", len(h.Responders))
		}
	}
}

// BenchmarkHopSummarizeEach summarises every responder of a hop of 200,000 responders.
func BenchmarkHopSummarizeEach(b *testing.B) {
	h := wideHop(benchResponders)
	b.ReportAllocs()
	for b.Loop() {
		if s := h.SummarizeEach(); len(s) != benchResponders {
			b.Fatalf("%d summaries", len(s))
		}
	}
}

// BenchmarkTraceHopAt builds a trace of 10,000 hops through HopAt, in TTL order as importers do.
func BenchmarkTraceHopAt(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var tr Trace
		for ttl := 1; ttl <= benchHops; ttl++ {
			tr.HopAt(ttl).AddProbe(Probe{Status: StatusReply, From: manyAddr(ttl), RTT: time.Millisecond, HasRTT: true}, "")
		}
	}
}
