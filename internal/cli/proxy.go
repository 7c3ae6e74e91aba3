package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the real command; not shipped.
func newProxyCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "proxy", Hidden: true, RunE: func(*cobra.Command, []string) error { return errors.New("proxy: not built yet") }}
}
