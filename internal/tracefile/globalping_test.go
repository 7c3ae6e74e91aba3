package tracefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hopscope/internal/path"
)

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestGlobalping pins what the Globalping samples import as: one trace per probe result, hops
// numbered from the list (shifted when rawOutput shows the list is a tail), the probe's place in Meta.
func TestGlobalping(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		traces int
		check  func(t *testing.T, trs []*path.Trace)
	}{
		{"openapi traceroute example", "globalping-traceroute-openapi-example.json", 1, func(t *testing.T, trs []*path.Trace) {
			tr := trs[0]
			if tr.Target.Name != "cdn.jsdelivr.net" || tr.Target.Addr != addr("104.16.85.20") || tr.Protocol != path.ProtoICMP {
				t.Errorf("target %+v protocol %q", tr.Target, tr.Protocol)
			}
			if len(tr.Hops) != 2 || tr.Hops[0].TTL != 10 || tr.Hops[1].TTL != 11 {
				t.Fatalf("hops %+v, want TTL 10 and 11 (the last 2 of 11 in rawOutput)", tr.Hops)
			}
			wantProbes(t, tr, 10, "1.777m", "1.778m")
			wantResponder(t, tr, 11, "104.16.85.20", "", 0)
			if ok, ttl := tr.Reached(); !ok || ttl != 11 {
				t.Errorf("Reached = %v %d", ok, ttl)
			}
			want := map[string]string{MetaProbeCity: "Sydney", MetaProbeCountry: "AU", MetaProbeASN: "16276", MetaProbeNetwork: "OVH SAS",
				MetaProbeLatitude: "-33.86778", MetaProbeLongitude: "151.207052", MetaGlobalpingID: "MH97NFzqirjA9NZZ", MetaGlobalpingStatus: "finished"}
			for k, v := range want {
				if tr.Meta[k] != v {
					t.Errorf("Meta[%s] = %q, want %q", k, tr.Meta[k], v)
				}
			}
			if _, ok := tr.Meta[MetaProbeState]; ok {
				t.Errorf("null state became %q", tr.Meta[MetaProbeState])
			}
			if len(tr.Warnings) != 1 || tr.Warnings[0] != "hops 1 to 9 are not in the input" {
				t.Errorf("warnings %q", tr.Warnings)
			}
		}},
		{"openapi mtr example keeps stats and ASNs", "globalping-mtr-openapi-example.json", 1, func(t *testing.T, trs []*path.Trace) {
			tr := trs[0]
			if tr.Hops[0].TTL != 6 || tr.Hops[1].TTL != 7 {
				t.Fatalf("TTLs %d %d, want 6 7", tr.Hops[0].TTL, tr.Hops[1].TTL)
			}
			wantResponder(t, tr, 6, "149.6.2.38", "", 174)
			r := hopOf(t, tr, 7).Responder(addr("151.101.1.229"))
			if r == nil || r.ReportedASN != 54113 || r.Stats == nil || r.Stats.Sent != 2 || r.Stats.Received != 2 || r.Stats.Best != ms(178.287) || r.Stats.Worst != ms(178.403) {
				t.Fatalf("hop 7 responder %+v stats %+v", r, r.Stats)
			}
			wantProbes(t, tr, 7, "178.403m", "178.287m")
			if tr.Meta[MetaProbeCity] != "Johannesburg" || tr.ProbesPerHop != 2 {
				t.Errorf("city %q probes/hop %d", tr.Meta[MetaProbeCity], tr.ProbesPerHop)
			}
		}},
		{"recorded mtr keeps loss, jitter and samples", "globalping-mtr-virginmedia-recorded.json", 1, func(t *testing.T, trs []*path.Trace) {
			tr := trs[0]
			if len(tr.Hops) != 9 {
				t.Fatalf("%d hops, want 9 (the duplicate destination row dropped)", len(tr.Hops))
			}
			gw := hopOf(t, tr, 1).Responder(addr("192.168.0.1"))
			if gw == nil || gw.Stats == nil || gw.Stats.Sent != 3 || gw.Stats.Received != 1 || gw.Stats.Jitter != 0 {
				t.Fatalf("hop 1 (1 of 3, a lone reply has no jitter): %+v", gw)
			}
			if h := hopOf(t, tr, 2); !h.Silent() {
				t.Errorf("hop 2 (waiting for reply) should be silent")
			}
			r := hopOf(t, tr, 8).Responder(addr("142.251.54.27"))
			if r == nil || r.Stats == nil || r.Stats.Loss() != 0 || r.Stats.Jitter != 8200*time.Microsecond || r.Stats.StdDev != 1500*time.Microsecond ||
				r.Stats.Last != ms(12.872) || len(r.Stats.Samples) != 3 || r.Stats.Samples[0] != ms(15.666) {
				t.Fatalf("hop 8 stats %+v", r.Stats)
			}
			if tr.Meta[MetaProbeCountry] != "GB" || tr.Meta[MetaProbeLatitude] != "" {
				t.Errorf("probe meta %v: a probe without coordinates must not get any", tr.Meta)
			}
		}},
		{"two probes, one offline", "globalping-traceroute-two-probes-one-offline.json", 2, func(t *testing.T, trs []*path.Trace) {
			london, sydney := trs[0], trs[1]
			if len(london.Hops) != 6 || london.Meta[MetaProbeCity] != "London" || london.Target.Addr != addr("216.239.38.21") {
				t.Fatalf("london: %d hops, %v, %v", len(london.Hops), london.Meta, london.Target)
			}
			if !hopOf(t, london, 2).Silent() || !hopOf(t, london, 4).Silent() {
				t.Errorf("hops 2 and 4 (\"*\") should be silent")
			}
			wantProbes(t, london, 2)
			wantResponder(t, london, 3, "62.252.67.181", "lutn-core-2a-xe-7114-0.network.virginmedia.net", 0)
			if london.Target.Canonical != "142.250.160.116" {
				t.Errorf("canonical %q", london.Target.Canonical)
			}
			if len(sydney.Hops) != 0 || sydney.Meta[MetaGlobalpingStatus] != "offline" || len(sydney.Warnings) != 1 || !strings.Contains(sydney.Warnings[0], "offline") {
				t.Errorf("offline probe: hops %d meta %v warnings %q", len(sydney.Hops), sydney.Meta, sydney.Warnings)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := readSample(t, tc.file)
			if f, err := Detect(data); err != nil || f != FormatGlobalping {
				t.Fatalf("Detect = %q, %v", f, err)
			}
			trs, err := Parse(data, "")
			checkResult(t, FormatGlobalping, trs, err)
			if err != nil || len(trs) != tc.traces {
				t.Fatalf("Parse: %d traces, %v; want %d", len(trs), err, tc.traces)
			}
			tc.check(t, trs)
		})
	}
}

