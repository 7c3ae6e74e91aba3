package explain

import (
	"math"

	"hopscope/internal/geo"
)

// floors returns, for each responding hop index, the lowest minimum RTT from that hop to the end of the
// path: the latency the rest of the path actually carries. A hop above its floor answered slowly itself.
func (e *explainer) floors(resp []int) (level []float64, at []int) {
	level = make([]float64, len(resp))
	at = make([]int, len(resp))
	cur, curAt := math.Inf(1), -1
	for k := len(resp) - 1; k >= 0; k-- {
		if m := e.mins[resp[k]]; m <= cur {
			cur, curAt = m, resp[k]
		}
		level[k], at[k] = cur, curAt
	}
	return level, at
}

// latency finds persistent jumps (rises of the floor between consecutive responding hops) and spikes
// (hops whose minimum RTT exceeds what later hops show).
func (e *explainer) latency(src Source, dst *Place) ([]Jump, []Spike) {
	jumps, spikes := []Jump{}, []Spike{}
	var resp []int
	for _, i := range e.responding() {
		if !unreachableOnly(&e.t.Hops[i]) {
			resp = append(resp, i)
		}
	}
	if len(resp) == 0 {
		return jumps, spikes
	}
	level, at := e.floors(resp)
	// A hop slower than the hops after it is a spike (its own slow ICMP); it is never also where a jump
	// lands: one hop, one verdict.
	spike := make([]bool, len(resp))
	for k := 0; k < len(resp)-1; k++ {
		excess := e.mins[resp[k]] - level[k+1]
		big := excess >= spikeMinMs && excess >= spikeMinFrac*level[k+1]
		// A later level of 0 ms is no measurement (WinMTR's Best of 0 beside an average of 25 ms).
		near := excess >= spikeNearMinMs && e.mins[resp[k]] >= spikeNearFactor*level[k+1] && level[k+1] >= minLevelMs
		spike[k] = (big || near) && excess >= 2*e.step
		// The first hop past a rise that later hops keep, when it exceeds their level by less than the
		// rise itself, is where the rise lands, not a slow router: 195 ms, then 302, then 267 to the end
		// is a long link into hop k whose few samples came out high, and the crossing is before it.
		if k > 0 && spike[k] && e.isJump(level[k-1], level[k]) && excess < level[k]-level[k-1] {
			spike[k] = false
		}
	}
	for k := 1; k < len(resp); k++ {
		prev, cur := level[k-1], level[k]
		delta := cur - prev
		if !e.isJump(prev, cur) && !e.placedRise(resp[k-1], resp[k], delta) {
			continue
		}
		// When the hop where the floor rises is itself a spike, the rise shows first at the next hop that
		// answers at the new level: the jump is between hop a and that one, across the slow router.
		to := k
		for to < len(resp)-1 && spike[to] {
			to++
		}
		a, b := resp[k-1], resp[to]
		j := Jump{FromTTL: e.out[a].TTL, ToTTL: e.out[b].TTL, FromMs: e.mins[a], ToMs: e.mins[b],
			LevelMs: round3(cur), DeltaMs: round3(e.mins[b] - e.mins[a]), Persistent: to < len(resp)-1}
		if j.DeltaMs < delta {
			j.DeltaMs = round3(delta)
		}
		j.FromPlace, j.ToPlace = e.crossing(a, b, src, dst)
		jumps = append(jumps, j)
	}
	largest := -1
	for i, j := range jumps {
		if j.Persistent && (largest < 0 || j.LevelMs-jumps[i].FromMs > jumps[largest].LevelMs-jumps[largest].FromMs) {
			largest = i
		}
	}
	if largest >= 0 {
		jumps[largest].Largest = true
	}
	for k := 0; k < len(resp)-1; k++ {
		if !spike[k] {
			continue
		}
		i := resp[k]
		// The floor of the hops after this one.
		later, laterAt := level[k+1], at[k+1]
		excess := e.mins[i] - later
		s := Spike{TTL: e.out[i].TTL, MinMs: e.mins[i], LaterTTL: e.out[laterAt].TTL, LaterMs: later, ExcessMs: round3(excess), Place: e.out[i].Place}
		if r := e.out[i].RTT; r != nil {
			s.MaxMs = r.MaxMs
		}
		if p := s.Place; p != nil && p.HasCoords && strength(p) >= 5 && src.Known && src.Place != nil && src.Place.HasCoords {
			light := (km(src.Place, p) - src.RadiusKm) / geo.FibreKmPerMs
			s.Bypassed = light > crossSlackMs && e.placeMs[i] >= 0.8*light && later < 0.8*light-crossSlackMs
		}
		spikes = append(spikes, s)
	}
	return jumps, spikes
}

// isJump reports whether a floor rising from prev to cur ms is a jump: large in ms and against the level
// before it, or near the source a multiple of it; with a coarse clock (e.step) a rise of one step is a
// tick of the clock, not latency.
func (e *explainer) isJump(prev, cur float64) bool {
	delta := cur - prev
	big := delta >= jumpMinMs && delta >= jumpMinFrac*prev
	near := delta >= jumpNearMinMs && cur >= jumpNearFactor*prev
	return (big || near) && delta >= 2*e.step
}

