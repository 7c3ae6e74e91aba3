package report

import (
	"math"
	"testing"

	"hopscope/internal/geo"
)

func TestGreatCircle(t *testing.T) {
	tests := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		// east is whether longitude must only rise (false: only fall).
		east bool
		// endLon is where the arc must end after unwrapping.
		endLon float64
		// maxLat bounds how far north the arc bulges.
		maxLat float64
	}{
		{"Sydney to Los Angeles goes east across the Pacific", -33.95, 151.18, 33.94, -118.41, true, -118.41 + 360, 40},
		{"Los Angeles to Sydney goes west across the Pacific", 33.94, -118.41, -33.95, 151.18, false, 151.18 - 360, 40},
		{"Tokyo to San Francisco bulges north", 35.68, 139.69, 37.77, -122.42, true, -122.42 + 360, 60},
		{"Paris to Singapore stays inside the world", 48.86, 2.35, 1.29, 103.85, true, 103.85, 50},
		{"London to New York goes west over the Atlantic", 51.51, -0.13, 40.71, -74.01, false, -74.01, 55},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			arc := greatCircle(tc.lat1, tc.lon1, tc.lat2, tc.lon2, arcStepKm)
			km := geo.DistanceKm(tc.lat1, tc.lon1, tc.lat2, tc.lon2)
			if want := int(math.Ceil(km/arcStepKm)) + 1; len(arc) != want {
				t.Errorf("%d points for %.0f km, want %d (every %d km)", len(arc), km, want, arcStepKm)
			}
			if arc[0] != [2]float64{round3(tc.lat1), round3(tc.lon1)} {
				t.Errorf("arc starts at %v", arc[0])
			}
			if end := arc[len(arc)-1]; math.Abs(end[1]-tc.endLon) > 0.01 || math.Abs(end[0]-tc.lat2) > 0.01 {
				t.Errorf("arc ends at %v, want %.2f,%.2f", end, tc.lat2, tc.endLon)
			}
			top := -90.0
			for i := 1; i < len(arc); i++ {
				step := arc[i][1] - arc[i-1][1]
				if (tc.east && step < 0) || (!tc.east && step > 0) {
					t.Fatalf("point %d goes the wrong way: %v → %v", i, arc[i-1], arc[i])
				}
				// Consecutive points are about a step apart on the ground.
				if d := geo.DistanceKm(arc[i-1][0], arc[i-1][1], arc[i][0], arc[i][1]); d > arcStepKm+1 {
					t.Errorf("points %d and %d are %.0f km apart", i-1, i, d)
				}
				top = math.Max(top, arc[i][0])
			}
			if top > tc.maxLat {
				t.Errorf("arc reaches latitude %.1f, want at most %.0f", top, tc.maxLat)
			}
		})
	}
}

func TestRouteArcsAndCountryDestination(t *testing.T) {
	sydney := &Place{City: "Sydney", Country: "AU", Lat: -33.95, Lon: 151.18, HasCoords: true, Label: "Sydney, AU"}
	la := &Place{City: "Los Angeles", Country: "US", Lat: 33.94, Lon: -118.41, HasCoords: true, Label: "Los Angeles, US"}
	ny := &Place{City: "New York", Country: "US", Lat: 40.71, Lon: -74.01, HasCoords: true, Label: "New York, US"}
	hop := func(ttl int, pl *Place, marks ...string) PathHop {
		return PathHop{TTL: ttl, ASN: 64500, Place: pl, RTT: &RTT{MinMs: float64(ttl)}, Marks: marks}
	}
	tests := []struct {
		name string
		p    Path
		// kinds are the route's point kinds in order.
		kinds []string
		// approx is the last point's Approx.
		approx string
	}{
		{"across the Pacific, the destination answering in New York",
			Path{Hops: []PathHop{hop(1, sydney), hop(2, la), hop(3, ny, "destination")},
				Findings: Findings{Source: Source{Known: true, Place: sydney}, Destination: Destination{Addr: "192.0.2.1", Reached: true, ReachedTTL: 3}}},
			[]string{"source", "hop", "hop", "destination"}, ""},
		{"a destination known only by its country stands at the country's centre",
			Path{Hops: []PathHop{hop(1, sydney), hop(2, la)},
				Findings: Findings{Source: Source{Known: true, Place: sydney}, Destination: Destination{Addr: "192.0.2.1", Country: "CN",
					Place: &Place{Country: "CN", Label: "CN"}}}},
			[]string{"source", "hop", "hop", "destination"}, "country"},
		{"an unlocated destination that answered is not drawn on the source",
			Path{Hops: []PathHop{{TTL: 1, ASN: 64500, RTT: &RTT{MinMs: 5}, Marks: []string{"destination"}}},
				Findings: Findings{Source: Source{Known: true, Place: sydney}, Destination: Destination{Addr: "192.0.2.1", Reached: true, ReachedTTL: 1}}},
			[]string{"source"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pts, _ := route(&tc.p)
			var kinds []string
			for _, pt := range pts {
				kinds = append(kinds, pt.Kind)
			}
			if len(kinds) != len(tc.kinds) {
				t.Fatalf("kinds %v, want %v", kinds, tc.kinds)
			}
			for i := range kinds {
				if kinds[i] != tc.kinds[i] {
					t.Fatalf("kinds %v, want %v", kinds, tc.kinds)
				}
			}
			for i, pt := range pts {
				if i == 0 {
					if pt.Arc != nil {
						t.Errorf("the first point has an arc")
					}
					continue
				}
				if len(pt.Arc) < 2 {
					t.Fatalf("point %d has no arc", i)
				}
				// Each leg continues where the one before ended.
				prevEnd := pts[i-1].Lon
				if i > 1 {
					prevEnd = pts[i-1].Arc[len(pts[i-1].Arc)-1][1]
				}
				if math.Abs(pt.Arc[0][1]-prevEnd) > 0.01 {
					t.Errorf("leg %d starts at longitude %.2f, the previous ended at %.2f", i, pt.Arc[0][1], prevEnd)
				}
				// The arc ends at the point itself, up to whole turns of the world.
				end := pt.Arc[len(pt.Arc)-1]
				if d := math.Mod(end[1]-pt.Lon+720, 360); math.Abs(end[0]-pt.Lat) > 0.01 || (d > 0.01 && d < 359.99) {
					t.Errorf("leg %d ends at %v, the point is at %.2f,%.2f", i, end, pt.Lat, pt.Lon)
				}
			}
			last := pts[len(pts)-1]
			if last.Approx != tc.approx {
				t.Errorf("last point approx %q, want %q", last.Approx, tc.approx)
			}
			if tc.approx == "country" && (last.RadiusKm < 500 || last.Place != "CN") {
				t.Errorf("country point %+v: want CN with a radius of its size", last)
			}
		})
	}
}
