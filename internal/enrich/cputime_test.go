package enrich

import (
	"syscall"
	"testing"
	"time"
)

// reportCPU adds a "cpu-ns/op" metric: process CPU time per operation. On a shared machine the wall-clock
// ns/op includes time spent waiting for a core; CPU time is what one core needs.
func reportCPU(b *testing.B, run func()) {
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	run()
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}
