package mitm

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// HTTP/1 framing (RFC 9112 section 6) is followed here on the raw bytes of the proxy's connections,
// because net/http cannot be told to do what the RFC asks of an intermediary: its server keeps a
// connection open after a request with both Content-Length and Transfer-Encoding, and both its server
// and its client unfold an obs-folded Transfer-Encoding or Content-Length and drop a Content-Length
// overridden by Transfer-Encoding before anyone can see them. A framer reads the same bytes net/http
// reads, just before it does, with net/http's own framing rules (so the two never disagree on where a
// message ends), and:
//   - on a client connection, refuses an obs-folded framing header or conflicting Content-Length
//     values (net/http answers 400 and closes), and after a request with both Content-Length and
//     Transfer-Encoding, or Transfer-Encoding in HTTP/1.0, passes on nothing more (the handler answers
//     it with Connection: close, see closeAfter);
//   - on an upstream connection, refuses a response with both, with Transfer-Encoding in HTTP/1.0, with
//     a Transfer-Encoding that is not chunked, or with an obs-folded framing header, before net/http
//     has its whole head (the client gets a 502, the upstream connection is closed).

// framingError says why a message's framing was refused.
type framingError struct{ why string }

func (e *framingError) Error() string { return "HTTP/1 framing refused: " + e.why }

type frameState uint8

const (
	fsHead      frameState = iota // a start line and header fields, up to the blank line
	fsBody                        // n bytes of a Content-Length body
	fsChunkSize                   // a chunk-size line
	fsChunkData                   // n bytes of chunk data
	fsChunkEnd                    // the CRLF after chunk data
	fsTrailer                     // trailer fields, up to the blank line
	fsOpaque                      // no longer HTTP/1 messages: a tunnel, an upgrade, a body that ends at close
	fsDrain                       // nothing more is passed on: the connection closes after this request
	fsFailed
)

// Field kinds the framer tracks.
const (
	fieldNone = iota // no field yet (a continuation line here is malformed)
	fieldOther
	fieldCL
	fieldTE
)

// framer follows message boundaries in one direction of an HTTP/1 connection. It is pure: feed takes
// bytes and says how many of them may be passed on.
type framer struct {
	response bool // responses (an upstream connection) rather than requests (a client connection)
	limit    int  // bound on a head (and a trailer) in bytes

	st       frameState
	err      error
	line     []byte
	headLen  int
	first    bool // the next head line is a start line
	skipCRLF int  // CR or LF bytes net/http skips before the next request line (after a POST)
	n        uint64
	endIdx   int // bytes of the CRLF after chunk data seen
	after    frameState

	// the head being read (method is set only for the methods framing depends on)
	method       string
	optionsStar  bool
	proto11, bad bool
	status       int
	cl, te       []string
	upgrade      bool
	last         int

	// requests: heads counts the request heads net/http hands to the proxy's handler; closeAt is the
	// first of them after which the connection must close (0: none yet).
	heads   int64
	closeAt atomic.Int64
	// responses: reqMethod is the method of the request the next response answers ("" is GET).
	reqMethod string
}

func newFramer(response bool, maxHeader int) *framer {
	return &framer{response: response, limit: 2*maxHeader + 8192, st: fsHead, first: true}
}

func (f *framer) fail(format string, args ...any) error {
	f.st = fsFailed
	f.err = &framingError{why: fmt.Sprintf(format, args...)}
	return f.err
}

