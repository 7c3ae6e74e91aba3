package rounds

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"hopscope/internal/analysis"
	"hopscope/internal/netlab"
	"hopscope/internal/path"
	"hopscope/internal/probe"
	"hopscope/internal/tracefile"
)

// lossLab is an 8-hop line, client - r1 - ... - r7 - server, with a node edited by the test.
func lossLab(edit func(s *netlab.Spec)) netlab.Spec {
	s := netlab.Spec{Name: "rounds", Nodes: []netlab.Node{{Name: "client"}}}
	prev := "client"
	for i := 1; i <= 7; i++ {
		n := fmt.Sprintf("r%d", i)
		s.Nodes = append(s.Nodes, netlab.Node{Name: n, Router: true})
		s.Links = append(s.Links, netlab.Link{A: prev, B: n})
		prev = n
	}
	s.Nodes = append(s.Nodes, netlab.Node{Name: "server", Addrs: []string{"203.0.113.25/32"}})
	s.Links = append(s.Links, netlab.Link{A: prev, B: "server"})
	edit(&s)
	return s
}

const (
	labServer = "203.0.113.25"
	labRounds = 60
)

// hopscopeLoss runs labRounds rounds from the client 0.1 s apart and returns the loss per TTL (%).
func hopscopeLoss(t *testing.T, l *netlab.Lab) map[int]float64 {
	t.Helper()
	return lossByTTL(hopscopeRounds(t, l))
}

