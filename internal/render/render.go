// Package render writes a report.Report as text, JSON, Markdown or HTML.
//
// Every renderer has the signature func(io.Writer, *report.Report) error (text takes its options through
// TextRenderer). Per-kind helpers live in one file per kind (path.go, dns.go, domains.go, ...).
package render

import (
	"encoding/json"
	"fmt"
	"io"

	"hopscope/internal/report"
)

// Formats lists the output formats by name.
var Formats = []string{"text", "json", "markdown", "html"}

// Func is the shape of every renderer.
type Func func(io.Writer, *report.Report) error

// ByName returns the renderer for a format name; color applies to text only.
func ByName(name string, color bool) (Func, error) {
	switch name {
	case "text", "":
		return TextRenderer{Color: color}.Render, nil
	case "json":
		return JSON, nil
	case "markdown", "md":
		return Markdown, nil
	case "html":
		return HTML, nil
	}
	return nil, fmt.Errorf("unknown output format %q (want text, json, markdown or html)", name)
}

// JSON writes r as indented JSON following the versioned schema. Strings keep their raw bytes (JSON
// escapes control characters itself).
func JSON(w io.Writer, r *report.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// TextRenderer writes terminal tables; Color adds ANSI colour (only set it for a TTY without NO_COLOR).
type TextRenderer struct{ Color bool }

// Render writes r as text. Every string from the report is made safe to print (safetext.Line) first.
func (t TextRenderer) Render(w io.Writer, r *report.Report) error {
	r = safeReport(r)
	switch r.Kind {
	case report.KindPath:
		if r.Vantages != nil {
			if err := vantageText(w, r.Vantages, t.Color); err != nil {
				return err
			}
		}
		if err := textPath(w, r, t.Color); err != nil {
			return err
		}
		if r.Comparison != nil {
			_, err := fmt.Fprintf(w, "\nComparison\n  %s\n", r.Comparison.Text)
			return err
		}
		return nil
	case report.KindDNS:
		return textDNS(w, r, t.Color)
	case report.KindDomains:
		return textDomains(w, r, t.Color)
	case report.KindIP:
		return textIP(w, r, t.Color)
	case report.KindInvestigation:
		return textInvestigation(w, r, t.Color)
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