// feed consumes b and returns how many of its leading bytes may be passed on; the rest are held back
// for good (the connection drains or failed). err is set once the framing is refused.
func (f *framer) feed(b []byte) (int, error) {
	i, lineStart := 0, 0
	for i < len(b) {
		switch f.st {
		case fsOpaque:
			return len(b), nil
		case fsDrain:
			return i, nil
		case fsFailed:
			return lineStart, f.err
		case fsBody, fsChunkData:
			k := min(uint64(len(b)-i), f.n)
			i += int(k)
			f.n -= k
			if f.n == 0 {
				if f.st == fsBody {
					f.endMessage()
				} else {
					f.st, f.endIdx = fsChunkEnd, 0
				}
			}
			lineStart = i
		case fsChunkEnd:
			if b[i] != "\r\n"[f.endIdx] {
				return i, f.fail("chunk data not followed by CRLF")
			}
			i++
			if f.endIdx++; f.endIdx == 2 {
				f.st = fsChunkSize
				lineStart = i
			}
		default: // fsHead, fsChunkSize, fsTrailer: lines
			if f.st == fsHead && f.first && f.skipCRLF > 0 && len(f.line) == 0 {
				if b[i] == '\r' || b[i] == '\n' {
					i++
					f.skipCRLF--
					lineStart = i
					continue
				}
				f.skipCRLF = 0
			}
			j := bytes.IndexByte(b[i:], '\n')
			end := len(b)
			if j >= 0 {
				end = i + j
			}
			f.headLen += end - i + 1
			if f.headLen > f.limit || (f.st == fsChunkSize && len(f.line)+end-i > 4096) {
				return lineStart, f.fail("header or chunk line longer than %d bytes", f.limit)
			}
			f.line = append(f.line, b[i:end]...)
			if j < 0 {
				i = len(b)
				continue
			}
			i = end + 1
			if err := f.endLine(); err != nil {
				return lineStart, err
			}
			lineStart = i
		}
	}
	if f.st == fsFailed {
		return lineStart, f.err
	}
	return i, nil
}

// endLine handles the complete line in f.line (without its LF).
func (f *framer) endLine() error {
	raw := f.line
	f.line = f.line[:0]
	switch f.st {
	case fsChunkSize:
		// as net/http reads it: CRLF only, no other CR, whitespace trimmed, extensions cut, hex
		if len(raw) == 0 || raw[len(raw)-1] != '\r' || bytes.IndexByte(raw, '\r') != len(raw)-1 {
			return f.fail("chunk-size line not ended by CRLF")
		}
		p := bytes.TrimRight(raw[:len(raw)-1], " \t\r\n")
		p, _, _ = bytes.Cut(p, []byte(";"))
		n, ok := parseChunkSize(p)
		if !ok {
			return f.fail("bad chunk size %q", p)
		}
		f.headLen = 0
		if n == 0 {
			f.st = fsTrailer
			return nil
		}
		f.st, f.n = fsChunkData, n
		return nil
	case fsTrailer:
		if len(bytes.TrimSuffix(raw, []byte("\r"))) == 0 {
			f.endMessage()
		}
		return nil
	}
	line := bytes.TrimSuffix(raw, []byte("\r"))
	if f.first {
		f.first = false
		f.startLine(line)
		return nil
	}
	if len(line) == 0 {
		err := f.endHead()
		if cap(f.line) > 4096 {
			f.line = nil
		}
		return err
	}
	if line[0] == ' ' || line[0] == '\t' {
		switch f.last {
		case fieldNone:
			return f.fail("continuation line before any header field")
		case fieldCL:
			return f.fail("obs-folded Content-Length")
		case fieldTE:
			return f.fail("obs-folded Transfer-Encoding")
		}
		return nil
	}
	name, value, ok := bytes.Cut(line, []byte(":"))
	f.last = fieldOther
	if !ok {
		return nil // net/http refuses the head
	}
	switch { // only framing values are kept (as strings): other fields cost nothing
	case bytes.EqualFold(name, []byte("Content-Length")):
		f.cl, f.last = append(f.cl, string(bytes.Trim(value, " \t"))), fieldCL
	case bytes.EqualFold(name, []byte("Transfer-Encoding")):
		f.te, f.last = append(f.te, string(bytes.Trim(value, " \t"))), fieldTE
	case bytes.EqualFold(name, []byte("Upgrade")):
		f.upgrade = true
	}
	return nil
}

// parseHTTPVersion is http.ParseHTTPVersion for bytes (without a string copy per message).
func parseHTTPVersion(v []byte) (major, minor int, ok bool) {
	if len(v) != len("HTTP/X.Y") || string(v[:5]) != "HTTP/" || v[6] != '.' || v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9' {
		return 0, 0, false
	}
	return int(v[5] - '0'), int(v[7] - '0'), true
}

