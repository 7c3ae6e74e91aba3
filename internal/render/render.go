// Package render writes a report.Report as text, JSON, Markdown or HTML.
//
// Every renderer has the signature func(io.Writer, *report.Report) error (text takes its options through
// TextRenderer). Per-kind helpers live in one file per kind (path.go, dns.go, domains.go, ...).
package render

import (
	"fmt"
	"io"

	"hopscope/internal/report"
)

// Formats lists the output formats by name.
var Formats = []string{"text", "json", "markdown", "html", "csv"}

// Func is the shape of every renderer.
type Func func(io.Writer, *report.Report) error

// Options are what a terminal tells the renderers; the zero value is plain text DefaultWidth wide.
type Options struct {
	// Color adds ANSI colour and symbols to text (only set it for a TTY without NO_COLOR).
	Color bool
	// Width is the text output's width in columns; 0 means DefaultWidth.
	Width int
}

// ByName returns the renderer for a format name; color applies to text only, which fits DefaultWidth.
func ByName(name string, color bool) (Func, error) {
	return ByNameOptions(name, Options{Color: color})
}

// ByNameOptions returns the renderer for a format name with the terminal's options (text only).
func ByNameOptions(name string, o Options) (Func, error) {
	switch name {
	case "text", "":
		return TextRenderer{Color: o.Color, Width: o.Width}.Render, nil
	case "json":
		return JSON, nil
	case "markdown", "md":
		return Markdown, nil
	case "html":
		return HTML, nil
	case "csv":
		return CSV, nil
	}
	return nil, fmt.Errorf("unknown output format %q (want text, json, markdown, html or csv)", name)
}

// JSON writes r as indented JSON following the versioned schema. Strings keep their raw bytes (JSON
// escapes control characters itself). The output is encoding/json's Encoder with two-space indentation,
// written as it is made (writeJSON): a report of any size costs little more memory than its own.
func JSON(w io.Writer, r *report.Report) error {
	return writeJSON(w, r)
}

// TextRenderer writes terminal tables; Color adds ANSI colour (only set it for a TTY without NO_COLOR).
// No line is wider than Width columns (0 means DefaultWidth): long names are cut in the middle (the JSON
// keeps them whole) and prose wraps.
type TextRenderer struct {
	Color bool
	Width int
}

// Render writes r as text. Every string from the report is made safe to print (safetext.Line) first.
func (t TextRenderer) Render(w io.Writer, r *report.Report) error {
	r = safeReport(r)
	width := fitWidth(t.Width)
	if r.Kind == report.KindPath {
		if r.Vantages != nil {
			if err := vantageText(w, r.Vantages, t.Color, width); err != nil {
				return err
			}
		}
		if err := textPath(w, r, t.Color, width); err != nil {
			return err
		}
		if r.Comparison != nil {
			to := &textOut{w: w, width: width}
			to.line("")
			to.line("Comparison")
			to.para("  ", "  ", r.Comparison.Text)
			return to.err
		}
		return nil
	}
	// The other kinds lay out their own tables; the fitWriter wraps whatever is still too wide.
	fw := &fitWriter{w: w, width: width}
	if err := t.renderOther(fw, r); err != nil {
		return err
	}
	return fw.flush()
}

// renderOther writes the reports that are not paths.
func (t TextRenderer) renderOther(w io.Writer, r *report.Report) error {
	switch r.Kind {
	case report.KindDNS:
		return textDNS(w, r, t.Color, fitWidth(t.Width))
	case report.KindDomains:
		return textDomains(w, r, t.Color, fitWidth(t.Width))
	case report.KindIP:
		return textIP(w, r, t.Color, fitWidth(t.Width))
	case report.KindInvestigation:
		return textInvestigation(w, r, t.Color, fitWidth(t.Width))
	case report.KindHistory:
		return textHistory(w, r)
	}
	return fmt.Errorf("render text: unknown report kind %q", r.Kind)
}

// Markdown writes r as GitHub-flavoured Markdown. Every string from the report is made safe to print
// (safetext.Line) first.
func Markdown(w io.Writer, r *report.Report) error {
	r = safeReport(r)
	switch r.Kind {
	case report.KindPath:
		if r.Vantages != nil {
			if err := vantageMarkdown(w, r.Vantages); err != nil {
				return err
			}
		}
		if err := markdownPath(w, r); err != nil {
			return err
		}
		if r.Comparison != nil {
			_, err := fmt.Fprintf(w, "\n## Comparison\n\n%s\n", r.Comparison.Text)
			return err
		}
		return nil
	case report.KindDNS:
		return markdownDNS(w, r)
	case report.KindDomains:
		return markdownDomains(w, r)
	case report.KindIP:
		return markdownIP(w, r)
	case report.KindInvestigation:
		return markdownInvestigation(w, r)
	case report.KindHistory:
		return markdownHistory(w, r)
	}
	return fmt.Errorf("render markdown: unknown report kind %q", r.Kind)
}
