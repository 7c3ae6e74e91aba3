package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the real command; not shipped.
func newDNSCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "dns", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("dns: not built yet") }}
}
