package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"

	"hopscope/internal/capture/tlshello"
)

// Protocol names, as in inventory.Flow.Protocol.
const (
	protoNameTLS     = "tls"
	protoNameQUIC    = "quic"
	protoNameHTTP    = "http"
	protoNameHTTP2   = "http2"
	protoNameDNS     = "dns"
	protoNameMMTLS   = "mmtls"
	protoNameSSH     = "ssh"
	protoNameUnknown = "unknown"
)

// verdict is what the first bytes of a stream say.
type verdict struct {
	protocol string
	// name is the host the content names (SNI, HTTP Host); empty when none.
	name string
	// source is how name was found ("sni", "http-host").
	source string
	hello  *tlshello.Hello
	// err is a parse problem worth a warning (a malformed ClientHello).
	err error
}

var httpMethods = [...]string{"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "}

// isMMTLS reports whether b starts with a WeChat mmTLS record header: a TLS content type, then 0xF1 and
// 0x03 or 0x04 where TLS has its major version.
func isMMTLS(b []byte) bool {
	return len(b) >= 3 && b[0] >= 0x14 && b[0] <= 0x19 && b[1] == 0xf1 && (b[2] == 0x03 || b[2] == 0x04)
}

// isTLSRecord reports whether b starts with a TLS record header: content type 20-23, version 3.1-3.4
// (3.0 for old hellos) and a length within the record limit.
func isTLSRecord(b []byte) bool {
	return len(b) >= 5 && b[0] >= 0x14 && b[0] <= 0x17 && b[1] == 3 && b[2] <= 4 &&
		int(binary.BigEndian.Uint16(b[3:5])) <= 1<<14+2048
}

// classifyStream recognises a TCP stream from its first client bytes c and first server bytes s. final
// means no more bytes will come (the buffer is full or the flow ended). needMore is true when the
// answer may change with more bytes.
func classifyStream(c, s []byte, final bool) (v verdict, needMore bool) {
	if len(c) == 0 {
		switch {
		case bytes.HasPrefix(s, []byte("SSH-")):
			return verdict{protocol: protoNameSSH}, false
		case final && isTLSRecord(s):
			return verdict{protocol: protoNameTLS}, false // the capture began after the handshake
		}
		return verdict{}, !final
	}
	switch {
	case tlshello.IsRecordStart(c):
		h, err := tlshello.ParseRecords(c)
		if errors.Is(err, tlshello.ErrShort) {
			if !final {
				return verdict{}, true
			}
			return verdict{protocol: protoNameTLS, err: errors.New("tls client hello incomplete")}, false
		}
		if err != nil {
			return verdict{protocol: protoNameTLS, err: err}, false
		}
		v := verdict{protocol: protoNameTLS, hello: &h}
		if h.ServerName != "" {
			v.name, v.source = strings.ToLower(h.ServerName), "sni"
		}
		return v, false
	case isTLSRecord(c) && c[0] != 0x16:
		// Change cipher spec, alert or application data first: the capture began after the ClientHello.
		return verdict{protocol: protoNameTLS}, false
	case isMMTLS(c):
		return verdict{protocol: protoNameMMTLS}, false
	case bytes.HasPrefix(c, []byte("SSH-")) || bytes.HasPrefix(s, []byte("SSH-")):
		return verdict{protocol: protoNameSSH}, false
	case bytes.HasPrefix(c, []byte("PRI * HTTP/2.0")):
		return verdict{protocol: protoNameHTTP2}, false
	}
	for _, m := range httpMethods {
		if bytes.HasPrefix(c, []byte(m)) {
			host, complete := httpHost(c)
			if !complete && !final {
				return verdict{}, true
			}
			v := verdict{protocol: protoNameHTTP}
			if host != "" {
				v.name, v.source = host, "http-host"
			}
			return v, false
		}
		if len(c) < len(m) && strings.HasPrefix(m, string(c)) && !final {
			return verdict{}, true
		}
	}
	if looksLikeDNSOverTCP(c) {
		return verdict{protocol: protoNameDNS}, false
	}
	if len(c) < 4 && !final {
		return verdict{}, true // too little to tell (a partial TLS or SSH header)
	}
	return verdict{protocol: protoNameUnknown}, false
}

// httpHost extracts the Host header of the HTTP/1.x request at the start of b. complete is false when
// the header block has not ended yet within b. The port is removed and the name lower-cased.
func httpHost(b []byte) (host string, complete bool) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		end = len(b)
	} else {
		complete = true
	}
	hdr := b[:end]
	line := bytes.IndexByte(hdr, '\n')
	if line < 0 {
		return "", complete
	}
	// Absolute-form request targets (proxies) carry the host in the URL.
	first := hdr[:line]
	if sp := bytes.IndexByte(first, ' '); sp >= 0 {
		target := first[sp+1:]
		if i := bytes.Index(target, []byte("://")); i >= 0 {
			rest := target[i+3:]
			if j := bytes.IndexAny(rest, "/ "); j >= 0 {
				rest = rest[:j]
			}
			if h := cleanHost(rest); h != "" {
				return h, true
			}
		}
	}
	rest := hdr[line+1:]
	for len(rest) > 0 {
		var l []byte
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			l, rest = rest[:i], rest[i+1:]
		} else {
			if !complete {
				return "", false // the Host line may be cut
			}
			l, rest = rest, nil
		}
		l = bytes.TrimRight(l, "\r")
		if len(l) > 5 && (l[0] == 'H' || l[0] == 'h') && bytes.EqualFold(l[:5], []byte("host:")) {
			return cleanHost(bytes.TrimSpace(l[5:])), true
		}
	}
	return "", complete
}

// cleanHost lower-cases a Host value and strips a port and IPv6 brackets; it returns "" for values that
// are not plausible host names.
func cleanHost(h []byte) string {
	s := string(h)
	if strings.HasPrefix(s, "[") {
		if i := strings.IndexByte(s, ']'); i > 0 {
			return strings.ToLower(s[1:i])
		}
		return ""
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 && strings.Count(s, ":") == 1 {
		s = s[:i]
	}
	if s == "" || len(s) > 253 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '/' || c == '@' {
			return ""
		}
	}
	return strings.ToLower(s)
}

// looksLikeDNSOverTCP reports whether b starts with a 2-byte length and a plausible DNS query header.
func looksLikeDNSOverTCP(b []byte) bool {
	if len(b) < 2+12 {
		return false
	}
	n := int(binary.BigEndian.Uint16(b))
	return n >= 12 && plausibleDNSHeader(b[2:], false)
}

// plausibleDNSHeader checks the fixed DNS header: opcode QUERY, one question, sane counts; response
// selects the QR bit wanted.
func plausibleDNSHeader(b []byte, response bool) bool {
	if len(b) < 12 {
		return false
	}
	qr := b[2]&0x80 != 0
	opcode := (b[2] >> 3) & 0x0f
	qd := binary.BigEndian.Uint16(b[4:6])
	an := binary.BigEndian.Uint16(b[6:8])
	ns := binary.BigEndian.Uint16(b[8:10])
	if qr != response || opcode != 0 || qd != 1 {
		return false
	}
	if !response && (an != 0 || ns != 0) {
		return false
	}
	return b[3]&0x40 == 0 // Z bit clear
}
