//go:build !linux

package mitm

import "time"

// processCPU is not measured outside Linux.
func processCPU() time.Duration { return 0 }
