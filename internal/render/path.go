package render

import (
	"errors"
	"io"

	"hopscope/internal/report"
)

// PLACEHOLDER until the Path renderer lands.
func textPath(w io.Writer, r *report.Report, color bool) error { return errors.New("render: path not built yet") }

// PLACEHOLDER until the Path renderer lands.
func markdownPath(w io.Writer, r *report.Report) error { return errors.New("render: path not built yet") }
