package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the real command; not shipped.
func newHistoryCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "history", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("history: not built yet") }}
}
