package report

import (
	"fmt"

	"hopscope/internal/explain"
	"hopscope/internal/path"
)

// Stats is what the probes of a hop or responder (or a tool's aggregate for it) say about loss and RTT:
// mtr's columns, with how far the loss figure can be trusted. Every figure is absent when not measured.
type Stats struct {
	// Sent counts probes sent, Received those answered; Sent is 0 when loss was not measured (one
	// responder among several in probe-level data: a timeout names no responder).
	Sent     int `json:"sent"`
	Received int `json:"received"`
	// Late counts the replies among Received that came after their probe's wait (a router slow to send
	// ICMP); 0 when none did or the source cannot tell.
	Late int `json:"late,omitempty"`
	// LossPct is the share of Sent lost, in percent, and LossLowPct–LossHighPct its 95 % Wilson interval
	// (wide for few probes: 1 lost of 3 is 6–79 %); absent when Sent is 0.
	LossPct     *float64 `json:"loss_pct,omitempty"`
	LossLowPct  *float64 `json:"loss_low_pct,omitempty"`
	LossHighPct *float64 `json:"loss_high_pct,omitempty"`
	// LossLabel is the loss as shown: "20%", "1/3" when fewer than ten probes were sent (a percentage of
	// three probes claims too much); empty when not measured.
	LossLabel string `json:"loss_label,omitempty"`
	// LastMs, AvgMs, BestMs and WorstMs are the last, mean, lowest and highest RTT; absent when no RTT
	// was measured.
	LastMs  *float64 `json:"last_ms,omitempty"`
	AvgMs   *float64 `json:"avg_ms,omitempty"`
	BestMs  *float64 `json:"best_ms,omitempty"`
	WorstMs *float64 `json:"worst_ms,omitempty"`
	// StdDevMs is the RTTs' standard deviation (mtr's StDev); absent with fewer than two RTTs or when the
	// tool did not give it (WinMTR).
	StdDevMs *float64 `json:"stddev_ms,omitempty"`
	// JitterMs is the mean difference between consecutive RTTs (mtr's Javg); absent when unknown.
	JitterMs *float64 `json:"jitter_ms,omitempty"`
	// SamplesMs are the most recent RTTs, oldest first, when the measurement kept a window of them
	// (continuous rounds); absent otherwise.
	SamplesMs []float64 `json:"samples_ms,omitempty"`
}

// RoundSample is what one round of a continuous measurement saw at a hop.
type RoundSample struct {
	// Round numbers the round, from 0.
	Round int `json:"round"`
	// Sent and Received are the round's probes at the hop and those answered (late replies included).
	Sent     int `json:"sent"`
	Received int `json:"received"`
	// RTTMs is the mean RTT of the round's replies; absent when none came.
	RTTMs *float64 `json:"rtt_ms,omitempty"`
}

// newRounds converts a hop's window of rounds; nil when it has none.
func newRounds(rs []path.RoundSample) []RoundSample {
	if len(rs) == 0 {
		return nil
	}
	out := make([]RoundSample, len(rs))
	for i, r := range rs {
		out[i] = RoundSample{Round: r.Round, Sent: r.Sent, Received: r.Received}
		if r.Received > 0 {
			v := msOf(r.RTT)
			out[i].RTTMs = &v
		}
	}
	return out
}

// lossLabelMinSent is the least probes whose loss is shown as a percentage.
const lossLabelMinSent = 10

// newStats converts a stage measure; nil when nothing was measured.
func newStats(m explain.Measure) *Stats {
	if m.Sent == 0 && m.Count == 0 {
		return nil
	}
	// The figures share one allocation: a hop of many responders has a Stats each.
	vals := new([9]float64)
	n := 0
	v := func(x float64) *float64 {
		vals[n] = x
		n++
		return &vals[n-1]
	}
	s := &Stats{Sent: m.Sent, Received: m.Received, Late: m.Late, SamplesMs: m.SamplesMs}
	if m.Sent > 0 {
		s.LossPct, s.LossLowPct, s.LossHighPct = v(m.LossPct), v(m.LossLowPct), v(m.LossHighPct)
		s.LossLabel = pctLabel(m.LossPct)
		if m.Sent < lossLabelMinSent {
			s.LossLabel = fmt.Sprintf("%d/%d", m.Lost(), m.Sent)
		}
	}
	if m.Count > 0 {
		s.LastMs, s.AvgMs, s.BestMs, s.WorstMs = v(m.LastMs), v(m.AvgMs), v(m.BestMs), v(m.WorstMs)
	}
	if m.HasStdDev {
		s.StdDevMs = v(m.StdDevMs)
	}
	if m.HasJitter {
		s.JitterMs = v(m.JitterMs)
	}
	return s
}

