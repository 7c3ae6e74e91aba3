package cli

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"hopscope/internal/history"
	"hopscope/internal/report"
)

// historyOptions are the flags of `hopscope history`.
type historyOptions struct {
	g     *globalOptions
	limit int
	out   outputFlags
}

func newHistoryCmd(g *globalOptions) *cobra.Command {
	o := &historyOptions{g: g}
	c := &cobra.Command{
		Use:   "history [flags] [HOST]",
		Short: "List past paths to HOST and what changed (new AS, server location, RTT shift); no HOST lists hosts",
		Long: `List the paths recorded for HOST (by "hopscope investigate") from oldest to newest, with what changed
since the record before: a new or vanished AS, the server's network or place, an RTT shift, reachability.
HOST is the name or address as investigated ("img.example.com", "192.0.2.7"); a port ("host:443") is
ignored. Without HOST, list every host with a record.`,
		Example: `  hopscope history
  hopscope history img.example.com
  hopscope history --format markdown -o history.md img.example.com`,
		Args: argsUsage(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			host := ""
			if len(args) == 1 {
				host = args[0]
			}
			return o.run(cmd, host)
		},
	}
	c.Flags().IntVar(&o.limit, "limit", 20, "show at most this many of the newest records (0: all)")
	addOutputFlags(c.Flags(), &o.out, "text", "json", "markdown", "html")
	return c
}

// historyHost strips a port from "host:port" or "[v6]:port" so a host is found as it was recorded.
func historyHost(s string) string {
	if h, _, err := net.SplitHostPort(s); err == nil {
		return h
	}
	return strings.Trim(s, "[]")
}

func (o *historyOptions) run(cmd *cobra.Command, host string) error {
	format, err := o.out.resolve(cmd.Flags())
	if err != nil {
		return err
	}
	if o.limit < 0 {
		return usageError{fmt.Errorf("--limit %d: want 0 (all) or more", o.limit)}
	}
	dir, err := o.g.dataPath()
	if err != nil {
		return err
	}
	st, err := history.Open(history.DefaultPath(dir))
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := cmd.Context()
	rep := report.New(report.KindHistory, time.Now())
	if host == "" {
		hosts, err := st.Hosts(ctx)
		if err != nil {
			return err
		}
		rep.History = &report.History{Hosts: hosts}
		return o.out.write(o.g, format, rep)
	}
	host = historyHost(host)
	recs, err := st.ForHost(ctx, host, o.limit)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("no history for %s", host)}
	}
	rep.History = report.NewHistory(host, recs)
	return o.out.write(o.g, format, rep)
}
