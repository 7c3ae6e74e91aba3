package report

import "testing"

func TestBytesLabel(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int64
		want string
	}{
		{"zero", 0, "0 B"},
		{"below a kilobyte", 999, "999 B"},
		{"one kilobyte", 1000, "1.0 kB"},
		{"one decimal below ten", 1234567, "1.2 MB"},
		{"no decimal from ten", 98765432, "99 MB"},
		{"rounding up moves to the next unit", 999960, "1.0 MB"},
		{"terabytes are the largest unit", 3 << 40, "3.3 TB"},
		{"petabytes stay in terabytes", 5_000_000_000_000_000, "5000 TB"},
		{"unknown", -1, "?"},
	} {
		if got := BytesLabel(tc.n); got != tc.want {
			t.Errorf("%s: BytesLabel(%d) = %q, want %q", tc.name, tc.n, got, tc.want)
		}
	}
}
