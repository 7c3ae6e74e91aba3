package report

import (
	"math"

	"hopscope/internal/geo"
	"hopscope/internal/worldmap"
)

// arcStepKm is the spacing of the points a route leg's great circle is drawn through.
const arcStepKm = 200

// greatCircle returns points along the shorter great circle from (lat1, lon1) to (lat2, lon2), about every
// stepKm, both ends included, as [lat, lon] pairs whose longitudes change continuously from lon1: a leg
// across the antimeridian runs on past ±180 rather than jumping back across the map.
func greatCircle(lat1, lon1, lat2, lon2, stepKm float64) [][2]float64 {
	km := geo.DistanceKm(lat1, lon1, lat2, lon2)
	n := max(int(math.Ceil(km/stepKm)), 1)
	rad := math.Pi / 180
	φ1, λ1, φ2, λ2 := lat1*rad, lon1*rad, lat2*rad, lon2*rad
	// The angle between the two points on the sphere (the haversine's central angle).
	d := 2 * math.Asin(math.Sqrt(math.Pow(math.Sin((φ2-φ1)/2), 2)+math.Cos(φ1)*math.Cos(φ2)*math.Pow(math.Sin((λ2-λ1)/2), 2)))
	out := make([][2]float64, 0, n+1)
	prevLon := lon1
	for i := 0; i <= n; i++ {
		f := float64(i) / float64(n)
		var lat, lon float64
		switch {
		case i == 0:
			lat, lon = lat1, lon1
		case i == n || d < 1e-9:
			lat, lon = lat2, lon2
		default:
			a, b := math.Sin((1-f)*d)/math.Sin(d), math.Sin(f*d)/math.Sin(d)
			x := a*math.Cos(φ1)*math.Cos(λ1) + b*math.Cos(φ2)*math.Cos(λ2)
			y := a*math.Cos(φ1)*math.Sin(λ1) + b*math.Cos(φ2)*math.Sin(λ2)
			z := a*math.Sin(φ1) + b*math.Sin(φ2)
			lat, lon = math.Atan2(z, math.Hypot(x, y))/rad, math.Atan2(y, x)/rad
		}
		// Continue from the previous point: never a step of more than half the world.
		lon += 360 * math.Round((prevLon-lon)/360)
		prevLon = lon
		out = append(out, [2]float64{round3(lat), round3(lon)})
	}
	return out
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// addArcs gives every point after the first the great circle of its leg, each leg continuing from the
// longitude where the one before ended, so the whole route is one unbroken line.
func addArcs(pts []RoutePoint) {
	if len(pts) == 0 {
		return
	}
	lon := pts[0].Lon
	for i := 1; i < len(pts); i++ {
		prev := pts[i-1]
		arc := greatCircle(prev.Lat, prev.Lon, pts[i].Lat, pts[i].Lon, arcStepKm)
		shift := lon - arc[0][1]
		for k := range arc {
			arc[k][1] = round3(arc[k][1] + shift)
		}
		pts[i].Arc = arc
		lon = arc[len(arc)-1][1]
	}
}

// countryPoint places a destination known only by its country at the country's centre, with the radius
// the place may lie within; false when the country is unknown or not on the map.
func countryPoint(d Destination) (RoutePoint, bool) {
	cc := d.Country
	if d.Place != nil && d.Place.Country != "" {
		cc = d.Place.Country
	}
	c, ok := worldmap.Centre(cc)
	if cc == "" || !ok {
		return RoutePoint{}, false
	}
	what := "did not answer"
	if d.Reached {
		what = "answered"
	}
	return RoutePoint{Kind: "destination", Lat: c.Lat, Lon: c.Lon, TTL: d.ReachedTTL, ASN: d.ASN,
		Label: "destination " + d.Addr + ": somewhere in " + cc + " (" + what + "; only the country is known)",
		Place: cc, Approx: "country", RadiusKm: math.Round(c.RadiusKm)}, true
}
