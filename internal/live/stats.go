package live

import (
	"math"
	"strconv"

	"hopscope/internal/report"
)

// figures are one table row's statistics as the report gives them; a missing figure is NaN and
// shows as "-". This file is the one place that knows which report fields feed which column.
type figures struct {
	lossPct                                float64 // 0..100
	lossLabel                              string  // the report's own label ("20%", "1/3"); "" to format lossPct
	verdict                                string  // the report's LossVerdict for the hop; "" when none
	sent                                   int     // -1 when unknown
	last, avg, best, worst, stddev, jitter float64 // milliseconds
	samples                                []float64
}

var none = math.NaN()

func noFigures() figures {
	return figures{lossPct: none, sent: -1, last: none, avg: none, best: none, worst: none, stddev: none, jitter: none}
}

// hopFigures reads a hop's loss and latency from the report: its Stats (mtr's columns) when the report
// has them, else the share of its probes unanswered and its RTT summary.
func hopFigures(h report.PathHop) figures {
	f := noFigures()
	f.verdict = h.LossVerdict
	if h.Sent > 0 {
		f.sent = h.Sent
		f.lossPct = 100 * float64(h.Sent-h.Answered) / float64(h.Sent)
	} else if len(h.Responders) == 1 && h.Responders[0].Loss != nil {
		f.lossPct = 100 * *h.Responders[0].Loss
	}
	rttFigures(&f, h.RTT)
	statsFigures(&f, h.Stats)
	return f
}

// responderFigures reads one responder's loss and latency (a sub-row when every responder shows).
func responderFigures(r report.PathResponder) figures {
	f := noFigures()
	if r.Loss != nil {
		f.lossPct = 100 * *r.Loss
	}
	rttFigures(&f, r.RTT)
	statsFigures(&f, r.Stats)
	return f
}

// rttFigures fills best and worst from an RTT summary (all a single pass gives); nil leaves them
// missing. The median is not passed off as a mean.
func rttFigures(f *figures, r *report.RTT) {
	if r == nil || r.Count == 0 {
		return
	}
	f.best, f.worst = r.MinMs, r.MaxMs
}

// statsFigures takes every figure the report's Stats carry; nil changes nothing.
func statsFigures(f *figures, s *report.Stats) {
	if s == nil {
		return
	}
	if s.Sent > 0 {
		f.sent = s.Sent
	}
	if s.LossPct != nil {
		f.lossPct, f.lossLabel = *s.LossPct, s.LossLabel
	}
	for _, x := range []struct {
		dst *float64
		src *float64
	}{{&f.last, s.LastMs}, {&f.avg, s.AvgMs}, {&f.best, s.BestMs}, {&f.worst, s.WorstMs}, {&f.stddev, s.StdDevMs}, {&f.jitter, s.JitterMs}} {
		if x.src != nil {
			*x.dst = *x.src
		}
	}
	f.samples = s.SamplesMs
}

// lossCell is the loss as the table shows it: the report's label when it has one.
func (f figures) lossCell() string {
	if f.lossLabel != "" {
		return f.lossLabel
	}
	return lossText(f.lossPct)
}

// hopSample is the value a hop's history records for one update: its newest RTT (Stats.LastMs), else
// its median so far, or false when it has none. Lost is true when the update's new probes at that hop
// all went unanswered.
func hopSample(h report.PathHop, prevSent, prevAnswered int) (ms float64, ok, lost bool) {
	newSent, newAnswered := h.Sent-prevSent, h.Answered-prevAnswered
	switch {
	case newSent > 0 && newAnswered <= 0:
		return 0, false, true
	case h.Stats != nil && h.Stats.LastMs != nil:
		return *h.Stats.LastMs, true, false
	case h.RTT != nil && h.RTT.Count > 0:
		return h.RTT.MedianMs, true, false
	}
	return 0, false, false
}

// msText formats a time in milliseconds to fit a 6-cell column: "0.42", "12.3", "236.2", "1234"; NaN is "-".
func msText(ms float64) string {
	switch {
	case math.IsNaN(ms):
		return "-"
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 2, 64)
	case ms < 1000:
		return strconv.FormatFloat(ms, 'f', 1, 64)
	case ms < 1e6:
		return strconv.FormatFloat(ms, 'f', 0, 64)
	}
	return ">1e6"
}

// lossText formats a loss percentage as mtr does ("0.0%", "20.0%", "100%"); NaN is "-".
func lossText(p float64) string {
	switch {
	case math.IsNaN(p):
		return "-"
	case p >= 99.95:
		return "100%"
	}
	return strconv.FormatFloat(p, 'f', 1, 64) + "%"
}

// sentText formats a probe count; a negative count is unknown.
func sentText(n int) string {
	if n < 0 {
		return "-"
	}
	return strconv.Itoa(n)
}
