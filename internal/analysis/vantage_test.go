package analysis

import (
	"os"
	"strings"
	"testing"

	"hopscope/internal/path"
	"hopscope/internal/report"
	"hopscope/internal/tracefile"
)

func TestProbePlace(t *testing.T) {
	tests := []struct {
		name string
		meta map[string]string
		want *Place
	}{
		{"globalping probe", map[string]string{report.MetaProbeLatitude: "51.5085", report.MetaProbeLongitude: "-0.1257", report.MetaProbeCity: "London", report.MetaProbeCountry: "GB"},
			&Place{City: "London", Country: "GB", Lat: 51.5085, Lon: -0.1257, HasCoords: true, Source: SourceGlobalping}},
		{"atlas probe, obfuscated", map[string]string{report.MetaProbeLatitude: "52.3875", report.MetaProbeLongitude: "4.8875", report.MetaProbeObfuscated: "true"},
			&Place{Lat: 52.3875, Lon: 4.8875, HasCoords: true, Source: SourceAtlas}},
		{"no coordinates", map[string]string{report.MetaProbeCountry: "GB"}, nil},
		{"latitude out of range", map[string]string{report.MetaProbeLatitude: "91", report.MetaProbeLongitude: "0"}, nil},
		{"not a number", map[string]string{report.MetaProbeLatitude: "north", report.MetaProbeLongitude: "0"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ProbePlace(&path.Trace{Meta: tc.meta})
			if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
				t.Errorf("ProbePlace = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestFromProbes(t *testing.T) {
	plain := &path.Trace{}
	probe := &path.Trace{Meta: map[string]string{report.MetaProbeID: "319"}}
	if FromProbes([]*path.Trace{plain, plain}) || !FromProbes([]*path.Trace{plain, probe}) {
		t.Error("FromProbes: want true only when a trace carries a probe's id or place")
	}
}

// TestVantagesRecorded compares the recorded round of RIPE Atlas measurement 1000157 (probes 319 and
// 426, neither reaching 121.244.76.25): the facts of ../atlas/testdata/latest-msm1000157-recorded.facts
// at the level of the report's fields. The CLI's test checks the same facts in every output format.
func TestVantagesRecorded(t *testing.T) {
	data, err := os.ReadFile("../atlas/testdata/latest-msm1000157-recorded.json")
	if err != nil {
		t.Fatal(err)
	}
	trs, err := tracefile.Parse(data, "")
	if err != nil {
		t.Fatal(err)
	}
	if !FromProbes(trs) {
		t.Fatal("Atlas results not recognised as probes'")
	}
	ps, v := Vantages(trs, nil)
	if len(ps) != 2 || v == nil {
		t.Fatalf("%d paths, comparison %v", len(ps), v)
	}
	for i, want := range []struct {
		probe string
		rtt   float64
	}{{"319", 271.775}, {"426", 198.423}} {
		o := v.Origins[i]
		if ps[i].Meta[report.MetaProbeID] != want.probe || o.Reached || !o.HasRTT || o.MinRTTMs != want.rtt || o.HasDistance {
			t.Errorf("origin %d: probe %s, %+v", i, ps[i].Meta[report.MetaProbeID], o)
		}
	}
	if v.Differs || len(v.Reasons) != 0 || !strings.Contains(v.Summary, "which is slower is unknown") || v.Shared != nil {
		t.Errorf("comparison claims more than the data: differs %v, reasons %q, summary %q, shared %+v", v.Differs, v.Reasons, v.Summary, v.Shared)
	}
	if v.Origins[0].Label == v.Origins[1].Label {
		t.Errorf("two origins with one label %q", v.Origins[0].Label)
	}
}
