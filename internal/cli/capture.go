package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the real command; not shipped.
func newCaptureCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "capture", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("capture: not built yet") }}
}
