package explain

import (
	"fmt"
	"math"

	"hopscope/internal/geo"
	"hopscope/internal/worldmap"
)

// Physics as a constraint: light in fibre covers geo.FibreKmPerMs km per ms of RTT, so a hop answering
// in t ms is within t × 100 km of the source. A location that breaks this bound is not stated; the
// evidence is (Contradictions), and the source itself is found from the hops that answer fastest.

// sourceMaxMs is the slowest a located hop may answer and still stand for the source: its place is
// then within sourceMaxMs × 100 km of it.
const sourceMaxMs = 10.0

// rttPlaceMaxKm is the largest radius at which a hop whose database place is ruled out is stated as
// "near the source" instead (Source "rtt").
const rttPlaceMaxKm = 300.0

// countryReach is how many times its area-equivalent radius a country may reach from its centre (a
// country is no circle: the United States reaches Seattle and Miami from Kansas).
const countryReach = 2.0

// minDistanceKm is the least distance between the point (lat, lon) and place p: to its coordinates,
// or for a place known only by its country, to the nearest its country can reach. ok is false when p
// says nothing that can be measured.
func minDistanceKm(lat, lon float64, p *Place) (km float64, ok bool) {
	switch {
	case p == nil:
		return 0, false
	case p.HasCoords:
		return geo.DistanceKm(lat, lon, p.Lat, p.Lon), true
	case p.Country != "":
		c, found := worldmap.Centre(p.Country)
		if !found {
			return 0, false
		}
		return math.Max(0, geo.DistanceKm(lat, lon, c.Lat, c.Lon)-countryReach*c.RadiusKm), true
	}
	return 0, false
}

// rttConfidence rates a place inferred from an RTT bound of radiusKm.
func rttConfidence(radiusKm float64) string {
	switch {
	case radiusKm <= 300:
		return "high"
	case radiusKm <= 1000:
		return "medium"
	}
	return "low"
}

// nearSource describes the source for sentences: "near London (within 1,100 km by RTT)", or its label
// when the user gave it.
func nearSource(s Source) string {
	if s.Place == nil {
		return "an unknown source"
	}
	if s.RadiusKm == 0 {
		return "a source in " + placeName(s.Place)
	}
	return fmt.Sprintf("a source near %s (within %s km by RTT)", placeName(s.Place), GroupDigits(s.RadiusKm))
}

// ruleOut removes every hop place that the hop's own RTT rules out from the source (the hop is within
// its minimum RTT × 100 km of the source, plus the source's own radius and a slack for city
// coordinates), and returns the evidence. A hop so close that its bound is small is placed near the
// source instead ("rtt"); otherwise it is left unplaced.
func (e *explainer) ruleOut(s Source) []Contradiction {
	out := []Contradiction{}
	if !s.Known || s.Place == nil || !s.Place.HasCoords {
		return out
	}
	for i := range e.out {
		h := &e.out[i]
		p := h.Place
		if p == nil || math.IsNaN(e.placeMs[i]) || p.Source == "user" {
			continue
		}
		d, ok := minDistanceKm(s.Place.Lat, s.Place.Lon, p)
		if !ok {
			continue
		}
		reach := e.placeMs[i] * geo.FibreKmPerMs
		if d <= reach+s.RadiusKm+contradictionSlackKm {
			continue
		}
		c := Contradiction{TTL: h.TTL, Place: p, DistanceKm: math.Round(d), MaxKm: math.Round(reach + s.RadiusKm), MinMs: e.placeMs[i],
			Reference: nearSource(s)}
		if rs := e.t.Hops[i].Responders; len(rs) > 0 && rs[0].Addr.IsValid() {
			c.Addr = rs[0].Addr.String()
		}
		out = append(out, c)
		h.Place = nil
		if r := reach + s.RadiusKm; r <= rttPlaceMaxKm {
			h.Place = &Place{City: s.Place.City, Country: s.Place.Country, Lat: s.Place.Lat, Lon: s.Place.Lon, HasCoords: true,
				Source: "rtt", Confidence: rttConfidence(r)}
		}
	}
	return out
}

