package report

// Investigation is a placeholder until its owner defines it.
type Investigation struct{}
