package netlab

import (
	"slices"
	"strings"
	"testing"
)

// TestECMPSpecs checks what a trace from client to server should find in the MDA labs (no root needed).
func TestECMPSpecs(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want []string
	}{
		{"2 branches", ECMPSpec(2, HashL4), []string{"r1", "m1|m2", "r2", "server"}},
		{"4 branches", ECMPSpec(4, HashL3), []string{"r1", "m1|m2|m3|m4", "r2", "server"}},
		{"width clamped to 2", ECMPSpec(1, HashL4), []string{"r1", "m1|m2", "r2", "server"}},
		{"nested", ECMPNestedSpec(HashL4), []string{"r1", "a|b", "a1|a2|b1", "a3|b2", "r2", "server"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hops, err := ExpectedHops(tc.spec, "client", "server")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hops {
				var ns []string
				for _, r := range h.Responders {
					ns = append(ns, r.Node)
				}
				slices.Sort(ns)
				got = append(got, strings.Join(ns, "|"))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("hops %v, want %v", got, tc.want)
			}
			if _, err := buildPlan(tc.spec, "hs-test-"); err != nil {
				t.Errorf("plan: %v", err)
			}
		})
	}
}
