package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the real command; not shipped.
func newTraceCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "trace", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("trace: not built yet") }}
}
