package sniff

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// maxRecord is the largest TLS record length accepted: 2^14 plus the TLS 1.2 ciphertext expansion
// allowance (RFC 5246 §6.2.3).
const maxRecord = 1<<14 + 2048

// ErrShort means the bytes end before the ClientHello does: feed more of the stream and try again.
var ErrShort = errors.New("tls: client hello incomplete")

// ClientHello is what a TLS ClientHello offers.
type ClientHello struct {
	// ServerName is the SNI host name as sent (not lower-cased); empty when the extension is absent.
	ServerName string
	// ALPN lists the offered application protocols in order; nil when absent.
	ALPN []string
	// Versions lists supported_versions (RFC 8446 §4.2.1); nil when absent. LegacyVersion is the
	// ClientHello's legacy_version field.
	Versions      []uint16
	LegacyVersion uint16
}

// IsRecordStart reports whether b starts like a TLS handshake record (content type 22, version 3.x).
func IsRecordStart(b []byte) bool {
	return len(b) >= 3 && b[0] == 0x16 && b[1] == 3 && b[2] <= 4
}

// ParseRecords parses a ClientHello carried in one or more TLS handshake records at the start of stream.
// It returns ErrShort when stream ends before the ClientHello is complete, and another error when the
// bytes are not a ClientHello.
func ParseRecords(stream []byte) (ClientHello, error) {
	// Common case: the whole ClientHello sits in the first record; parse it in place.
	if len(stream) < 5 {
		return ClientHello{}, ErrShort
	}
	if err := checkRecord(stream, 0); err != nil {
		return ClientHello{}, err
	}
	n := int(binary.BigEndian.Uint16(stream[3:5]))
	first := stream[5:min(len(stream), 5+n)]
	h, err := ParseHandshake(first)
	if err != ErrShort || len(first) < n {
		return h, err
	}
	// The hello continues in later records: join their payloads.
	var buf []byte
	off := 0
	for {
		if len(stream)-off < 5 {
			return ClientHello{}, ErrShort
		}
		if err := checkRecord(stream, off); err != nil {
			return ClientHello{}, err
		}
		n := int(binary.BigEndian.Uint16(stream[off+3 : off+5]))
		off += 5
		end := min(len(stream), off+n)
		buf = append(buf, stream[off:end]...)
		h, err := ParseHandshake(buf)
		if err != ErrShort || end < off+n {
			return h, err
		}
		off = end
	}
}

// MaxClientHello bounds how many bytes ReadClientHello buffers before giving up.
const MaxClientHello = 64 << 10

// ReadClientHello reads TLS handshake records from r until one whole ClientHello is buffered (it may
// span records) and parses it. raw holds every byte read, whole records, also on error, so that a proxy
// can replay them to whoever handles the stream next. Errors name the offset.
func ReadClientHello(r io.Reader) (h ClientHello, raw []byte, err error) {
	var hs []byte // handshake bytes: the records' payloads joined
	for {
		if len(raw) >= MaxClientHello {
			return ClientHello{}, raw, fmt.Errorf("tls: no complete client hello in the first %d bytes", len(raw))
		}
		start := len(raw)
		raw = append(raw, make([]byte, 5)...)
		if got, err := io.ReadFull(r, raw[start:]); err != nil {
			return ClientHello{}, raw[:start+got], fmt.Errorf("tls: record header at offset %d: %w", start, err)
		}
		if err := checkRecord(raw, start); err != nil {
			return ClientHello{}, raw, err
		}
		n := int(binary.BigEndian.Uint16(raw[start+3 : start+5]))
		raw = append(raw, make([]byte, n)...)
		if got, err := io.ReadFull(r, raw[start+5:]); err != nil {
			return ClientHello{}, raw[:start+5+got], fmt.Errorf("tls: record body at offset %d: %w", start+5, err)
		}
		hs = append(hs, raw[start+5:]...)
		if len(hs) >= 4 && hs[0] == 1 {
			if need := 4 + (int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])); need > MaxClientHello {
				return ClientHello{}, raw, fmt.Errorf("tls: client hello of %d bytes is larger than %d", need, MaxClientHello)
			}
		}
		h, err := ParseHandshake(hs)
		if !errors.Is(err, ErrShort) {
			return h, raw, err
		}
	}
}

func checkRecord(stream []byte, off int) error {
	h := stream[off : off+5]
	if h[0] != 0x16 {
		return fmt.Errorf("tls: record at offset %d has content type %d, want 22 (handshake)", off, h[0])
	}
	if h[1] != 3 {
		return fmt.Errorf("tls: record at offset %d has version %d.%d, want 3.x", off, h[1], h[2])
	}
	if n := int(binary.BigEndian.Uint16(h[3:5])); n == 0 || n > maxRecord {
		return fmt.Errorf("tls: record at offset %d has length %d", off, n)
	}
	return nil
}

