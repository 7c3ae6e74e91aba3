// Package sniff recognises application protocols from the first bytes of a stream and parses TLS
// ClientHellos.
//
// Two callers, two questions: a packet capture asks Stream what a flow is and which host it names, and
// can wait for more bytes; a proxy asks Classify which handler a tunnel needs after its first three
// bytes. Both read the same signatures: TLS records (RFC 8446 §5.1) and the ClientHello (§4.1.2) with
// its server_name (RFC 6066 §3), ALPN (RFC 7301) and supported_versions extensions, WeChat's mmTLS
// record header, SSH banners (RFC 4253 §4.2), HTTP/1.x request lines (RFC 9112), the HTTP/2 preface
// (RFC 9113 §3.4) and DNS messages (RFC 1035 §4.1.1, over TCP RFC 7766).
package sniff

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
)

// Protocol names, as in inventory.Flow.Protocol.
const (
	TLS     = "tls"
	QUIC    = "quic"
	HTTP    = "http"
	HTTP2   = "http2"
	DNS     = "dns"
	MMTLS   = "mmtls"
	SSH     = "ssh"
	Unknown = "unknown"
)

// Verdict is what the first bytes of a stream say.
type Verdict struct {
	// Protocol is one of the protocol names above; empty when the client sent nothing and the server
	// nothing telling.
	Protocol string
	// Name is the host the content names (SNI, HTTP Host), lower-cased; empty when none.
	Name string
	// Source is how Name was found ("sni", "http-host"; callers add their own, such as "quic-sni").
	Source string
	// Hello is the parsed ClientHello of a TLS stream; nil otherwise.
	Hello *ClientHello
	// Err is a parse problem worth a warning (a malformed or cut ClientHello); nil when none.
	Err error
}

var httpMethods = [...]string{"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "}

// http2Preface starts every HTTP/2 connection with prior knowledge (RFC 9113 §3.4).
const http2Preface = "PRI * HTTP/2.0"

// isMMTLS reports whether b starts with a WeChat mmTLS record header: a TLS content type, then 0xF1 and
// 0x03 or 0x04 where TLS has its major version.
func isMMTLS(b []byte) bool {
	return len(b) >= 3 && b[0] >= 0x14 && b[0] <= 0x19 && b[1] == 0xf1 && (b[2] == 0x03 || b[2] == 0x04)
}

// isTLSRecord reports whether b starts with a TLS record header: content type 20-23, version 3.1-3.4
// (3.0 for old hellos) and a length within the record limit.
func isTLSRecord(b []byte) bool {
	return len(b) >= 5 && b[0] >= 0x14 && b[0] <= 0x17 && b[1] == 3 && b[2] <= 4 &&
		int(binary.BigEndian.Uint16(b[3:5])) <= maxRecord
}

// Classify names the protocol of a client stream from its first bytes; three are enough, and a prefix
// that only some protocol could continue counts as that protocol. It answers TLS only for a handshake
// record (IsRecordStart), so that a proxy can read a ClientHello next; HTTP for the start of an
// HTTP/1.x request line; HTTP2 for the start of the HTTP/2 preface; MMTLS, SSH, or Unknown.
func Classify(b []byte) string {
	switch {
	case IsRecordStart(b):
		return TLS
	case isMMTLS(b):
		return MMTLS
	case len(b) >= 3 && string(b[:3]) == "SSH" && (len(b) == 3 || b[3] == '-'):
		return SSH
	case len(b) >= 3 && isPrefix(b, http2Preface):
		return HTTP2
	}
	for _, m := range httpMethods {
		if len(b) >= 3 && isPrefix(b, m) {
			return HTTP
		}
	}
	return Unknown
}

// isPrefix reports whether b and s agree over the shorter of the two.
func isPrefix(b []byte, s string) bool {
	n := min(len(b), len(s))
	return string(b[:n]) == s[:n]
}

// Stream recognises a TCP stream from its first client bytes c and first server bytes s. final means no
// more bytes will come (the buffer is full or the flow ended). needMore is true when the answer may
// change with more bytes; the Verdict is then empty.
func Stream(c, s []byte, final bool) (v Verdict, needMore bool) {
	if len(c) == 0 {
		switch {
		case bytes.HasPrefix(s, []byte("SSH-")):
			return Verdict{Protocol: SSH}, false
		case final && isTLSRecord(s):
			return Verdict{Protocol: TLS}, false // the capture began after the handshake
		}
		return Verdict{}, !final
	}
	switch {
	case IsRecordStart(c):
		h, err := ParseRecords(c)
		if errors.Is(err, ErrShort) {
			if !final {
				return Verdict{}, true
			}
			return Verdict{Protocol: TLS, Err: errors.New("tls client hello incomplete")}, false
		}
		if err != nil {
			return Verdict{Protocol: TLS, Err: err}, false
		}
		v := Verdict{Protocol: TLS, Hello: &h}
		if h.ServerName != "" {
			v.Name, v.Source = strings.ToLower(h.ServerName), "sni"
		}
		return v, false
	case isTLSRecord(c) && c[0] != 0x16:
		// Change cipher spec, alert or application data first: the capture began after the ClientHello.
		return Verdict{Protocol: TLS}, false
	case isMMTLS(c):
		return Verdict{Protocol: MMTLS}, false
	case bytes.HasPrefix(c, []byte("SSH-")) || bytes.HasPrefix(s, []byte("SSH-")):
		return Verdict{Protocol: SSH}, false
	case bytes.HasPrefix(c, []byte(http2Preface)):
		return Verdict{Protocol: HTTP2}, false
	}
	for _, m := range httpMethods {
		if bytes.HasPrefix(c, []byte(m)) {
			host, complete := httpHost(c)
			if !complete && !final {
				return Verdict{}, true
			}
			v := Verdict{Protocol: HTTP}
			if host != "" {
				v.Name, v.Source = host, "http-host"
			}
			return v, false
		}
		if len(c) < len(m) && strings.HasPrefix(m, string(c)) && !final {
			return Verdict{}, true
		}
	}
	if looksLikeDNSOverTCP(c) {
		return Verdict{Protocol: DNS}, false
	}
	if len(c) < 4 && !final {
		return Verdict{}, true // too little to tell (a partial TLS or SSH header)
	}
	return Verdict{Protocol: Unknown}, false
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
		i := strings.IndexByte(s, ']')
		if i < 0 {
			return ""
		}
		s = s[1:i]
	} else if i := strings.LastIndexByte(s, ':'); i >= 0 && strings.Count(s, ":") == 1 {
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
	return n >= 12 && IsDNSMessage(b[2:], false)
}

// IsDNSMessage reports whether b starts with a plausible DNS message header: opcode QUERY, one
// question, sane counts, the Z bit clear; response selects the QR bit wanted.
func IsDNSMessage(b []byte, response bool) bool {
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
