package explain

import "math"

// Thresholds of the loss analysis. A hop's loss is read against the hops after it, as mtr users are told
// to and mostly do not: loss that later hops do not carry is the router's own replies.
const (
	// lossMinSent is the least probes every hop involved needs for a verdict that is not weak: mtr's
	// default count of rounds. A single pass (3 probes per hop) is weak evidence whatever it shows.
	lossMinSent = 10
	// lossMinLost is the least lost probes for a verdict that is not weak: one lost probe is one event,
	// not a rate.
	lossMinLost = 2
	// lossMinPct is the least rise, in percentage points, of the loss the rest of the path keeps (real
	// loss), or excess of one hop over the hops after it (rate limiting), that counts.
	lossMinPct = 5.0
)

// lossHop is one answering hop of the loss analysis.
type lossHop struct {
	i    int     // index into the trace's hops
	pct  float64 // its loss in percent
	sent int
	lost int
}

// loss gives each hop that lost probes one verdict, by comparing it with the loss every later hop keeps
// (the lowest from it on, as latency floors are read): a rise of that level is real loss on the link
// into the hop, an excess over it the router's own replies.
func (e *explainer) loss(d Destination) []LossFinding {
	out := []LossFinding{}
	var hs []lossHop
	for i := range e.out {
		m := e.out[i].Measure
		// A hop where nothing answered says nothing about loss: many routers never answer.
		if m.Sent > 0 && m.Received > 0 {
			hs = append(hs, lossHop{i: i, pct: 100 * float64(m.Lost()) / float64(m.Sent), sent: m.Sent, lost: m.Lost()})
		}
	}
	if len(hs) == 0 {
		return out
	}
	// level[k] is the lowest loss from hs[k] to the end, hs[at[k]] the hop that shows it.
	level, at := make([]float64, len(hs)), make([]int, len(hs))
	cur, curAt := math.Inf(1), -1
	for k := len(hs) - 1; k >= 0; k-- {
		if hs[k].pct <= cur {
			cur, curAt = hs[k].pct, k
		}
		level[k], at[k] = cur, curAt
	}
	pathStart := -1 // the first hop of real loss, for the destination's FromTTL
	segStart := 0   // the first hop after the last onset of real loss (or the first hop)
	for k, h := range hs {
		if h.lost == 0 {
			continue
		}
		before := 0.0
		if k > 0 {
			before = level[k-1]
		}
		last := k == len(hs)-1
		atDest := d.Reached && e.out[h.i].TTL == d.ReachedTTL
		f := e.lossFinding(hs, k)
		switch {
		case atDest:
			// The destination's loss is what the traffic sees, whatever its level.
			f.Kind, f.FromTTL = LossDestination, f.TTL
			if level[k]-before < lossMinPct && pathStart >= 0 {
				f.FromTTL = e.out[pathStart].TTL
			}
			f.Weak = h.sent < lossMinSent || h.lost < lossMinLost
		case level[k]-before >= lossMinPct && last:
			f.Kind = LossLastHop
			f.Weak = h.sent < lossMinSent || h.lost < lossMinLost
		case level[k]-before >= lossMinPct && (pathStart < 0 || !riseWithinChance(hs, segStart, k)):
			f.Kind, f.LevelPct, f.LevelTTL = LossPath, round1(level[k]), e.out[hs[at[k]].i].TTL
			segStart = k
			// Every hop from here on must have been probed enough, and lost enough between them.
			minSent, lost := h.sent, 0
			for _, x := range hs[k:] {
				minSent, lost = min(minSent, x.sent), lost+x.lost
			}
			f.Weak = minSent < lossMinSent || lost < lossMinLost
			if pathStart < 0 || !f.Weak {
				pathStart = h.i
			}
		case !last && h.pct-level[k+1] >= lossMinPct:
			later := hs[at[k+1]]
			// The later hops' loss pooled over every probe they were sent: the lowest of them alone is
			// biased low when several hops carry the same noisy loss.
			pooled := pooledPct(hs[k+1:])
			if h.sent >= lossMinSent && later.sent >= lossMinSent && f.LowPct <= pooled {
				// Enough probes to see that the excess is within chance of the later hops' loss.
				continue
			}
			f.Kind, f.LevelPct, f.LevelTTL = LossRateLimit, round1(level[k+1]), e.out[later.i].TTL
			// Strong only when the hop's 95 % interval clears the later hops' pooled one: over 60
			// rounds a hop at 28 % beside later hops at 17 % is sampling, not a router's policy.
			f.Weak = h.sent < lossMinSent || h.lost < lossMinLost || later.sent < lossMinSent || f.LowPct <= pooledHigh(hs[k+1:], level[k+1]+lossMinPct)
		default:
			// Loss under the thresholds, kept by later hops or about the level before: nothing to say
			// beyond the hop's own figures.
			continue
		}
		out = append(out, f)
	}
	return out
}

