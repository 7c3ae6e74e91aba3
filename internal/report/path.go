package report

// Path is a placeholder until its owner defines it.
type Path struct{}
