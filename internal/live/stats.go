package live

import (
	"math"
	"strconv"

	"hopscope/internal/report"
)

// figures are one table row's statistics as the report gives them; a missing figure is NaN and
// shows as "-". This file is the one place that knows which report fields feed which column.
type figures struct {
	lossPct                        float64 // 0..100
	sent                           int     // -1 when unknown
	last, avg, best, worst, stddev float64 // milliseconds
}

var none = math.NaN()

func noFigures() figures {
	return figures{lossPct: none, sent: -1, last: none, avg: none, best: none, worst: none, stddev: none}
}

// hopFigures reads a hop's loss and latency from the report: the share of its probes that went
// unanswered and the RTT summary over all its responders.
func hopFigures(h report.PathHop) figures {
	f := noFigures()
	if h.Sent > 0 {
		f.sent = h.Sent
		f.lossPct = 100 * float64(h.Sent-h.Answered) / float64(h.Sent)
	} else if len(h.Responders) == 1 && h.Responders[0].Loss != nil {
		f.lossPct = 100 * *h.Responders[0].Loss
	}
	rttFigures(&f, h.RTT)
	return f
}

// responderFigures reads one responder's loss and latency (a sub-row when every responder shows).
func responderFigures(r report.PathResponder) figures {
	f := noFigures()
	if r.Loss != nil {
		f.lossPct = 100 * *r.Loss
	}
	rttFigures(&f, r.RTT)
	return f
}

// rttFigures fills best and worst from an RTT summary; nil leaves them missing. The report's summary
// has no mean, last or deviation yet, so those stay "-" rather than borrowing the median.
func rttFigures(f *figures, r *report.RTT) {
	if r == nil || r.Count == 0 {
		return
	}
	f.best, f.worst = r.MinMs, r.MaxMs
}

// hopSample is the value a hop's history records for one update: its median RTT so far, or false when
// the hop has no RTT. Lost is true when the update's new probes at that hop all went unanswered.
func hopSample(h report.PathHop, prevSent, prevAnswered int) (ms float64, ok, lost bool) {
	newSent, newAnswered := h.Sent-prevSent, h.Answered-prevAnswered
	if newSent > 0 && newAnswered <= 0 {
		return 0, false, true
	}
	if h.RTT == nil || h.RTT.Count == 0 {
		return 0, false, false
	}
	return h.RTT.MedianMs, true, false
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
