package mitm

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
)

// SOCKS5 reply codes (RFC 1928 section 6).
const (
	socksSucceeded           = 0x00
	socksGeneralFailure      = 0x01
	socksNotAllowed          = 0x02
	socksCommandNotSupported = 0x07
	socksAddrNotSupported    = 0x08
)

// errSOCKSReply carries the reply code a failed SOCKS5 request must be answered with.
type errSOCKSReply struct {
	code byte
	msg  string
}

func (e *errSOCKSReply) Error() string { return e.msg }

// ReadSOCKSGreeting reads a SOCKS5 method-selection message and reports whether "no authentication"
// (0x00) is among the offered methods.
func ReadSOCKSGreeting(r io.Reader) (noAuth bool, err error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return false, fmt.Errorf("socks greeting: %w", err)
	}
	if h[0] != 5 {
		return false, fmt.Errorf("socks greeting: version %d, want 5", h[0])
	}
	if h[1] == 0 {
		return false, fmt.Errorf("socks greeting: no methods offered")
	}
	methods := make([]byte, h[1])
	if _, err := io.ReadFull(r, methods); err != nil {
		return false, fmt.Errorf("socks greeting methods: %w", err)
	}
	for _, m := range methods {
		if m == 0 {
			return true, nil
		}
	}
	return false, nil
}

// ReadSOCKSRequest reads a SOCKS5 request and returns its CONNECT target as host:port. Other commands
// and malformed requests return an *errSOCKSReply naming the reply code to send.
func ReadSOCKSRequest(r io.Reader) (string, error) {
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return "", fmt.Errorf("socks request: %w", err)
	}
	if h[0] != 5 {
		return "", &errSOCKSReply{socksGeneralFailure, fmt.Sprintf("socks request: version %d, want 5", h[0])}
	}
	var host string
	switch h[3] {
	case 1:
		var a [4]byte
		if _, err := io.ReadFull(r, a[:]); err != nil {
			return "", fmt.Errorf("socks request address: %w", err)
		}
		host = netip.AddrFrom4(a).String()
	case 4:
		var a [16]byte
		if _, err := io.ReadFull(r, a[:]); err != nil {
			return "", fmt.Errorf("socks request address: %w", err)
		}
		host = netip.AddrFrom16(a).String()
	case 3:
		var n [1]byte
		if _, err := io.ReadFull(r, n[:]); err != nil {
			return "", fmt.Errorf("socks request name length: %w", err)
		}
		name := make([]byte, n[0])
		if _, err := io.ReadFull(r, name); err != nil {
			return "", fmt.Errorf("socks request name: %w", err)
		}
		if n[0] == 0 || !validHostName(string(name)) {
			return "", &errSOCKSReply{socksAddrNotSupported, fmt.Sprintf("socks request: bad host name %q", name)}
		}
		host = string(name)
	default:
		return "", &errSOCKSReply{socksAddrNotSupported, fmt.Sprintf("socks request: address type %d not supported", h[3])}
	}
	var p [2]byte
	if _, err := io.ReadFull(r, p[:]); err != nil {
		return "", fmt.Errorf("socks request port: %w", err)
	}
	if h[1] != 1 {
		return "", &errSOCKSReply{socksCommandNotSupported, fmt.Sprintf("socks request: command %d not supported (only CONNECT)", h[1])}
	}
	port := binary.BigEndian.Uint16(p[:])
	if port == 0 {
		return "", &errSOCKSReply{socksGeneralFailure, "socks request: port 0"}
	}
	return net.JoinHostPort(host, strconv.Itoa(int(port))), nil
}

// socksReply is a SOCKS5 reply with an all-zero IPv4 bound address.
func socksReply(code byte) []byte { return []byte{5, code, 0, 1, 0, 0, 0, 0, 0, 0} }

// validHostName accepts letters, digits, '-', '_' and '.' (what a CONNECT target may name).
func validHostName(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}
