package dns

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestUnreachableErrors(t *testing.T) {
	opErr := func(errno syscall.Errno) error {
		return &net.OpError{Op: "dial", Net: "udp", Err: os.NewSyscallError("connect", errno)}
	}
	tests := []struct {
		name string
		err  error
		want string // "" means not an unreachable server
	}{
		{"refused", &net.OpError{Op: "read", Net: "udp", Err: os.NewSyscallError("read", syscall.ECONNREFUSED)}, "no DNS server at 192.0.2.53:53: connection refused"},
		{"offline", opErr(syscall.ENETUNREACH), "cannot reach DNS server 192.0.2.53:53: network is unreachable (is this machine offline?)"},
		{"no route", opErr(syscall.EHOSTUNREACH), "cannot reach DNS server 192.0.2.53:53: no route to host (is this machine offline?)"},
		{"no source address", opErr(syscall.EADDRNOTAVAIL), "cannot reach DNS server 192.0.2.53:53: this machine has no address to send from (offline, or no address of that family)"},
		{"another error", opErr(syscall.EPERM), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := unreachable("192.0.2.53:53", tc.err)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unreachable = %v, want nil", err)
				}
				return
			}
			var ue *UnreachableError
			if !errors.As(err, &ue) || err.Error() != tc.want {
				t.Fatalf("unreachable = %v, want %q", err, tc.want)
			}
			if !errors.Is(err, tc.err.(*net.OpError).Err.(*os.SyscallError).Err) {
				t.Errorf("%v does not wrap the errno", err)
			}
		})
	}
}

func TestSystemError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"no such host", &net.DNSError{Err: "no such host", Name: "x.example", Server: "127.0.0.53:53", IsNotFound: true}, "system resolver: no address for x.example (no such host)"},
		{"timeout", &net.DNSError{Err: "i/o timeout", Name: "x.example", Server: "127.0.0.53:53", IsTimeout: true}, "system resolver: no answer from 127.0.0.53:53 (timeout)"},
		{"refused", &net.DNSError{Err: "read udp 127.0.0.1:40328->127.0.0.1:53: read: connection refused", Name: "x.example", Server: "127.0.0.1:53"},
			"system resolver: no DNS server at 127.0.0.1:53 (connection refused)"},
		{"offline", &net.DNSError{Err: "dial udp 192.0.2.53:53: connect: network is unreachable", Name: "x.example", Server: "192.0.2.53:53"},
			"system resolver: cannot reach 192.0.2.53:53: network is unreachable (is this machine offline?)"},
		{"not a DNS error", errors.New("boom"), "system resolver: boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := systemError("x.example", tc.err)
			if err.Error() != tc.want {
				t.Errorf("systemError = %q, want %q", err, tc.want)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("%v does not wrap %v", err, tc.err)
			}
		})
	}
}

func TestJoinErrorsOneLine(t *testing.T) {
	a, b := errors.New("first"), fmt.Errorf("second")
	err := joinErrors([]error{a, b})
	if err.Error() != "first; second" || strings.Contains(err.Error(), "\n") || !errors.Is(err, a) || !errors.Is(err, b) {
		t.Errorf("joinErrors = %q", err)
	}
	if joinErrors(nil) != nil || joinErrors([]error{a}) != a {
		t.Error("joinErrors of none or one changes them")
	}
}
