package worldmap

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestCountries(t *testing.T) {
	cs := Countries()
	if len(cs) < 200 {
		t.Fatalf("got %d countries, want at least 200", len(cs))
	}
	want := map[string]bool{"France": false, "Singapore": false, "China": false, "Fiji": false}
	for _, c := range cs {
		if _, ok := want[c.Name]; ok {
			want[c.Name] = true
			if !strings.HasPrefix(c.Path, "M") || !strings.HasSuffix(c.Path, "z") {
				t.Errorf("%s: path %q... is not closed SVG path data", c.Name, c.Path[:20])
			}
		}
	}
	for n, ok := range want {
		if !ok {
			t.Errorf("country %s missing", n)
		}
	}
	if !strings.Contains(Attribution(), "Natural Earth") {
		t.Errorf("attribution %q does not credit Natural Earth", Attribution())
	}
}

func TestProjectAndFit(t *testing.T) {
	tests := []struct {
		name     string
		lat, lon float64
		x, y     float64
	}{
		{"null island", 0, 0, 1800, 900},
		{"paris", 48.85, 2.35, 1823.5, 411.5},
		{"south-west corner", -90, -180, 0, 1800},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, y := Project(tc.lat, tc.lon)
			if abs(x-tc.x) > 0.01 || abs(y-tc.y) > 0.01 {
				t.Errorf("Project(%v,%v) = %v,%v want %v,%v", tc.lat, tc.lon, x, y, tc.x, tc.y)
			}
		})
	}
	// Paris and Singapore must both be inside the fitted box, with 2:1 aspect.
	pts := [][2]float64{{48.85, 2.35}, {1.29, 103.85}}
	b := Fit(pts, 10)
	for _, p := range pts {
		x, y := Project(p[0], p[1])
		if x < b.X || x > b.X+b.W || y < b.Y || y > b.Y+b.H {
			t.Errorf("point %v outside box %+v", p, b)
		}
	}
	if abs(b.W-2*b.H) > 0.01 {
		t.Errorf("box %+v not 2:1", b)
	}
	if Fit(nil, 10) != World {
		t.Errorf("Fit(nil) should be the world")
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestCentre(t *testing.T) {
	tests := []struct {
		name, cc           string
		lat, lon, maxErrDg float64
		minKm, maxKm       float64
	}{
		{"China in its middle", "CN", 36, 104, 6, 1000, 2500},
		{"Australia's mainland, not Tasmania", "AU", -25, 134, 6, 1000, 2500},
		{"the contiguous United States, not Alaska", "us", 39, -98, 6, 1000, 2500},
		{"Norway's crescent drawn inside Norway", "NO", 64, 13, 4, 100, 600},
		{"Singapore is small", "SG", 1.35, 103.8, 1, 1, 50},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := Centre(tc.cc)
			if !ok {
				t.Fatalf("no centre for %s", tc.cc)
			}
			if math.Abs(c.Lat-tc.lat) > tc.maxErrDg || math.Abs(c.Lon-tc.lon) > tc.maxErrDg {
				t.Errorf("centre %.2f,%.2f, want near %.2f,%.2f", c.Lat, c.Lon, tc.lat, tc.lon)
			}
			if c.RadiusKm < tc.minKm || c.RadiusKm > tc.maxKm {
				t.Errorf("radius %.0f km, want %.0f..%.0f", c.RadiusKm, tc.minKm, tc.maxKm)
			}
		})
	}
	if _, ok := Centre("ZZ"); ok {
		t.Error("a code that names no country has a centre")
	}
}

func TestFitWrapped(t *testing.T) {
	tests := []struct {
		name   string
		pts    [][2]float64
		copies []float64
	}{
		{"inside the world is Fit", [][2]float64{{48.86, 2.35}, {1.29, 103.85}}, nil},
		// Sydney → Los Angeles with Los Angeles' longitude continued past 180 (-118 + 360).
		{"across the Pacific needs the copy east", [][2]float64{{-33.9, 151.2}, {33.9, 241.6}}, []float64{World.W}},
		{"the same shifted west needs the copy west", [][2]float64{{-33.9, -208.8}, {33.9, -118.4}}, []float64{-World.W}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := FitWrapped(tc.pts, 12)
			for _, p := range tc.pts {
				x, y := Project(p[0], p[1])
				if x < b.X || x > b.X+b.W || y < b.Y || y > b.Y+b.H {
					t.Errorf("point %v outside box %+v", p, b)
				}
			}
			if got := Copies(b); !slices.Equal(got, tc.copies) {
				t.Errorf("copies %v, want %v (box %+v)", got, tc.copies, b)
			}
			if b.W > World.W {
				t.Errorf("box %+v wider than the world", b)
			}
		})
	}
}