// pctLabel formats a percentage: "0%", "2.5%", "20%".
func pctLabel(v float64) string {
	if v == 0 || v >= 10 {
		return fmt.Sprintf("%.0f%%", v)
	}
	return fmt.Sprintf("%.1f%%", v)
}

// lostOf is "3 of 10 lost (30%, 95% CI 11–60%)": the Wilson interval says how little a few probes pin down.
func lostOf(sent, received int, pct, lo, hi float64) string {
	return fmt.Sprintf("%d of %d lost (%s, 95%% CI %s–%s)", sent-received, sent, pctLabel(pct), trimPct(pctLabel(lo)), pctLabel(hi))
}

// trimPct drops the percent sign of the low end of a range.
func trimPct(s string) string { return s[:len(s)-1] }

// linkText names the link into hop ttl: "the link from hop 4 into hop 5 (inside Orange)".
func linkText(prevTTL, ttl int, prevOp, op string) string {
	s := fmt.Sprintf("the link from hop %d into hop %d", prevTTL, ttl)
	if prevTTL == 0 {
		s = fmt.Sprintf("the first link, into hop %d", ttl)
	}
	switch {
	case prevOp != "" && op != "" && explain.SameOperator(prevOp, op):
		s += " (inside " + op + ")"
	case prevOp != "" && op != "":
		s += " (between " + prevOp + " and " + op + ")"
	case op != "":
		s += " (into " + op + ")"
	}
	return s
}

// tooFew ends a weak line.
const tooFew = "too few probes to tell; more rounds would"

// lossLines says what the loss at each hop means. A weak sign of rate limiting (a router missing some of
// a single pass's replies while later hops answer) is common and harmless, and gets no line.
func lossLines(f *Findings) []string {
	var lines []string
	for _, l := range f.Loss {
		lost := lostOf(l.Sent, l.Received, l.LossPct, l.LowPct, l.HighPct)
		switch {
		case l.Kind == "rate-limit" && l.Weak:
		case l.Kind == "rate-limit":
			s := fmt.Sprintf("hop %d: %s, but hop %d after it loses nothing: the router rate-limits or deprioritises its own ICMP replies; traffic through it is not lost",
				l.TTL, lost, l.LevelTTL)
			if l.LevelPct > 0 {
				s = fmt.Sprintf("hop %d: %s, but hop %d after it loses only %s: the rest is the router limiting its own ICMP replies; traffic through it loses %s",
					l.TTL, lost, l.LevelTTL, pctLabel(l.LevelPct), pctLabel(l.LevelPct))
			}
			lines = append(lines, s)
		case l.Kind == "path" && l.Weak:
			lines = append(lines, fmt.Sprintf("hop %d on: %s, and every later hop loses at least %s: it looks like loss on %s, but %s",
				l.TTL, lost, pctLabel(l.LevelPct), linkText(l.PrevTTL, l.TTL, l.PrevOperator, l.Operator), tooFew))
		case l.Kind == "path":
			lines = append(lines, fmt.Sprintf("hop %d on: real loss on %s: every later hop loses at least %s (hop %d least); hop %d itself: %s",
				l.TTL, linkText(l.PrevTTL, l.TTL, l.PrevOperator, l.Operator), pctLabel(l.LevelPct), l.LevelTTL, l.TTL, lost))
		case l.Kind == "destination":
			s := fmt.Sprintf("destination (hop %d): %s", l.TTL, lost)
			switch {
			case l.Weak:
				s += ": " + tooFew
			case l.FromTTL != l.TTL:
				s += fmt.Sprintf(": the loss from hop %d on, carried to the end: what the traffic sees", l.FromTTL)
			default:
				s += ": no earlier hop shows it, so the last link or the server loses packets (or limits its replies); this is the loss the traffic sees"
			}
			lines = append(lines, s)
		case l.Kind == "last-hop":
			s := fmt.Sprintf("hop %d, the last that answered: %s; no later hop tells whether the path or the router's replies lose them", l.TTL, lost)
			if l.Weak {
				s += "; " + tooFew
			}
			lines = append(lines, s)
		}
	}
	return lines
}

// metricText names a jitter metric for a line.
func metricText(m string) string {
	if m == "jitter" {
		return "mean jitter"
	}
	return "standard deviation"
}

