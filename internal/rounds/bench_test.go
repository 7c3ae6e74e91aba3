package rounds

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// article17 is a 17-hop fake path like the article lab's: 4 silent hops, RTTs up to ~170 ms with a
// few milliseconds of spread.
func article17() fakePath {
	return fakePath{hops: 17, rtt: func(n, ttl int) time.Duration {
		switch ttl {
		case 10, 12, 15, 16:
			return -1
		}
		return time.Duration(ttl*10)*ms + time.Duration((n*7+ttl)%5)*ms
	}}
}

// BenchmarkHourOfRounds runs an hour of 1 s rounds (3600) on a 17-hop path in simulated time and
// reports the heap the aggregate holds afterwards (heap-B: live heap after GC, less the heap before).
func BenchmarkHourOfRounds(b *testing.B) {
	f := article17()
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		c := &fakeClock{now: t0}
		agg := NewAggregate(0)
		tr, err := Run(context.Background(), f.roundFunc(c, 200*ms), Config{Rounds: 3600, Now: c.Now, Sleep: c.Sleep, Aggregate: agg})
		if err != nil || tr.Rounds != 3600 {
			b.Fatal(tr, err)
		}
		if c.now.Sub(t0) < 59*time.Minute {
			b.Fatalf("simulated %v, want an hour", c.now.Sub(t0))
		}
		tr = nil
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc)-float64(before.HeapAlloc), "heap-B")
		runtime.KeepAlive(agg)
	}
}

// BenchmarkRoundAdd is the cost of folding one 17-hop round in and taking a snapshot (what the live
// view asks for every round).
func BenchmarkRoundAdd(b *testing.B) {
	f := article17()
	agg := NewAggregate(0)
	n := 0
	for b.Loop() {
		agg.Add(f.round(n))
		_ = agg.Snapshot()
		n++
	}
}
