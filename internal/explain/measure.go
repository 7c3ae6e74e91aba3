package explain

import (
	"math"
	"slices"
	"time"

	"hopscope/internal/path"
)

// wilsonZ is the normal quantile of the 95 % Wilson score interval given with every loss figure.
const wilsonZ = 1.96

// Measure is what the probes of one hop or responder (or a tool's aggregate for it) say about loss and
// about how much the RTT varies: mtr's columns, with the sample size and how far the loss can be trusted.
type Measure struct {
	// Sent counts the probes sent (unsent probes, duplicate replies and RIPE Atlas's extra late entries
	// left out); 0 means loss was not measured, as for one responder among several in probe-level data,
	// where a lost probe cannot be put down to any of them.
	Sent int
	// Received counts the probes answered (a late reply counts: that probe was not lost).
	Received int
	// Late counts the replies among Received that came after their probe's wait, as continuous rounds
	// count them; 0 when none did or the source cannot tell.
	Late int
	// LossPct is the share of Sent not answered, in percent; LossLowPct and LossHighPct bound it with the
	// 95 % Wilson score interval, which is wide for few probes (1 lost of 3: 6–79 %). Meaningful when
	// Sent > 0.
	LossPct     float64
	LossLowPct  float64
	LossHighPct float64
	// Count is how many RTTs the times below are built from; 0 when none was measured.
	Count int
	// LastMs, BestMs, AvgMs and WorstMs are the last, lowest, mean and highest RTT; meaningful when
	// Count > 0.
	LastMs  float64
	BestMs  float64
	AvgMs   float64
	WorstMs float64
	// StdDevMs is the RTTs' standard deviation; meaningful when HasStdDev (two RTTs at least, and a tool
	// that printed it: WinMTR does not).
	StdDevMs  float64
	HasStdDev bool
	// JitterMs is the mean difference between consecutive RTTs (mtr's Javg); meaningful when HasJitter.
	JitterMs  float64
	HasJitter bool
	// SamplesMs are the most recent RTTs, oldest first, when the measurement kept a window of them
	// (continuous rounds); nil otherwise.
	SamplesMs []float64
}

// Lost is Sent − Received.
func (m Measure) Lost() int { return m.Sent - m.Received }

// setLoss fills the loss figures from sent and received.
func (m *Measure) setLoss(sent, received int) {
	received = min(received, sent)
	m.Sent, m.Received = sent, received
	if sent <= 0 {
		return
	}
	m.LossPct = round1(100 * float64(sent-received) / float64(sent))
	lo, hi := Wilson(sent-received, sent)
	m.LossLowPct, m.LossHighPct = round1(100*lo), round1(100*hi)
}

// Wilson returns the 95 % Wilson score interval of a proportion of k in n (Wilson 1927): unlike the
// normal approximation it stays inside [0, 1] and is honest for small n. n ≤ 0 gives [0, 1].
func Wilson(k, n int) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	p, nf, z2 := float64(k)/float64(n), float64(n), wilsonZ*wilsonZ
	d := 1 + z2/nf
	c := (p + z2/(2*nf)) / d
	h := wilsonZ * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / d
	return max(0, c-h), min(1, c+h)
}

// MeasureHop measures hop h as a whole: from the tool's aggregates when it gave them (mtr, WinMTR,
// continuous rounds), else from its probes. own says the trace is hopscope's, whose late replies
// answer a probe of their own (RIPE Atlas lists late replies as extra entries beside the timeouts).
func MeasureHop(h *path.Hop, own bool) Measure {
	if aggregate(h) {
		var m Measure
		sent, received, best := 0, 0, -1
		if h.Stats != nil {
			sent, received = h.Stats.Sent, h.Stats.Received
			if h.Stats.Received > 0 {
				m = fromStats(h.Stats)
				best = h.Stats.Received
			}
		}
		late := 0
		for _, r := range h.Responders {
			if r.Stats == nil {
				continue
			}
			sent = max(sent, r.Stats.Sent)
			received += r.Stats.Received
			late += r.Stats.Late
			// The times are the responder's that answered most (the hop's main router).
			if r.Stats.Received > best {
				m, best = fromStats(r.Stats), r.Stats.Received
			}
		}
		m.Late = late
		m.setLoss(sent, received)
		return m
	}
	var m Measure
	sent, received := 0, 0
	rtts := make([]time.Duration, 0, len(h.Probes))
	for _, p := range h.Probes {
		if !counts(p, own) {
			continue
		}
		sent++
		if p.Status == path.StatusReply || p.Status == path.StatusUnreachable {
			received++
			if p.Late {
				m.Late++
			}
		}
		if p.HasRTT && !p.Late {
			rtts = append(rtts, p.RTT)
		}
	}
	m.setLoss(sent, received)
	m.setTimes(rtts)
	return m
}

