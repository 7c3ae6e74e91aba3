package render

import (
	"strconv"

	"hopscope/internal/report"
)

// rowStats are the figures a hop table row shows: loss from the responder's own count when an aggregate
// source measured it apart (mtr), else the hop's (a timeout names no responder), on the hop's first row;
// RTT statistics from the responder, else the hop's when it has one responder.
func rowStats(h report.PathHop, r *report.PathResponder, first bool) (loss, rtt *report.Stats) {
	switch {
	case r != nil && r.Stats != nil && r.Stats.Sent > 0:
		loss = r.Stats
	case first:
		loss = h.Stats
	}
	switch {
	case r != nil && r.Stats != nil && r.Stats.AvgMs != nil:
		rtt = r.Stats
	case first && len(h.Responders) <= 1:
		rtt = h.Stats
	}
	return loss, rtt
}

// lossStyle colours a hop's loss by what it means: red for loss on the path or at the destination (and
// the later hops carrying it), yellow for a router rate-limiting its own replies.
func lossStyle(verdict string) string {
	switch verdict {
	case "path", "destination", "carried":
		return ansiRed
	case "rate-limit":
		return ansiYellow
	}
	return ""
}

// statCells fills a full hop row's loss and rounds columns (statistics as mtr shows them).
func statCells(row []cell, h report.PathHop, r *report.PathResponder, first bool) {
	loss, rtt := rowStats(h, r, first)
	if loss != nil && loss.LossLabel != "" {
		row[colLoss] = cell{text: loss.LossLabel}
		if first {
			row[colLoss].style = lossStyle(h.LossVerdict)
		}
		row[colSnt] = cell{text: strconv.Itoa(loss.Sent)}
	} else if r != nil && r.Loss != nil {
		row[colLoss] = cell{text: fmtMs(100**r.Loss) + "%"}
	}
	if rtt == nil {
		return
	}
	for _, c := range [...]struct {
		col int
		v   *float64
	}{{colLast, rtt.LastMs}, {colAvg, rtt.AvgMs}, {colBest, rtt.BestMs}, {colWrst, rtt.WorstMs}, {colStDev, rtt.StdDevMs}, {colJitter, rtt.JitterMs}} {
		if c.v != nil {
			row[c.col] = cell{text: fmtMs(*c.v)}
		}
	}
	if first && h.JitterVerdict != "" && rtt.JitterMs != nil {
		row[colJitter].style = jitterStyle(h.JitterVerdict)
	}
}

// jitterStyle colours a hop's jitter by what it means, as lossStyle colours the loss it is alike:
// queueing on the path red, the destination's red, a router's own replies yellow.
func jitterStyle(verdict string) string {
	switch verdict {
	case "queueing":
		return lossStyle("path")
	case "destination":
		return lossStyle("destination")
	case "router":
		return lossStyle("rate-limit")
	}
	return lossStyle("")
}
