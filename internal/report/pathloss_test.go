package report

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"hopscope/internal/explain"
	"hopscope/internal/explain/explaintest"
	"hopscope/internal/path"
)

// roundsTrace is a continuous measurement to 192.0.2.<len(recv)> over 20 rounds: hop k answered recv[k-1]
// of 20 from 192.0.2.k with RTT standard deviation sd[k-1] ms, carrying jitter, late replies, a window
// of samples and per-round outcomes as package rounds writes them.
func roundsTrace(recv []int, sd []float64) *path.Trace {
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	t := &path.Trace{Source: "hopscope", Rounds: 20, Target: path.Target{Addr: netip.MustParseAddr(fmt.Sprintf("192.0.2.%d", len(recv)))}}
	for k := range recv {
		avg := float64(5 * (k + 1))
		h := t.HopAt(k + 1)
		h.Rounds = []path.RoundSample{{Round: 18, Sent: 1, Received: 1, RTT: ms(avg)}, {Round: 19, Sent: 1}}
		h.AddResponder(path.Responder{Addr: netip.MustParseAddr(fmt.Sprintf("192.0.2.%d", k+1)), Stats: &path.Stats{
			Sent: 20, Received: recv[k], Late: 1, Last: ms(avg), Best: ms(avg - sd[k]), Avg: ms(avg), Worst: ms(avg + 3*sd[k]),
			StdDev: ms(sd[k]), Jitter: ms(sd[k] / 2), Samples: []time.Duration{ms(avg), ms(avg + sd[k])}}})
	}
	return t
}

func buildOf(t *path.Trace) *Path {
	return BuildPath(t, nil, explain.Explain(t, nil, explain.Options{}))
}

func section(p *Path, label string) []string {
	for _, s := range p.Sections {
		if s.Label == label {
			return s.Lines
		}
	}
	return nil
}

