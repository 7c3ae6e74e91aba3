package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the real command; not shipped.
func newHARCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "har", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("har: not built yet") }}
}
