package cli

import (
	"encoding/json"
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"

	"hopscope/internal/enrich"
	"hopscope/internal/inventory"
	"hopscope/internal/report"
)

const captureTestdata = "../capture/testdata/"

func TestCaptureCommand(t *testing.T) {
	arkime := captureTestdata + "arkime-curl-enabled-tls13.pcap"
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
		wantErr  string
	}{
		{"text summary", []string{"capture", "--color", "never", arkime}, ExitOK, []string{"enabled.tls13.com", "tls13.com"}, ""},
		{"markdown", []string{"capture", "--format", "markdown", captureTestdata + "zeek-quic-curl-http3-www-google-de.pcap"}, ExitOK, []string{"www.google.de"}, ""},
		{"flows table", []string{"capture", "--flows", arkime}, ExitOK, []string{"c2", "104.16.125.34:443", "enabled.tls13.com", "sni", "20.0ms"}, ""},
		{"flows markdown", []string{"capture", "--flows", "--format", "markdown", captureTestdata + "ndpi-android.pcap"}, ExitOK, []string{"| c", "captive.apple.com → captive-cidr.origin-apple.com.akadns.net", "mtalk.google.com"}, ""},
		{"filter", []string{"capture", "--flows", "--filter", "udp port 53", arkime}, ExitOK, []string{"192.168.65.1:53"}, ""},
		{"missing file", []string{"capture", "nonexistent.pcap"}, ExitBadInput, nil, "open capture"},
		{"not a capture", []string{"capture", captureTestdata + "SOURCES.md"}, ExitBadInput, nil, "not a pcap or pcapng file"},
		{"bad filter", []string{"capture", "--filter", "tcp port https", arkime}, ExitBadInput, nil, "--filter"},
		{"bad location", []string{"capture", "--from-location", "95,200", arkime}, ExitBadInput, nil, "--from-location"},
		{"file and interface", []string{"capture", "-i", "lo", arkime}, ExitBadInput, nil, "not both"},
		{"no file", []string{"capture"}, ExitBadInput, nil, "accepts 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := run(t, "", tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.wantCode, errs)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if tt.wantErr != "" && !strings.Contains(errs, tt.wantErr) {
				t.Errorf("stderr %q lacks %q", errs, tt.wantErr)
			}
			if strings.Contains(tt.name, "filter") && strings.Contains(out, ":443") {
				t.Errorf("filter let port 443 through:\n%s", out)
			}
		})
	}
}

func TestCaptureJSON(t *testing.T) {
	code, out, errs := run(t, "", "capture", "--json", captureTestdata+"arkime-curl-enabled-tls13.pcap")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Kind != report.KindDomains || r.Domains == nil || r.Domains.Source != "capture" {
		t.Fatalf("report kind %q domains %v", r.Kind, r.Domains)
	}
	var host *inventory.HostSummary
	for _, d := range r.Domains.Domains {
		for i := range d.Hosts {
			if d.Hosts[i].Host == "enabled.tls13.com" {
				host = &d.Hosts[i]
			}
		}
	}
	if host == nil || host.Flows != 1 || len(host.Protocols) != 1 || host.Protocols[0] != "tls" || !host.HasHandshakeRTT {
		t.Fatalf("host summary %+v", host)
	}
	if info, ok := r.Domains.Servers["104.16.125.34"]; !ok || info.ASN != 13335 {
		t.Errorf("enrichment of 104.16.125.34: %+v (present %v)", info, ok)
	}
	if len(r.Domains.Checks) != 1 || math.Abs(r.Domains.Checks[0].MaxDistanceKm-1995.5) > 1 {
		t.Errorf("checks %+v", r.Domains.Checks)
	}

	code, out, _ = run(t, "", "capture", "--flows", "--json", captureTestdata+"arkime-curl-enabled-tls13.pcap")
	var inv inventory.Inventory
	if code != ExitOK || json.Unmarshal([]byte(out), &inv) != nil || len(inv.Flows) != 2 || inv.Flows[1].Host != "enabled.tls13.com" {
		t.Errorf("--flows --json: exit %d, %d flows", code, len(inv.Flows))
	}
}

// TestRTTChecks: the handshake RTT bounds the distance; a database place beyond it is a contradiction.
func TestRTTChecks(t *testing.T) {
	paris := &latLon{48.86, 2.35}
	flow := func(host, server string, rtt time.Duration) inventory.Flow {
		return inventory.Flow{Host: host, Server: netip.MustParseAddrPort(server), HandshakeRTT: rtt, HasHandshakeRTT: rtt > 0}
	}
	inv := &inventory.Inventory{Flows: []inventory.Flow{
		flow("near.example", "192.0.2.1:443", 3*time.Millisecond),
		flow("near.example", "192.0.2.1:443", 2*time.Millisecond), // the smallest RTT counts
		flow("far.example", "192.0.2.2:443", 5*time.Millisecond),
		flow("", "192.0.2.3:443", 40*time.Millisecond),
		flow("nortt.example", "192.0.2.4:443", 0),
	}}
	servers := map[string]enrich.Info{
		"192.0.2.1": {Lat: 50.11, Lon: 8.68, HasCoords: true, City: "Frankfurt", Country: "DE"}, // ~480 km from Paris
		"192.0.2.2": {Lat: 1.35, Lon: 103.82, HasCoords: true, City: "Singapore", Country: "SG"},
	}
	tests := []struct {
		name   string
		from   *latLon
		want   map[string]string // host → "contradiction", "ok" or "unknown"
		maxKm  map[string]float64
		dbKmGt map[string]float64
	}{
		{"with vantage point", paris,
			// 2 ms allows 200 km but Frankfurt is ~480 km from Paris; 5 ms cannot reach Singapore.
			map[string]string{"near.example": "contradiction", "far.example": "contradiction", "192.0.2.3": "unknown"},
			map[string]float64{"near.example": 200, "far.example": 500, "192.0.2.3": 4000}, map[string]float64{"near.example": 400, "far.example": 10000}},
		{"without vantage point", nil,
			map[string]string{"near.example": "unknown", "far.example": "unknown", "192.0.2.3": "unknown"},
			map[string]float64{"near.example": 200}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checks := rttChecks(inv, servers, tt.from)
			if len(checks) != len(tt.want) {
				t.Fatalf("%d checks, want %d: %+v", len(checks), len(tt.want), checks)
			}
			for _, c := range checks {
				verdict := "unknown"
				switch {
				case c.Contradiction:
					verdict = "contradiction"
				case c.DBDistanceKm >= 0:
					verdict = "ok"
				}
				if verdict != tt.want[c.Host] {
					t.Errorf("%s: verdict %s, want %s (%+v)", c.Host, verdict, tt.want[c.Host], c)
				}
				if m, ok := tt.maxKm[c.Host]; ok && math.Abs(c.MaxDistanceKm-m) > 0.01 {
					t.Errorf("%s: max %.1f km, want %.1f", c.Host, c.MaxDistanceKm, m)
				}
				if g, ok := tt.dbKmGt[c.Host]; ok && c.DBDistanceKm < g {
					t.Errorf("%s: database distance %.0f km, want > %.0f", c.Host, c.DBDistanceKm, g)
				}
				if c.Note == "" {
					t.Errorf("%s: no note", c.Host)
				}
			}
		})
	}
}
