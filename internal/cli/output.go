package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"

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

// write renders rep in format to -o through a temporary file that replaces it only when rendering
// succeeds, or into memory and then to standard output (so a rendering error writes nothing there);
// colour only when writing to a terminal that wants it. Streaming to the file keeps a report of
// hundreds of megabytes (a hop of 200,000 responders in JSON) out of memory.
func (o *outputFlags) write(g *globalOptions, format string, rep *report.Report) error {
	opts := render.Options{Color: o.output == "" && g.colorEnabled(g.streams.Out)}
	if o.output == "" {
		opts.Width = textWidth(g.streams.Out)
	}
	rf, err := render.ByNameOptions(format, opts)
	if err != nil {
		return usageError{err}
	}
	render := func(w io.Writer) error { return rf(w, rep) }
	if o.output != "" && !special(o.output) {
		return o.stream(g, render)
	}
	return o.emit(g, render)
}

// textWidth is the width text output fits on w: $COLUMNS when set to a number (so "COLUMNS=80 hopscope
// ... | less" works), else the terminal's width when w is one, else 0 (render.DefaultWidth, 100).
func textWidth(w io.Writer) int {
	if n, err := strconv.Atoi(strings.TrimSpace(os.Getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if n, _, err := term.GetSize(int(f.Fd())); err == nil && n > 0 {
			return n
		}
	}
	return 0
}

// emit runs fn into memory, then writes what it wrote to -o (atomically) or standard output; an error
// from fn leaves both untouched. Commands whose output is not a report (version, db status, capture
// --flows) use it directly.
func (o *outputFlags) emit(g *globalOptions, fn func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := fn(&buf); err != nil {
		return err
	}
	if o.output != "" {
		if err := writeFileAtomic(o.output, buf.Bytes()); err != nil {
			return err
		}
		o.wrote(g)
		return nil
	}
	_, err := g.streams.Out.Write(buf.Bytes())
	return err
}

// stream runs fn on standard output as it goes, or on a temporary file beside -o that replaces -o only
// when fn succeeds: for output too large to hold in memory (dns --bulk).
func (o *outputFlags) stream(g *globalOptions, fn func(io.Writer) error) error {
	if o.output == "" {
		return fn(g.streams.Out)
	}
	if special(o.output) {
		f, err := os.OpenFile(o.output, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return fmt.Errorf("write %s: %w", o.output, err)
		}
		bw := bufio.NewWriterSize(f, 64<<10)
		ferr := fn(bw)
		if err := bw.Flush(); err != nil && ferr == nil {
			ferr = fmt.Errorf("write %s: %w", o.output, err)
		}
		if err := f.Close(); err != nil && ferr == nil {
			ferr = fmt.Errorf("write %s: %w", o.output, err)
		}
		return ferr
	}
	tmp, err := os.CreateTemp(dirOf(o.output), ".hopscope-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", o.output, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	bw := bufio.NewWriterSize(tmp, 64<<10)
	ferr := fn(bw)
	if err := bw.Flush(); err != nil && ferr == nil {
		ferr = fmt.Errorf("write %s: %w", o.output, err)
	}
	if err := tmp.Close(); err != nil && ferr == nil {
		ferr = fmt.Errorf("write %s: %w", o.output, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil && ferr == nil {
		ferr = err
	}
	if ferr != nil {
		var ee *ExitError
		if !errors.As(ferr, &ee) || ee.Code == ExitBadInput {
			return ferr // nothing worth keeping
		}
		// A run that finished with failures (some names did not resolve) still wrote its lines.
	}
	if err := os.Rename(tmp.Name(), o.output); err != nil {
		return fmt.Errorf("write %s: %w", o.output, err)
	}
	o.wrote(g)
	return ferr
}

// wrote says on standard error where the output went.
func (o *outputFlags) wrote(g *globalOptions) {
	if g.streams.Err != nil && o.output != os.DevNull {
		fmt.Fprintf(g.streams.Err, "hopscope: wrote %s\n", o.output)
	}
}

// writeFileAtomic writes data to name through a temporary file and a rename, so a reader never sees half a report.
// A destination that exists and is not a regular file (/dev/null, a FIFO) is written in place: renaming
// over it would replace a device with a file.
func writeFileAtomic(name string, data []byte) error {
	if special(name) {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		return nil
	}
	tmp, err := os.CreateTemp(dirOf(name), ".hopscope-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

func dirOf(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		if i == 0 {
			return "/"
		}
		return name[:i]
	}
	return "."
}

// special reports whether name exists and is not a regular file.
func special(name string) bool {
	st, err := os.Stat(name)
	return err == nil && !st.Mode().IsRegular()
}
