package tracefile_test

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"hopscope/internal/enrich"
	"hopscope/internal/explain"
	"hopscope/internal/path"
	"hopscope/internal/report"
	"hopscope/internal/tracefile"
)

// TestHopscopeJSONRoundTrip: a report saved with --json reads back as the very same traces.
func TestHopscopeJSONRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/corpus/*.txt")
	if len(files) < 10 {
		t.Fatalf("corpus missing: %d files", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			traces, err := tracefile.Parse(data, "")
			if err != nil {
				t.Fatal(err)
			}
			rep := report.Report{Schema: report.Schema, SchemaVersion: report.SchemaVersion, Kind: report.KindPath}
			for _, tr := range traces {
				p := report.BuildPath(tr, map[netip.Addr]enrich.Info{}, explain.Explain(tr, nil, explain.Options{}))
				rep.Paths = append(rep.Paths, p)
			}
			js, err := json.MarshalIndent(rep, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if got, err := tracefile.Detect(js); err != nil || got != tracefile.FormatHopscope {
				t.Fatalf("Detect = %q, %v", got, err)
			}
			back, err := tracefile.Parse(js, "")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(normalize(t, traces), normalize(t, back)) {
				t.Errorf("traces changed in the round trip")
			}
		})
	}
}

func normalize(t *testing.T, ts []*path.Trace) string {
	js, err := json.Marshal(ts)
	if err != nil {
		t.Fatal(err)
	}
	return string(js)
}

func TestHopscopeJSONErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"not ours", `{"schema":"other"}`, "unrecognised"},
		{"dns report", `{"schema":"hopscope/report","schema_version":1,"kind":"dns","dns":{}}`, "without one"},
		{"truncated", `{"schema":"hopscope/report","kind":"path","path":{"trace":{"hops":[`, "hopscope-json"},
		{"bad ttl", `{"schema":"hopscope/report","kind":"path","path":{"trace":{"hops":[{"ttl":0}]}}}`, "positive TTL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tracefile.Parse([]byte(tc.in), "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func FuzzHopscope(f *testing.F) {
	f.Add([]byte(`{"schema":"hopscope/report","schema_version":1,"kind":"path","path":{"trace":{"source":"hopscope","hops":[{"ttl":1,"probes":[{"status":"reply","from":"192.0.2.1","rtt_ns":1000000,"has_rtt":true}],"responders":[{"addr":"192.0.2.1"}]}]}}}`))
	f.Add([]byte(`{"schema":"hopscope/report","kind":"investigation","investigation":{"hosts":[{"path":{"trace":{"hops":[]}}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		traces, err := tracefile.Parse(data, tracefile.FormatHopscope)
		if err == nil && len(traces) == 0 {
			t.Fatal("no error and no trace")
		}
		for _, tr := range traces {
			for _, h := range tr.Hops {
				h.Summarize(netip.Addr{}) // must not panic on any decoded value
			}
		}
	})
}
