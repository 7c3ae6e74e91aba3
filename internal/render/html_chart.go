package render

import (
	"fmt"
	"math"

	"hopscope/internal/report"
)

// rttChart is an SVG chart of RTT per hop: a bar from min to max, a dot at the median, silent hops marked.
type rttChart struct {
	W, H   float64
	Left   float64
	Bottom float64
	Bars   []chartBar
	Ticks  []chartTick
	Notes  []chartNote
}

type chartBar struct {
	X, Y1, Y2, YMed float64
	Width           float64
	Color           string
	TTL             int
	Silent          bool
	Title           string
	Kind            string // "", "jump", "spike"
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
	for _, h := range p.Hops {
		if h.RTT != nil && h.RTT.MaxMs > maxMs {
			maxMs = h.RTT.MaxMs
		}
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
		if h.RTT == nil {
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
	}
	return c
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
