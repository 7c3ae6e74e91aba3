package render

import (
	"errors"
	"io"

	"hopscope/internal/report"
)

// PLACEHOLDER until the Domains renderer lands.
func textDomains(w io.Writer, r *report.Report, color bool) error { return errors.New("render: domains not built yet") }

// PLACEHOLDER until the Domains renderer lands.
func markdownDomains(w io.Writer, r *report.Report) error { return errors.New("render: domains not built yet") }
