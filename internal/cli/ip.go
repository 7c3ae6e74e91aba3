package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the real command; not shipped.
func newIPCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "ip", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("ip: not built yet") }}
}