func TestLossAndJitterInTheReport(t *testing.T) {
	tests := []struct {
		name          string
		recv          []int
		sd            []float64
		loss, jitter  []string // phrases the sections must hold (nil: no section)
		notes         map[int]string
		verdicts      string // loss verdict per hop, "-" for none
		jitterVerdict string
	}{
		{name: "rate-limited middle hop", recv: []int{20, 12, 20, 20}, sd: []float64{0.2, 0.4, 0.5, 0.6},
			loss:     []string{"hop 2: 8 of 20 lost (40%, 95% CI 22–61%)", "hop 3 after it loses nothing", "rate-limits or deprioritises its own ICMP replies; traffic through it is not lost"},
			notes:    map[int]string{2: "rate-limited ICMP (40%)"},
			verdicts: "- rate-limit - -", jitterVerdict: "- - - -"},
		{name: "real loss from hop 3", recv: []int{20, 20, 16, 15, 16}, sd: []float64{0.2, 0.4, 0.5, 0.6, 0.6},
			loss:     []string{"hop 3 on: real loss on the link from hop 2 into hop 3: every later hop loses at least 20% (hop 3 least)", "destination (hop 5): 4 of 20 lost (20%, 95% CI", "the loss from hop 3 on, carried to the end", "For applications, losing ~20% of packets"},
			notes:    map[int]string{3: "loss from here on 20%", 5: "loss 20% (from hop 3)"},
			verdicts: "- - path carried destination", jitterVerdict: "- - - - -"},
		{name: "jitter grows and a jittery router", recv: []int{20, 20, 20, 20, 20}, sd: []float64{0.2, 9, 0.5, 0.6, 0.7},
			jitter:   []string{"hop 2: its replies vary by 9.0 ms (standard deviation) while hop 3 after it varies by 0.5 ms: the router's ICMP generation"},
			notes:    map[int]string{2: "jittery ICMP (±9.0 ms)"},
			verdicts: "- - - - -", jitterVerdict: "- router - - -"},
		{name: "queueing from hop 3", recv: []int{20, 20, 20, 20}, sd: []float64{0.2, 0.4, 12, 13},
			jitter:   []string{"hop 3 on: the RTT standard deviation grows from 0.4 to 12.0 ms on the link from hop 2 into hop 3 and later hops keep it: queueing", "real-time traffic"},
			notes:    map[int]string{3: "jitter from here on ±12.0 ms"},
			verdicts: "- - - -", jitterVerdict: "- - queueing -"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := buildOf(roundsTrace(tc.recv, tc.sd))
			for label, want := range map[string][]string{"Loss": tc.loss, "Jitter": tc.jitter} {
				got := strings.Join(section(p, label), "\n")
				if want == nil && got != "" {
					t.Errorf("%s section = %q, want none", label, got)
				}
				for _, w := range want {
					if !strings.Contains(got, w) {
						t.Errorf("%s section lacks %q:\n%s", label, w, got)
					}
				}
			}
			var lv, jv []string
			for _, h := range p.Hops {
				lv, jv = append(lv, cmpOr(h.LossVerdict, "-")), append(jv, cmpOr(h.JitterVerdict, "-"))
				if n, ok := tc.notes[h.TTL]; ok && !slices.Contains(h.Notes, n) {
					t.Errorf("hop %d notes = %q, want %q", h.TTL, h.Notes, n)
				}
			}
			if got := strings.Join(lv, " "); got != tc.verdicts {
				t.Errorf("loss verdicts = %q, want %q", got, tc.verdicts)
			}
			if got := strings.Join(jv, " "); got != tc.jitterVerdict {
				t.Errorf("jitter verdicts = %q, want %q", got, tc.jitterVerdict)
			}
		})
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// TestStatsJSON pins the per-hop and per-responder statistics of a continuous measurement in the JSON.
func TestStatsJSON(t *testing.T) {
	p := buildOf(roundsTrace([]int{20, 15}, []float64{0.2, 0.4}))
	b, err := json.Marshal(p.Hops[1])
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{`"stats":{"sent":20,"received":15,"late":1,"loss_pct":25,"loss_low_pct":11.2,"loss_high_pct":46.9,"loss_label":"25%","last_ms":10,"avg_ms":10,"best_ms":9.6,"worst_ms":11.2,"stddev_ms":0.4,"jitter_ms":0.2,"samples_ms":[10,10.4]}`,
		`"rounds":[{"round":18,"sent":1,"received":1,"rtt_ms":10},{"round":19,"sent":1,"received":0}]`,
		`"loss_verdict":"destination"`} {
		if !strings.Contains(got, want) {
			t.Errorf("hop JSON lacks %s:\n%s", want, got)
		}
	}
	if r := p.Hops[1].Responders[0]; r.Stats == nil || r.Stats.LossPct == nil || *r.Stats.LossPct != 25 || r.Loss == nil || *r.Loss != 0.25 {
		t.Errorf("responder stats = %+v, loss %v", r.Stats, r.Loss)
	}
}

// TestSeedLossIsWeak: the seed is one pass of 3 probes per hop; its stars are weak signs of routers
// limiting their replies (later hops answer all three), which the hop figures show as "2/3" and no
// section or note mentions.
func TestSeedLossIsWeak(t *testing.T) {
	tr := explaintest.SeedTrace()
	p := BuildPath(tr, explaintest.SeedInfos(), explain.Explain(tr, explaintest.SeedInfos(), explain.Options{}))
	if l := section(p, "Loss"); l != nil {
		t.Errorf("Loss section = %q", l)
	}
	for _, h := range p.Hops {
		switch h.TTL {
		case 8, 9, 11:
			if h.LossVerdict != "weak" || h.Stats == nil || !strings.Contains("2/3 1/3", h.Stats.LossLabel) {
				t.Errorf("hop %d: verdict %q, stats %+v", h.TTL, h.LossVerdict, h.Stats)
			}
		case 10:
			if h.LossVerdict != "" || h.Stats == nil || h.Stats.LossLabel != "3/3" || h.Stats.AvgMs != nil {
				t.Errorf("silent hop 10: verdict %q, stats %+v", h.LossVerdict, h.Stats)
			}
		}
		for _, n := range h.Notes {
			if strings.Contains(n, "lost") || strings.Contains(n, "loss") {
				t.Errorf("hop %d note %q", h.TTL, n)
			}
		}
	}
	// A responder among several has no loss of its own in probe-level data.
	for _, r := range p.Hops[13].Responders {
		if r.Stats == nil || r.Stats.LossPct != nil || r.Stats.Sent != 0 || r.Stats.AvgMs == nil {
			t.Errorf("hop 14 responder %s stats = %+v", r.Addr, r.Stats)
		}
	}
}
