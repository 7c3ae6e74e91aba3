package report

import "testing"

func TestTTLList(t *testing.T) {
	for _, tc := range []struct {
		in   []int
		want string
	}{{nil, ""}, {[]int{3}, "3"}, {[]int{10, 12, 15, 16, 17}, "10, 12, 15–17"}, {[]int{1, 2}, "1–2"}} {
		if got := ttlList(tc.in); got != tc.want {
			t.Errorf("ttlList(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
