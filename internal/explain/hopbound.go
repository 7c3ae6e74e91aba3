package explain

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"hopscope/internal/geo"
	"hopscope/internal/worldmap"
)

// The hop-to-hop bound: two hops answering in t1 and t2 ms are each within t × geo.FibreKmPerMs km of
// the source, so within (t1 + t2) × 100 km of each other, whether or not the source is known. A place
// that breaks it against a hop placed by stronger evidence is not stated (it is kept as a
// Contradiction), so the source is inferred from places that agree with each other.

// strength ranks the evidence of a place for the hop-to-hop bound: of two places that break it, the
// stronger stands. The user's word beats a spelled-out city or an exchange's LAN, which beat an operator's
// unambiguous code, which beats a database city (often the operator's head office), then an ambiguous
// code, an inference, and last a registry country.
func strength(p *Place) int {
	switch {
	case p == nil:
		return 0
	case p.Source == "user":
		return 7
	case p.Source == "exchange", p.Source == "hostname" && p.Confidence == "high":
		return 6
	case p.Source == "hostname" && p.Confidence == "medium":
		return 5
	case p.Source == "database" && p.City != "":
		return 4
	case p.Source == "hostname":
		return 3
	case p.Source == "rtt", p.Source == "inferred":
		return 2
	}
	return 1
}

// placeStrength is hop i's strength, doubled so that a global network's registry country ranks below
// any other network's: a CDN's or a carrier's head office says less than a national network's
// registration (globalNetworks).
func (e *explainer) placeStrength(i int) int { return networkStrength(e.out[i].Place, e.out[i].ASN) }

// networkStrength is placeStrength of place p of a hop or destination in AS asn.
func networkStrength(p *Place, asn uint32) int {
	s := 2 * strength(p)
	if s == 2 && p.Source == "database" && globalNetwork(asn) {
		s = 1
	}
	return s
}

// pairKm is how far apart places p and q are at least: between their coordinates, from one's
// coordinates to the nearest point the other's country reaches, or between the nearest points two
// countries reach; ok is false when either says nothing that can be measured.
func pairKm(p, q *Place) (float64, bool) {
	switch {
	case p.HasCoords:
		return minDistanceKm(p.Lat, p.Lon, q)
	case q.HasCoords:
		return minDistanceKm(q.Lat, q.Lon, p)
	case p.Country == "" || q.Country == "":
		return 0, false
	case p.Country == q.Country:
		return 0, true
	}
	a, okA := worldmap.Centre(p.Country)
	b, okB := worldmap.Centre(q.Country)
	if !okA || !okB {
		return 0, false
	}
	return math.Max(0, geo.DistanceKm(a.Lat, a.Lon, b.Lat, b.Lon)-countryReach*(a.RadiusKm+b.RadiusKm)), true
}

// breaksBound reports whether places p and q, of hops answering in tp and tq ms, are farther apart than
// light in fibre allows, and the distance and the bound.
func breaksBound(p *Place, tp float64, q *Place, tq float64) (km, maxKm float64, broken bool) {
	d, ok := pairKm(p, q)
	if !ok {
		return 0, 0, false
	}
	maxKm = (tp + tq) * geo.FibreKmPerMs
	return d, maxKm, d > maxKm+contradictionSlackKm
}

