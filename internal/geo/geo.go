// Package geo holds the geometry every stage shares: great-circle distance and the speed of light in fibre.
package geo

import "math"

// EarthRadiusKm is the mean Earth radius (IUGG).
const EarthRadiusKm = 6371.0088

// FibreKmPerMs is how far light in fibre travels per millisecond of round-trip time: about 200,000 km/s
// one way, so ~100 km per ms of RTT.
const FibreKmPerMs = 100.0

// DistanceKm returns the great-circle distance in kilometres between two points given in degrees
// (haversine formula on a spherical Earth; within 0.5% of the ellipsoidal distance).
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	φ1, φ2 := lat1*rad, lat2*rad
	dφ := (lat2 - lat1) * rad
	dλ := (lon2 - lon1) * rad
	h := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	return 2 * EarthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}

// LightMinRTTMs is the least round-trip time in milliseconds that light in fibre needs for km of
// great-circle distance each way.
func LightMinRTTMs(km float64) float64 { return km / FibreKmPerMs }

// MaxDistanceKm is the farthest a responder can be, in kilometres, when it answers in rttMs.
func MaxDistanceKm(rttMs float64) float64 { return rttMs * FibreKmPerMs }
