package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the real command; not shipped.
func newDBCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "db", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("db: not built yet") }}
}