// hopBound drops every hop place that breaks the hop-to-hop bound against a hop placed by stronger
// evidence, and returns the evidence. Places are accepted strongest first (among equals, the one that
// breaks the bound with fewer distinct others first, then the faster); a place that breaks it against
// an accepted one is dropped, or stated near that hop ("rtt") when the bound is small.
//
// The work grows with the hops times the distinct places, not with the hops squared: hops at one place
// form a group, distances are computed between groups, and a group (or one network's hops in it) is as
// tight as its fastest hop (d > (t1 + t2) × 100 km holds for some hop exactly when it holds for the
// fastest).
func (e *explainer) hopBound() []Contradiction {
	out := []Contradiction{}
	type cand struct{ i, strength, conflicts, group int }
	type placeKey struct {
		lat, lon       float64
		coords         bool
		country, label string
	}
	type group struct {
		place  *Place
		minMs  map[voice]float64 // the fastest hop of each voice at this place
		fastMs float64           // the fastest hop of all
		hops   []int             // indices into cs
	}
	var cs []cand
	var groups []group
	groupOf := map[placeKey]int{}
	for i := range e.out {
		p := e.out[i].Place
		if p == nil || !(p.HasCoords || p.Country != "") || math.IsNaN(e.placeMs[i]) {
			continue
		}
		k := placeKey{lat: p.Lat, lon: p.Lon, coords: p.HasCoords, country: p.Country, label: p.Label()}
		g, ok := groupOf[k]
		if !ok {
			g = len(groups)
			groupOf[k] = g
			groups = append(groups, group{place: p, minMs: map[voice]float64{}, fastMs: math.Inf(1)})
		}
		v, ms := voiceOf(e, i), e.placeMs[i]
		if old, seen := groups[g].minMs[v]; !seen || ms < old {
			groups[g].minMs[v] = ms
		}
		groups[g].fastMs = math.Min(groups[g].fastMs, ms)
		groups[g].hops = append(groups[g].hops, len(cs))
		cs = append(cs, cand{i: i, strength: e.placeStrength(i), group: g})
	}
	// Distances between places, NaN when one cannot be measured: a table for the few places of a real
	// trace, computed on demand beyond that (a table for thousands of places would not fit in memory).
	measure := func(a, b int) float64 {
		d, ok := pairKm(groups[a].place, groups[b].place)
		if !ok {
			return math.NaN()
		}
		return d
	}
	between := measure
	if len(groups) <= 512 {
		dist := make([]float64, len(groups)*len(groups))
		for a := range groups {
			for b := range a {
				dist[a*len(groups)+b] = measure(a, b)
			}
		}
		between = func(a, b int) float64 {
			if a < b {
				a, b = b, a
			}
			return dist[a*len(groups)+b]
		}
	}
	// Conflicts count the distinct pieces of evidence a place breaks the bound with: one network's
	// registry entry repeated over ten of its hops (a backbone registered at its head office) is one
	// voice, not ten. A hop answering in t ms breaks it with a voice at another place when t < limit,
	// the largest RTT that the distance still rules out beside that voice's fastest hop there.
	for a := range groups {
		limits := map[voice]float64{}
		for b := range groups {
			d := between(a, b)
			if a == b || math.IsNaN(d) || (d-contradictionSlackKm)/geo.FibreKmPerMs <= groups[b].fastMs {
				continue // no hop can break the bound with this place
			}
			for v, ms := range groups[b].minMs {
				limit := (d-contradictionSlackKm)/geo.FibreKmPerMs - ms
				if old, seen := limits[v]; !seen || limit > old {
					limits[v] = limit
				}
			}
		}
		ls := make([]float64, 0, len(limits))
		for _, l := range limits {
			ls = append(ls, l)
		}
		slices.Sort(ls)
		for _, c := range groups[a].hops {
			// the voices whose limit exceeds this hop's RTT
			n, _ := slices.BinarySearchFunc(ls, e.placeMs[cs[c].i], func(l, t float64) int {
				if l <= t {
					return -1
				}
				return 1
			})
			cs[c].conflicts = len(ls) - n
		}
	}
	// Strongest first; among equals the one with fewer voices against it, then the faster (the nearer
	// the source, the tighter its bound), then in TTL order.
	slices.SortStableFunc(cs, func(a, b cand) int {
		return cmp.Or(b.strength-a.strength, a.conflicts-b.conflicts, cmp.Compare(e.placeMs[a.i], e.placeMs[b.i]), a.i-b.i)
	})
	conflictsOf := map[int]int{}
	for _, c := range cs {
		conflictsOf[c.i] = c.conflicts
	}
	// kept are the accepted places in the order of their first accepted hop, each with its accepted
	// hops, the fastest of them (the reference a later place is checked against) and the fastest of
	// each voice.
	type keptGroup struct {
		g       int
		hops    []int // hop indices
		fastest int   // hop index
		voices  map[voice]int
	}
	var kept []keptGroup
	keptAt := map[int]int{} // group → index in kept
	// Two registry countries that break the bound with as many voices each, from hops answering in about
	// the same time, are a tie that nothing in the data decides (which one answers a few microseconds
	// faster says nothing about where a network registered its block): neither is stated. disputed
	// holds the voices such a tie discredits (every kept hop of that voice goes), with the hop that
	// disputes them.
	type dispute struct {
		by    int    // the hop whose place disputes it
		place *Place // that hop's place, kept before it is dropped
	}
	disputed := map[voice]dispute{}
	for _, c := range cs {
		i := c.i
		p := e.out[i].Place
		ref := -1
		var d, maxKm float64
		for _, k := range kept {
			dd := between(c.group, k.g)
			if math.IsNaN(dd) {
				continue
			}
			if mk := (e.placeMs[i] + e.placeMs[k.fastest]) * geo.FibreKmPerMs; dd > mk+contradictionSlackKm {
				ref, d, maxKm = k.fastest, dd, mk
				break
			}
		}
		if ref < 0 {
			at, ok := keptAt[c.group]
			if !ok {
				at = len(kept)
				keptAt[c.group] = at
				kept = append(kept, keptGroup{g: c.group, fastest: i, voices: map[voice]int{}})
			}
			k := &kept[at]
			k.hops = append(k.hops, i)
			if e.placeMs[i] < e.placeMs[k.fastest] {
				k.fastest = i
			}
			if j, seen := k.voices[voiceOf(e, i)]; !seen || e.placeMs[i] < e.placeMs[j] {
				k.voices[voiceOf(e, i)] = i
			}
			continue
		}
		if c.strength <= 2 && e.placeStrength(ref) == c.strength && conflictsOf[ref] == c.conflicts &&
			comparableMs(e.placeMs[i], e.placeMs[ref]) {
			for _, k := range kept {
				dd := between(c.group, k.g)
				for v, j := range k.voices {
					if _, ok := disputed[v]; !ok && dd > (e.placeMs[i]+e.placeMs[j])*geo.FibreKmPerMs+contradictionSlackKm {
						disputed[v] = dispute{by: i, place: p}
					}
				}
			}
		}
		out = append(out, e.dropPlace(i, ref, e.out[ref].Place, d, maxKm, true))
	}
	for _, k := range kept {
		for _, j := range k.hops {
			x, ok := disputed[voiceOf(e, j)]
			if !ok {
				continue
			}
			d, maxKm, _ := breaksBound(e.out[j].Place, e.placeMs[j], x.place, e.placeMs[x.by])
			out = append(out, e.dropPlace(j, x.by, x.place, d, maxKm, false))
		}
	}
	return out
}