func parseChunkSize(p []byte) (uint64, bool) {
	if len(p) == 0 || len(p) > 16 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p), 16, 64)
	return n, err == nil
}

// startLine reads a request line (method, target, version) or a status line (version, status) as
// net/http splits them; a line it cannot read leaves bad set, for net/http refuses it too.
func (f *framer) startLine(s []byte) {
	f.method, f.optionsStar, f.proto11, f.bad, f.status = "", false, false, false, 0
	f.cl, f.te, f.upgrade, f.last = f.cl[:0], f.te[:0], false, fieldNone
	var proto []byte
	if f.response {
		var rest []byte
		var ok bool
		proto, rest, ok = bytes.Cut(s, []byte(" "))
		code, _, _ := bytes.Cut(rest, []byte(" "))
		n := 0
		for _, c := range code {
			n = 10*n + int(c-'0')
			if c < '0' || c > '9' {
				ok = false
			}
		}
		if !ok || len(code) != 3 || n < 100 {
			f.bad = true
		}
		f.status = n
	} else {
		method, rest, ok1 := bytes.Cut(s, []byte(" "))
		target, p, ok2 := bytes.Cut(rest, []byte(" "))
		proto = p
		f.bad = !ok1 || !ok2
		// only the methods the framing depends on are named
		for _, m := range []string{http.MethodPost, http.MethodConnect, http.MethodOptions} {
			if string(method) == m {
				f.method = m
			}
		}
		f.optionsStar = f.method == http.MethodOptions && string(target) == "*"
	}
	major, minor, ok := parseHTTPVersion(proto)
	if !ok || major != 1 {
		f.bad = true
	}
	f.proto11 = major > 1 || major == 1 && minor >= 1
}

// contentLength is the body length the Content-Length fields give (-1: none), as net/http reads them:
// equal duplicates collapse, anything else but one decimal number is refused.
func (f *framer) contentLength() (int64, error) {
	if len(f.cl) == 0 {
		return -1, nil
	}
	for _, v := range f.cl[1:] {
		if v != f.cl[0] {
			return 0, f.fail("Content-Length values differ: %q", f.cl)
		}
	}
	n, err := strconv.ParseUint(f.cl[0], 10, 63)
	if err != nil {
		return 0, f.fail("bad Content-Length %q", f.cl[0])
	}
	return int64(n), nil
}

func (f *framer) chunkedTE() bool { return len(f.te) == 1 && strings.EqualFold(f.te[0], "chunked") }

// endHead decides, at the blank line, how the message's body is framed and what follows it.
func (f *framer) endHead() error {
	f.headLen = 0
	if f.response {
		return f.endResponseHead()
	}
	f.after = fsHead
	if !f.optionsStar { // net/http answers OPTIONS * itself
		f.heads++
	}
	closeAfter := func(st frameState) {
		if f.closeAt.Load() == 0 {
			f.closeAt.Store(max(f.heads, 1))
		}
		f.after = st
	}
	if f.bad {
		closeAfter(fsDrain) // net/http refuses it and closes
		f.st = fsDrain
		return nil
	}
	cl, err := f.contentLength()
	if err != nil {
		return err
	}
	if f.method == http.MethodConnect {
		closeAfter(fsOpaque) // a tunnel follows, or an error and the end
		f.st = fsOpaque
		return nil
	}
	chunked := false
	if len(f.te) > 0 {
		switch {
		case !f.proto11:
			closeAfter(fsDrain) // RFC 9112 section 6.1: framing faulty; net/http frames it by Content-Length
		case !f.chunkedTE():
			closeAfter(fsDrain) // net/http answers 501 and closes
			f.st = fsDrain
			return nil
		case cl >= 0:
			closeAfter(fsDrain) // RFC 9112 section 6.1: answer, then close
			chunked = true
		default:
			chunked = true
		}
	}
	if f.upgrade && f.after == fsHead {
		closeAfter(fsOpaque) // after a 101 the bytes are another protocol's; without one, close
	}
	switch {
	case chunked:
		f.st = fsChunkSize
	case cl > 0:
		f.st, f.n = fsBody, uint64(cl)
	default:
		f.endMessage()
	}
	return nil
}

