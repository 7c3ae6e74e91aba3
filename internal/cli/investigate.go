package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the real command; not shipped.
func newInvestigateCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "investigate", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("investigate: not built yet") }}
}
