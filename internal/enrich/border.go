package enrich

import (
	"math"
	"sync"
)

// borderKm is how near a place must lie to a country for that country to say nothing against it: an
// address database's country is often the registrant's, and a city on a border (Strasbourg, beside
// Germany) is served from either side.
const borderKm = 250

// latLon is a point of the place tables.
type latLon struct{ lat, lon float64 }

// countryPoints returns every city and airport of the place tables by country, built on first use.
var countryPoints = sync.OnceValue(func() map[string][]latLon {
	ix := places()
	m := map[string][]latLon{}
	for _, e := range ix.cities {
		m[e.p.country] = append(m[e.p.country], latLon{e.p.lat, e.p.lon})
	}
	for _, e := range ix.codes {
		m[e.p.country] = append(m[e.p.country], latLon{e.p.lat, e.p.lon})
	}
	return m
})

// nearCountry reports whether the point (lat, lon) lies within km of a city or airport of country cc
// (an ISO code, upper case); false for a country the tables do not know.
func nearCountry(lat, lon float64, cc string, km float64) bool {
	pts := countryPoints()[cc]
	if len(pts) == 0 {
		return false
	}
	const earthKm = 6371.0
	// Equirectangular distance: exact enough at a few hundred kilometres.
	maxRad := km / earthKm
	cosLat := math.Cos(lat * math.Pi / 180)
	for _, q := range pts {
		dLat := (q.lat - lat) * math.Pi / 180
		if math.Abs(dLat) > maxRad {
			continue
		}
		dLon := math.Remainder(q.lon-lon, 360) * math.Pi / 180 * cosLat
		if dLat*dLat+dLon*dLon <= maxRad*maxRad {
			return true
		}
	}
	return false
}
