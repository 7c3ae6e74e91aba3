package mitm

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"reflect"
	"sync"
	"syscall"
)

// pinAfter is how many refusals of our certificate, for one host within a proxy's life, pin it: the
// first may be a client that merely lacks the CA (fixed by `hopscope ca trust-help`), so it is only
// reported; a client that refuses again is treated as pinning and passed through from then on.
const pinAfter = 2

// Messages recorded in Flow.Error for a client that refused our certificate.
const (
	msgUntrusted = "the client does not trust the hopscope CA: run `hopscope ca trust-help`"
	msgPinned    = "pinned: passed through from now on"
)

// certAlerts names the TLS alerts (RFC 8446 section 6.2) a client sends when it refuses a certificate.
var certAlerts = map[uint8]string{
	42:  "bad_certificate",
	43:  "unsupported_certificate",
	44:  "certificate_revoked",
	45:  "certificate_expired",
	46:  "certificate_unknown",
	48:  "unknown_ca",
	49:  "access_denied",
	116: "certificate_required",
}

// certRejection says why a failed server handshake looks like the client refusing our certificate:
// "alert unknown_ca" (any alert of certAlerts, read from err or, when the client sent it unencrypted,
// from fromClient, the bytes it sent after its ClientHello), or "closed after our certificate" when it
// hung up. "" otherwise.
//
// A TLS 1.3 client that rejects the certificate before it has its handshake keys (OpenSSL, hence curl)
// sends the alert in clear; crypto/tls then reports only "bad record MAC", so the bytes are the evidence.
func certRejection(err error, fromClient []byte) string {
	if code, ok := remoteAlert(err); ok {
		if name, ok := certAlerts[code]; ok {
			return "alert " + name
		}
		return ""
	}
	if code, ok := clientAlert(fromClient); ok {
		if name, ok := certAlerts[code]; ok {
			return "alert " + name
		}
		return ""
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
		return "closed after our certificate"
	}
	return ""
}

// remoteAlert returns the alert the peer sent when err reports one. crypto/tls wraps a received alert
// as a *net.OpError with Op "remote error" around its unexported alert type (a uint8); over QUIC it
// wraps tls.AlertError instead.
func remoteAlert(err error) (uint8, bool) {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "remote error" && oe.Err != nil {
		if v := reflect.ValueOf(oe.Err); v.Kind() == reflect.Uint8 {
			return uint8(v.Uint()), true
		}
	}
	var ae tls.AlertError
	if errors.As(err, &ae) && !isLocal(err) {
		return uint8(ae), true
	}
	return 0, false
}

// isLocal reports whether err is an alert this side sent.
func isLocal(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "local error"
}

// clientAlert finds the first unencrypted alert record (content type 21, two bytes) in b, a stream of
// TLS records, and returns its description. A truncated record ends the search.
func clientAlert(b []byte) (uint8, bool) {
	for len(b) >= 5 {
		typ, n := b[0], int(b[3])<<8|int(b[4])
		if len(b) < 5+n {
			return 0, false
		}
		if typ == 21 && n == 2 {
			return b[6], true
		}
		b = b[5+n:]
	}
	return 0, false
}

// tapConn keeps the first tapMax bytes read from the client during the handshake, for clientAlert.
type tapConn struct {
	net.Conn
	mu  sync.Mutex
	b   []byte
	off bool
}

const tapMax = 4096

func (c *tapConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	if !c.off && len(c.b) < tapMax {
		c.b = append(c.b, p[:min(n, tapMax-len(c.b))]...)
	}
	c.mu.Unlock()
	return n, err
}

// stop ends recording (after a successful handshake) and frees what was kept.
func (c *tapConn) stop() {
	c.mu.Lock()
	c.off, c.b = true, nil
	c.mu.Unlock()
}

func (c *tapConn) bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.b...)
}

func (c *tapConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Conn.Close()
}

// refused counts a refusal of our certificate for host and reports whether it pins the host.
func (p *Proxy) refused(host string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closes[host]++
	return p.closes[host] >= pinAfter
}
