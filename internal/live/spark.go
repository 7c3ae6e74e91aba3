package live

import (
	"math"
	"strings"
)

// history is a bounded window of one hop's latency samples, oldest first; a lost sample is NaN.
type history struct {
	samples []float64
	limit   int
}

func (h *history) add(ms float64) {
	if h.limit <= 0 {
		return
	}
	if len(h.samples) == h.limit {
		copy(h.samples, h.samples[1:])
		h.samples = h.samples[:h.limit-1]
	}
	h.samples = append(h.samples, ms)
}

// sparkBlocks are the eight heights of a sparkline, lowest first.
var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// lostMark stands for a sample whose probes went unanswered.
const lostMark = '·'

// sparkline draws the last width samples as block heights scaled between their own minimum and
// maximum (equal samples draw at the lowest height); a lost sample draws as lostMark. It is at most
// width cells wide.
func sparkline(samples []float64, width int) string {
	if width <= 0 || len(samples) == 0 {
		return ""
	}
	if len(samples) > width {
		samples = samples[len(samples)-width:]
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range samples {
		if !math.IsNaN(s) {
			lo, hi = min(lo, s), max(hi, s)
		}
	}
	var b strings.Builder
	for _, s := range samples {
		switch {
		case math.IsNaN(s):
			b.WriteRune(lostMark)
		case hi <= lo:
			b.WriteRune(sparkBlocks[0])
		default:
			i := int((s - lo) / (hi - lo) * float64(len(sparkBlocks)-1))
			b.WriteRune(sparkBlocks[min(max(i, 0), len(sparkBlocks)-1)])
		}
	}
	return b.String()
}
