package dns

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNegative is wrapped by NegativeError so callers can branch on "the name or the data does not exist".
var ErrNegative = errors.New("negative answer")

// NegativeError is a definite negative answer: NXDOMAIN (the name does not exist) or NODATA (the name
// exists but has no record of the asked type).
type NegativeError struct {
	Name   string
	Type   string
	Rcode  string // "NXDOMAIN" or "NOERROR" (NODATA)
	Server string
	// Zone is the owner of the SOA returned with the negative answer; empty when the server sent none.
	Zone string
}

func (e *NegativeError) Error() string {
	kind := "NXDOMAIN: " + e.Name + " does not exist"
	if e.Rcode != "NXDOMAIN" {
		kind = "NODATA: " + e.Name + " has no " + e.Type + " record"
	}
	if e.Zone != "" {
		kind += " (SOA " + e.Zone + ")"
	}
	return kind + ", answered by " + e.Server
}

// Unwrap lets errors.Is(err, ErrNegative) match.
func (e *NegativeError) Unwrap() error { return ErrNegative }

// RcodeError is a failure response code (SERVFAIL, REFUSED, FORMERR, NOTIMP, ...) from a server.
type RcodeError struct {
	Name   string
	Type   string
	Rcode  string
	Server string
	// Detail adds what hopscope found out (a DNSSEC validation failure, a CNAME loop behind a SERVFAIL, an
	// extended DNS error text); empty when nothing more is known.
	Detail string
}

func (e *RcodeError) Error() string {
	s := fmt.Sprintf("%s from %s for %s %s", e.Rcode, e.Server, e.Name, e.Type)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// TimeoutError says a server did not answer within the wait; Ignored counts replies that arrived but
// could not be ours (wrong ID or too short to carry one).
type TimeoutError struct {
	Server string
	Wait   time.Duration
	// Ignored counts datagrams that were discarded while waiting; IgnoredWhy describes the last one.
	Ignored    int
	IgnoredWhy string
}

func (e *TimeoutError) Error() string {
	s := fmt.Sprintf("timeout: no answer from %s within %s", e.Server, e.Wait)
	if e.Ignored > 0 {
		s += fmt.Sprintf(" (ignored %d reply(ies) that did not match the query: %s)", e.Ignored, e.IgnoredWhy)
	}
	return s
}

// Timeout reports true, so a TimeoutError looks like a net.Error timeout to callers that check.
func (e *TimeoutError) Timeout() bool { return true }

// MalformedError is a reply that carried our query ID but could not be read as a DNS message.
type MalformedError struct {
	Server string
	Size   int
	Reason string
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("malformed response from %s (%d bytes): %s", e.Server, e.Size, e.Reason)
}

// LoopError is a CNAME chain that comes back to a name already seen.
type LoopError struct {
	// Chain lists the names in order; the last one repeats an earlier one.
	Chain []string
	// Server is the server whose answers formed the loop.
	Server string
}

func (e *LoopError) Error() string {
	return "CNAME loop: " + strings.Join(e.Chain, " → ") + " (answers from " + e.Server + ")"
}

// ChainTooLongError is a CNAME chain longer than the follower allows (and not a loop).
type ChainTooLongError struct {
	Chain []string
	Limit int
}

func (e *ChainTooLongError) Error() string {
	return fmt.Sprintf("CNAME chain longer than %d steps: %s", e.Limit, strings.Join(e.Chain, " → "))
}

// LameError says no server delegated a zone answered for it authoritatively (during a trace).
type LameError struct {
	Zone string
	// Servers describes each server tried and what it did ("ns1.lame.test. 127.0.0.5:5301: REFUSED").
	Servers []string
}

func (e *LameError) Error() string {
	return "lame delegation: no server for " + e.Zone + " answered authoritatively (" + strings.Join(e.Servers, "; ") + ")"
}
