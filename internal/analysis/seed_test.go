package analysis

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hopscope/internal/enrich"
	"hopscope/internal/report"
	"hopscope/internal/tracefile"
)

// seedFile is the article's traceroute (Orange in Paris to Tencent in Singapore via Tata).
const seedFile = "testdata/macos-traceroute-orange-paris-to-tata-singapore_mincong-h.txt"

// corpusDir holds the saved outputs of every supported tool (shared with the importers' tests).
const corpusDir = "../tracefile/testdata/corpus"

// analyzeFile imports the single trace in file and analyses it on the embedded database alone.
func analyzeFile(t testing.TB, file string, opt Options) *report.Path {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	traces, err := tracefile.Parse(data, "")
	if err != nil || len(traces) != 1 {
		t.Fatalf("import %s: %d traces, %v", file, len(traces), err)
	}
	e, err := enrich.New(enrich.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return Path(traces[0], e, opt)
}

func TestSeedConclusions(t *testing.T) {
	p := analyzeFile(t, seedFile, Options{})
	f := p.Findings
	hop := func(ttl int) report.PathHop { return p.Hops[ttl-1] }

	t.Run("destination is Tencent AS132203 in Singapore and did not answer", func(t *testing.T) {
		d := f.Destination
		if d.ASN != 132203 || d.Operator != "Tencent" || d.Country != "SG" || d.City != "Singapore" || d.Reached || d.LastRespondingTTL != 14 {
			t.Errorf("destination = %+v", d)
		}
	})
	t.Run("Orange AS3215/AS5511 then Tata AS6453", func(t *testing.T) {
		var got []string
		for _, c := range f.Carriers {
			got = append(got, c.Name)
		}
		if !slices.Equal(got, []string{"Orange", "Tata Communications", "Tencent"}) {
			t.Fatalf("carriers = %v", got)
		}
		if !slices.Equal(f.Carriers[0].ASNs, []uint32{3215, 5511}) || !slices.Equal(f.Carriers[1].ASNs, []uint32{6453}) {
			t.Errorf("carrier ASNs = %v, %v", f.Carriers[0].ASNs, f.Carriers[1].ASNs)
		}
	})
	t.Run("Orange hands off to Tata in Paris at hop 9", func(t *testing.T) {
		// First, inside Orange, its domestic AS3215 to its international AS5511 (hop 8, the
		// opentransit.net router).
		if len(f.HandOffs) != 3 || !f.HandOffs[0].Entry || f.HandOffs[1].Within != "Orange" || f.HandOffs[1].AtTTL != 8 {
			t.Fatalf("hand-offs = %+v", f.HandOffs)
		}
		h := f.HandOffs[2]
		if h.From != "Orange" || h.To != "Tata Communications" || h.AtTTL != 9 || h.Place == nil || h.Place.City != "Paris" {
			t.Errorf("hand-off = %+v", h)
		}
	})
	t.Run("latency jumps from ~6 ms to ~240 ms at hops 8-9, leaving France for Singapore", func(t *testing.T) {
		var largest *struct{ from, to int }
		for _, j := range f.Jumps {
			if j.Largest {
				largest = &struct{ from, to int }{j.FromTTL, j.ToTTL}
				if math.Abs(j.FromMs-6.442) > 0.01 || math.Abs(j.ToMs-239.959) > 0.01 || !j.Persistent {
					t.Errorf("jump = %+v", j)
				}
				if j.FromPlace == nil || j.FromPlace.Country != "FR" || j.ToPlace == nil || j.ToPlace.City != "Singapore" {
					t.Errorf("jump crossing = %+v → %+v", j.FromPlace, j.ToPlace)
				}
			}
		}
		if largest == nil || largest.from != 8 || largest.to != 9 {
			t.Errorf("largest jump = %+v, want 8→9", largest)
		}
	})
	t.Run("hop 11 is slow ICMP, not path latency", func(t *testing.T) {
		if len(f.Spikes) != 1 || f.Spikes[0].TTL != 11 {
			t.Errorf("spikes = %+v", f.Spikes)
		}
	})
	t.Run("hostnames place hops in Paris, Marseille and Singapore", func(t *testing.T) {
		for ttl, city := range map[int]string{9: "Paris", 11: "Marseille", 13: "Singapore"} {
			if pl := hop(ttl).Place; pl == nil || pl.City != city || pl.Source != "hostname" {
				t.Errorf("hop %d place = %+v, want %s from the hostname", ttl, pl, city)
			}
		}
	})
	t.Run("hops 13 and 14 have several responders", func(t *testing.T) {
		var ttls []int
		for _, m := range f.MultiResponders {
			ttls = append(ttls, m.TTL)
		}
		if !slices.Equal(ttls, []int{13, 14}) || len(hop(13).Responders) != 2 || len(hop(14).Responders) != 3 {
			t.Errorf("multi-responder hops = %v", ttls)
		}
	})
	t.Run("the 11.x hop is internal address space", func(t *testing.T) {
		n := 0
		for _, s := range f.Special {
			if s.TTL == 14 && strings.HasPrefix(s.Addr, "11.28.") && s.Kind == "unannounced" && s.Prefix == "11.0.0.0/8" && strings.Contains(s.Note, "internal address space") {
				n++
			}
		}
		if n != 3 {
			t.Errorf("special = %+v", f.Special)
		}
		if !slices.Contains(hop(14).Marks, "special") {
			t.Errorf("hop 14 marks = %v", hop(14).Marks)
		}
	})
	t.Run("distance Paris-Singapore and light-speed minimum", func(t *testing.T) {
		d := f.Distance
		if d == nil || d.From.City != "Paris" || d.To.City != "Singapore" || math.Abs(d.Km-10737) > 100 || math.Abs(d.LightMinMs-107.4) > 1 || d.Stretch < 2 || d.Stretch > 2.5 {
			t.Errorf("distance = %+v", d)
		}
	})
	t.Run("summary says why it is slow", func(t *testing.T) {
		for _, want := range []string{"Tencent (AS132203) in Singapore", "Orange (AS3215/AS5511) hands the traffic to Tata Communications (AS6453) in Paris",
			"~6 ms to ~240 ms between hops 8 and 9", "leaves France", "~10,700 km", "~107 ms", "the server is in Singapore"} {
			if !strings.Contains(p.Summary, want) {
				t.Errorf("summary lacks %q:\n%s", want, p.Summary)
			}
		}
	})
}

func TestFromLocation(t *testing.T) {
	tests := []struct {
		name     string
		location string
		wantCity string
		wantKm   float64
	}{
		{"city", "Lyon", "Lyon", 10600},
		{"coordinates", "48.8566, 2.3522", "", 10737},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			from, err := ParseLocation(tc.location)
			if err != nil {
				t.Fatal(err)
			}
			f := analyzeFile(t, seedFile, Options{From: from}).Findings
			if f.Source.Basis != "--from-location" || f.Source.Place.City != tc.wantCity || f.Source.Approximate {
				t.Errorf("source = %+v", f.Source)
			}
			if f.Distance == nil || math.Abs(f.Distance.Km-tc.wantKm) > 150 {
				t.Errorf("distance = %+v, want ~%.0f km", f.Distance, tc.wantKm)
			}
		})
	}
}

