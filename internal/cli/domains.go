package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the real command; not shipped.
func newDomainsCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "domains", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("domains: not built yet") }}
}
