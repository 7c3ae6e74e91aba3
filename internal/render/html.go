package render

import (
	"errors"
	"io"

	"hopscope/internal/report"
)

// HTML writes r as one self-contained HTML file. PLACEHOLDER until the HTML report lands.
func HTML(w io.Writer, r *report.Report) error { return errors.New("render: html not built yet") }
