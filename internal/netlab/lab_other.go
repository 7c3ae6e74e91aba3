//go:build !linux

package netlab

import (
	"context"
	"errors"
	"os/exec"

	"hopscope/internal/netlab/relay"
)

// ErrUnsupported is returned by Start on systems without Linux network namespaces.
var ErrUnsupported = errors.New("netlab: network namespace labs need Linux")

// Lab is a running lab network; on this system Start never returns one.
type Lab struct {
	plan *plan
	spec Spec
}

// Start fails: labs need Linux.
func Start(ctx context.Context, spec Spec) (*Lab, error) { return nil, ErrUnsupported }

// Close does nothing.
func (l *Lab) Close() error { return nil }

// Run fails: labs need Linux.
func (l *Lab) Run(node string, fn func() error) error { return ErrUnsupported }

// Exec returns a command that fails.
func (l *Lab) Exec(ctx context.Context, node, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "netlab-needs-linux")
}

// NetnsPath returns "".
func (l *Lab) NetnsPath(node string) string { return "" }

// LinkStats reports no relay.
func (l *Lab) LinkStats(i int) (ab, ba relay.Stats, ok bool) { return ab, ba, false }

// Sweep does nothing.
func Sweep() ([]string, error) { return nil, nil }
