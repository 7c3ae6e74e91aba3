package render

import (
	"errors"
	"io"

	"hopscope/internal/report"
)

// PLACEHOLDER until the DNS renderer lands.
func textDNS(w io.Writer, r *report.Report, color bool) error { return errors.New("render: dns not built yet") }

// PLACEHOLDER until the DNS renderer lands.
func markdownDNS(w io.Writer, r *report.Report) error { return errors.New("render: dns not built yet") }
