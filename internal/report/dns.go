package report

// DNS is a placeholder until its owner defines it.
type DNS struct{}
