package cli

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"hopscope/internal/report"
)

// TestCSVMatchesJSON runs analyze and capture in csv and json on the same input and checks, through
// encoding/csv, one row per hop responder (or silent hop) and one per host, in the JSON's order.
func TestCSVMatchesJSON(t *testing.T) {
	sydney := "../tracefile/testdata/corpus/windows-tracert-optus-sydney-to-azure-amsterdam_phishing-scam-capture.txt"
	tests := []struct {
		name string
		args []string
		keys func(r *report.Report) []string
		col  int
	}{
		{"analyze", []string{"analyze", sydney}, func(r *report.Report) []string {
			var k []string
			for _, h := range r.Path.Hops {
				if len(h.Responders) == 0 {
					k = append(k, "")
				}
				for _, rs := range h.Responders {
					k = append(k, rs.Addr)
				}
			}
			return k
		}, 5},
		{"capture", []string{"capture", pcapFixture}, func(r *report.Report) []string {
			var k []string
			for _, d := range r.Domains.Domains {
				for _, h := range d.Hosts {
					k = append(k, h.Host)
				}
			}
			return k
		}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			code, out, errs := run(t, "", append([]string{"--data-dir", dir, tc.args[0], "--format", "csv"}, tc.args[1:]...)...)
			if code != ExitOK {
				t.Fatalf("csv: exit %d: %s", code, errs)
			}
			rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatalf("encoding/csv: %v", err)
			}
			code, js, errs := run(t, "", append([]string{"--data-dir", dir, tc.args[0], "--json"}, tc.args[1:]...)...)
			if code != ExitOK {
				t.Fatalf("json: exit %d: %s", code, errs)
			}
			var r report.Report
			if err := json.Unmarshal([]byte(js), &r); err != nil {
				t.Fatal(err)
			}
			want := tc.keys(&r)
			if len(rows)-1 != len(want) {
				t.Fatalf("%d CSV rows, JSON has %d", len(rows)-1, len(want))
			}
			for i, k := range want {
				if got := rows[i+1][tc.col]; got != k {
					t.Errorf("row %d: %q, JSON %q", i+1, got, k)
				}
			}
		})
	}
}
