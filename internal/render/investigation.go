package render

import (
	"errors"
	"io"

	"hopscope/internal/report"
)

// PLACEHOLDER until the Investigation renderer lands.
func textInvestigation(w io.Writer, r *report.Report, color bool) error { return errors.New("render: investigation not built yet") }

// PLACEHOLDER until the Investigation renderer lands.
func markdownInvestigation(w io.Writer, r *report.Report) error { return errors.New("render: investigation not built yet") }
