package report

import (
	"fmt"
	"slices"
	"strings"
)

// farSideLines states the far-side hops of the Latency section, folding hops that answer like the same
// far hop into one line with their hop list (a trace with an MPLS tunnel across an ocean has many).
func farSideLines(fs []FarSide) []string {
	var lines []string
	for i := 0; i < len(fs); {
		j := i
		for j+1 < len(fs) && fs[j+1].FarTTL == fs[i].FarTTL {
			j++
		}
		x := fs[i]
		if j == i {
			lines = append(lines, fmt.Sprintf("hop %d (%s) already answers in %s ms, like hop %d (%s, %s away): its reply most likely returns through the far end (MPLS tunnel)",
				x.TTL, x.Place.LabelOf(), fmtMs(x.MinMs), x.FarTTL, x.FarPlace.LabelOf(), kmText(x.DistanceKm)))
			i++
			continue
		}
		group := fs[i : j+1]
		var ttls []int
		var places []string
		lo, hi := group[0].MinMs, group[0].MinMs
		near, far := group[0].DistanceKm, group[0].DistanceKm
		for _, g := range group {
			ttls = append(ttls, g.TTL)
			if l := g.Place.LabelOf(); !slices.Contains(places, l) {
				places = append(places, l)
			}
			lo, hi = min(lo, g.MinMs), max(hi, g.MinMs)
			near, far = min(near, g.DistanceKm), max(far, g.DistanceKm)
		}
		ms := fmtMs(lo)
		if hi > lo {
			ms += "–" + fmtMs(hi)
		}
		km := kmText(near)
		if far > near {
			km = strings.TrimSuffix(kmText(near), " km") + "–" + kmText(far)
		}
		lines = append(lines, fmt.Sprintf("hops %s (%s) already answer in %s ms, like hop %d (%s, %s away): their replies most likely return through the far end (MPLS tunnel)",
			ttlList(ttls), strings.Join(places, "; "), ms, x.FarTTL, x.FarPlace.LabelOf(), km))
		i = j + 1
	}
	return lines
}
