package explain

import (
	"fmt"
	"math"
)

// Thresholds of the RTT variation analysis, read like the latency floors: the variation a hop shows is
// the path's up to it plus its own router's; what later hops keep is the path's.
const (
	// jitterMinSamples is the least RTTs a hop needs for its variation to count: a single pass (3 probes)
	// says nothing about jitter.
	jitterMinSamples = 5
	// jitterMinMs is the least rise of the variation later hops keep (queueing), or excess of one hop over
	// the later hops (a jittery router), in milliseconds.
	jitterMinMs = 5.0
	// jitterMinFactor is how many times the level before (or after, for a router) the variation must
	// reach as well: a rise from 40 to 45 ms of standard deviation is noise, from 1 to 6 ms a change.
	jitterMinFactor = 2.0
)

// jitter finds where the RTT variation rises and later hops keep it (queueing on that link) and single
// routers that vary much more than the hops after them (their ICMP generation, not the path).
func (e *explainer) jitter(d Destination) []JitterFinding {
	out := []JitterFinding{}
	metric := "stddev"
	value := func(m Measure) (float64, bool) { return m.StdDevMs, m.HasStdDev && m.Count >= jitterMinSamples }
	any := false
	for i := range e.out {
		if _, ok := value(e.out[i].Measure); ok {
			any = true
			break
		}
	}
	if !any {
		metric = "jitter"
		value = func(m Measure) (float64, bool) { return m.JitterMs, m.HasJitter && m.Count >= jitterMinSamples }
	}
	var idx []int
	var v []float64
	for i := range e.out {
		if x, ok := value(e.out[i].Measure); ok {
			idx, v = append(idx, i), append(v, x)
		}
	}
	if len(idx) == 0 {
		return out
	}
	level, at := make([]float64, len(v)), make([]int, len(v))
	cur, curAt := math.Inf(1), -1
	for k := len(v) - 1; k >= 0; k-- {
		if v[k] <= cur {
			cur, curAt = v[k], k
		}
		level[k], at[k] = cur, curAt
	}
	for k, i := range idx {
		before := 0.0
		if k > 0 {
			before = level[k-1]
		}
		last := k == len(idx)-1
		f := JitterFinding{TTL: e.out[i].TTL, Metric: metric, Ms: v[k], Samples: e.out[i].Measure.Count,
			BeforeMs: round3(before), Operator: e.out[i].Operator}
		f.PrevTTL, f.PrevOperator = e.prevAnswering(i)
		rise := level[k] - before
		switch {
		case rise >= jitterMinMs && level[k] >= jitterMinFactor*before:
			f.Kind, f.LevelMs, f.LevelTTL = JitterQueueing, round3(level[k]), e.out[idx[at[k]]].TTL
			if last {
				f.Kind = JitterLastHop
				if d.Reached && f.TTL == d.ReachedTTL {
					f.Kind = JitterDestination
				}
			}
		case !last && v[k]-level[k+1] >= jitterMinMs && v[k] >= jitterMinFactor*level[k+1]:
			f.Kind, f.LevelMs, f.LevelTTL = JitterRouter, round3(level[k+1]), e.out[idx[at[k+1]]].TTL
		default:
			continue
		}
		out = append(out, f)
	}
	return out
}

// lossMark is the hop mark of a loss finding; "" for a weak sign of rate limiting, which needs none.
func lossMark(l LossFinding) string {
	switch {
	case l.Weak && l.Kind == LossRateLimit:
		return ""
	case l.Weak:
		return "weak-loss"
	case l.Kind == LossPath:
		return "loss"
	case l.Kind == LossDestination:
		return "dest-loss"
	case l.Kind == LossLastHop:
		return "last-loss"
	}
	return "rate-limit"
}

// jitterMark is the hop mark of a jitter finding.
func jitterMark(j JitterFinding) string {
	if j.Kind == JitterRouter {
		return "jittery"
	}
	return "queueing"
}

// lastRTT is the average RTT of the last hop that answered with one, in ms; 0 when none did.
func (e *explainer) lastRTT() float64 {
	for i := len(e.out) - 1; i >= 0; i-- {
		if m := e.out[i].Measure; m.Count > 0 {
			return m.AvgMs
		}
	}
	return 0
}

// Constants of the application impact sentence.
const (
	// mssBytes is the TCP segment size of a typical Ethernet path (1500 − 40).
	mssBytes = 1460
	// mathisC is the constant of Mathis et al., "The Macroscopic Behavior of the TCP Congestion Avoidance
	// Algorithm" (1997): a Reno connection's throughput is at most MSS / RTT × C / √loss.
	mathisC = 1.22
)

// impact says in one sentence what real loss (strong LossPath or LossDestination findings) or queueing
// jitter means for an application; "" when neither was found. rttMs is the path's RTT for the TCP bound.
func impact(f *Findings, rttMs float64) string {
	lossPct, jitMs := 0.0, 0.0
	for _, l := range f.Loss {
		switch {
		case l.Weak:
		case l.Kind == LossDestination:
			lossPct = max(lossPct, l.LossPct)
		case l.Kind == LossPath:
			lossPct = max(lossPct, l.LevelPct)
		}
	}
	for _, j := range f.Jitter {
		if j.Kind == JitterQueueing || j.Kind == JitterDestination {
			jitMs = max(jitMs, j.LevelMs)
		}
	}
	var parts []string
	if lossPct > 0 {
		s := fmt.Sprintf("losing ~%s%% of packets makes TCP retransmit and slow down", approxPct(lossPct))
		if rttMs > 0 {
			mbps := mathisC * mssBytes * 8 / (rttMs / 1000) / math.Sqrt(lossPct/100) / 1e6
			s += fmt.Sprintf(" (one connection tops out near %s Mbit/s at %s ms)", approxRate(mbps), approx(rttMs))
		}
		s += ", and voice or video calls break up"
		parts = append(parts, s)
	}
	if jitMs > 0 {
		parts = append(parts, fmt.Sprintf("RTT varying by ±%s ms hurts real-time traffic (calls, games), which must buffer for it, while downloads hardly notice", approx(jitMs)))
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return "For applications, " + parts[0] + "."
	}
	return "For applications, " + parts[0] + "; " + parts[1] + "."
}

// approxPct rounds a percentage for prose: one decimal under 10, whole numbers above.
func approxPct(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// approxRate rounds a rate in Mbit/s to two significant figures.
func approxRate(v float64) string {
	switch {
	case v >= 100:
		return GroupDigits(math.Round(v/10) * 10)
	case v >= 10:
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}