func TestContradiction(t *testing.T) {
	file := filepath.Join(corpusDir, "linux-traceroute-aws-tokyo-pccw-facebook_jc-generic.txt")
	if _, err := os.Stat(file); err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	// Claiming the trace ran from Paris contradicts hops that answer within a few ms from Tokyo.
	paris, _ := ParseLocation("Paris")
	c := analyzeFile(t, file, Options{From: paris}).Findings.Contradictions
	if len(c) == 0 || c[0].TTL != 1 || c[0].Place.City != "Tokyo" || c[0].DistanceKm < 9000 || c[0].MaxKm > 200 {
		t.Fatalf("contradictions = %+v", c)
	}
	// From Tokyo no place read from a name contradicts; what does is the database's country for PCCW and
	// Facebook hops answering in 7–8 ms (Hong Kong is ~2,900 km away, the United States farther), which
	// the report then does not state.
	tokyo, _ := ParseLocation("Tokyo")
	p := analyzeFile(t, file, Options{From: tokyo})
	c = p.Findings.Contradictions
	if len(c) == 0 || c[0].TTL != 14 || c[0].Place.Label != "HK" {
		t.Fatalf("contradictions from Tokyo = %+v, want hop 14's HK first", c)
	}
	for _, x := range c {
		if x.Place.Source != "database" || x.Place.Country == "JP" {
			t.Errorf("contradiction from Tokyo: hop %d placed in %s by %s", x.TTL, x.Place.Label, x.Place.Source)
		}
		if h := hopOf(p, x.TTL); h.Place != nil && h.Place.Label == x.Place.Label {
			t.Errorf("hop %d still placed in %s", x.TTL, h.Place.Label)
		}
		for _, r := range hopOf(p, x.TTL).Responders {
			if r.PlaceLabel == x.Place.Label {
				t.Errorf("hop %d responder %s still shown in %s", x.TTL, r.Addr, r.PlaceLabel)
			}
		}
	}
}
