package explain

import (
	"math"
	"slices"

	"hopscope/internal/path"
)

// clockSteps are the timer resolutions of old equipment, largest first: Windows' 15.625 ms tick,
// 10 ms, and the 8 and 4 ms "msec" clocks of old routers. A finer step is ordinary rounding to whole
// milliseconds and says nothing.
var clockSteps = []float64{15.625, 10, 8, 4}

// Least evidence for a coarse clock: this many timed probes, of which this many a tick or more; a
// clock whose readings carry a constant offset (virtual routers: 99, 109, 119 ms) needs more RTTs,
// since an offset fits more sets of whole milliseconds by chance.
const (
	clockMinRTTs       = 6
	clockMinNonZero    = 2
	clockMinRTTsOffset = 12
)

// clockStep returns the step in ms in which every RTT of the trace comes (a coarse clock), or 0 when
// the RTTs are not quantised that way. Every RTT must lie within a tolerance of a multiple of the
// step (half a millisecond, or one for the 15.625 ms tick, which tools print as 15 or 16), or, with
// enough RTTs, of one offset plus multiples of the step, and at least two must be a tick or more above
// the lowest: RTTs all below the step (zero, or tracert's "<1 ms") say nothing about it.
func clockStep(t *path.Trace) float64 {
	n := 0
	for _, h := range t.Hops {
		n += len(h.Probes)
	}
	rtts := make([]float64, 0, n) // sized once: a hop may hold hundreds of thousands of probes
	for _, h := range t.Hops {
		for _, p := range h.Probes {
			if p.HasRTT && !p.Late {
				rtts = append(rtts, ms(p.RTT))
			}
		}
		if len(h.Probes) == 0 {
			return 0 // aggregates (mtr) are averages and spreads, not clock readings
		}
	}
	if len(rtts) < clockMinRTTs {
		return 0
	}
	low := slices.Min(rtts)
	for _, step := range clockSteps {
		tol := 0.5
		if step != math.Trunc(step) {
			tol = 1
		}
		offsets := []float64{0}
		if len(rtts) >= clockMinRTTsOffset {
			offsets = append(offsets, math.Mod(low, step))
		}
		for _, off := range offsets {
			ok, ticks := true, 0
			for _, v := range rtts {
				k := math.Round((v - off) / step)
				if math.Abs(v-off-k*step) > tol {
					ok = false
					break
				}
				// A tick or more from zero, or, on a clock with an offset, above the lowest reading.
				if off == 0 && k >= 1 || off != 0 && math.Round((v-low)/step) >= 1 {
					ticks++
				}
			}
			// RTTs below the step (tracert's "<1 ms", read as 1 ms) fit any step at zero ticks and say
			// nothing about it: the clock shows only in RTTs a tick or more apart.
			if ok && ticks >= clockMinNonZero {
				return step
			}
		}
	}
	return 0
}

// clockSentence says the RTTs come from a coarse clock, for the summary.
func clockSentence(f *Findings) string {
	if f.ClockStepMs == 0 {
		return ""
	}
	return "Every RTT here comes in steps of ~" + approx(f.ClockStepMs) + " ms: the clock that timed them is coarse (old or virtual equipment), so steps of a tick or two are the clock, not latency."
}
