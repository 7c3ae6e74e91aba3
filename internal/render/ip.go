package render

import (
	"errors"
	"io"

	"hopscope/internal/report"
)

// PLACEHOLDER until the IP renderer lands.
func textIP(w io.Writer, r *report.Report, color bool) error { return errors.New("render: ip not built yet") }

// PLACEHOLDER until the IP renderer lands.
func markdownIP(w io.Writer, r *report.Report) error { return errors.New("render: ip not built yet") }
