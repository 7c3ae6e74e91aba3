package analysis

import (
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"

	"hopscope/internal/enrich"
	"hopscope/internal/explain"
	"hopscope/internal/inventory"
	"hopscope/internal/report"
)

// TestHostChecks: the handshake RTT bounds the distance; a database place beyond it is a contradiction.
func TestHostChecks(t *testing.T) {
	paris := &explain.Place{City: "Paris", Country: "FR", Lat: 48.86, Lon: 2.35, HasCoords: true, Source: "user"}
	addr := netip.MustParseAddr
	flow := func(host, server string, rtt time.Duration) inventory.Flow {
		return inventory.Flow{Host: host, Server: netip.MustParseAddrPort(server), HandshakeRTT: rtt, HasHandshakeRTT: rtt > 0}
	}
	inv := &inventory.Inventory{Flows: []inventory.Flow{
		flow("near.example", "192.0.2.1:443", 3*time.Millisecond),
		flow("Near.Example.", "192.0.2.1:443", 2*time.Millisecond), // the smallest RTT counts, names fold
		flow("far.example", "192.0.2.2:443", 5*time.Millisecond),
		flow("", "192.0.2.3:443", 40*time.Millisecond),
		flow("nortt.example", "192.0.2.4:443", 0),
		flow("ok.example", "192.0.2.5:443", 10*time.Millisecond),
		flow("city.example", "192.0.2.6:443", 1*time.Millisecond),
	}}
	servers := map[netip.Addr]enrich.Info{
		addr("192.0.2.1"): {Lat: 50.11, Lon: 8.68, HasCoords: true, City: "Frankfurt", Country: "DE"}, // ~480 km from Paris
		addr("192.0.2.2"): {Lat: 1.35, Lon: 103.82, HasCoords: true, City: "Singapore", Country: "SG"},
		addr("192.0.2.5"): {Lat: 50.85, Lon: 4.35, HasCoords: true, City: "Brussels", Country: "BE"}, // ~260 km, 10 ms allows 1000
		addr("192.0.2.6"): {Lat: 41.90, Lon: 12.50, HasCoords: true, Country: "IT"},
	}
	tests := []struct {
		name      string
		from      *explain.Place
		verdict   map[string]string // host → verdict
		maxKm     map[string]float64
		dbKmGt    map[string]float64
		noteHas   map[string]string
		wantOrder []string
	}{
		{name: "with vantage point", from: paris,
			// 2 ms allows 200 km but Frankfurt is ~480 km from Paris; 5 ms cannot reach Singapore.
			verdict: map[string]string{"near.example": report.VerdictContradiction, "far.example": report.VerdictContradiction,
				"192.0.2.3": report.VerdictUnknown, "ok.example": report.VerdictConsistent, "city.example": report.VerdictContradiction},
			maxKm:  map[string]float64{"near.example": 200, "far.example": 500, "192.0.2.3": 4000, "ok.example": 1000},
			dbKmGt: map[string]float64{"near.example": 400, "far.example": 10000, "ok.example": 200},
			noteHas: map[string]string{"near.example": "in Frankfurt, DE", "192.0.2.3": "has no location",
				"ok.example": "within the 1000 km", "city.example": "in IT,"},
			wantOrder: []string{"192.0.2.3", "city.example", "far.example", "near.example", "ok.example"}},
		{name: "without vantage point", from: nil,
			verdict: map[string]string{"near.example": report.VerdictUnknown, "far.example": report.VerdictUnknown,
				"192.0.2.3": report.VerdictUnknown, "ok.example": report.VerdictUnknown, "city.example": report.VerdictUnknown},
			maxKm:   map[string]float64{"near.example": 200},
			noteHas: map[string]string{"near.example": "give --from-location"}},
		{name: "vantage point without coordinates", from: &explain.Place{Country: "FR"},
			verdict: map[string]string{"near.example": report.VerdictUnknown, "far.example": report.VerdictUnknown,
				"192.0.2.3": report.VerdictUnknown, "ok.example": report.VerdictUnknown, "city.example": report.VerdictUnknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checks := HostChecks(inv, servers, tt.from)
			if len(checks) != len(tt.verdict) {
				t.Fatalf("%d checks, want %d: %+v", len(checks), len(tt.verdict), checks)
			}
			for i, c := range checks {
				if tt.wantOrder != nil && c.Host != tt.wantOrder[i] {
					t.Errorf("check %d is %s, want %s", i, c.Host, tt.wantOrder[i])
				}
				if c.Verdict != tt.verdict[c.Host] {
					t.Errorf("%s: verdict %s, want %s (%+v)", c.Host, c.Verdict, tt.verdict[c.Host], c)
				}
				if c.Contradiction != (c.Verdict == report.VerdictContradiction) {
					t.Errorf("%s: contradiction %v with verdict %s", c.Host, c.Contradiction, c.Verdict)
				}
				if (c.DBDistanceKm < 0) != (c.Verdict == report.VerdictUnknown) {
					t.Errorf("%s: database distance %.0f with verdict %s", c.Host, c.DBDistanceKm, c.Verdict)
				}
				if m, ok := tt.maxKm[c.Host]; ok && math.Abs(c.MaxDistanceKm-m) > 0.01 {
					t.Errorf("%s: max %.1f km, want %.1f", c.Host, c.MaxDistanceKm, m)
				}
				if g, ok := tt.dbKmGt[c.Host]; ok && c.DBDistanceKm < g {
					t.Errorf("%s: database distance %.0f km, want > %.0f", c.Host, c.DBDistanceKm, g)
				}
				if c.Note == "" || !strings.Contains(c.Note, tt.noteHas[c.Host]) {
					t.Errorf("%s: note %q lacks %q", c.Host, c.Note, tt.noteHas[c.Host])
				}
			}
		})
	}
	if got := HostChecks(&inventory.Inventory{Flows: []inventory.Flow{flow("a.example", "192.0.2.1:443", 0)}}, servers, paris); got != nil {
		t.Errorf("checks without any handshake RTT: %+v", got)
	}
}