// TestGlobalpingErrors: bad input is a *ParseError saying where and what, never traces.
func TestGlobalpingErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		expected string
	}{
		{"ping measurement", `{"id":"x","type":"ping","probesCount":1,"results":[]}`, 1, `"traceroute" or "mtr"`},
		{"no results", `{"id":"x","type":"traceroute","probesCount":1}`, 1, "Globalping measurement"},
		{"truncated", "{\"id\":\"x\",\"type\":\"mtr\",\n\"probesCount\":1,\"results\":[{\"probe\":{", 0, "rest of the JSON"},
		{"bad hop address", "{\"type\":\"traceroute\",\"probesCount\":1,\"results\":[\n{\"probe\":{},\"result\":{\"status\":\"finished\",\"rawOutput\":\"\",\n\"hops\":[{\"resolvedAddress\":\"not-an-ip\",\"timings\":[]}]}}]}", 3, `"resolvedAddress"`},
		{"unknown test status", `{"type":"mtr","probesCount":1,"results":[{"probe":{},"result":{"status":"exploded","rawOutput":""}}]}`, 1, "finished, in-progress"},
		{"negative rtt", `{"type":"mtr","probesCount":1,"results":[{"probe":{},"result":{"status":"finished","rawOutput":"","hops":[{"resolvedAddress":"192.0.2.1","timings":[{"rtt":-1}]}]}}]}`, 1, "non-negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := Parse([]byte(tc.in), FormatGlobalping)
			var pe *ParseError
			if !errors.As(err, &pe) || trs != nil {
				t.Fatalf("got %d traces, %v; want a *ParseError", len(trs), err)
			}
			if pe.Format != FormatGlobalping || !strings.Contains(pe.Expected, tc.expected) || (tc.line > 0 && pe.Line != tc.line) {
				t.Errorf("error %q (line %d); want line %d expecting %q", pe, pe.Line, tc.line, tc.expected)
			}
		})
	}
}

// TestAtlasLatest: the /latest/ form keyed by probe id imports one trace per result, probes in id order.
func TestAtlasLatest(t *testing.T) {
	data := readSample(t, "ripe-atlas-latest-two-probes.json")
	if f, err := Detect(data); err != nil || f != FormatRIPEAtlas {
		t.Fatalf("Detect = %q, %v", f, err)
	}
	trs, err := Parse(data, FormatRIPEAtlas)
	checkResult(t, FormatRIPEAtlas, trs, err)
	if err != nil || len(trs) != 2 {
		t.Fatalf("%d traces, %v", len(trs), err)
	}
	if trs[0].Meta["prb_id"] != "190" || trs[1].Meta["prb_id"] != "394" {
		t.Errorf("probes %s, %s; want 190 then 394", trs[0].Meta["prb_id"], trs[1].Meta["prb_id"])
	}
	// A latest map with a broken result names the line of that result.
	bad := "{\"7\": [\n{\"type\":\"traceroute\",\"result\":[{\"hop\":0}]}]}"
	_, err = Parse([]byte(bad), FormatRIPEAtlas)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || !strings.Contains(pe.Expected, "hop number") {
		t.Errorf("bad latest: %v", err)
	}
}

func addGlobalpingSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "samples", "*.json"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzGlobalping(f *testing.F) {
	addGlobalpingSeeds(f)
	fuzzFormat(f, FormatGlobalping)
}

func FuzzRIPEAtlasLatest(f *testing.F) {
	addGlobalpingSeeds(f)
	fuzzFormat(f, FormatRIPEAtlas)
}