// ParseHandshake parses a ClientHello handshake message (type 1, 3-byte length, body), as carried in
// TLS records or QUIC CRYPTO frames. It returns ErrShort when msg ends before the message does.
func ParseHandshake(msg []byte) (ClientHello, error) {
	if len(msg) < 4 {
		return ClientHello{}, ErrShort
	}
	if msg[0] != 1 {
		return ClientHello{}, fmt.Errorf("tls: handshake type %d, want 1 (client hello)", msg[0])
	}
	n := int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3])
	if len(msg)-4 < n {
		return ClientHello{}, ErrShort
	}
	return parseBody(msg[4 : 4+n])
}

// reader walks a byte slice; any overrun sets bad.
type reader struct {
	b   []byte
	off int
	bad bool
}

func (r *reader) take(n int) []byte {
	if r.bad || n < 0 || len(r.b)-r.off < n {
		r.bad = true
		return nil
	}
	s := r.b[r.off : r.off+n]
	r.off += n
	return s
}

func (r *reader) u8() int {
	s := r.take(1)
	if s == nil {
		return 0
	}
	return int(s[0])
}

func (r *reader) u16() int {
	s := r.take(2)
	if s == nil {
		return 0
	}
	return int(binary.BigEndian.Uint16(s))
}

func parseBody(body []byte) (ClientHello, error) {
	var h ClientHello
	r := &reader{b: body}
	h.LegacyVersion = uint16(r.u16())
	r.take(32)      // random
	r.take(r.u8())  // legacy_session_id
	r.take(r.u16()) // cipher_suites
	r.take(r.u8())  // legacy_compression_methods
	if r.bad {
		return ClientHello{}, fmt.Errorf("tls: client hello truncated at offset %d of %d before extensions", r.off, len(body))
	}
	if r.off == len(body) {
		return h, nil // no extensions (SSL 3 / early TLS)
	}
	ext := r.take(r.u16())
	if r.bad {
		return ClientHello{}, fmt.Errorf("tls: client hello extensions overrun the message (%d bytes)", len(body))
	}
	e := &reader{b: ext}
	for e.off < len(ext) {
		typ := e.u16()
		data := e.take(e.u16())
		if e.bad {
			return ClientHello{}, fmt.Errorf("tls: extension at offset %d overruns the extensions block", e.off)
		}
		var err error
		switch typ {
		case 0:
			h.ServerName, err = parseSNI(data)
		case 16:
			h.ALPN, err = parseALPN(data)
		case 43:
			h.Versions, err = parseVersions(data)
		}
		if err != nil {
			return ClientHello{}, err
		}
	}
	return h, nil
}

func parseSNI(data []byte) (string, error) {
	r := &reader{b: data}
	list := r.take(r.u16())
	l := &reader{b: list}
	for !r.bad && l.off < len(list) {
		typ := l.u8()
		name := l.take(l.u16())
		if l.bad {
			break
		}
		if typ == 0 {
			if !validHostName(name) {
				return "", fmt.Errorf("tls: server name %q is not a host name", name)
			}
			return string(name), nil
		}
	}
	if r.bad || l.bad {
		return "", errors.New("tls: malformed server_name extension")
	}
	return "", nil
}

func validHostName(b []byte) bool {
	if len(b) == 0 || len(b) > 253 {
		return false
	}
	for _, c := range b {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

func parseALPN(data []byte) ([]string, error) {
	r := &reader{b: data}
	list := r.take(r.u16())
	if r.bad {
		return nil, errors.New("tls: malformed ALPN extension")
	}
	l := &reader{b: list}
	var out []string
	for l.off < len(list) {
		p := l.take(l.u8())
		if l.bad {
			return nil, errors.New("tls: malformed ALPN protocol list")
		}
		out = append(out, alpnName(p))
	}
	return out, nil
}

// alpnName returns common protocol IDs as constants, sparing an allocation per hello.
func alpnName(p []byte) string {
	switch string(p) {
	case "h2":
		return "h2"
	case "http/1.1":
		return "http/1.1"
	case "h3":
		return "h3"
	case "http/1.0":
		return "http/1.0"
	case "spdy/3.1":
		return "spdy/3.1"
	}
	return string(p)
}

func parseVersions(data []byte) ([]uint16, error) {
	r := &reader{b: data}
	list := r.take(r.u8())
	if r.bad || len(list)%2 != 0 {
		return nil, errors.New("tls: malformed supported_versions extension")
	}
	out := make([]uint16, 0, len(list)/2)
	for i := 0; i+1 < len(list); i += 2 {
		out = append(out, binary.BigEndian.Uint16(list[i:]))
	}
	return out, nil
}

// VersionName names a TLS protocol version ("TLS 1.3"); GREASE and unknown values give "".
func VersionName(v uint16) string {
	switch v {
	case 0x0300:
		return "SSL 3.0"
	case 0x0301:
		return "TLS 1.0"
	case 0x0302:
		return "TLS 1.1"
	case 0x0303:
		return "TLS 1.2"
	case 0x0304:
		return "TLS 1.3"
	}
	return ""
}

// MaxVersion returns the highest known version the hello offers, by name.
func (h ClientHello) MaxVersion() string {
	best := uint16(0)
	for _, v := range h.Versions {
		if VersionName(v) != "" && v > best {
			best = v
		}
	}
	if best == 0 {
		best = h.LegacyVersion
	}
	return VersionName(best)
}
