package explain

import (
	"math"

	"hopscope/internal/enrich"
	"hopscope/internal/geo"
)

// samePlaceKm is how far apart two readings of a name may be and still be one place.
const samePlaceKm = 100.0

// maxNamesTried bounds how many responder names of one hop placeFromNames reads.
const maxNamesTried = 8

// placeFromNames gives back to a hop the place its router's name reads when the name alone was too
// ambiguous to state (a bare code such as "phx" that enrich keeps only when the database's country
// agrees) and the trace's own RTTs now decide: the hop's database place was ruled out by physics (a
// contradiction), or it has none and the source or a neighbouring hop is in the name's country. The
// name's place must itself keep the bounds: within the hop's RTT × 100 km of the source, and the
// hop-to-hop bound with every other located hop. contradicted lists the TTLs whose place was ruled out.
func (e *explainer) placeFromNames(s Source, contradicted map[int]bool) {
	srcCountry := ""
	if s.Known && s.Place != nil {
		srcCountry = s.Place.Country
	}
	for i := range e.out {
		o := &e.out[i]
		// A registry country alone (a network's head office) yields to the name when the RTTs say the
		// hop has left it: see nameOverRegistry.
		registry := o.Place != nil && !contradicted[o.TTL] && o.Place.Source == "database" && o.Place.City == "" && !o.Place.HasCoords
		if math.IsNaN(e.placeMs[i]) || (o.Place != nil && !contradicted[o.TTL] && !registry) {
			continue
		}
		tried := 0
		for _, r := range e.t.Hops[i].Responders {
			if r.Name == "" {
				continue
			}
			if tried++; tried > maxNamesTried {
				break // a hop of thousands of responders (a load balancer's fan-out) is not read whole
			}
			// A spelled-out city with namesakes gives each; the RTTs must leave exactly one.
			var kept *Place
			ambiguous := false
			for _, h := range enrich.PlaceCandidates(r.Name) {
				if h.Country == "" {
					continue
				}
				p := &Place{City: h.City, Country: h.Country, Lat: h.Lat, Lon: h.Lon, HasCoords: true, Source: "hostname", Confidence: enrich.ConfidenceLow}
				switch {
				case registry:
					if h.Country == o.Place.Country || !e.nameOverRegistry(i, p, s) {
						continue
					}
				case !contradicted[o.TTL] && srcCountry != h.Country && e.neighbourCountry(i, -1) != h.Country && e.neighbourCountry(i, +1) != h.Country:
					continue
				}
				if !e.keepsBounds(i, p, s) {
					continue
				}
				if kept != nil && km(kept, p) > samePlaceKm {
					ambiguous = true
					break
				}
				if kept == nil {
					kept = p
				}
			}
			if kept != nil && !ambiguous {
				o.Place = kept
				break
			}
		}
	}
}

// crossingMinKm is how far a name's city must be from where the path was before for the RTT rise to
// tell that a long link was crossed.
const crossingMinKm = 1000.0

// nameOverRegistry reports whether hop i's name place p, in another country than the hop's registry,
// is what the RTTs say rather than the registry (a network's head office: AARNet's routers in Honolulu
// and Singapore are registered in Australia, RNP's in Miami in Brazil):
//   - the hop answers within 3 ms (or 10%) of a neighbouring hop placed in p's country: it is at that
//     site, on the near side of the link home; or
//   - it answers at least strandedMinRiseMs, and at least 80% of what light needs, later than the last
//     hop placed before it (or the source), which is at least crossingMinKm from p: the rise is the
//     long link to p ("bgw01.nsk.ertelecom.ru" at 4 ms after Russian hops is no router in Baghdad).
func (e *explainer) nameOverRegistry(i int, p *Place, s Source) bool {
	t := e.placeMs[i]
	for _, dir := range []int{-1, +1} {
		for j, n := i+dir, 0; j >= 0 && j < len(e.out) && n < 3; j, n = j+dir, n+1 {
			q := e.out[j].Place
			if q == nil || q.Country == "" || math.IsNaN(e.placeMs[j]) {
				continue
			}
			if d := math.Abs(e.placeMs[j] - t); q.Country == p.Country && (d <= 3 || d <= 0.1*t) {
				return true
			}
			break
		}
	}
	var before *Place
	beforeMs := 0.0
	for j := i - 1; j >= 0; j-- {
		if q := e.out[j].Place; q != nil && q.Country != "" && !math.IsNaN(e.placeMs[j]) {
			before, beforeMs = q, e.placeMs[j]
			break
		}
	}
	if before == nil && s.Known && s.Place != nil {
		before = s.Place
	}
	if before == nil || before.Country == p.Country {
		return false
	}
	d, ok := pairKm(before, p)
	rise := t - beforeMs
	return ok && d >= crossingMinKm && rise >= strandedMinRiseMs && rise >= 0.8*d/geo.FibreKmPerMs
}

// keepsBounds reports whether place p for hop index i keeps the bound from the source s and the
// hop-to-hop bound with every other located hop.
func (e *explainer) keepsBounds(i int, p *Place, s Source) bool {
	t := e.placeMs[i]
	if s.Known && s.Place != nil {
		switch {
		case s.Place.HasCoords:
			if km(s.Place, p) > t*geo.FibreKmPerMs+s.RadiusKm+contradictionSlackKm {
				return false
			}
		case s.Place.Country != "":
			if d, ok := pairKm(s.Place, p); ok && d > t*geo.FibreKmPerMs+contradictionSlackKm {
				return false
			}
		}
	}
	for j := range e.out {
		q := e.out[j].Place
		if j == i || q == nil || math.IsNaN(e.placeMs[j]) {
			continue
		}
		if _, _, broken := breaksBound(p, t, q, e.placeMs[j]); broken {
			return false
		}
	}
	return true
}

// placeBetween states a hop whose only place is a registry country unlike that of the located hops on
// both sides of it, which agree with each other, in their country instead ("inferred", low confidence):
// carriers register their addresses at their head office, so a PCCW hop registered in Hong Kong between a
// router named in Los Angeles and the destination's US network is in the United States. At least one
// side must be placed by stronger evidence than a registry (a name, an exchange, a database city), and
// the hop's place must keep every bound.
func (e *explainer) placeBetween(s Source) {
	for i := range e.out {
		p := e.out[i].Place
		if p == nil || p.Source != "database" || p.City != "" || math.IsNaN(e.placeMs[i]) {
			continue
		}
		before, after := e.neighbourPlace(i, -1), e.neighbourPlace(i, +1)
		if before == nil || after == nil || before.Country != after.Country || before.Country == p.Country ||
			max(strength(before), strength(after)) < 3 {
			continue
		}
		q := &Place{Country: before.Country, Source: "inferred", Confidence: "low"}
		if e.keepsBounds(i, q, s) {
			e.out[i].Place = q
		}
	}
}

// neighbourPlace is the place of the nearest placed hop from index i in direction dir, looking past at
// most two silent or unplaced hops; nil when none.
func (e *explainer) neighbourPlace(i, dir int) *Place {
	for j, n := i+dir, 0; j >= 0 && j < len(e.out) && n < 3; j, n = j+dir, n+1 {
		if p := e.out[j].Place; p != nil && p.Country != "" {
			return p
		}
	}
	return nil
}
