package mda

import (
	"slices"
	"testing"
)

func TestStoppingPoints(t *testing.T) {
	tests := []struct {
		name string
		c    float64
		// want are n_1.. from scamper's tracelb table (95% from Augustin et al., E2EMON 2007, and
		// both extended by its authors with exact arithmetic).
		want []int
	}{
		{"95%", 0.95, []int{6, 11, 16, 21, 27, 33, 38, 44, 51, 57, 63, 70, 76, 83, 90, 96, 103, 110, 117, 124}},
		{"99%", 0.99, []int{8, 15, 21, 28, 36, 43, 51, 58, 66, 74, 82, 90, 98, 106, 115, 123, 132, 140, 149, 157}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := StoppingPoints(tc.c)
			if err != nil {
				t.Fatal(err)
			}
			if got := n[1 : len(tc.want)+1]; !slices.Equal(got, tc.want) {
				t.Errorf("n_1.. = %v\nwant   %v", got, tc.want)
			}
			if n[0] != 0 || len(n) != maxNextHops+1 {
				t.Errorf("n[0] = %d, len %d", n[0], len(n))
			}
			for k := 2; k < len(n); k++ {
				if n[k] <= n[k-1] {
					t.Fatalf("not increasing at k=%d: %d after %d", k, n[k], n[k-1])
				}
			}
		})
	}
}

// TestStoppingPointsClosedForm checks the recurrence against inclusion-exclusion for small k, where
// the alternating sum is still exact enough in float64: P(miss) = Σ_{i=1..K} (-1)^{i+1} C(K,i) ((K-i)/K)^n.
func TestStoppingPointsClosedForm(t *testing.T) {
	n, err := StoppingPoints(0.95)
	if err != nil {
		t.Fatal(err)
	}
	miss := func(K, probes int) float64 {
		s, binom := 0.0, 1.0
		for i := 1; i <= K; i++ {
			binom = binom * float64(K-i+1) / float64(i)
			term := binom
			for j := 0; j < probes; j++ {
				term *= float64(K-i) / float64(K)
			}
			if i%2 == 1 {
				s += term
			} else {
				s -= term
			}
		}
		return s
	}
	for k := 1; k <= 8; k++ {
		if m := miss(k+1, n[k]); m > 0.05 {
			t.Errorf("k=%d: miss probability %.5f after n_k=%d probes, want <= 0.05", k, m, n[k])
		}
		if m := miss(k+1, n[k]-1); m <= 0.05 {
			t.Errorf("k=%d: %d probes already reach 95%% (miss %.5f): n_k is not the smallest", k, n[k]-1, m)
		}
	}
}

func TestStoppingPointsBadConfidence(t *testing.T) {
	for _, c := range []float64{0, 1, -0.5, 95} {
		if _, err := StoppingPoints(c); err == nil {
			t.Errorf("confidence %v: no error", c)
		}
	}
}

func TestRoundConfidence(t *testing.T) {
	for _, tc := range []struct{ in, want float64 }{{95, 0.95}, {99, 0.99}, {0.95, 0.95}, {99.9, 0.999}} {
		if got := roundConfidence(tc.in); got != tc.want {
			t.Errorf("roundConfidence(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
