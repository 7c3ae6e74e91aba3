package report

// Domains is a placeholder until its owner defines it.
type Domains struct{}