// hopscopeRounds runs labRounds rounds from the client 0.1 s apart and returns the aggregate trace.
func hopscopeRounds(t *testing.T, l *netlab.Lab) *path.Trace {
	t.Helper()
	var tr *path.Trace
	err := l.Run("client", func() error {
		s, err := probe.OpenSession(path.Target{Addr: netip.MustParseAddr(labServer)}, probe.Options{Config: probe.Config{ProbesPerHop: 1}, Mode: probe.ModeRaw})
		if err != nil {
			return err
		}
		defer s.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		tr, err = Run(ctx, s.Round, Config{Rounds: labRounds, Interval: 100 * time.Millisecond})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Rounds != labRounds {
		t.Fatalf("%d rounds, want %d", tr.Rounds, labRounds)
	}
	return tr
}

// verdicts analyses tr as hopscope does and returns each hop's loss and jitter verdicts by TTL.
func verdicts(tr *path.Trace) (loss, jitter map[int]string) {
	p := analysis.Path(tr, nil, analysis.Options{})
	loss, jitter = map[int]string{}, map[int]string{}
	for _, h := range p.Hops {
		loss[h.TTL], jitter[h.TTL] = h.LossVerdict, h.JitterVerdict
	}
	return loss, jitter
}

// mtrLoss runs `mtr -r -n -c 60 -i 0.1` from the client and returns its loss per TTL (%), read
// through tracefile's mtr report importer.
func mtrLoss(t *testing.T, l *netlab.Lab) map[int]float64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := l.Exec(ctx, "client", "mtr", "-r", "-n", "-c", fmt.Sprint(labRounds), "-i", "0.1", labServer).CombinedOutput()
	if err != nil {
		t.Fatalf("mtr: %v\n%s", err, out)
	}
	trs, err := tracefile.Parse(out, "mtr-report")
	if err != nil || len(trs) != 1 {
		t.Fatalf("parse mtr's report: %v\n%s", err, out)
	}
	t.Logf("mtr:\n%s", out)
	return lossByTTL(trs[0])
}

// lossByTTL is each hop's loss in percent: 100 × (1 − received / sent), summed over responders.
func lossByTTL(tr *path.Trace) map[int]float64 {
	m := map[int]float64{}
	for _, h := range tr.Hops {
		sent, rcv := 0, 0
		if h.Stats != nil {
			sent = h.Stats.Sent
		}
		for _, r := range h.Responders {
			if r.Stats != nil {
				sent = max(sent, r.Stats.Sent)
				rcv += r.Stats.Received
			}
		}
		if sent > 0 {
			m[h.TTL] = 100 * float64(sent-rcv) / float64(sent)
		}
	}
	return m
}

// meanOver is the mean of m over TTLs from..to; ok is false when one is missing.
func meanOver(m map[int]float64, from, to int) (float64, bool) {
	sum := 0.0
	for ttl := from; ttl <= to; ttl++ {
		v, ok := m[ttl]
		if !ok {
			return 0, false
		}
		sum += v
	}
	return sum / float64(to-from+1), true
}

func formatLoss(m map[int]float64) string {
	var b strings.Builder
	for ttl := 1; ttl <= 8; ttl++ {
		if v, ok := m[ttl]; ok {
			fmt.Fprintf(&b, " %d:%.0f%%", ttl, v)
		} else {
			fmt.Fprintf(&b, " %d:-", ttl)
		}
	}
	return b.String()
}

// TestLabForwardedLoss: r2 drops 20% of what it forwards from r1, so every hop from 3 (r3) to 8 (the
// server) loses 20% of its probes. hopscope's mean loss over hops 3..8 agrees with mtr's within 12
// points, and hops 1 and 2 stay nearly clean.
//
// The math, so it never flakes: each hop's loss over n = 60 rounds has a standard error of
// √(0.2 × 0.8 / 60) ≈ 5.2 points; the probes to different hops are independent draws, so the mean
// over the 6 hops has √6 less, ≈ 2.1 points, per tool, and the difference of the two tools' means
// ≈ 3.0 points. 12 points is 4 standard errors: a false failure about once in 16,000 runs. The bound
// against the configured 20% (±15 points, ≥ 7 standard errors of one tool) and the clean hops (≤ 15%,
// where a clean hop loses nothing) are wider still.
func TestLabForwardedLoss(t *testing.T) {
	netlab.RequireTool(t, "mtr", "nft")
	l := netlab.New(t, lossLab(func(s *netlab.Spec) {
		s.Nodes[2].ForwardLoss, s.Nodes[2].ForwardLossFrom = 0.2, "r1" // r2
	}))
	tr := hopscopeRounds(t, l)
	ours := lossByTTL(tr)
	theirs := mtrLoss(t, l)
	t.Logf("hopscope loss by hop:%s", formatLoss(ours))
	t.Logf("mtr      loss by hop:%s", formatLoss(theirs))
	a, ok1 := meanOver(ours, 3, 8)
	b, ok2 := meanOver(theirs, 3, 8)
	if !ok1 || !ok2 {
		t.Fatalf("hops 3..8 missing: hopscope%s, mtr%s", formatLoss(ours), formatLoss(theirs))
	}
	t.Logf("mean loss over hops 3..8: hopscope %.1f%%, mtr %.1f%%", a, b)
	if d := a - b; d > 12 || d < -12 {
		t.Errorf("mean loss over hops 3..8: hopscope %.1f%%, mtr %.1f%%: more than 12 points apart", a, b)
	}
	if a < 5 || a > 35 {
		t.Errorf("hopscope's mean loss over hops 3..8 is %.1f%%, want about 20%%", a)
	}
	for ttl := 1; ttl <= 2; ttl++ {
		if ours[ttl] > 15 {
			t.Errorf("hop %d (before the lossy link) lost %.0f%%, want about 0", ttl, ours[ttl])
		}
	}
	// The explanation: real loss that starts at the lossy link (hop 3, or hop 4 when sampling noise
	// hides it at 3), never rate limiting, and nothing before it.
	loss, _ := verdicts(tr)
	t.Logf("loss verdicts: %v", loss)
	if loss[3] != "path" && loss[4] != "path" {
		t.Errorf("loss verdicts %v: want real path loss starting at hop 3", loss)
	}
	for ttl, v := range loss {
		if v == "rate-limit" || (ttl <= 2 && v == "path") {
			t.Errorf("hop %d: verdict %q on a path whose loss is on the link into hop 3", ttl, v)
		}
	}
}

// TestLabICMPRateLimit: r3 drops half of its own ICMP errors (a router rate-limiting ICMP) and
// forwards everything: its hop (3) shows about 50% loss, every later hop about none, the pattern the
// explanation calls rate limiting, not path loss.
//
// The math: hop 3's loss over 60 rounds has a standard error of √(0.5 × 0.5 / 60) ≈ 6.5 points, so
// 25..75% is ±3.9 standard errors; a later hop loses nothing unless the lab does, so 10% allows far
// more than the odd stray drop.
func TestLabICMPRateLimit(t *testing.T) {
	netlab.RequireTool(t, "nft")
	l := netlab.New(t, lossLab(func(s *netlab.Spec) {
		s.Nodes[3].ICMPLoss = 0.5 // r3
	}))
	tr := hopscopeRounds(t, l)
	ours := lossByTTL(tr)
	t.Logf("hopscope loss by hop:%s", formatLoss(ours))
	if v, ok := ours[3]; !ok || v < 25 || v > 75 {
		t.Errorf("hop 3 (r3, dropping half its ICMP) lost %.0f%%, want about 50%%", v)
	}
	for ttl := 4; ttl <= 8; ttl++ {
		if v, ok := ours[ttl]; !ok || v > 10 {
			t.Errorf("hop %d lost %.0f%% (present %v), want about 0: r3 drops only its own ICMP", ttl, v, ok)
		}
	}
	for _, ttl := range []int{1, 2} {
		if ours[ttl] > 10 {
			t.Errorf("hop %d lost %.0f%%, want about 0", ttl, ours[ttl])
		}
	}
	// The explanation calls it rate limiting at hop 3 and never path loss.
	loss, _ := verdicts(tr)
	t.Logf("loss verdicts: %v", loss)
	if loss[3] != "rate-limit" {
		t.Errorf("hop 3 verdict %q, want rate-limit (verdicts %v)", loss[3], loss)
	}
	for ttl, v := range loss {
		if v == "path" || v == "carried" {
			t.Errorf("hop %d: verdict %q, but nothing is lost on the path", ttl, v)
		}
	}
}

// TestLabJitteryLink: the link from r3 to r4 delays each direction by 15 ± 15 ms (uniform), so from
// hop 4 on the RTT varies with a standard deviation of about 12 ms (√2 × 15/√3) while hops 1..3 vary by
// well under a millisecond: the explanation names queueing on the link into hop 4.
func TestLabJitteryLink(t *testing.T) {
	netlab.RequireTool(t, "nft")
	l := netlab.New(t, lossLab(func(s *netlab.Spec) {
		for i := range s.Links {
			if s.Links[i].A == "r3" && s.Links[i].B == "r4" {
				s.Links[i].Delay, s.Links[i].Jitter = 15*time.Millisecond, 15*time.Millisecond
			}
		}
	}))
	tr := hopscopeRounds(t, l)
	_, jitter := verdicts(tr)
	t.Logf("jitter verdicts: %v", jitter)
	if jitter[4] != "queueing" {
		t.Errorf("hop 4 jitter verdict %q, want queueing on the jittery link into it (verdicts %v)", jitter[4], jitter)
	}
	for ttl := 1; ttl <= 3; ttl++ {
		if jitter[ttl] != "" {
			t.Errorf("hop %d (before the jittery link) jitter verdict %q, want none", ttl, jitter[ttl])
		}
	}
}
