//go:build !linux

package capture

import "context"

// Live is not supported on this operating system.
func Live(ctx context.Context, opt LiveOptions, a *Analyzer) error { return ErrLiveUnsupported }
