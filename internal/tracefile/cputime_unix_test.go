//go:build unix

package tracefile

import (
	"syscall"
	"testing"
	"time"
)

// processCPU returns the user+system CPU time this process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds a "cpu-ns/op" metric: CPU time rather than wall time, which stays meaningful
// on a machine shared with other work.
func reportCPU(b *testing.B, start time.Duration) {
	if d := processCPU() - start; d > 0 && b.N > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
