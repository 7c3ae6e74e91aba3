package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the real command; not shipped.
func newReportCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "report", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("report: not built yet") }}
}
