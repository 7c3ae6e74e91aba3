package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the real command; not shipped.
func newVersionCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "version", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("version: not built yet") }}
}