// placedRiseMinMs and placedRiseMinKm bound the rises placedRise takes: smaller ones are noise whatever
// the names say, nearer places no crossing.
const (
	placedRiseMinMs = 5.0
	placedRiseMinKm = 300.0
)

// placedRise reports whether a rise of delta ms between hop indexes a and b, too small for the RTTs alone
// to call a jump, is one because both hops are named in places that far apart: Sydney at 5 ms to
// Melbourne at 14, or Chicago at 158 ms to Minneapolis at 181, is the link between them, as light and
// the usual detours account for it.
func (e *explainer) placedRise(a, b int, delta float64) bool {
	pa, pb := e.out[a].Place, e.out[b].Place
	if delta < placedRiseMinMs || delta < 2*e.step || pa == nil || pb == nil || !pa.HasCoords || !pb.HasCoords ||
		strength(pa) < 5 || strength(pb) < 5 || km(pa, pb) < placedRiseMinKm {
		return false
	}
	return accounts(pa, pb, delta)
}

// crossing names where a jump between hop indexes a and b starts and ends. When hop b is located far from
// the last located point before the jump (an earlier hop or the source), those are the two ends; otherwise
// the crossing starts at hop b (or that earlier point) and ends at the first later located hop in another
// country or more than farSideMinKm away, else the destination. A hop that already answers with a
// farther place's RTT (FarSide), named too near to account for the rise, stands for that farther place.
func (e *explainer) crossing(a, b int, src Source, dst *Place) (*Place, *Place) {
	var near *Place
	for i := a; i >= 0 && near == nil; i-- {
		if p := e.out[i].Place; p != nil && p.HasCoords {
			near = p
		}
	}
	if near == nil && src.Known && src.Place != nil && src.Place.HasCoords {
		near = src.Place
	}
	rise := e.mins[b] - e.mins[a]
	bp := e.reachedPlace(b, near, rise)
	if bp != nil && !bp.HasCoords {
		bp = nil
	}
	if near != nil && bp != nil && far(near, bp) {
		return near, bp
	}
	if near == nil {
		// Nothing says where the path was before the rise: only where it arrives (the landing hop
		// is no start: a crossing from Perth to Singapore is not "Singapore to London").
		return nil, bp
	}
	from := bp
	if from == nil {
		from = near
	}
	if from == nil {
		return nil, nil
	}
	if own := e.out[b].Place; bp == nil && own != nil && own.Country != "" && own.Country == from.Country {
		// The hop where the rise shows is still in the start's country (a home line's 6 ms into the
		// provider's first router): no crossing to find further on.
		return from, nil
	}
	for i := b + 1; i < len(e.out); i++ {
		p := e.reachedPlace(i, from, rise)
		if p == nil {
			continue
		}
		if p.HasCoords && far(from, p) && accounts(from, p, rise) {
			return from, p
		}
		if (p.HasCoords && !far(from, p)) || (!p.HasCoords && p.Country != "" && p.Country == from.Country) {
			break // the path is still near the start after the rise: no crossing ends further on
		}
	}
	if dst != nil && dst.HasCoords && far(from, dst) && accounts(from, dst, rise) {
		return from, dst
	}
	return from, nil
}

// accounts reports whether crossing from x to y can be what raised the RTT by riseMs: the rise is at
// most farRiseStretch times what light needs over the distance, plus crossSlackMs of queues and
// detours. A rise of 143 ms is no crossing from Frankfurt to Amsterdam (4 ms of light): the later hop
// that accounts for it, if any, ends the crossing.
func accounts(x, y *Place, riseMs float64) bool {
	light := km(x, y) / geo.FibreKmPerMs
	// Nor is a rise of 8 ms the crossing from London to Newark (56 ms of light): the path to the far
	// place passes the near one, so its RTT is at least light's more (80% of it, for coordinates that
	// are a city's, not the router's).
	return riseMs <= farRiseStretch*light+crossSlackMs && riseMs >= 0.8*light-crossSlackMs
}

// crossSlackMs is the rise a short crossing may add beyond the light it needs (queues, detours).
const crossSlackMs = 10.0

// reachedPlace is where a crossing from start that raises the RTT by riseMs reaches at hop index i: the
// hop's far place when it answers with a farther place's RTT (FarSide) and its own place is too near
// start to account for the rise (more than farRiseStretch times what light needs), else its own place.
func (e *explainer) reachedPlace(i int, start *Place, riseMs float64) *Place {
	own := e.out[i].Place
	fp := e.farPlace[e.out[i].TTL]
	if fp == nil || own == nil || !own.HasCoords || start == nil || !start.HasCoords {
		return own
	}
	if riseMs > farRiseStretch*km(start, own)/geo.FibreKmPerMs {
		return fp
	}
	return own
}

// farRiseStretch is how many times the light-speed RTT over a distance a rise may be and still be
// taken as that distance crossed (as the verdict calls a stretch above 3 a detour).
const farRiseStretch = 3.0

// far reports whether two located places are in different countries or farSideMinKm apart.
func far(x, y *Place) bool {
	return (x.Country != "" && y.Country != "" && x.Country != y.Country) || km(x, y) >= farSideMinKm
}
