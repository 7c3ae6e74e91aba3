package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the real command; not shipped.
func newAnalyzeCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "analyze", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("analyze: not built yet") }}
}