// checkDestination rules out a destination place that the RTT at which the destination answered
// cannot allow from the source: the registry's country of an anycast address (a public resolver, a
// CDN) names where the prefix is registered, not the instance that answered. The place is then not
// stated and the destination is marked Anycast.
func (e *explainer) checkDestination(d *Destination, s Source) {
	if !d.Reached || !s.Known || s.Place == nil {
		return
	}
	if !s.Place.HasCoords {
		e.checkDestinationCountry(d, s)
		return
	}
	if d.Anycast {
		// Known anycast: only the RTT says where the instance that answered is.
		if ttl, m := e.measuredToDestination(*d); ttl > 0 {
			reach := m*geo.FibreKmPerMs + s.RadiusKm
			d.PlaceBasis += fmt.Sprintf("; it answers in %s ms from %s, so the instance that answered is within %s km of the source",
				approx(m), nearSource(s), GroupDigits(reach))
			if reach <= rttPlaceMaxKm {
				d.Place = &Place{City: s.Place.City, Country: s.Place.Country, Lat: s.Place.Lat, Lon: s.Place.Lon, HasCoords: true,
					Source: "rtt", Confidence: rttConfidence(reach)}
				d.Country, d.City = s.Place.Country, s.Place.City
			}
		}
		return
	}
	p := d.Place
	if p == nil && d.Country != "" {
		p = &Place{Country: d.Country, Source: "database"}
	}
	dist, ok := minDistanceKm(s.Place.Lat, s.Place.Lon, p)
	if !ok {
		return
	}
	ttl, m := e.measuredToDestination(*d)
	if ttl == 0 {
		return
	}
	reach := m*geo.FibreKmPerMs + s.RadiusKm
	if dist <= reach+contradictionSlackKm {
		return
	}
	said := p.Label()
	if p.City == "" {
		said = CountryName(p.Country)
	}
	d.Anycast = true
	d.PlaceBasis = fmt.Sprintf("the registry says %s, contradicted by RTT: it answers in %s ms from %s, so the instance that answered is within %s km of the source: likely anycast",
		said, approx(m), nearSource(s), GroupDigits(reach))
	d.Place, d.Country, d.City = nil, "", ""
	if reach <= rttPlaceMaxKm {
		d.Place = &Place{City: s.Place.City, Country: s.Place.Country, Lat: s.Place.Lat, Lon: s.Place.Lon, HasCoords: true,
			Source: "rtt", Confidence: rttConfidence(reach)}
		d.Country, d.City = s.Place.Country, s.Place.City
	}
}

// checkDestinationCountry is checkDestination for a source known only by its country: a destination
// whose registry country is farther from every point that country reaches than its RTT allows is likely
// anycast (a resolver registered in Austria answering in 19 ms from the United States).
func (e *explainer) checkDestinationCountry(d *Destination, s Source) {
	if d.Anycast || d.Country == "" || s.Place.Country == "" {
		return
	}
	p := d.Place
	if p == nil {
		p = &Place{Country: d.Country, Source: "database"}
	}
	if p.Source == "user" {
		return
	}
	dist, ok := pairKm(s.Place, p)
	ttl, m := e.measuredToDestination(*d)
	if !ok || ttl == 0 || dist <= m*geo.FibreKmPerMs+contradictionSlackKm {
		return
	}
	said := p.Label()
	if p.City == "" {
		said = CountryName(p.Country)
	}
	d.Anycast = true
	d.PlaceBasis = fmt.Sprintf("the registry says %s, contradicted by RTT: it answers in %s ms from a source in %s, so the instance that answered is within %s km of it, and %s is at least %s km away: likely anycast",
		said, approx(m), CountryName(s.Place.Country), GroupDigits(m*geo.FibreKmPerMs), said, GroupDigits(math.Round(dist)))
	d.Place, d.Country, d.City = nil, "", ""
}
