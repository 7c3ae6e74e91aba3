package report

import (
	"fmt"
	"strings"
	"testing"
)

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

// TestResponderSectionCounts: a hop with more responders than the section names lists the first
// multiListMax and counts the rest; a small one lists them all.
func TestResponderSectionCounts(t *testing.T) {
	for _, n := range []int{3, multiListMax, multiListMax + 4, 200_000} {
		addrs := make([]string, n)
		for i := range addrs {
			addrs[i] = fmt.Sprintf("10.0.%d.%d", i/256, i%256)
		}
		var line string
		for _, s := range sections(&Findings{MultiResponders: []MultiResponder{{TTL: 2, Addrs: addrs}}}) {
			if s.Label == "Responders" {
				line = strings.Join(s.Lines, "\n")
			}
		}
		more := fmt.Sprintf(" and %d more ", n-multiListMax)
		if got, want := strings.Contains(line, more), n > multiListMax; got != want {
			t.Errorf("%d responders: %q", n, line[:min(len(line), 200)])
		}
		if got := strings.Count(line, "10.0."); got != min(n, multiListMax) {
			t.Errorf("%d responders: %d named", n, got)
		}
	}
}
