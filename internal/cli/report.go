package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"hopscope/internal/report"
)

// reportOptions are the flags of `hopscope report`.
type reportOptions struct {
	g   *globalOptions
	out outputFlags
}

func newReportCmd(g *globalOptions) *cobra.Command {
	o := &reportOptions{g: g}
	c := &cobra.Command{
		Use:   "report [flags] RESULT.json|-",
		Short: "Render a saved result (trace, analyze, ip, dns, domains, capture, investigate, history) as text, Markdown or HTML",
		Long: `report reads a result saved with --json by any command and renders it again, as text (the default,
like every command), json, markdown or html. The HTML format is one self-contained file that works
offline: a world map with the route drawn hop by hop and coloured by network (AS), the AS chain, the
RTT of every hop, the domains table and the findings.`,
		Example: `  hopscope analyze --json trace.txt > trace.json && hopscope report --format html -o trace.html trace.json
  hopscope investigate --session app.session --json -o app.json && hopscope report --format html -o app.html app.json`,
		Args: argsUsage(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd.Flags(), args[0]) },
	}
	addOutputFlags(c.Flags(), &o.out, "text", "json", "markdown", "html")
	return c
}

// ReadReport decodes a saved report and checks its schema and version. name is used in errors.
func ReadReport(r io.Reader, name string) (*report.Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<30))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	var rep report.Report
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&rep); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
			return nil, fmt.Errorf("%s: line %d: not a hopscope JSON report: %v", name, line, err)
		}
		return nil, fmt.Errorf("%s: not a hopscope JSON report: %v", name, err)
	}
	if rep.Schema != report.Schema {
		return nil, fmt.Errorf("%s: schema %q is not %q (save results with --json)", name, rep.Schema, report.Schema)
	}
	if rep.SchemaVersion > report.SchemaVersion || rep.SchemaVersion < 1 {
		return nil, fmt.Errorf("%s: schema version %d; this hopscope reads version %d", name, rep.SchemaVersion, report.SchemaVersion)
	}
	ok := map[report.Kind]bool{
		report.KindPath:          rep.Path != nil || len(rep.Paths) > 0,
		report.KindDNS:           rep.DNS != nil,
		report.KindDomains:       rep.Domains != nil,
		report.KindInvestigation: rep.Investigation != nil,
		report.KindIP:            len(rep.IPs) > 0,
		report.KindHistory:       rep.History != nil,
	}
	has, known := ok[rep.Kind]
	if !known {
		return nil, fmt.Errorf("%s: unknown report kind %q", name, rep.Kind)
	}
	if !has {
		return nil, fmt.Errorf("%s: a %s report without its %s section", name, rep.Kind, rep.Kind)
	}
	return &rep, nil
}

func (o *reportOptions) run(flags *pflag.FlagSet, file string) error {
	format, err := o.out.resolve(flags)
	if err != nil {
		return err
	}
	var in io.Reader = o.g.streams.In
	name := "standard input"
	if file != "-" {
		fh, err := openInput(file)
		if err != nil {
			return err
		}
		defer fh.Close()
		in, name = fh, file
	}
	rep, err := ReadReport(in, name)
	if err != nil {
		return badInput(err)
	}
	return o.out.write(o.g, format, rep)
}