// pooledPct is the loss in percent over every probe sent to hs.
func pooledPct(hs []lossHop) float64 {
	lost, sent := 0, 0
	for _, h := range hs {
		lost, sent = lost+h.lost, sent+h.sent
	}
	if sent == 0 {
		return 0
	}
	return 100 * float64(lost) / float64(sent)
}

// pooledHigh is the upper end, in percent, of the 95 % Wilson interval of the loss over every probe
// sent to the hops of hs at the level the path keeps (loss at most upTo percent): hops that lose more
// are themselves limiting their replies and say nothing of the path.
func pooledHigh(hs []lossHop, upTo float64) float64 {
	lost, sent := 0, 0
	for _, h := range hs {
		if h.pct <= upTo {
			lost, sent = lost+h.lost, sent+h.sent
		}
	}
	_, hi := Wilson(lost, sent)
	return 100 * hi
}

// riseWithinChance reports whether the rise of loss at hs[k] is within sampling noise, with enough
// probes on both sides to tell: the loss pooled over hs[k:] (every probe sent from there on) is not
// clearly above the loss pooled over hs[from:k] (since the last onset), their 95 % Wilson intervals
// overlapping. The lowest later hop alone is biased low, so a noisy hop after a real onset (18 %, then
// 10 %, then 27 % over 60 rounds each) would otherwise read as rate limiting followed by a second onset.
// Without enough probes it reports false: the verdict is made and marked weak instead. It is asked only
// of a further onset after real loss was found: the first rise from a loss-free start is read as before.
func riseWithinChance(hs []lossHop, from, k int) bool {
	var afterLost, afterSent, beforeLost, beforeSent int
	for _, h := range hs[k:] {
		afterLost, afterSent = afterLost+h.lost, afterSent+h.sent
	}
	for _, h := range hs[from:k] {
		beforeLost, beforeSent = beforeLost+h.lost, beforeSent+h.sent
	}
	if afterSent < lossMinSent || beforeSent < lossMinSent {
		return false
	}
	lo, _ := Wilson(afterLost, afterSent)
	_, hi := Wilson(beforeLost, beforeSent)
	return lo <= hi
}

// lossFinding starts the finding for hs[k] with its figures and the link into it.
func (e *explainer) lossFinding(hs []lossHop, k int) LossFinding {
	i := hs[k].i
	m := e.out[i].Measure
	f := LossFinding{TTL: e.out[i].TTL, Sent: m.Sent, Received: m.Received, LossPct: m.LossPct,
		LowPct: m.LossLowPct, HighPct: m.LossHighPct, FromTTL: e.out[i].TTL, Operator: e.out[i].Operator}
	f.PrevTTL, f.PrevOperator = e.prevAnswering(i)
	return f
}

// prevAnswering returns the TTL and operator of the last hop before index i where anything answered;
// 0 and "" when none did (the link starts at the source).
func (e *explainer) prevAnswering(i int) (int, string) {
	if j := e.prev[i]; j >= 0 {
		return e.out[j].TTL, e.out[j].Operator
	}
	return 0, ""
}
