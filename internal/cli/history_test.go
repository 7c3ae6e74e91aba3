package cli

import (
	"context"
	"encoding/json"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hopscope/internal/history"
	"hopscope/internal/report"
)

// seedHistory writes two investigations of one host into a fresh data directory.
func seedHistory(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	st, err := history.Open(history.DefaultPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for _, r := range []history.Record{
		{When: t0, Kind: "investigate", Host: "127.0.0.1", Addr: netip.MustParseAddr("127.0.0.1"), ASPath: []uint32{3215, 6453},
			DestASN: 6453, DestCountry: "FR", DestCity: "Paris", MinRTT: 20 * time.Millisecond, HasRTT: true, Hops: 9, Reached: true},
		{When: t0.Add(time.Hour), Kind: "investigate", Host: "127.0.0.1", Addr: netip.MustParseAddr("127.0.0.1"), ASPath: []uint32{3215, 6453, 132203},
			DestASN: 132203, DestCountry: "SG", DestCity: "Singapore", MinRTT: 236 * time.Millisecond, HasRTT: true, Hops: 17},
	} {
		if _, err := st.Add(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestHistory(t *testing.T) {
	dir := seedHistory(t)
	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"hosts", []string{"history"}, ExitOK, []string{"127.0.0.1"}},
		{"a host with its port finds the host", []string{"history", "127.0.0.1:18083"}, ExitOK, []string{"AS132203 Singapore, SG", "236.0 ms", "path now crosses AS132203"}},
		{"markdown", []string{"history", "--format", "markdown", "127.0.0.1"}, ExitOK, []string{"## History of 127.0.0.1", "| investigate |"}},
		{"json and markdown disagree", []string{"history", "--json", "--format", "markdown", "127.0.0.1"}, ExitBadInput, []string{"--json and --format markdown disagree"}},
		{"unknown format", []string{"history", "--format", "pdf"}, ExitBadInput, []string{`--format "pdf": want one of`}},
		{"no history", []string{"history", "other.test"}, ExitFailure, []string{"no history for other.test"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, "", append([]string{"--data-dir", dir, "--color", "never"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, errs)
			}
			for _, want := range tc.contains {
				if !strings.Contains(strings.Join(strings.Fields(out+errs), " "), want) {
					t.Errorf("output lacks %q:\n%s%s", want, out, errs)
				}
			}
		})
	}
	code, out, errs := run(t, "", "--data-dir", dir, "history", "--json", "127.0.0.1")
	var r report.Report
	if code != ExitOK || json.Unmarshal([]byte(out), &r) != nil || r.Kind != report.KindHistory || r.History == nil || len(r.History.Entries) != 2 {
		t.Fatalf("history --json: exit %d %s\n%s", code, errs, out)
	}
	if e := r.History.Entries[1]; len(e.Changes) == 0 || e.DestASN != 132203 {
		t.Errorf("second entry = %+v", e)
	}
	o := filepath.Join(t.TempDir(), "h.md")
	if code, _, errs := run(t, "", "--data-dir", dir, "history", "--format", "markdown", "-o", o, "127.0.0.1"); code != ExitOK {
		t.Errorf("-o: exit %d: %s", code, errs)
	}
}
