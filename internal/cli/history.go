package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"hopscope/internal/history"
)

// historyOptions are the flags of `hopscope history`.
type historyOptions struct {
	g     *globalOptions
	limit int
	json  bool
}

// historyEntry is one record with what changed since the one before it.
type historyEntry struct {
	history.Record
	Changes []history.Change `json:"changes,omitempty"`
}

func newHistoryCmd(g *globalOptions) *cobra.Command {
	o := &historyOptions{g: g}
	c := &cobra.Command{
		Use:   "history [flags] [HOST]",
		Short: "List past paths to HOST and what changed (new AS, server location, RTT shift); no HOST lists hosts",
		Args:  argsUsage(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			host := ""
			if len(args) == 1 {
				host = args[0]
			}
			return o.run(cmd, host)
		},
	}
	c.Flags().IntVar(&o.limit, "limit", 20, "show at most this many of the newest records (0: all)")
	c.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return c
}

func (o *historyOptions) run(cmd *cobra.Command, host string) error {
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
	out := o.g.streams.Out
	if host == "" {
		hosts, err := st.Hosts(ctx)
		if err != nil {
			return err
		}
		if o.json {
			return json.NewEncoder(out).Encode(hosts)
		}
		if len(hosts) == 0 {
			fmt.Fprintln(out, "no history yet: run \"hopscope investigate\" to record paths")
			return nil
		}
		for _, h := range hosts {
			fmt.Fprintln(out, h)
		}
		return nil
	}
	recs, err := st.ForHost(ctx, host, o.limit)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("no history for %s", host)}
	}
	entries := make([]historyEntry, len(recs))
	for i, r := range recs {
		r.Report = nil
		entries[i].Record = r
		if i > 0 {
			entries[i].Changes = history.Diff(recs[i-1], recs[i])
		}
	}
	if o.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	}
	tw := tabwriter.NewWriter(out, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tKIND\tADDRESS\tSERVER\tMIN RTT\tAS PATH\tCHANGES")
	for _, e := range entries {
		server := strings.TrimSpace(fmt.Sprintf("AS%d %s", e.DestASN, placeOf(e.Record)))
		if e.DestASN == 0 {
			server = placeOf(e.Record)
		}
		rtt := "-"
		if e.HasRTT {
			rtt = e.MinRTT.Round(100 * time.Microsecond).String()
		}
		var as []string
		for _, a := range e.ASPath {
			as = append(as, fmt.Sprint(a))
		}
		var ch []string
		for _, c := range e.Changes {
			ch = append(ch, c.Text)
		}
		addr := "-"
		if e.Addr.IsValid() {
			addr = e.Addr.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.When.Local().Format("2006-01-02 15:04"), e.Kind, addr, server, rtt,
			strings.Join(as, " "), strings.Join(ch, "; "))
	}
	return tw.Flush()
}

func placeOf(r history.Record) string {
	switch {
	case r.DestCity != "" && r.DestCountry != "":
		return r.DestCity + ", " + r.DestCountry
	default:
		return r.DestCountry
	}
}
