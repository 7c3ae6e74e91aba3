package render

import (
	"fmt"
	"math"

	"hopscope/internal/report"
)

// rttChart is an SVG chart of RTT per hop: a bar from min to max (best to worst when rounds measured
// them), a dot at the median (the average), the rounds' samples as small dots, silent hops marked; under
// it, when loss was measured, a bar of each hop's loss coloured by what it means.
type rttChart struct {
	W, H   float64
	Left   float64
	Bottom float64
	Bars   []chartBar
	Ticks  []chartTick
	Notes  []chartNote
	// Loss is the loss panel; nil when no hop's loss was measured.
	Loss *lossPanel
}

// lossPanel is the per-hop loss bars, 0 to 100 % from Bottom up to Top.
type lossPanel struct {
	Top, Bottom float64
	Bars        []lossBar
}

type lossBar struct {
	X, Y, Width, Height float64
	TTL                 int
	// Label is the report's loss label ("20%", "1/3"); Verdict the hop's loss verdict.
	Label, Verdict string
	Color          string
	Title          string
}

type chartBar struct {
	X, Y1, Y2, YMed float64
	Width           float64
	Color           string
	TTL             int
	Silent          bool
	Title           string
	Kind            string // "", "jump", "spike"
	// Stats is true when the bar is best to worst with the average, from the rounds' statistics.
	Stats bool
	// Samples are the y of the rounds' RTT samples (a bounded window).
	Samples []float64
}

type chartTick struct {
	Y     float64
	Label string
}

type chartNote struct {
	X, Y  float64
	Text  string
	Class string
}

// buildRTTChart lays out the RTT chart of one path.
func buildRTTChart(p *report.Path, colors *asColors) rttChart {
	c := rttChart{W: 760, H: 260, Left: 48, Bottom: 230}
	maxMs := 0.0
	hasLoss := false
	for _, h := range p.Hops {
		if h.RTT != nil && h.RTT.MaxMs > maxMs {
			maxMs = h.RTT.MaxMs
		}
		if s := h.Stats; s != nil {
			if s.WorstMs != nil && *s.WorstMs > maxMs {
				maxMs = *s.WorstMs
			}
			for _, v := range s.SamplesMs {
				maxMs = math.Max(maxMs, v)
			}
			hasLoss = hasLoss || (s.LossPct != nil && (s.Sent >= 10 || len(h.Rounds) > 0 || h.LossVerdict != ""))
		}
	}
	if hasLoss {
		c.H = 340
		c.Loss = &lossPanel{Top: c.Bottom + 30, Bottom: c.Bottom + 90}
	}
	top := niceCeil(maxMs)
	plotH := c.Bottom - 20
	y := func(ms float64) float64 { return c.Bottom - ms/top*plotH }
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		c.Ticks = append(c.Ticks, chartTick{Y: y(v), Label: fmt.Sprintf("%.0f ms", v)})
	}
	n := len(p.Hops)
	if n == 0 {
		return c
	}
	step := (c.W - c.Left - 10) / float64(n)
	width := math.Max(2, math.Min(18, step*0.6))
	jumps := map[int]bool{}
	for _, j := range p.Findings.Jumps {
		if j.Persistent {
			jumps[j.ToTTL] = true
		}
	}
	spikes := map[int]bool{}
	for _, s := range p.Findings.Spikes {
		spikes[s.TTL] = true
	}
	for i, h := range p.Hops {
		x := c.Left + step*(float64(i)+0.5)
		b := chartBar{X: x, Width: width, TTL: h.TTL, Color: colors.color(h.ASN)}
		st := h.Stats
		if st != nil && st.BestMs != nil && st.WorstMs != nil && st.AvgMs != nil && (len(h.Rounds) > 0 || st.StdDevMs != nil && st.Sent >= 10) {
			b.Stats = true
			b.Y1, b.Y2, b.YMed = y(*st.WorstMs), y(*st.BestMs), y(*st.AvgMs)
			if b.Y2-b.Y1 < 2 {
				b.Y1 = b.Y2 - 2
			}
			b.Title = fmt.Sprintf("hop %d: best %.1f ms, average %.1f ms, worst %.1f ms", h.TTL, *st.BestMs, *st.AvgMs, *st.WorstMs)
			if st.StdDevMs != nil {
				b.Title += fmt.Sprintf(", stddev %.1f ms", *st.StdDevMs)
			}
			if st.JitterMs != nil {
				b.Title += fmt.Sprintf(", jitter %.1f ms", *st.JitterMs)
			}
			for _, v := range st.SamplesMs {
				b.Samples = append(b.Samples, y(v))
			}
		} else if h.RTT == nil {
			b.Silent = true
			b.Y1, b.Y2 = c.Bottom-6, c.Bottom
			b.Title = fmt.Sprintf("hop %d: no reply", h.TTL)
		} else {
			b.Y1, b.Y2, b.YMed = y(h.RTT.MaxMs), y(h.RTT.MinMs), y(h.RTT.MedianMs)
			if b.Y2-b.Y1 < 2 {
				b.Y1 = b.Y2 - 2
			}
			b.Title = fmt.Sprintf("hop %d: min %.1f ms, median %.1f ms, max %.1f ms", h.TTL, h.RTT.MinMs, h.RTT.MedianMs, h.RTT.MaxMs)
		}
		switch {
		case jumps[h.TTL]:
			b.Kind = "jump"
			c.Notes = append(c.Notes, chartNote{X: x, Y: b.Y1 - 6, Text: "jump", Class: "note-jump"})
		case spikes[h.TTL]:
			b.Kind = "spike"
			c.Notes = append(c.Notes, chartNote{X: x, Y: b.Y1 - 6, Text: "slow ICMP", Class: "note-spike"})
		}
		c.Bars = append(c.Bars, b)
		if c.Loss != nil && st != nil && st.LossPct != nil {
			lp := c.Loss
			hgt := math.Max(*st.LossPct/100*(lp.Bottom-lp.Top), 0)
			lb := lossBar{X: x, Width: width, TTL: h.TTL, Label: st.LossLabel, Verdict: h.LossVerdict, Y: lp.Bottom - hgt, Height: hgt,
				Color: lossColor(h.LossVerdict)}
			lb.Title = fmt.Sprintf("hop %d: %s lost (%d of %d)", h.TTL, st.LossLabel, st.Sent-st.Received, st.Sent)
			if v := lossMeaning[h.LossVerdict]; v != "" {
				lb.Title += ": " + v
			}
			lp.Bars = append(lp.Bars, lb)
		}
	}
	return c
}

// lossMeaning says in a few words what a loss verdict means, for the chart's tooltips.
var lossMeaning = map[string]string{
	"path":        "loss on the path starts here",
	"carried":     "loss from an earlier hop, carried on",
	"rate-limit":  "this router rate-limits its own replies, not path loss",
	"destination": "the destination answers with loss",
	"last-hop":    "the last hop: nothing after it tells",
	"weak":        "too few probes to tell",
}

// lossColor colours a loss bar by its verdict: red for real loss, amber for rate limiting, grey else.
func lossColor(verdict string) string {
	switch verdict {
	case "path", "destination", "carried":
		return "#D55E00"
	case "rate-limit":
		return "#E69F00"
	}
	return "#8c8c8c"
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten (at least 1 ms).
func niceCeil(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}
