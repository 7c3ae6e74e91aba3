package mda

import (
	"fmt"
	"math"
)

// maxNextHops bounds the number of next hops the stopping rule is computed for: a load balancer with
// more successors than this is treated as having this many (the table's last value is used).
const maxNextHops = 128

// StoppingPoints returns the MDA's stopping points for confidence c (0 < c < 1): n[k] is the number
// of probes, on distinct flows through one interface, after which having seen only k distinct next
// hops rules out a (k+1)-th with confidence c. n[0] is 0, and len(n) is maxNextHops+1.
//
// n_k is the smallest n for which n probes spread uniformly over k+1 next hops leave at least one of
// them unseen with probability at most 1-c (the hypothesis test of Veitch et al., "Failure control in
// multipath route tracing", with each hypothesis held to the same bound, as scamper's tracelb does).
// The probability is computed exactly by a recurrence over the number of distinct next hops seen after
// each probe: from j seen, the next probe adds one with probability (K-j)/K.
func StoppingPoints(c float64) ([]int, error) {
	if !(c > 0 && c < 1) {
		return nil, fmt.Errorf("confidence %v: want a probability between 0 and 1 (0.95 or 0.99)", c)
	}
	n := make([]int, maxNextHops+1)
	for k := 1; k <= maxNextHops; k++ {
		n[k] = stoppingPoint(1-c, k)
	}
	return n, nil
}

// stoppingPoint returns n_k for the failure bound alpha (0 < alpha < 1).
func stoppingPoint(alpha float64, k int) int {
	K := k + 1
	p := make([]float64, K+1) // p[j]: probability that exactly j of the K next hops were seen
	p[0] = 1
	for probes := 1; ; probes++ {
		for j := min(probes, K); j >= 1; j-- {
			p[j] = p[j]*float64(j)/float64(K) + p[j-1]*float64(K-j+1)/float64(K)
		}
		p[0] = 0
		if 1-p[K] <= alpha*(1+1e-12) {
			return probes
		}
	}
}

// stopRule is the stopping rule of one run; it computes the stopping points it is asked for, once.
type stopRule struct {
	alpha float64
	n     []int // n[k] once computed, 0 before
}

func newStopRule(c float64) *stopRule { return &stopRule{alpha: 1 - c, n: make([]int, maxNextHops+1)} }

// need returns the number of answered probes on distinct flows after which k distinct next hops are
// taken to be all: n_k, or n_1 when nothing answered yet (k = 0).
func (r *stopRule) need(k int) int {
	k = min(max(k, 1), maxNextHops)
	if r.n[k] == 0 {
		r.n[k] = stoppingPoint(r.alpha, k)
	}
	return r.n[k]
}

// roundConfidence maps the user's percentage or fraction to a probability: 95 and 0.95 are both 95%.
func roundConfidence(c float64) float64 {
	if c > 1 {
		c /= 100
	}
	return math.Round(c*1e6) / 1e6
}
