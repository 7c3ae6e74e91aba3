// Package cli wires hopscope's stages into commands: flags become Options, Options run a stage pipeline.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"hopscope/internal/safetext"
)

// Streams are the process's standard streams, injected so commands can be tested.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// Exit codes shared by every command.
const (
	ExitOK       = 0
	ExitFailure  = 1 // the operation ran and failed (network error, nothing answered, ...)
	ExitBadInput = 2 // usage errors, unreadable or malformed input
	ExitNegative = 3 // a definite negative answer (DNS NXDOMAIN / NODATA)
)

// ExitError carries an exit code with an error; commands return it to choose a code other than 1.
type ExitError struct {
	Code int
	Err  error
	// Said is set when the command already printed the error in its report on standard output; Run
	// then prints it no second time.
	Said bool
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// badInput wraps err as an ExitBadInput error.
func badInput(err error) error { return &ExitError{Code: ExitBadInput, Err: err} }

// globalOptions are the flags every command shares.
type globalOptions struct {
	streams Streams
	// color is "auto", "always" or "never".
	color string
	// dataDir overrides where downloaded databases and the CA live; empty means the user's default.
	dataDir string
}

// colorEnabled reports whether to decorate output written to w.
func (g *globalOptions) colorEnabled(w io.Writer) bool {
	switch g.color {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// dataPath returns the data directory: --data-dir, else $XDG_DATA_HOME/hopscope, else ~/.local/share/hopscope.
// It does not create it.
func (g *globalOptions) dataPath() (string, error) {
	if g.dataDir != "" {
		return g.dataDir, nil
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "hopscope"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the data directory (set --data-dir): %w", err)
	}
	return filepath.Join(home, ".local", "share", "hopscope"), nil
}

// isTTY reports whether w is a terminal (for progress displays).
func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Run executes the command line args and returns the process exit code.
func Run(ctx context.Context, args []string, s Streams) int {
	g := &globalOptions{streams: s}
	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) && ee.Said {
		return ee.Code
	}
	// An error can quote what came from outside (a file name, a host, a line of input, a pattern):
	// printed on a terminal, its control characters are made visible, never obeyed.
	fmt.Fprintf(s.Err, "hopscope: %s\n", safetext.Text(err.Error()))
	if ee != nil {
		return ee.Code
	}
	if isUsageError(err) {
		return ExitBadInput
	}
	return ExitFailure
}

type usageError struct{ error }

func isUsageError(err error) bool {
	var u usageError
	return errors.As(err, &u)
}

func newRootCmd(g *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "hopscope",
		Short: "What does this application do on the network, where are its servers, and why is it slow from here?",
		Long: `hopscope investigates an application's network behaviour the way a careful engineer would by hand,
with a MITM proxy, Wireshark, host, traceroute and an IP-location database, and explains the result.

Start with:
  hopscope analyze FILE        explain a traceroute/mtr/tracert/RIPE Atlas/scamper output
  hopscope trace HOST          trace the path yourself (ICMP, UDP or TCP; IPv4 or IPv6)
  hopscope ip ADDR...          who operates an address and where it is
  hopscope dns NAME            the full DNS resolution: aliases, every address, TTLs, authority
  hopscope proxy               intercept an app's HTTP(S) traffic and inventory its domains
  hopscope capture FILE        name every flow in a pcap/pcapng file or live capture
  hopscope investigate         all of it end to end, with an HTML report and a route map

Everything works offline on the embedded database; richer data is optional (see "hopscope db").`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.color, "color", "auto", `decorate terminal output: "auto" (only on a TTY, honours NO_COLOR), "always" or "never"`)
	root.PersistentFlags().StringVar(&g.dataDir, "data-dir", "", "where downloaded databases, the CA and sessions live (default: $XDG_DATA_HOME/hopscope or ~/.local/share/hopscope)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	root.AddCommand(
		newVersionCmd(g),
		newAnalyzeCmd(g),
		newIPCmd(g),
		newDBCmd(g),
		newTraceCmd(g),
		newDNSCmd(g),
		newCACmd(g),
		newProxyCmd(g),
		newDomainsCmd(g),
		newHARCmd(g),
		newCaptureCmd(g),
		newInvestigateCmd(g),
		newReportCmd(g),
		newHistoryCmd(g),
	)
	return root
}

// exactArgs is cobra.ExactArgs with a usage error.
func argsUsage(fn cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := fn(c, args); err != nil {
			return usageError{fmt.Errorf("%s: %w", c.CommandPath(), err)}
		}
		return nil
	}
}