// jitterLines says where the RTT variation grows and which routers vary alone.
func jitterLines(f *Findings) []string {
	var lines []string
	for _, j := range f.Jitter {
		switch j.Kind {
		case "queueing":
			lines = append(lines, fmt.Sprintf("hop %d on: the RTT %s grows from %s to %s ms on %s and later hops keep it: queueing on that link",
				j.TTL, metricText(j.Metric), fmtMs(j.BeforeMs), fmtMs(j.LevelMs), linkText(j.PrevTTL, j.TTL, j.PrevOperator, j.Operator)))
		case "router":
			lines = append(lines, fmt.Sprintf("hop %d: its replies vary by %s ms (%s) while hop %d after it varies by %s ms: the router's ICMP generation, not the path",
				j.TTL, fmtMs(j.Ms), metricText(j.Metric), j.LevelTTL, fmtMs(j.LevelMs)))
		case "destination":
			lines = append(lines, fmt.Sprintf("destination (hop %d): the RTT %s is %s ms, %s ms before it: the last link or the server queues",
				j.TTL, metricText(j.Metric), fmtMs(j.Ms), fmtMs(j.BeforeMs)))
		case "last-hop":
			lines = append(lines, fmt.Sprintf("hop %d, the last that answered: the RTT %s is %s ms, %s ms before it; no later hop confirms it",
				j.TTL, metricText(j.Metric), fmtMs(j.Ms), fmtMs(j.BeforeMs)))
		}
	}
	return lines
}

// realLoss reports whether the findings hold loss the traffic itself suffers.
func realLoss(f *Findings) bool {
	for _, l := range f.Loss {
		if !l.Weak && (l.Kind == "path" || l.Kind == "destination") {
			return true
		}
	}
	return false
}

// lossSections are the Loss and Jitter sections; the application impact closes the first that holds
// real evidence.
func lossSections(f *Findings) []Section {
	var out []Section
	loss, jit := lossLines(f), jitterLines(f)
	if f.Impact != "" {
		if realLoss(f) || len(jit) == 0 {
			loss = append(loss, f.Impact)
		} else {
			jit = append(jit, f.Impact)
		}
	}
	if len(loss) > 0 {
		out = append(out, Section{Label: "Loss", Lines: loss})
	}
	if len(jit) > 0 {
		out = append(out, Section{Label: "Jitter", Lines: jit})
	}
	return out
}

// withLossSections puts the Loss and Jitter sections after Latency (at the end when there is none).
func withLossSections(ss []Section, f *Findings) []Section {
	more := lossSections(f)
	if len(more) == 0 {
		return ss
	}
	at := len(ss)
	for i, s := range ss {
		if s.Label == "Latency" {
			at = i + 1
			break
		}
	}
	return append(ss[:at], append(more, ss[at:]...)...)
}

// hopVerdicts sets each hop's loss and jitter verdicts from the findings: one loss verdict per hop,
// "carried" for a hop after the start of real loss that shows it and has no verdict of its own.
func hopVerdicts(p *Path) {
	loss := make(map[int]LossFinding, len(p.Findings.Loss))
	for _, l := range p.Findings.Loss {
		loss[l.TTL] = l
	}
	jit := make(map[int]string, len(p.Findings.Jitter))
	for _, j := range p.Findings.Jitter {
		jit[j.TTL] = j.Kind
	}
	carrying := false
	for i := range p.Hops {
		h := &p.Hops[i]
		h.JitterVerdict = jit[h.TTL]
		l, ok := loss[h.TTL]
		switch {
		case ok && l.Weak:
			h.LossVerdict = "weak"
		case ok:
			h.LossVerdict = l.Kind
			carrying = carrying || l.Kind == "path"
		case carrying && h.Stats != nil && h.Stats.LossPct != nil && *h.Stats.LossPct > 0 && h.Stats.Received > 0:
			h.LossVerdict = "carried"
		}
	}
}

// lossNote is the hop note of a loss finding; "" for none.
func lossNote(l LossFinding) string {
	switch {
	case l.Weak && l.Kind == "rate-limit":
		return ""
	case l.Weak:
		return fmt.Sprintf("%d/%d lost (weak)", l.Sent-l.Received, l.Sent)
	case l.Kind == "path":
		return "loss from here on " + pctLabel(l.LevelPct)
	case l.Kind == "rate-limit":
		return fmt.Sprintf("rate-limited ICMP (%s)", pctLabel(l.LossPct))
	case l.Kind == "destination" && l.FromTTL != l.TTL:
		return fmt.Sprintf("loss %s (from hop %d)", pctLabel(l.LossPct), l.FromTTL)
	case l.Kind == "destination":
		return "loss " + pctLabel(l.LossPct)
	}
	return fmt.Sprintf("loss %s (last hop seen)", pctLabel(l.LossPct))
}

// jitterNote is the hop note of a jitter finding.
func jitterNote(j JitterFinding) string {
	switch j.Kind {
	case "router":
		return fmt.Sprintf("jittery ICMP (±%s ms)", fmtMs(j.Ms))
	case "queueing":
		return fmt.Sprintf("jitter from here on ±%s ms", fmtMs(j.LevelMs))
	}
	return fmt.Sprintf("jitter ±%s ms", fmtMs(j.Ms))
}
