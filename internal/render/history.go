package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"hopscope/internal/report"
)

// textHistory writes the hosts with history, or one host's records with what changed.
func textHistory(w io.Writer, r *report.Report) error {
	h := r.History
	if h == nil {
		return fmt.Errorf("render text: history report has no history section")
	}
	if h.Host == "" {
		if len(h.Hosts) == 0 {
			_, err := fmt.Fprintln(w, "no history yet: run \"hopscope investigate\" to record paths")
			return err
		}
		_, err := fmt.Fprintln(w, strings.Join(h.Hosts, "\n"))
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tKIND\tADDRESS\tSERVER\tMIN RTT\tAS PATH\tCHANGES")
	for _, e := range h.Entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.When.Format("2006-01-02 15:04"), e.Kind, dash(e.Addr), dash(e.Server),
			e.RTTLabel(), dash(asPathText(e.ASPath)), changesText(e.Changes))
	}
	return tw.Flush()
}

// markdownHistory writes the same as a Markdown table.
func markdownHistory(w io.Writer, r *report.Report) error {
	h := r.History
	if h == nil {
		return fmt.Errorf("render markdown: history report has no history section")
	}
	var sb strings.Builder
	if h.Host == "" {
		sb.WriteString("## Hosts with history\n\n")
		for _, host := range h.Hosts {
			sb.WriteString("- " + mdEscape(host) + "\n")
		}
		_, err := io.WriteString(w, sb.String())
		return err
	}
	sb.WriteString("## History of " + mdEscape(h.Host) + "\n\n")
	sb.WriteString("| When (UTC) | Kind | Address | Server | Min RTT | AS path | Changes |\n|---|---|---|---|--:|---|---|\n")
	for _, e := range h.Entries {
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s | %s | %s |\n", e.When.Format("2006-01-02 15:04"), e.Kind, dash(e.Addr),
			mdEscape(dash(e.Server)), e.RTTLabel(), dash(asPathText(e.ASPath)), mdEscape(changesText(e.Changes)))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func asPathText(as []uint32) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = fmt.Sprint(a)
	}
	return strings.Join(parts, " ")
}

func changesText(cs []report.Change) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Text
	}
	return strings.Join(parts, "; ")
}
