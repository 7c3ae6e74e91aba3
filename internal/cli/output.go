package cli

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"hopscope/internal/render"
	"hopscope/internal/report"
)

// outputFlags is the output flag group every command that writes a report shares (the GitHub CLI's
// AddJSONFlags being the model): --format, --json and -o mean the same everywhere.
type outputFlags struct {
	format string
	json   bool
	output string
	// formats lists what this command renders, the default first.
	formats []string
}

// addOutputFlags registers --format (default formats[0]), --json and -o/--output on fs.
func addOutputFlags(fs *pflag.FlagSet, o *outputFlags, formats ...string) {
	o.formats = formats
	fs.StringVar(&o.format, "format", formats[0], "output format: "+strings.Join(formats, ", "))
	fs.BoolVar(&o.json, "json", false, "write the JSON report (same as --format json)")
	fs.StringVarP(&o.output, "output", "o", "", "write the report to this file instead of standard output (replaced atomically)")
}

// resolve validates the group and returns the format to render: --json with another explicit --format
// is an error in every command; "md" is "markdown".
func (o *outputFlags) resolve(fs *pflag.FlagSet) (string, error) {
	f := strings.ToLower(o.format)
	if f == "md" {
		f = "markdown"
	}
	if o.json {
		if fs != nil && fs.Changed("format") && f != "json" {
			return "", usageError{fmt.Errorf("--json and --format %s disagree", o.format)}
		}
		f = "json"
	}
	if !slices.Contains(o.formats, f) {
		return "", usageError{fmt.Errorf("--format %q: want one of %s", o.format, strings.Join(o.formats, ", "))}
	}
	return f, nil
}

// write renders rep in format into memory (so a rendering error leaves the destination untouched) and
// writes it to -o or standard output; colour only when writing to a terminal that wants it.
func (o *outputFlags) write(g *globalOptions, format string, rep *report.Report) error {
	rf, err := render.ByName(format, o.output == "" && g.colorEnabled(g.streams.Out))
	if err != nil {
		return usageError{err}
	}
	var buf bytes.Buffer
	if err := rf(&buf, rep); err != nil {
		return err
	}
	if o.output != "" {
		if err := writeFileAtomic(o.output, buf.Bytes()); err != nil {
			return err
		}
		if g.streams.Err != nil && o.output != os.DevNull {
			fmt.Fprintf(g.streams.Err, "hopscope: wrote %s\n", o.output)
		}
		return nil
	}
	_, err = g.streams.Out.Write(buf.Bytes())
	return err
}
