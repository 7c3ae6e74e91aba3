package geo

import (
	"math"
	"testing"
)

func TestDistanceKm(t *testing.T) {
	tests := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want, tol              float64
	}{
		{"same point", 48.86, 2.35, 48.86, 2.35, 0, 0.001},
		{"Paris to Singapore", 48.8566, 2.3522, 1.3521, 103.8198, 10740, 30},
		{"antipodes", 0, 0, 0, 180, math.Pi * EarthRadiusKm, 0.01},
		{"across the antimeridian", -33.87, 151.21, 34.05, -118.24, 12050, 60},
		{"short hop over the antimeridian", 0, 179.5, 0, -179.5, 111.2, 0.5},
		{"pole to pole", 90, 0, -90, 0, math.Pi * EarthRadiusKm, 1},
		{"London to New York", 51.5074, -0.1278, 40.7128, -74.0060, 5570, 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := DistanceKm(tc.lat1, tc.lon1, tc.lat2, tc.lon2)
			if math.Abs(got-tc.want) > tc.tol {
				t.Fatalf("DistanceKm = %.1f, want %.1f ± %.1f", got, tc.want, tc.tol)
			}
		})
	}
}

func TestLightBound(t *testing.T) {
	if got := LightMinRTTMs(10737); math.Abs(got-107.37) > 0.01 {
		t.Fatalf("LightMinRTTMs(10737) = %v", got)
	}
	if got := MaxDistanceKm(1.5); got != 150 {
		t.Fatalf("MaxDistanceKm(1.5) = %v", got)
	}
}