func (f *framer) endResponseHead() error {
	if f.bad {
		f.st = fsOpaque // net/http refuses it
		return nil
	}
	cl, err := f.contentLength()
	if err != nil {
		return err
	}
	chunked := false
	if len(f.te) > 0 {
		switch {
		case !f.proto11:
			return f.fail("Transfer-Encoding in an HTTP/1.0 response")
		case cl >= 0:
			return f.fail("both Content-Length and Transfer-Encoding")
		case !f.chunkedTE():
			return f.fail("Transfer-Encoding %q is not chunked", f.te)
		}
		chunked = true
	}
	f.after = fsHead
	switch {
	case f.status == http.StatusSwitchingProtocols:
		f.st = fsOpaque
	case f.status < 200:
		f.st, f.first = fsHead, true // informational; the final response follows
	case f.reqMethod == http.MethodHead || f.status == http.StatusNoContent || f.status == http.StatusNotModified:
		f.endMessage()
	case f.reqMethod == http.MethodConnect && f.status/100 == 2:
		f.st = fsOpaque
	case chunked:
		f.st = fsChunkSize
	case cl > 0:
		f.st, f.n = fsBody, uint64(cl)
	case cl == 0:
		f.endMessage()
	default:
		f.st = fsOpaque // the body ends when the connection does
	}
	return nil
}

// endMessage moves past a message's end: to the next head, or to what the head said follows.
func (f *framer) endMessage() {
	f.headLen = 0
	if f.after != fsHead {
		f.st = f.after
		return
	}
	f.st, f.first = fsHead, true
	if !f.response && f.method == http.MethodPost {
		f.skipCRLF = 4 // as net/http does for old clients
	}
}

// frameConn runs a framer over what is read from a connection.
type frameConn struct {
	net.Conn
	f    *framer
	logf func(string, ...any)
	// served counts requests handed to the proxy's handler (client connections).
	served atomic.Int64
	// method is the method of the request in flight (upstream connections), from expect: the index
	// in framedMethods, or 0 for any other.
	method atomic.Uint32
	// tls is the upstream TLS state when the connection is one (net/http sees only this wrapper).
	tls *tls.ConnectionState
}

func newFrameConn(c net.Conn, response bool, maxHeader int, logf func(string, ...any)) *frameConn {
	return &frameConn{Conn: c, f: newFramer(response, maxHeader), logf: logf}
}

func (c *frameConn) Read(b []byte) (int, error) {
	for {
		if c.f.st == fsOpaque {
			return c.Conn.Read(b)
		}
		if c.f.err != nil {
			return 0, c.f.err
		}
		n, err := c.Conn.Read(b)
		if n == 0 {
			return 0, err
		}
		if c.f.response {
			c.f.reqMethod = framedMethods[c.method.Load()]
		}
		keep, ferr := c.f.feed(b[:n])
		if ferr != nil {
			c.logf("%s %s: %v", map[bool]string{false: "client", true: "upstream"}[c.f.response], c.RemoteAddr(), ferr)
			return keep, ferr
		}
		if keep > 0 || err != nil {
			return keep, err
		}
		// everything read was held back (draining): read on, so deadlines and closes still reach the reader
	}
}

// CloseWrite half-closes the connection when it can (a tunnel ends one direction at a time).
func (c *frameConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Conn.Close()
}

// closeAfter is called once per request the handler gets on this connection and reports whether the
// connection must close after answering it.
func (c *frameConn) closeAfter() bool {
	n := c.served.Add(1)
	at := c.f.closeAt.Load()
	return at > 0 && n >= at
}

// framedMethods are the request methods whose responses are framed apart ("" is any other).
var framedMethods = [...]string{"", http.MethodHead, http.MethodConnect}

// expect tells an upstream connection the method of the request about to be sent on it.
func (c *frameConn) expect(method string) {
	var i uint32
	for j, m := range framedMethods {
		if m == method {
			i = uint32(j)
		}
	}
	c.method.Store(i)
}
