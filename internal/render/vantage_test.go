package render

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"hopscope/internal/analysis"
	"hopscope/internal/enrich"
	"hopscope/internal/report"
	"hopscope/internal/tracefile"
)

// vantageReport analyses the recorded three-probe Globalping measurement (Shenzhen, Paris, Sydney
// offline) as analyze and trace --via do.
func vantageReport(t *testing.T) *report.Report {
	t.Helper()
	data, err := os.ReadFile("../report/testdata/globalping-vantages.json")
	if err != nil {
		t.Fatal(err)
	}
	traces, err := tracefile.Parse(data, "")
	if err != nil {
		t.Fatal(err)
	}
	e, err := enrich.New(enrich.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	rep := report.New(report.KindPath, time.Date(2025, 3, 4, 10, 15, 0, 0, time.UTC))
	rep.Paths, rep.Vantages = analysis.Vantages(traces, e)
	return rep
}

// TestVantagesJSON checks the conclusions as a JSON reader sees them.
func TestVantagesJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, vantageReport(t)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Vantages struct {
			Slowest, Fastest int
			Differs          bool
			Summary          string
			Shared           struct {
				Addrs []string
			}
			Origins []struct {
				Label      string
				MinRTTMs   float64 `json:"min_rtt_ms"`
				DistanceKm float64 `json:"distance_km"`
				LightMinMs float64 `json:"light_min_rtt_ms"`
				Stretch    float64
				ASPath     []uint32 `json:"as_path"`
				Measured   bool
				Exit       *struct {
					TTL   int
					Place string
				}
				Join  *struct{ TTL int }
				Place *struct{ Source string }
			}
		}
		Paths []json.RawMessage
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	v := doc.Vantages
	if len(v.Origins) != 3 || len(doc.Paths) != 3 {
		t.Fatalf("%d origins, %d paths", len(v.Origins), len(doc.Paths))
	}
	slow, fast := v.Origins[v.Slowest], v.Origins[v.Fastest]
	checks := []struct {
		name      string
		got, want any
	}{
		{"slower origin", slow.Label, "Shenzhen, CN"},
		{"faster origin", fast.Label, "Paris, FR"},
		{"differs", v.Differs, true},
		{"slow stretch", slow.Stretch, 2.9},
		{"fast stretch", fast.Stretch, 2.0},
		{"slow light minimum", slow.LightMinMs, 91.3},
		{"slow distance", slow.DistanceKm, 9132.0},
		{"slow AS path", len(slow.ASPath) == 3 && slow.ASPath[1] == 2914, true},
		{"slow exit", slow.Exit != nil && slow.Exit.TTL == 7 && slow.Exit.Place == "Los Angeles, US", true},
		{"slow joins at", slow.Join != nil && slow.Join.TTL == 10, true},
		{"fast joins at", fast.Join != nil && fast.Join.TTL == 6, true},
		{"origin from the probe", slow.Place != nil && slow.Place.Source == "globalping probe", true},
		{"shared segment", strings.Join(v.Shared.Addrs, ","), "213.239.252.34,88.198.20.10"},
		{"offline probe listed, not measured", v.Origins[2].Measured, false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if !strings.Contains(v.Summary, "slow from Shenzhen, CN (264.9 ms), not from Paris, FR (9.6 ms), because") {
		t.Errorf("summary %q", v.Summary)
	}
}

// TestVantagesTextMarkdownHTML: every format shows the conclusion and the facts behind it, ahead of
// the per-path reports.
func TestVantagesTextMarkdownHTML(t *testing.T) {
	rep := vantageReport(t)
	facts := []string{
		"Vantage points compared: shop.example.com",
		"slow from Shenzhen, CN (264.9 ms), not from Paris, FR (9.6 ms), because",
		"China Telecom (AS4134)",
		"9,132 km, light ≥ 91.3 ms, 2.9× that",
		"478 km, light ≥ 4.8 ms, 2.0× that",
		"AS4134 → AS2914 → AS24940",
		"hop 7, Los Angeles, US (AS2914)",
		"hop 10 at 263.0 ms",
		"not measured (probe offline)",
		"core24.fra.hetzner.com (213.239.252.34, Frankfurt, DE)",
	}
	for _, format := range []string{"text", "markdown", "html"} {
		t.Run(format, func(t *testing.T) {
			rf, err := ByName(format, false)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := rf(&buf, rep); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if format == "html" {
				out = strings.NewReplacer("&#39;", "'", "&amp;", "&", "&gt;", ">", "&lt;", "<").Replace(out)
			}
			flat := strings.Join(strings.Fields(out), " ")
			for _, f := range facts {
				if !strings.Contains(flat, f) {
					t.Errorf("%s lacks %q", format, f)
				}
			}
			first := "Path to shop.example.com"
			if format == "html" {
				first = `<section class="path"`
			}
			if i, j := strings.Index(out, "Vantage points compared"), strings.Index(out, first); i < 0 || j < 0 || i > j {
				t.Errorf("%s: the comparison is not ahead of the paths (%d, %d)", format, i, j)
			}
		})
	}
}
