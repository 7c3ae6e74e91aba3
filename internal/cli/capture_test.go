package cli

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

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
		{"no file", []string{"capture"}, ExitBadInput, nil, "requires at least 1 arg"},
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
	var host *report.HostSummary
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

// TestCaptureSeveralFiles checks that files and a quoted glob make one inventory: hosts of both files,
// flow IDs named by file, a bad glob named, and dates when the capture spans more than a day.
func TestCaptureSeveralFiles(t *testing.T) {
	dir := t.TempDir()
	wiki, arkime := "../capture/testdata/zeek-wikipedia.pcap", pcapFixture
	code, out, errs := run(t, "", "--data-dir", dir, "capture", "--json", "--no-enrich", wiki, arkime)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{`"origin": "2 files"`, "upload.wikimedia.org", `"hosts":`} {
		if !strings.Contains(out, want) {
			t.Errorf("merged inventory lacks %q", want)
		}
	}
	code, out, errs = run(t, "", "--data-dir", dir, "--color", "never", "capture", "--no-enrich", "../capture/testdata/zeek-w*.pcap", arkime)
	if code != ExitOK || !strings.Contains(out, "2 files") || !strings.Contains(out, "2011-03-18 19:06") {
		t.Errorf("glob and dates: exit %d, stderr %s\n%s", code, errs, out)
	}
	code, _, errs = run(t, "", "--data-dir", dir, "capture", "../capture/testdata/none-*.pcap")
	if code != ExitBadInput || !strings.Contains(errs, "none-*.pcap") || !strings.Contains(errs, "no file matches") {
		t.Errorf("bad glob: exit %d, %s", code, errs)
	}
	code, _, errs = run(t, "", "--data-dir", dir, "capture", "--flows", wiki, arkime)
	if code != ExitBadInput || !strings.Contains(errs, "--flows lists the flows of one file") {
		t.Errorf("--flows with two files: exit %d, %s", code, errs)
	}
}
