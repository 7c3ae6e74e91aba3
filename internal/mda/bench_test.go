package mda

import (
	"context"
	"testing"
)

// BenchmarkStoppingPoint is the cost of computing one stopping point (a run computes each n_k it
// needs once): n_16 at 99%.
func BenchmarkStoppingPoint(b *testing.B) {
	for b.Loop() {
		if stoppingPoint(0.01, 16) == 0 {
			b.Fatal("no stopping point")
		}
	}
}

// BenchmarkPlan is the bookkeeping of one round at a wide hop: 256 flows, a 16-way balancer at
// TTL 2 whose interfaces each need their successors at TTL 3.
func BenchmarkPlan(b *testing.B) {
	cfg, err := Config{MaxFlows: 256, MaxTTL: 8}.withDefaults()
	if err != nil {
		b.Fatal(err)
	}
	g := newGraph(cfg, newStopRule(cfg.Confidence))
	for i := range 256 {
		f := g.newFlow()
		g.set(f, 1, obs{state: answered, addr: addr4(10, 0, 1, 1)})
		g.set(f, 2, obs{state: answered, addr: addr4(10, 0, 2, byte(1+i%16))})
		if i%3 == 0 {
			g.set(f, 3, obs{state: answered, addr: addr4(10, 0, 3, byte(1+i%5))})
		}
	}
	g.maxFlows = len(g.flows) // no new flows: the plan is the survey and the rule
	b.ResetTimer()
	for b.Loop() {
		p := g.plan(2)
		if len(p.probes) == 0 {
			b.Fatal("empty plan")
		}
	}
}

// BenchmarkRunNested is a whole run over the simulated nested diamond at 99% (no I/O: the
// algorithm's own cost per trace).
func BenchmarkRunNested(b *testing.B) {
	for b.Loop() {
		s := newSimNet(b, "192.0.2.9", simNested...)
		if _, err := Run(context.Background(), s, Config{Confidence: 0.99, Now: s.clock}); err != nil {
			b.Fatal(err)
		}
	}
}
