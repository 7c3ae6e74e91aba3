package report

// IPInfo is a placeholder until its owner defines it.
type IPInfo struct{}
