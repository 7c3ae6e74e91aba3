package cli

import (
	"strings"
	"testing"
	"time"
)

func TestParseSeconds(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    time.Duration
		wantErr string
	}{
		{name: "whole seconds", in: "2", want: 2 * time.Second},
		{name: "fraction", in: "0.5", want: 500 * time.Millisecond},
		{name: "leading dot", in: ".25", want: 250 * time.Millisecond},
		{name: "trailing dot", in: "3.", want: 3 * time.Second},
		{name: "decimals read exactly", in: "0.1", want: 100 * time.Millisecond},
		{name: "nanosecond precision", in: "1.000000001", want: time.Second + 1},
		{name: "zero", in: "0", want: 0},
		{name: "with a unit", in: "500ms", want: 500 * time.Millisecond},
		{name: "compound", in: "1m30s", want: 90 * time.Second},
		{name: "spaces", in: " 2 ", want: 2 * time.Second},
		{name: "negative", in: "-1", wantErr: "must not be negative"},
		{name: "negative with a unit", in: "-5ms", wantErr: "must not be negative"},
		{name: "NaN", in: "NaN", wantErr: "want seconds"},
		{name: "infinity", in: "Inf", wantErr: "want seconds"},
		{name: "exponent", in: "1e3", wantErr: "want seconds"},
		{name: "empty", in: "", wantErr: "want seconds"},
		{name: "unknown unit", in: "2 parsecs", wantErr: "want seconds"},
		{name: "overflow", in: "1e400", wantErr: "want seconds"},
		{name: "too long", in: "9999999999999", wantErr: "want seconds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSeconds(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseSeconds(%q) = %v, %v; want an error containing %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("parseSeconds(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

// FuzzParseSeconds checks that whatever parseSeconds accepts is not negative and survives a round trip
// through formatSeconds, and that every non-negative duration does too.
func FuzzParseSeconds(f *testing.F) {
	for _, s := range []string{"2", "0.5", "500ms", "1m30s", "-1", "NaN", "1.000000001", "2562047h47m16.854775807s", ""} {
		f.Add(s, int64(0))
	}
	f.Add("", int64(1<<63-1))
	f.Add("", int64(1500*time.Millisecond))
	f.Fuzz(func(t *testing.T, s string, n int64) {
		if d, err := parseSeconds(s); err == nil {
			if d < 0 {
				t.Fatalf("parseSeconds(%q) = %v, negative", s, d)
			}
			if back, err := parseSeconds(formatSeconds(d)); err != nil || back != d {
				t.Fatalf("parseSeconds(formatSeconds(%v)) = %v, %v", d, back, err)
			}
		}
		if n < 0 {
			n = -(n + 1)
		}
		d := time.Duration(n)
		if back, err := parseSeconds(formatSeconds(d)); err != nil || back != d {
			t.Fatalf("parseSeconds(%q) = %v, %v; want %v", formatSeconds(d), back, err, d)
		}
	})
}
