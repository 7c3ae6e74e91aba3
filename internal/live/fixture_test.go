package live

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"hopscope/internal/report"
)

var update = flag.Bool("update", false, "rewrite testdata/rounds.json")

// fixtureHop describes one hop of the scripted path: its responders and how it behaves per round.
type fixtureHop struct {
	addrs, names  []string
	as, op, place string
	baseMs        float64
	// lostEvery drops the hop's probe in every round r with r%lostEvery == lostEvery-1 (0: never).
	lostEvery int
	silent    bool
}

var fixtureHops = []fixtureHop{
	{addrs: []string{"192.0.2.1"}, names: []string{"gw.home.example"}, baseMs: 0.6},
	{addrs: []string{"198.51.100.1"}, names: []string{"bras1.paris.isp.example"}, as: "AS64500", op: "Example ISP", place: "Paris, FR", baseMs: 4.2},
	{addrs: []string{"198.51.100.17"}, names: []string{"ae-5.r21.parsfr02.fr.bb.transit-carrier.example"}, as: "AS64501", op: "Transit Carrier", place: "Paris, FR", baseMs: 5.1},
	{addrs: []string{"198.51.100.33"}, names: []string{"ae-7.r24.frnkge08.de.bb.transit-carrier.example"}, as: "AS64501", op: "Transit Carrier", place: "Frankfurt, DE", baseMs: 14.8, lostEvery: 2},
	{silent: true},
	{addrs: []string{"203.0.113.65", "203.0.113.66"}, names: []string{"be-1.sgp.far-network.example", "be-2.sgp.far-network.example"}, as: "AS64502", op: "Far Network", place: "Singapore, SG", baseMs: 172.4},
	{addrs: []string{"203.0.113.10"}, names: []string{"www.example.net"}, as: "AS64502", op: "Far Network", place: "Singapore, SG", baseMs: 174.0},
}

const fixtureRounds = 8

// fixtureRound builds the report after round n (1-based): every hop probed once per round, RTTs
// drifting by round, hop 4 dropping every second probe, and an explanation that learns the loss.
func fixtureRound(n int) *report.Path {
	p := &report.Path{
		Target: report.PathTarget{Name: "www.example.net", Addr: "203.0.113.10"},
		Input:  "hopscope", Protocol: "icmp", MaxTTL: 30, ProbesPerHop: 1,
	}
	for i, fh := range fixtureHops {
		h := report.PathHop{TTL: i + 1, Sent: n}
		if fh.silent {
			h.Silent = true
			p.Hops = append(p.Hops, h)
			continue
		}
		var rtts []float64
		for r := 0; r < n; r++ {
			if fh.lostEvery > 0 && r%fh.lostEvery == fh.lostEvery-1 {
				continue
			}
			rtts = append(rtts, fh.baseMs+float64((r*7+i*3)%11)/4)
		}
		h.Answered = len(rtts)
		h.Stats = statsOf(n, rtts)
		if len(rtts) > 0 {
			h.RTT = rttOf(rtts)
		}
		if fh.lostEvery > 0 && n >= 4 {
			h.LossVerdict = "rate-limit"
		}
		if fh.as != "" {
			fmt.Sscanf(fh.as, "AS%d", &h.ASN)
		}
		h.Operator = fh.op
		if fh.place != "" {
			h.Place = &report.Place{Label: fh.place}
		}
		for j, a := range fh.addrs {
			r := report.PathResponder{Addr: a, Name: fh.names[j], AS: fh.as, Operator: fh.op, PlaceLabel: fh.place, RTT: h.RTT}
			if len(fh.addrs) == 1 {
				r.Stats = h.Stats
			} else { // several responders: a timeout names none, so their loss is not measured apart
				st := *h.Stats
				st.Sent, st.LossPct, st.LossLabel = 0, nil, ""
				r.Stats = &st
			}
			h.Responders = append(h.Responders, r)
		}
		if i == len(fixtureHops)-1 {
			h.Marks = []string{"destination"}
		}
		p.Hops = append(p.Hops, h)
	}
	p.Hops[5].Marks, p.Hops[5].Severity = []string{"jump"}, "alert"
	p.Summary = "www.example.net (203.0.113.10) is in Singapore, SG; the path leaves Europe after hop 4 and the round trip rises by 157 ms there, about what the distance needs."
	p.Sections = []report.Section{
		{Label: "Destination", Lines: []string{"203.0.113.10, AS64502 Far Network, Singapore, SG"}},
		{Label: "Latency", Lines: []string{"hop 6: +157 ms (Frankfurt, DE to Singapore, SG, 10,260 km: light in fibre needs at least 103 ms)"}},
	}
	if n >= 4 {
		p.Sections = append(p.Sections, report.Section{Label: "Loss", Lines: []string{
			fmt.Sprintf("hop 4 answered %d of %d probes but every later hop answered all: that router limits its ICMP replies, the path itself loses nothing", p.Hops[3].Answered, n),
		}})
	}
	return p
}

// statsOf is what the report's Stats say of sent probes with the given RTTs (in round order).
func statsOf(sent int, ms []float64) *report.Stats {
	v := func(x float64) *float64 { return &x }
	s := &report.Stats{Sent: sent, Received: len(ms), LossPct: v(100 * float64(sent-len(ms)) / float64(sent)),
		LossLabel: fmt.Sprintf("%d/%d", sent-len(ms), sent)}
	if len(ms) == 0 {
		return s
	}
	r := rttOf(ms)
	s.LastMs, s.AvgMs, s.BestMs, s.WorstMs = v(ms[len(ms)-1]), v(r.MedianMs), v(r.MinMs), v(r.MaxMs)
	s.SamplesMs = append([]float64(nil), ms...)
	if len(ms) > 1 {
		var ss, jit float64
		for i, x := range ms {
			ss += (x - r.MedianMs) * (x - r.MedianMs)
			if i > 0 {
				jit += math.Abs(x - ms[i-1])
			}
		}
		s.StdDevMs, s.JitterMs = v(math.Sqrt(ss/float64(len(ms)-1))), v(jit/float64(len(ms)-1))
	}
	return s
}

// rttOf summarises RTTs; MedianMs holds their mean, which is all a scripted fixture needs.
func rttOf(ms []float64) *report.RTT {
	lo, hi, sum := ms[0], ms[0], 0.0
	for _, v := range ms {
		lo, hi, sum = min(lo, v), max(hi, v), sum+v
	}
	return &report.RTT{MinMs: lo, MedianMs: sum / float64(len(ms)), MaxMs: hi, Count: len(ms)}
}

// fixture is the scripted sequence of reports, one per round.
func fixture() []*report.Path {
	var out []*report.Path
	for n := 1; n <= fixtureRounds; n++ {
		out = append(out, fixtureRound(n))
	}
	return out
}

// TestFixture keeps testdata/rounds.json (what livedemo replays in the tmux test) equal to fixture();
// go test -run TestFixture -update rewrites it.
func TestFixture(t *testing.T) {
	want, err := json.MarshalIndent(fixture(), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	file := filepath.Join("testdata", "rounds.json")
	if *update {
		if err := os.WriteFile(file, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (go test -run TestFixture -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from fixture(): go test -run TestFixture -update", file)
	}
}
