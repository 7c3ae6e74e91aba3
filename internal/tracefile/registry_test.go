package tracefile

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestRegistryRoundTrip: every format Formats lists is what Detect names for a sample of that
// format, and its importer reads the sample. A format added without a sample fails here.
func TestRegistryRoundTrip(t *testing.T) {
	tests := []struct {
		format string
		file   string // under testdata
	}{
		{FormatTraceroute, "corpus/linux-traceroute-n-ipv6-ecmp-inline_jc-generic.txt"},
		{FormatTracerouteBSD, "corpus/macos-traceroute-a-asn_jc-osx-10.14.6.txt"},
		{FormatTracerouteHuawei, "pastes/huawei-vrp.txt"},
		{FormatPathping, "pastes/pathping.txt"},
		{FormatTracert, "corpus/windows-tracert-optus-sydney-to-azure-amsterdam_phishing-scam-capture.txt"},
		{FormatTracepath, "corpus/linux-tracepath-centos7_jc.txt"},
		{FormatMTRReport, "corpus/mtr-report-modern-format-tail_mtr-FORMATS.txt"},
		{FormatMTRJSON, "corpus/mtr-json-v0.93-format-us-east4-to-ya.ru_mgumz-mtr-exporter.txt"},
		{FormatMTRRaw, "corpus/mtr-raw-ipv4-virginmedia-to-google_globalping-probe.txt"},
		{FormatRIPEAtlas, "corpus/ripe-atlas-traceroute-v6-icmp-fw4610.txt"},
		{FormatScamper, "corpus/scamper-tracelb-mda-json-v6_mlab-traceroute-caller.txt"},
		{FormatHopscope, "samples/hopscope-json.json"},
		{FormatCiscoIOS, "pastes/cisco-ios.txt"},
		{FormatCiscoXR, "pastes/cisco-iosxr.txt"},
		{FormatJunos, "pastes/junos.txt"},
		{FormatMTRCurses, "pastes/mtr-curses.txt"},
		{FormatWinMTR, "pastes/winmtr.txt"},
		{FormatNextTrace, "pastes/nexttrace.txt"},
		{FormatGlobalping, "samples/globalping-traceroute-openapi-example.json"},
		{FormatTracelbText, "tracelb/lab-nested.txt"},
		{FormatMikroTik, "corpus/mikrotik-routeros6-cgnat-vrf-to-1.1.1.1-timeout-and-unprobed-row_code-index.txt"},
	}
	var covered []string
	for _, tc := range tests {
		covered = append(covered, tc.format)
		t.Run(tc.format, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Detect(data)
			if err != nil || got != tc.format {
				t.Fatalf("Detect(%s) = %q, %v; want %q", tc.file, got, err, tc.format)
			}
			trs, err := Parse(data, tc.format)
			if err != nil || len(trs) == 0 || len(trs[0].Hops) == 0 {
				t.Fatalf("Parse(%s, %q) = %d traces, %v; want hops", tc.file, tc.format, len(trs), err)
			}
		})
	}
	if !slices.Equal(covered, Formats()) {
		t.Errorf("samples cover %v; Formats() = %v (same formats, same order)", covered, Formats())
	}
}

// TestRegistryTable: one row per name, every row complete, and Formats listing the rows in order.
func TestRegistryTable(t *testing.T) {
	seen := map[string]bool{}
	for i, im := range importers() {
		if im.name == "" || im.detect == nil || im.parse == nil {
			t.Errorf("row %d (%q): name, detect and parse are all required", i, im.name)
		}
		if seen[im.name] {
			t.Errorf("row %d: format %q registered twice", i, im.name)
		}
		seen[im.name] = true
		if f := Formats(); i >= len(f) || f[i] != im.name {
			t.Errorf("Formats() = %v; row %d is %q", f, i, im.name)
		}
	}
}

// TestDetectConfidence pins how detection breaks a shared shape: a bare hop row is only plausible
// traceroute, so tracert's "N ms" row wins over it, while an earlier row wins a tie.
func TestDetectConfidence(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"tracert row beats plausible traceroute", "  1    <1 ms    <1 ms    <1 ms  192.0.2.1\n", FormatTracert},
		{"tracert timeout row", "  2     *        *        *     Request timed out.\n", FormatTracert},
		{"bare hop row is traceroute", " 1  192.0.2.1  0.5 ms  0.4 ms  0.4 ms\n", FormatTraceroute},
		{"bsd flavour of a bare hop row", " 1  192.0.2.1  0.5 ms\n    r2.example (198.51.100.1)  0.6 ms\n", FormatTracerouteBSD},
		{"hopscope schema beats mtr keys", `{"schema":"hopscope/report","report":{},"hubs":[]}`, FormatHopscope},
		{"mtr json before atlas on a tie", `{"report":{"mtr":{}},"hubs":[],"msm_id":1}`, FormatMTRJSON},
		{"prompt line skipped", "[root@h ~]# mtr -j 192.0.2.1\n{\"report\":{\"mtr\":{},\"hubs\":[]}}\n", FormatMTRJSON},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Detect([]byte(tc.in))
			if err != nil || got != tc.want {
				t.Fatalf("Detect = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
