package explain

import (
	"math"
	"net/netip"
	"reflect"
	"testing"

	"hopscope/internal/enrich"
	"hopscope/internal/explain/explaintest"
	"hopscope/internal/geo"
)

// farSideNaive is the far-side search as it was before issue 16: for every hop, every later hop from the
// end. farSide must give the same findings.
func farSideNaive(e *explainer) []FarSide {
	out := []FarSide{}
	for i, h := range e.out {
		p := h.Place
		if p == nil || !p.HasCoords || p.Source != "hostname" || math.IsNaN(e.placeMs[i]) || e.fasterLaterHere(i) {
			continue
		}
		for j := len(e.out) - 1; j > i; j-- {
			q := e.out[j].Place
			if q == nil || !q.HasCoords || q.Source != "hostname" || math.IsNaN(e.placeMs[j]) {
				continue
			}
			d := km(p, q)
			need := d / geo.FibreKmPerMs
			if d >= farSideMinKm && e.placeMs[j] >= need && e.placeMs[i] >= 0.8*e.placeMs[j] && e.placeMs[i] >= need && e.placeMs[j] <= e.placeMs[i]+0.5*need {
				out = append(out, FarSide{TTL: h.TTL, Place: p, MinMs: e.placeMs[i], FarTTL: e.out[j].TTL, FarPlace: q, FarMs: e.placeMs[j], DistanceKm: math.Round(d)})
				break
			}
		}
	}
	return out
}

// explainerFromBytes makes hops from byte pairs (place, RTT): places in Paris, Marseille, New York,
// Singapore and Sydney (two of them twice, with their own pointers), some placed by the database, some
// unplaced, RTTs from 0 to 255 ms with NaN for silence.
func explainerFromBytes(data []byte) *explainer {
	places := []*Place{
		{City: "Paris", Country: "FR", Lat: 48.86, Lon: 2.35, HasCoords: true, Source: "hostname"},
		{City: "Marseille", Country: "FR", Lat: 43.30, Lon: 5.37, HasCoords: true, Source: "hostname"},
		{City: "New York", Country: "US", Lat: 40.71, Lon: -74.01, HasCoords: true, Source: "hostname"},
		{City: "Singapore", Country: "SG", Lat: 1.29, Lon: 103.85, HasCoords: true, Source: "hostname"},
		{City: "Sydney", Country: "AU", Lat: -33.87, Lon: 151.21, HasCoords: true, Source: "hostname"},
		{City: "Paris", Country: "FR", Lat: 48.86, Lon: 2.35, HasCoords: true, Source: "hostname"},
		{City: "Singapore", Country: "SG", Lat: 1.29, Lon: 103.85, HasCoords: true, Source: "database"},
		{Country: "SG", Source: "database"},
		nil,
	}
	e := &explainer{}
	for i := 0; i+1 < len(data); i += 2 {
		m := float64(data[i+1])
		if data[i+1] == 255 {
			m = math.NaN()
		}
		e.out = append(e.out, Hop{TTL: len(e.out) + 1, Place: places[int(data[i])%len(places)]})
		e.mins = append(e.mins, m)
		e.placeMs = append(e.placeMs, m)
	}
	return e
}

func TestFarSideMatchesNaive(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"none", nil},
		{"paris then singapore far end", []byte{0, 160, 0, 5, 3, 170, 3, 175}},
		{"two far ends, the last wins", []byte{0, 200, 3, 180, 4, 190, 2, 100}},
		{"same place twice", []byte{0, 120, 5, 120, 3, 130, 6, 130}},
		{"silence and database places", []byte{0, 255, 3, 255, 6, 200, 7, 200, 8, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := explainerFromBytes(tc.data)
			if got, want := e.farSide(), farSideNaive(e); !reflect.DeepEqual(got, want) {
				t.Errorf("farSide = %+v\nwant %+v", got, want)
			}
		})
	}
	if got := explainerFromBytes([]byte{0, 160, 3, 170}).farSide(); len(got) != 1 || got[0].FarTTL != 2 {
		t.Errorf("Paris at 160 ms before Singapore at 170 ms: %+v, want one far-side finding to hop 2", got)
	}
}

