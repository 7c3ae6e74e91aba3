package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"hopscope/internal/analysis"
	"hopscope/internal/report"
	"hopscope/internal/tracefile"
)

// analyzeOptions are the flags of "hopscope analyze".
type analyzeOptions struct {
	g           *globalOptions
	inputFormat string
	strict      bool
	out         outputFlags
	enrich      enrichFlags
	loc         locationFlags
	// now stamps the report; time.Now outside tests.
	now func() time.Time
}

func newAnalyzeCmd(g *globalOptions) *cobra.Command {
	o := &analyzeOptions{g: g, now: time.Now}
	cmd := &cobra.Command{
		Use:   "analyze FILE|-",
		Short: "Explain a saved trace: traceroute, tracert, tracepath, mtr, Cisco, JunOS, NextTrace, RIPE Atlas, Globalping, scamper",
		Long: `Read the output of a trace you already ran ("-" for standard input), detect its format, and explain
it the way a network engineer would: who carries the traffic and where one operator hands it to the next,
where the destination is (AS, operator, country, city), where the latency comes from (jumps that later
hops keep versus spikes from routers slow to answer), the great-circle distance and the speed-of-light
minimum RTT, hops with several responders, silent hops, and internal or private addresses.

Formats detected (--input-format overrides): ` + strings.Join(tracefile.Formats(), ", ") + `.
A pasted terminal session reads too: shell prompts, banners and lines that are not the format's are
skipped with a warning naming the line (--strict refuses the input instead).

Everything works offline on the embedded database (ASN, operator, country) and router hostnames;
databases installed with "hopscope db update" are used too, and --mmdb and --ip2location add
city-level data. Where the trace was run from is read from the first hops;
--from-location gives it when they say nothing ("Paris" or "48.86,2.35").

A file with several traces gives one report per trace: text and Markdown print them one after the other,
JSON carries them in "paths" (a single trace is in "path"); see docs/report-schema.md. When the traces
come from a measurement network's probes (a Globalping measurement, RIPE Atlas /latest/), each is judged
from its probe's place and the vantage points are compared first ("vantages" in JSON), as
"trace --via" does; --from-location turns that off and judges every trace from the one place given.

Output (--format, --json, -o): text (the default), json, markdown, or html, one self-contained page
with the route drawn on a world map.

Exit codes: 0 explained, 1 failure, 2 unreadable or malformed input (nothing is printed on stdout).`,
		Example: `  hopscope analyze trace.txt
  traceroute example.com | hopscope analyze -
  hopscope analyze --json mtr.json
  hopscope analyze --from-location Paris --format markdown trace.txt
  hopscope analyze --mmdb dbip-city-lite.mmdb trace.txt
  hopscope analyze --format html -o trace.html trace.txt`,
		Args: argsUsage(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error { return o.run(c.Flags(), args[0]) },
	}
	f := cmd.Flags()
	f.StringVar(&o.inputFormat, "input-format", "", "input format instead of detecting it: "+strings.Join(tracefile.Formats(), ", "))
	f.BoolVar(&o.strict, "strict", false, "refuse the whole input at the first line that is not the format's (default: skip it with a warning naming the line)")
	addOutputFlags(f, &o.out, "text", "json", "markdown", "html", "csv")
	addEnrichFlags(f, &o.enrich, false)
	addLocationFlags(f, &o.loc)
	return cmd
}

// validate checks the flags and returns the output format and the vantage point; errors are usage errors.
func (o *analyzeOptions) validate(flags *pflag.FlagSet) (string, *analysis.Place, error) {
	format, err := o.out.resolve(flags)
	if err != nil {
		return "", nil, err
	}
	if o.inputFormat != "" && !slices.Contains(tracefile.Formats(), o.inputFormat) {
		return "", nil, usageError{fmt.Errorf("--input-format %q: want one of %s", o.inputFormat, strings.Join(tracefile.Formats(), ", "))}
	}
	from, err := o.loc.place()
	return format, from, err
}

// readInput reads FILE, or standard input for "-".
func (o *analyzeOptions) readInput(name string) ([]byte, string, error) {
	if name == "-" {
		if o.g.streams.In == nil {
			return nil, "stdin", errors.New("no standard input")
		}
		data, err := io.ReadAll(o.g.streams.In)
		return data, "stdin", err
	}
	data, err := os.ReadFile(name)
	return data, name, err
}

// parseError rewrites an importer error as "FILE: line N: expected ..., got ... (as FORMAT)".
func parseError(name string, err error) error {
	var pe *tracefile.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", name, err)
	}
	msg := strings.TrimPrefix(pe.Error(), pe.Format+": ")
	if pe.Format == "" {
		msg = strings.TrimPrefix(pe.Error(), "unrecognised traceroute output: ")
		return fmt.Errorf("%s: unrecognised traceroute output: %s (formats: %s; see --input-format)", name, msg, strings.Join(tracefile.Formats(), ", "))
	}
	return fmt.Errorf("%s: %s (read as %s)", name, msg, pe.Format)
}

func (o *analyzeOptions) run(flags *pflag.FlagSet, file string) error {
	format, from, err := o.validate(flags)
	if err != nil {
		return err
	}
	data, name, err := o.readInput(file)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return badInput(fmt.Errorf("read %s: %w", name, err))
	}
	traces, err := tracefile.ParseWith(data, o.inputFormat, tracefile.ParseOptions{Strict: o.strict})
	if err != nil {
		return badInput(parseError(name, err))
	}
	if len(traces) == 0 {
		return badInput(fmt.Errorf("%s: no trace found", name))
	}
	e, err := o.enrich.open(o.g)
	if err != nil {
		return err
	}
	defer e.Close()
	rep := report.New(report.KindPath, o.now())
	if from == nil && analysis.FromProbes(traces) {
		// A measurement network's probes: each trace from its own vantage point, compared.
		ps, v := analysis.Vantages(traces, e)
		if len(ps) == 1 {
			rep.Path = ps[0]
		} else {
			rep.Paths, rep.Vantages = ps, v
		}
		return o.out.write(o.g, format, rep)
	}
	for _, t := range traces {
		p := analysis.Path(t, e, analysis.Options{From: from})
		if len(traces) == 1 {
			rep.Path = p
		} else {
			rep.Paths = append(rep.Paths, p)
		}
	}
	return o.out.write(o.g, format, rep)
}
