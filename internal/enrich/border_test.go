package enrich

import "testing"

func TestNearCountry(t *testing.T) {
	tests := []struct {
		desc     string
		lat, lon float64
		cc       string
		want     bool
	}{
		{"strasbourg beside germany", 48.57, 7.75, "DE", true},
		{"geneva beside france", 46.20, 6.14, "FR", true},
		{"baghdad far from russia", 33.31, 44.37, "RU", false},
		{"manus island far from australia", -2.06, 147.42, "AU", false},
		{"paris far from germany", 48.86, 2.35, "DE", false},
		{"unknown country", 48.57, 7.75, "ZZ", false},
		{"across the antimeridian", 65.0, -179.9, "RU", true},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := nearCountry(tt.lat, tt.lon, tt.cc, borderKm); got != tt.want {
				t.Errorf("nearCountry(%v, %v, %s) = %v, want %v", tt.lat, tt.lon, tt.cc, got, tt.want)
			}
		})
	}
}
