package mitm

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Tunnel protocols recognised from a tunnel's first bytes.
const (
	ProtoTLS     = "tls"
	ProtoMMTLS   = "mmtls"
	ProtoSSH     = "ssh"
	ProtoHTTP    = "http"
	ProtoUnknown = "unknown"
)

// maxClientHello bounds how many handshake bytes are buffered while reading a ClientHello.
const maxClientHello = 64 << 10

// Classify names the protocol a tunnel's first bytes (at least 3 when available) belong to:
// a TLS record (0x16 0x03 0x0N), WeChat's mmTLS (a record header whose version is 0xF1 0x0N),
// an SSH banner, an HTTP/1.x request line, or unknown.
func Classify(b []byte) string {
	switch {
	case len(b) >= 3 && b[0] == 0x16 && b[1] == 0x03 && b[2] <= 0x04:
		return ProtoTLS
	case len(b) >= 3 && b[0] >= 0x14 && b[0] <= 0x1a && b[1] == 0xF1 && b[2] <= 0x0F:
		return ProtoMMTLS
	case len(b) >= 3 && string(b[:3]) == "SSH" && (len(b) == 3 || b[3] == '-'):
		return ProtoSSH
	case looksLikeHTTP(b):
		return ProtoHTTP
	}
	return ProtoUnknown
}

var httpMethods = []string{"GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "TRACE ", "PRI * "}

func looksLikeHTTP(b []byte) bool {
	for _, m := range httpMethods {
		n := min(len(b), len(m))
		if n >= 3 && string(b[:n]) == m[:n] {
			return true
		}
	}
	return false
}

// HexPrefix is a hex dump of at most n bytes of b, for labelling unrecognised flows.
func HexPrefix(b []byte, n int) string { return hex.EncodeToString(b[:min(len(b), n)]) }

// ClientHello is what hopscope needs from a TLS ClientHello.
type ClientHello struct {
	// SNI is the server_name extension's host name; empty when absent.
	SNI string
	// ALPN is the client's application protocol list, in its order.
	ALPN []string
	// Raw holds every byte read from the stream while parsing (whole records), to replay them.
	Raw []byte
}

// ReadClientHello reads TLS records from r until one complete ClientHello handshake message is
// buffered (it may span records), and parses its SNI and ALPN. Errors name the offset.
func ReadClientHello(r io.Reader) (*ClientHello, error) {
	var raw, hs []byte
	for {
		var hdr [5]byte
		if got, err := io.ReadFull(r, hdr[:]); err != nil {
			return &ClientHello{Raw: append(raw, hdr[:got]...)}, fmt.Errorf("tls record header at offset %d: %w", len(raw), err)
		}
		if hdr[0] != 0x16 || hdr[1] != 0x03 {
			return &ClientHello{Raw: append(raw, hdr[:]...)}, fmt.Errorf("offset %d: want a TLS handshake record, got % x", len(raw), hdr[:3])
		}
		n := int(binary.BigEndian.Uint16(hdr[3:]))
		if n == 0 || n > 16384+256 {
			return &ClientHello{Raw: append(raw, hdr[:]...)}, fmt.Errorf("offset %d: bad TLS record length %d", len(raw), n)
		}
		start := len(raw)
		raw = append(raw, hdr[:]...)
		raw = append(raw, make([]byte, n)...)
		if got, err := io.ReadFull(r, raw[start+5:]); err != nil {
			return &ClientHello{Raw: raw[:start+5+got]}, fmt.Errorf("tls record body at offset %d: %w", start+5, err)
		}
		hs = append(hs, raw[start+5:]...)
		if len(hs) >= 4 {
			if hs[0] != 1 {
				return &ClientHello{Raw: raw}, fmt.Errorf("offset 5: want a ClientHello (type 1), got handshake type %d", hs[0])
			}
			need := 4 + (int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3]))
			if need > maxClientHello {
				return &ClientHello{Raw: raw}, fmt.Errorf("ClientHello of %d bytes is larger than %d", need, maxClientHello)
			}
			if len(hs) >= need {
				ch, err := ParseClientHello(hs[4:need])
				if ch == nil {
					ch = &ClientHello{}
				}
				ch.Raw = raw
				return ch, err
			}
		}
		if len(raw) > maxClientHello {
			return &ClientHello{Raw: raw}, fmt.Errorf("no complete ClientHello in %d bytes", len(raw))
		}
	}
}

var errShort = errors.New("truncated")

type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil || n < 0 || len(r.b)-r.off < n {
		if r.err == nil {
			r.err = fmt.Errorf("at byte %d: want %d more bytes, have %d: %w", r.off, n, len(r.b)-r.off, errShort)
		}
		return nil
	}
	out := r.b[r.off : r.off+n]
	r.off += n
	return out
}

func (r *reader) u8() int {
	b := r.take(1)
	if b == nil {
		return 0
	}
	return int(b[0])
}

func (r *reader) u16() int {
	b := r.take(2)
	if b == nil {
		return 0
	}
	return int(binary.BigEndian.Uint16(b))
}

// ParseClientHello parses a ClientHello handshake body (after the 4-byte handshake header) and returns
// its server name and ALPN list (RFC 8446 section 4.1.2, RFC 6066 section 3, RFC 7301).
func ParseClientHello(body []byte) (*ClientHello, error) {
	r := &reader{b: body}
	r.take(2)         // legacy_version
	r.take(32)        // random
	r.take(r.u8())    // legacy_session_id
	r.take(r.u16())   // cipher_suites
	r.take(r.u8())    // legacy_compression_methods
	if r.err != nil { // every field before extensions is mandatory
		return nil, fmt.Errorf("ClientHello: %w", r.err)
	}
	ch := &ClientHello{}
	if r.off == len(body) {
		return ch, nil // no extensions
	}
	ext := &reader{b: r.take(r.u16())}
	if r.err != nil {
		return nil, fmt.Errorf("ClientHello extensions: %w", r.err)
	}
	for ext.off < len(ext.b) && ext.err == nil {
		typ := ext.u16()
		data := &reader{b: ext.take(ext.u16())}
		if ext.err != nil {
			break
		}
		switch typ {
		case 0: // server_name
			list := &reader{b: data.take(data.u16())}
			for list.off < len(list.b) && list.err == nil {
				kind := list.u8()
				name := list.take(list.u16())
				if kind == 0 && list.err == nil && ch.SNI == "" {
					ch.SNI = strings.ToLower(string(name))
				}
			}
			if list.err != nil {
				return ch, fmt.Errorf("ClientHello server_name: %w", list.err)
			}
		case 16: // application_layer_protocol_negotiation
			list := &reader{b: data.take(data.u16())}
			for list.off < len(list.b) && list.err == nil {
				p := list.take(list.u8())
				if list.err == nil {
					ch.ALPN = append(ch.ALPN, string(p))
				}
			}
			if list.err != nil {
				return ch, fmt.Errorf("ClientHello ALPN: %w", list.err)
			}
		}
	}
	if ext.err != nil {
		return ch, fmt.Errorf("ClientHello extension list: %w", ext.err)
	}
	return ch, nil
}
