package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"hopscope/internal/har"
	"hopscope/internal/version"
)

func newHARCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "har",
		Short: "Export proxy sessions as HAR 1.2; import HAR from browsers, ZAP and mitmproxy",
		Long: `HAR (HTTP Archive 1.2) is what browsers' developer tools, OWASP ZAP and mitmproxy save.
"hopscope domains FILE.har" reads HAR directly; "har import" shows the flows it yields.`,
	}
	var output string
	export := &cobra.Command{
		Use:   "export [SESSION]",
		Short: "Write a proxy session as HAR 1.2 (HTTP exchanges; passed-through tunnels are counted in the log comment)",
		Long: `Write a proxy session as HAR 1.2: the HTTP exchanges; passed-through tunnels are counted in the log
comment. Without SESSION, the latest session "hopscope proxy" wrote in the data directory
(DATA_DIR/sessions) is read; standard error says which.`,
		Example: `  hopscope har export -o app.har
  hopscope har export ~/.local/share/hopscope/sessions/proxy-20260101-120000.jsonl -o app.har`,
		Args: argsUsage(cobra.MaximumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			file := ""
			if len(args) == 1 {
				file = args[0]
			} else {
				var err error
				if file, err = g.latestSession(); err != nil {
					return err
				}
			}
			inv, recs, err := readInventory(file)
			if err != nil {
				return err
			}
			g.warn(inv.Warnings)
			if recs == nil {
				return badInput(fmt.Errorf("%s is a HAR file already, not a hopscope session", file))
			}
			return harWriteTo(g, output, func(w io.Writer) error { return har.Write(w, har.FromRecords(recs, version.Version)) })
		},
	}
	export.Flags().StringVarP(&output, "output", "o", "", "write to FILE instead of stdout")
	var importOut string
	imp := &cobra.Command{
		Use:   "import HAR",
		Short: "Read a HAR file (Chromium, Firefox, ZAP, mitmproxy) and write its flows as inventory JSON",
		Args:  argsUsage(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return badInput(err)
			}
			defer f.Close()
			h, err := har.Decode(f, args[0])
			if err != nil {
				return badInput(err)
			}
			inv := har.ToInventory(h, args[0])
			fmt.Fprintf(g.streams.Err, "%s: %s HAR, %d entries, %d flows, %d warnings\n", args[0], h.Flavour(), len(h.Log.Entries), len(inv.Flows), len(inv.Warnings))
			return harWriteTo(g, importOut, func(w io.Writer) error {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(inv)
			})
		},
	}
	imp.Flags().StringVarP(&importOut, "output", "o", "", "write to FILE instead of stdout")
	cmd.AddCommand(export, imp)
	return cmd
}

// harWriteTo runs write on stdout, or on a new file that is only kept when write succeeds.
func harWriteTo(g *globalOptions, path string, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(g.streams.Out)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(g.streams.Err, "wrote %s\n", path)
	return nil
}
