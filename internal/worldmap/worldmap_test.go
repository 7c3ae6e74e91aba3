package worldmap

import (
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