// voiceOf is hop i's voice: its network's word on its place.
func voiceOf(e *explainer, i int) voice { return voice{e.out[i].ASN, e.out[i].Place.Label()} }

// voice is one piece of location evidence: a network's word on a place (its registry entry, repeated
// over its hops, or one name rule).
type voice struct {
	asn   uint32
	label string
}

// comparableMs reports whether two hops' RTTs are too close for the faster one's bound to be the
// tighter in any way that matters: within 1 ms or 20% of each other.
func comparableMs(a, b float64) bool {
	d := math.Abs(a - b)
	return d <= 1 || d <= 0.2*math.Min(a, b)
}

// dropPlace drops hop i's place, which breaks the bound (d km apart where light allows maxKm) against
// q, hop ref's place, and returns the contradiction; with near, a small bound places hop i near ref instead.
func (e *explainer) dropPlace(i, ref int, q *Place, d, maxKm float64, near bool) Contradiction {
	p := e.out[i].Place
	x := Contradiction{TTL: e.out[i].TTL, Place: p, DistanceKm: math.Round(d), MaxKm: math.Round(maxKm), MinMs: e.placeMs[i],
		Reference: fmt.Sprintf("the source, and hop %d (placed in %s by %s) in %s ms, so from hop %d", e.out[ref].TTL, q.Label(), evidenceName(q), approx(e.placeMs[ref]), e.out[ref].TTL)}
	if rs := e.t.Hops[i].Responders; len(rs) > 0 && rs[0].Addr.IsValid() {
		x.Addr = rs[0].Addr.String()
	}
	e.out[i].Place = nil
	if near && maxKm <= rttPlaceMaxKm && q.HasCoords {
		e.out[i].Place = &Place{City: q.City, Country: q.Country, Lat: q.Lat, Lon: q.Lon, HasCoords: true,
			Source: "rtt", Confidence: rttConfidence(maxKm)}
	}
	return x
}

// evidenceName says in words where a place came from, for sentences.
func evidenceName(p *Place) string {
	switch p.Source {
	case "hostname":
		return "its name"
	case "exchange":
		return "its exchange LAN"
	case "user":
		return "the user"
	case "rtt":
		return "RTT"
	case "inferred":
		return "a neighbouring hop"
	}
	if p.City != "" {
		return "the database"
	}
	return "the registry"
}

// checkDestinationBound rules out a reached destination's place that breaks the hop-to-hop bound
// against a hop placed by stronger evidence (when the source is unknown, checkDestination cannot): the
// registry names where the block is registered, not where the answer came from.
func (e *explainer) checkDestinationBound(d *Destination) {
	if !d.Reached || d.Anycast {
		return
	}
	p := d.Place
	if p == nil && d.Country != "" {
		p = &Place{Country: d.Country, Source: "database", Confidence: "low"}
	}
	if p == nil || p.Source == "user" {
		return
	}
	ttl, m := e.measuredToDestination(*d)
	if ttl == 0 {
		return
	}
	for j := range e.out {
		q := e.out[j].Place
		if q == nil || e.out[j].TTL == ttl || e.placeStrength(j) <= networkStrength(p, d.ASN) || math.IsNaN(e.placeMs[j]) {
			continue
		}
		dist, maxKm, broken := breaksBound(p, m, q, e.placeMs[j])
		if !broken {
			continue
		}
		said := p.Label()
		if p.City == "" {
			said = CountryName(p.Country)
		}
		d.PlaceBasis = fmt.Sprintf("the %s says %s, contradicted by RTT: it answers in %s ms and hop %d (%s, by %s) in %s ms, so the two are within %s km of each other, and %s is at least %s km away",
			evidenceName(p), said, approx(m), e.out[j].TTL, q.Label(), evidenceName(q), approx(e.placeMs[j]), GroupDigits(maxKm), said, GroupDigits(math.Round(dist)))
		d.Place, d.Country, d.City = nil, "", ""
		if maxKm <= rttPlaceMaxKm && q.HasCoords {
			d.Place = &Place{City: q.City, Country: q.Country, Lat: q.Lat, Lon: q.Lon, HasCoords: true, Source: "rtt", Confidence: rttConfidence(maxKm)}
			d.Country, d.City = q.Country, q.City
		}
		return
	}
}
