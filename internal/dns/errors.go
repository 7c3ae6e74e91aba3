package dns

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
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

// UnreachableError says a server could not be asked at all: nothing listens on its port (connection
// refused), or this machine has no route to it (offline, or no address of that family). Err is the
// socket error, so errors.Is(err, syscall.ECONNREFUSED) still matches.
type UnreachableError struct {
	Server string
	Err    error
}

func (e *UnreachableError) Error() string {
	switch {
	case errors.Is(e.Err, syscall.ECONNREFUSED):
		return "no DNS server at " + e.Server + ": connection refused"
	case errors.Is(e.Err, syscall.ENETUNREACH):
		return "cannot reach DNS server " + e.Server + ": network is unreachable (is this machine offline?)"
	case errors.Is(e.Err, syscall.EHOSTUNREACH):
		return "cannot reach DNS server " + e.Server + ": no route to host (is this machine offline?)"
	case errors.Is(e.Err, syscall.EADDRNOTAVAIL):
		return "cannot reach DNS server " + e.Server + ": this machine has no address to send from (offline, or no address of that family)"
	}
	return "cannot reach DNS server " + e.Server + ": " + e.Err.Error()
}

// Unwrap returns the socket error.
func (e *UnreachableError) Unwrap() error { return e.Err }

// unreachable returns an *UnreachableError when err says srv cannot be reached (refused, no route, no
// source address), else nil.
func unreachable(srv string, err error) error {
	for _, errno := range []syscall.Errno{syscall.ECONNREFUSED, syscall.ENETUNREACH, syscall.EHOSTUNREACH, syscall.EADDRNOTAVAIL} {
		if errors.Is(err, errno) {
			return &UnreachableError{Server: srv, Err: errno}
		}
	}
	return nil
}

// systemError says in one line what the system resolver (the C library's or Go's reading of
// /etc/resolv.conf, /etc/hosts, ...) answered for host, without the socket details of its *net.DNSError.
func systemError(host string, err error) error {
	var de *net.DNSError
	if !errors.As(err, &de) {
		return fmt.Errorf("system resolver: %w", err)
	}
	at := ""
	if de.Server != "" {
		at = " " + de.Server
	}
	var why string
	switch {
	case de.IsNotFound:
		why = "no address for " + host + " (no such host)"
	case de.IsTimeout:
		why = "no answer from" + at + " (timeout)"
	case strings.Contains(de.Err, "connection refused"):
		why = "no DNS server at" + at + " (connection refused)"
	case strings.Contains(de.Err, "network is unreachable"), strings.Contains(de.Err, "no route to host"):
		why = "cannot reach" + at + ": network is unreachable (is this machine offline?)"
	default:
		why = de.Err
	}
	return &systemErr{why: why, err: err}
}

// systemErr is the system resolver's failure, phrased for people, wrapping the *net.DNSError.
type systemErr struct {
	why string
	err error
}

func (e *systemErr) Error() string { return "system resolver: " + e.why }
func (e *systemErr) Unwrap() error { return e.err }
