package explain

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"hopscope/internal/path"
)

// mtrHop is one row of an mtr-like aggregate: sent, received, average and standard deviation in ms.
type mtrHop struct {
	sent, recv int
	avg, sd    float64
}

// mtrTrace builds an aggregate trace to 192.0.2.<n> whose hop k answers from 192.0.2.k; a row with
// recv 0 is a silent "???" hop.
func mtrTrace(rows ...mtrHop) *path.Trace {
	t := &path.Trace{Source: "mtr-report", Target: path.Target{Addr: netip.MustParseAddr(fmt.Sprintf("192.0.2.%d", len(rows)))}}
	for k, r := range rows {
		h := t.HopAt(k + 1)
		d := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
		st := &path.Stats{Sent: r.sent, Received: r.recv, Last: d(r.avg), Best: d(r.avg - r.sd), Avg: d(r.avg),
			Worst: d(r.avg + 3*r.sd), StdDev: d(r.sd)}
		if r.recv == 0 {
			h.Stats = st
			continue
		}
		h.AddResponder(path.Responder{Addr: netip.MustParseAddr(fmt.Sprintf("192.0.2.%d", k+1)), Stats: st})
	}
	return t
}

// lossVerdicts renders loss findings as "ttl:kind" with "~" for weak ones, joined by spaces.
func lossVerdicts(ls []LossFinding) string {
	var parts []string
	for _, l := range ls {
		s := fmt.Sprintf("%d:%s", l.TTL, l.Kind)
		if l.Weak {
			s += "~"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func jitterVerdicts(js []JitterFinding) string {
	var parts []string
	for _, j := range js {
		parts = append(parts, fmt.Sprintf("%d:%s", j.TTL, j.Kind))
	}
	return strings.Join(parts, " ")
}

func TestLossVerdicts(t *testing.T) {
	ok := func(avg float64) mtrHop { return mtrHop{10, 10, avg, 0.5} }
	lossy := func(recv int, avg float64) mtrHop { return mtrHop{10, recv, avg, 0.5} }
	tests := []struct {
		name string
		rows []mtrHop
		want string
		// summary holds phrases the summary must contain; avoid phrases it must not.
		summary, avoid []string
		level          float64 // LevelPct of the first finding, when checked (≥ 0)
	}{
		{name: "no loss", rows: []mtrHop{ok(1), ok(5), ok(9)}, want: "", level: -1,
			avoid: []string{"loss", "lost"}},
		// The misread every mtr user makes: 40% at hop 2, nothing after it.
		{name: "rate-limited middle hop", rows: []mtrHop{ok(1), lossy(6, 5), ok(9), ok(12)}, want: "2:rate-limit", level: 0,
			summary: []string{"Hop 2's 40% loss is the router limiting its own ICMP replies", "hop 3 after it loses nothing"},
			avoid:   []string{"The path loses packets", "For applications"}},
		{name: "persistent loss from hop 3", rows: []mtrHop{ok(1), ok(5), lossy(8, 9), lossy(7, 12), lossy(8, 14)},
			want: "3:path 5:destination", level: 20,
			summary: []string{"The path loses packets from hop 3 on", "at least ~20%", "the destination 20%", "TCP retransmit", "Mbit/s"}},
		// Hop 3 also limits its replies (50%) on top of the 20% the link loses: one verdict, real loss.
		{name: "persistent loss and rate limiting at its first hop", rows: []mtrHop{ok(1), ok(5), lossy(5, 9), lossy(8, 12), lossy(8, 14)},
			want: "3:path 5:destination", level: 20},
		// 30 rounds: hop 3's 60% clears the 20% after it by more than chance (10 rounds would not).
		{name: "rate limiting after real loss", rows: []mtrHop{{30, 30, 1, 0.5}, {30, 24, 5, 0.5}, {30, 12, 9, 0.5}, {30, 24, 12, 0.5}, {30, 24, 14, 0.5}},
			want: "2:path 3:rate-limit 5:destination", level: 20,
			summary: []string{"Hop 3's 60% loss", "hop 4 after it loses only 20%"}},
		// 20% lost on the link into hop 3 over 60 rounds, as the rounds lab measured it: the hops after it
		// scatter by sampling (sd ~5 points), which is neither rate limiting nor a second onset.
		{name: "noisy persistent loss over 60 rounds", rows: []mtrHop{{60, 60, 1, 0.5}, {60, 60, 2, 0.5}, {60, 51, 3, 0.5},
			{60, 49, 4, 0.5}, {60, 54, 5, 0.5}, {60, 44, 6, 0.5}, {60, 49, 7, 0.5}, {60, 46, 8, 0.5}},
			want: "3:path 8:destination", level: 10},
		// The rounds lab again: one later hop at 28% beside 13% and 20% after it is sampling, so the
		// excess is at most weak, never a router's policy.
		{name: "a noisy hop after real loss is not rate limiting", rows: []mtrHop{{60, 60, 1, 0.5}, {60, 60, 2, 0.5}, {60, 51, 3, 0.5},
			{60, 48, 4, 0.5}, {60, 44, 5, 0.5}, {60, 43, 6, 0.5}, {60, 52, 7, 0.5}, {60, 48, 8, 0.5}},
			want: "3:path 6:rate-limit~ 8:destination", level: 13.3},
		{name: "lossy destination only", rows: []mtrHop{ok(1), ok(5), ok(9), lossy(7, 12)}, want: "4:destination", level: 0,
			summary: []string{"The destination answers with 30% loss that no earlier hop shows"}},
		{name: "loss at the last hop seen", rows: []mtrHop{ok(1), ok(5), lossy(7, 9), {10, 0, 0, 0}}, want: "3:last-hop", level: 0,
			avoid: []string{"The path loses packets", "For applications"}},
		// One lost probe of ten at one hop: an event, not a rate.
		{name: "one lost probe", rows: []mtrHop{ok(1), lossy(9, 5), ok(9), ok(12)}, want: "2:rate-limit~", level: 0,
			avoid: []string{"loss", "lost"}},
		{name: "single pass, loss persisting", rows: []mtrHop{{3, 3, 1, 0}, {3, 2, 5, 0}, {3, 2, 9, 0}, {3, 2, 12, 0}},
			want: "2:path~ 4:destination~", level: 33.3, avoid: []string{"loss", "lost"}},
		{name: "silent hops say nothing", rows: []mtrHop{ok(1), {10, 0, 0, 0}, ok(9)}, want: "", level: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Explain(mtrTrace(tc.rows...), nil, Options{})
			if got := lossVerdicts(f.Loss); got != tc.want {
				t.Errorf("loss verdicts = %q, want %q", got, tc.want)
			}
			if tc.level >= 0 && len(f.Loss) > 0 && math.Abs(f.Loss[0].LevelPct-tc.level) > 0.05 {
				t.Errorf("level = %v, want %v", f.Loss[0].LevelPct, tc.level)
			}
			for _, w := range tc.summary {
				if !strings.Contains(f.Summary, w) {
					t.Errorf("summary lacks %q:\n%s", w, f.Summary)
				}
			}
			for _, w := range tc.avoid {
				if strings.Contains(f.Summary, w) {
					t.Errorf("summary has %q:\n%s", w, f.Summary)
				}
			}
		})
	}
}

// TestSinglePassLossIsWeak: hopscope's own single pass sends 3 probes per hop; one of three lost is weak
// evidence whatever the pattern, and its interval says how little it pins down.
func TestSinglePassLossIsWeak(t *testing.T) {
	a := func(i int) netip.Addr { return netip.MustParseAddr(fmt.Sprintf("198.51.100.%d", i)) }
	tr := &path.Trace{Source: "hopscope", Target: path.Target{Addr: a(3)}}
	for ttl := 1; ttl <= 3; ttl++ {
		h := tr.HopAt(ttl)
		for p := range 3 {
			if ttl == 3 && p == 1 {
				h.AddProbe(path.Probe{Status: path.StatusTimeout}, "")
				continue
			}
			h.AddProbe(path.Probe{Status: path.StatusReply, From: a(ttl), RTT: time.Duration(ttl) * time.Millisecond, HasRTT: true}, "")
		}
	}
	f := Explain(tr, nil, Options{})
	if got := lossVerdicts(f.Loss); got != "3:destination~" {
		t.Fatalf("verdicts = %q", got)
	}
	l := f.Loss[0]
	if l.Sent != 3 || l.Received != 2 || l.LossPct != 33.3 || l.LowPct != 6.1 || l.HighPct != 79.2 {
		t.Errorf("figures = %+v, want 1 of 3 lost, 33.3%% in 6.1–79.2%%", l)
	}
	if f.Impact != "" || strings.Contains(f.Summary, "loss") {
		t.Errorf("weak evidence reached the summary: %q / %q", f.Impact, f.Summary)
	}
	if !slices.Contains(f.Hops[2].Marks, "weak-loss") {
		t.Errorf("hop 3 marks = %v", f.Hops[2].Marks)
	}
}

func TestJitterVerdicts(t *testing.T) {
	j := func(avg, sd float64) mtrHop { return mtrHop{20, 20, avg, sd} }
	tests := []struct {
		name           string
		rows           []mtrHop
		want           string
		summary, avoid []string
	}{
		{name: "calm path", rows: []mtrHop{j(1, 0.2), j(5, 0.5), j(9, 1), j(12, 1.2)}, want: "", avoid: []string{"±"}},
		{name: "jitter grows from hop 3", rows: []mtrHop{j(1, 0.2), j(5, 0.5), j(20, 12), j(22, 11), j(25, 13)}, want: "3:queueing",
			summary: []string{"grows from ±0.5 ms to ±11 ms at hop 3", "queueing on that link", "real-time traffic"}},
		{name: "single jittery router", rows: []mtrHop{j(1, 0.2), j(5, 0.5), j(9, 15), j(12, 1), j(14, 1.1)}, want: "3:router",
			summary: []string{"Hop 3's replies vary by ±15 ms while hop 4 after it varies by ±1.0 ms", "ICMP generation"},
			avoid:   []string{"queueing", "real-time"}},
		{name: "jittery destination", rows: []mtrHop{j(1, 0.2), j(5, 0.5), j(9, 0.6), j(12, 9)}, want: "4:destination",
			summary: []string{"±9 ms at the destination"}},
		{name: "too few samples", rows: []mtrHop{{3, 3, 1, 0.2}, {3, 3, 5, 0.5}, {3, 3, 20, 12}, {3, 3, 22, 11}}, want: ""},
		// The first link (a busy Wi-Fi) sets the variation; a rise from 40 to 46 ms after it is not a
		// change: the variation must double too.
		{name: "noisy from the first link", rows: []mtrHop{j(50, 40), j(60, 46), j(70, 47)}, want: "1:queueing",
			summary: []string{"±40 ms from the first link on (hop 1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Explain(mtrTrace(tc.rows...), nil, Options{})
			if got := jitterVerdicts(f.Jitter); got != tc.want {
				t.Errorf("jitter verdicts = %q, want %q", got, tc.want)
			}
			for _, w := range tc.summary {
				if !strings.Contains(f.Summary, w) {
					t.Errorf("summary lacks %q:\n%s", w, f.Summary)
				}
			}
			for _, w := range tc.avoid {
				if strings.Contains(f.Summary, w) {
					t.Errorf("summary has %q:\n%s", w, f.Summary)
				}
			}
		})
	}
}

func TestWilson(t *testing.T) {
	for _, tc := range []struct {
		k, n   int
		lo, hi float64
	}{{1, 3, 0.061, 0.792}, {2, 10, 0.057, 0.510}, {0, 10, 0, 0.278}, {10, 10, 0.722, 1}, {0, 0, 0, 1}} {
		lo, hi := Wilson(tc.k, tc.n)
		if math.Abs(lo-tc.lo) > 0.001 || math.Abs(hi-tc.hi) > 0.001 {
			t.Errorf("Wilson(%d, %d) = %.3f–%.3f, want %.3f–%.3f", tc.k, tc.n, lo, hi, tc.lo, tc.hi)
		}
	}
}

func TestMeasureHop(t *testing.T) {
	a := netip.MustParseAddr("192.0.2.1")
	reply := func(ms float64) path.Probe {
		return path.Probe{Status: path.StatusReply, From: a, RTT: time.Duration(ms * float64(time.Millisecond)), HasRTT: true}
	}
	late := reply(900)
	late.Late = true
	dup := reply(10)
	dup.Dup = true
	tests := []struct {
		name   string
		probes []path.Probe
		own    bool
		want   string // "sent/recv loss% count best/avg/worst/last sd jit"
	}{
		{"plain", []path.Probe{reply(10), reply(12), reply(14)}, false, "3/3 0% 3 10/12/14/14 2 2"},
		{"timeout and error", []path.Probe{reply(10), {Status: path.StatusTimeout}, {Status: path.StatusError}}, false, "2/1 50% 1 10/10/10/10 - -"},
		// RIPE Atlas lists a late reply beside the timeout of the probe it answers.
		{"atlas late entry", []path.Probe{{Status: path.StatusTimeout}, late}, false, "1/0 100% 0 - - -"},
		// hopscope marks its own probe late: it was answered, only slowly.
		{"own late reply", []path.Probe{late, reply(10)}, true, "2/2 0% 1 10/10/10/10 - -"},
		{"duplicate", []path.Probe{reply(10), dup}, false, "1/1 0% 1 10/10/10/10 - -"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &path.Hop{TTL: 1}
			for _, p := range tc.probes {
				h.AddProbe(p, "")
			}
			m := MeasureHop(h, tc.own)
			got := fmt.Sprintf("%d/%d %g%% %d ", m.Sent, m.Received, m.LossPct, m.Count)
			if m.Count > 0 {
				got += fmt.Sprintf("%g/%g/%g/%g ", m.BestMs, m.AvgMs, m.WorstMs, m.LastMs)
			} else {
				got += "- "
			}
			for _, v := range []struct {
				x  float64
				ok bool
			}{{m.StdDevMs, m.HasStdDev}, {m.JitterMs, m.HasJitter}} {
				if v.ok {
					got += fmt.Sprintf("%g ", v.x)
				} else {
					got += "- "
				}
			}
			if got = strings.TrimSpace(got); got != tc.want {
				t.Errorf("measure = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestWinMTRHasNoStdDev: an aggregate whose standard deviation is zero between a different best and
// worst comes from a tool that did not print one; it must not read as a calm hop.
func TestWinMTRHasNoStdDev(t *testing.T) {
	h := &path.Hop{TTL: 1}
	h.AddResponder(path.Responder{Addr: netip.MustParseAddr("192.0.2.1"), Stats: &path.Stats{Sent: 20, Received: 20,
		Best: 10 * time.Millisecond, Avg: 11 * time.Millisecond, Worst: 14 * time.Millisecond}})
	if m := MeasureHop(h, false); m.HasStdDev || m.Count != 20 || m.LossPct != 0 {
		t.Errorf("measure = %+v", m)
	}
}