// MeasureResponders measures each responder of h, indexed like h.Responders, in one pass over the
// probes. A responder's loss is measured only from an aggregate (its own Sent): in probe-level data a
// timeout names no responder.
func MeasureResponders(h *path.Hop, own bool) []Measure {
	out := make([]Measure, len(h.Responders))
	if len(h.Responders) == 0 {
		return out
	}
	if aggregate(h) {
		for i, r := range h.Responders {
			if r.Stats != nil {
				out[i] = fromStats(r.Stats)
				out[i].setLoss(r.Stats.Sent, r.Stats.Received)
			}
		}
		return out
	}
	// Each responder's RTTs, in probe order, in one backing array: count, then fill.
	owner := h.ProbeOwners()
	use := func(k int) int32 {
		if p := &h.Probes[k]; owner[k] >= 0 && counts(*p, own) && p.HasRTT && !p.Late {
			return owner[k]
		}
		return -1
	}
	start := make([]int, len(h.Responders)+1)
	for k := range h.Probes {
		if i := use(k); i >= 0 {
			start[i+1]++
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	rtts := make([]time.Duration, start[len(start)-1])
	next := slices.Clone(start[:len(h.Responders)])
	for k, p := range h.Probes {
		if i := use(k); i >= 0 {
			rtts[next[i]] = p.RTT
			next[i]++
		}
	}
	for i := range out {
		out[i].setTimes(rtts[start[i]:start[i+1]])
	}
	return out
}

// aggregate reports whether h carries a tool's aggregates rather than probes.
func aggregate(h *path.Hop) bool {
	if h.Stats != nil {
		return true
	}
	for _, r := range h.Responders {
		if r.Stats != nil {
			return true
		}
	}
	return false
}

// counts reports whether probe p was a probe sent at its hop: not a local error, not a duplicate reply,
// and not one of RIPE Atlas's late entries, which come beside the timeout of the probe they answer.
func counts(p path.Probe, own bool) bool {
	return p.Status != path.StatusError && !p.Dup && (own || !p.Late)
}

// fromStats takes the times of an aggregate (its loss is set by the caller).
func fromStats(s *path.Stats) Measure {
	var m Measure
	if s.Received <= 0 {
		return m
	}
	m.Count = s.Received
	m.LastMs, m.BestMs, m.AvgMs, m.WorstMs = ms(s.Last), ms(s.Best), ms(s.Avg), ms(s.Worst)
	// A standard deviation of zero between a different best and worst is a tool that did not print one.
	if s.Received >= 2 && (s.StdDev > 0 || s.Worst == s.Best) {
		m.StdDevMs, m.HasStdDev = ms(s.StdDev), true
	}
	statsExtra(&m, s)
	return m
}

// setTimes fills the times from RTTs in probe order.
func (m *Measure) setTimes(rtts []time.Duration) {
	if len(rtts) == 0 {
		return
	}
	m.Count = len(rtts)
	best, worst, sum := rtts[0], rtts[0], 0.0
	for _, r := range rtts {
		best, worst = min(best, r), max(worst, r)
		sum += float64(r)
	}
	mean := sum / float64(len(rtts))
	m.LastMs, m.BestMs, m.WorstMs = ms(rtts[len(rtts)-1]), ms(best), ms(worst)
	m.AvgMs = round3(mean / float64(time.Millisecond))
	if len(rtts) < 2 {
		return
	}
	ss, jit := 0.0, 0.0
	for i, r := range rtts {
		d := float64(r) - mean
		ss += d * d
		if i > 0 {
			jit += math.Abs(float64(r - rtts[i-1]))
		}
	}
	// The sample standard deviation, as mtr computes its StDev.
	m.StdDevMs, m.HasStdDev = round3(math.Sqrt(ss/float64(len(rtts)-1))/float64(time.Millisecond)), true
	m.JitterMs, m.HasJitter = round3(jit/float64(len(rtts)-1)/float64(time.Millisecond)), true
}