func FuzzFarSide(f *testing.F) {
	f.Add([]byte{0, 160, 0, 5, 3, 170, 3, 175})
	f.Add([]byte{0, 200, 3, 180, 4, 190, 2, 100, 1, 250, 5, 90})
	f.Fuzz(func(t *testing.T, data []byte) {
		e := explainerFromBytes(data)
		if got, want := e.farSide(), farSideNaive(e); !reflect.DeepEqual(got, want) {
			t.Fatalf("farSide = %+v\nwant %+v", got, want)
		}
	})
}

func TestRangeMax(t *testing.T) {
	v := []int{5, 1, 9, 3, 7, 2, 8}
	rm := newRangeMax(v)
	for lo := 0; lo <= len(v); lo++ {
		for hi := lo; hi <= len(v); hi++ {
			want := -1
			for _, x := range v[lo:hi] {
				want = max(want, x)
			}
			if got := rm.max(lo, hi); got != want {
				t.Errorf("max(%d, %d) = %d, want %d", lo, hi, got, want)
			}
		}
	}
}

// TestJumpCrossing: a jump's crossing ends where its RTT is physically reached; a hop named in a nearer
// place that already answers with a farther place's RTT (the far end of a tunnel) is not that end.
func TestJumpCrossing(t *testing.T) {
	london := enrich.Hint{City: "London", Country: "GB", Lat: 51.5074, Lon: -0.1278, HasCoords: true, Confidence: "high"}
	newYork := enrich.Hint{City: "New York", Country: "US", Lat: 40.7128, Lon: -74.0060, HasCoords: true, Confidence: "high"}
	tests := []struct {
		name     string
		hops     []string
		hints    map[string]*enrich.Hint
		from, to string
		farTTL   int // the hop the far-side finding names; 0 for none
	}{
		{
			name:  "a hop named in London that answers with Singapore's RTT: the crossing is to Singapore",
			hops:  []string{"192.0.2.1/0.4", "192.0.2.2/160", "192.0.2.3/150", "192.0.2.4/160", "203.0.113.9/161"},
			hints: map[string]*enrich.Hint{"192.0.2.1": &explaintest.Paris, "192.0.2.3": &london, "192.0.2.4": &explaintest.Singapore, "203.0.113.9": &explaintest.Singapore},
			from:  "Paris, FR", to: "Singapore, SG", farTTL: 3,
		},
		{
			// Paris to New York needs 58 ms: a rise of 160 ms may be that crossing, whatever the RTT of later hops.
			name:  "a far-side hop whose own place accounts for the rise keeps it",
			hops:  []string{"192.0.2.1/0.4", "192.0.2.2/160", "192.0.2.4/165", "203.0.113.9/165"},
			hints: map[string]*enrich.Hint{"192.0.2.1": &explaintest.Paris, "192.0.2.2": &newYork, "192.0.2.4": &explaintest.Singapore, "203.0.113.9": &explaintest.Singapore},
			from:  "Paris, FR", to: "New York, US", farTTL: 2,
		},
		{
			name:  "a hop in London at London's RTT ends the crossing there",
			hops:  []string{"192.0.2.1/0.4", "192.0.2.2/10", "192.0.2.3/11", "192.0.2.4/160", "203.0.113.9/161"},
			hints: map[string]*enrich.Hint{"192.0.2.1": &explaintest.Paris, "192.0.2.3": &london, "192.0.2.4": &explaintest.Singapore, "203.0.113.9": &explaintest.Singapore},
			from:  "Paris, FR", to: "London, GB",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := map[netip.Addr]enrich.Info{}
			for a, h := range tc.hints {
				in[netip.MustParseAddr(a)] = enrich.Info{Hint: h}
			}
			f := Explain(explaintest.Trace("203.0.113.9", tc.hops...), in, Options{})
			if len(f.Jumps) == 0 {
				t.Fatalf("no jump: %s", f.Summary)
			}
			far := 0
			if len(f.FarSide) > 0 {
				far = f.FarSide[0].TTL
			}
			if far != tc.farTTL {
				t.Errorf("far-side hop = %d, want %d", far, tc.farTTL)
			}
			j := f.Jumps[0]
			if got := j.FromPlace.Label() + " → " + j.ToPlace.Label(); got != tc.from+" → "+tc.to {
				t.Errorf("crossing = %s, want %s → %s\n%s", got, tc.from, tc.to, f.Summary)
			}
		})
	}
}
