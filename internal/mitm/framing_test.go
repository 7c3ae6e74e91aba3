package mitm

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawOrigin is a loopback origin that records, byte for byte, what reaches it and the requests those
// bytes hold, and answers each request with reply (nil: a 200 whose body is the path).
type rawOrigin struct {
	addr  string
	mu    sync.Mutex
	raw   []byte
	paths []string
}

func (o *rawOrigin) seen() ([]string, string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.paths...), string(o.raw)
}

type teeRecorder struct{ o *rawOrigin }

func (t teeRecorder) Write(b []byte) (int, error) {
	t.o.mu.Lock()
	t.o.raw = append(t.o.raw, b...)
	t.o.mu.Unlock()
	return len(b), nil
}

func newRawOrigin(t *testing.T, tlsCfg *tls.Config, reply func(c net.Conn, r *http.Request) bool) *rawOrigin {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := &rawOrigin{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	var cmu sync.Mutex
	conns := map[net.Conn]bool{}
	t.Cleanup(func() {
		ln.Close()
		cmu.Lock()
		for c := range conns {
			c.Close() // the proxy keeps its upstream connections for reuse
		}
		cmu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			cmu.Lock()
			conns[c] = true
			cmu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(15 * time.Second))
				if tlsCfg != nil {
					c = tls.Server(c, tlsCfg)
				}
				br := bufio.NewReader(io.TeeReader(c, teeRecorder{o}))
				for range 16 { // bounded: no test sends more requests on one connection
					r, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, r.Body)
					o.mu.Lock()
					o.paths = append(o.paths, r.URL.Path)
					o.mu.Unlock()
					if reply == nil {
						fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(r.URL.Path), r.URL.Path)
					} else if !reply(c, r) {
						return
					}
				}
			}()
		}
	}()
	return o
}

// framingMode is how the raw client reaches the origin through the proxy.
type framingMode struct {
	name string
	tls  bool // intercepted TLS inside CONNECT
	// tunnel: origin-form requests inside a CONNECT tunnel; otherwise absolute-form to the proxy
	tunnel bool
}

var framingModes = []framingMode{{name: "plain"}, {name: "connect", tunnel: true}, {name: "connect-tls", tunnel: true, tls: true}}

// originTLS is a TLS config for a raw origin, its certificates from the lab's origin CA.
func (l *lab) originTLS(t *testing.T) *tls.Config {
	leaves, err := NewLeaves(l.originCA, LeafConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{NextProtos: []string{"http/1.1"}, GetCertificate: func(hi *tls.ClientHelloInfo) (*tls.Certificate, error) {
		return leaves.Get("smuggle.app.test")
	}}
}

// dialThrough opens a client connection that reaches origin through the proxy as mode says, and
// returns it with the request-target prefix to use ("http://host:port" or "").
func (l *lab) dialThrough(t *testing.T, m framingMode, origin string) (net.Conn, string, string) {
	t.Helper()
	host := "smuggle.app.test:" + strings.Split(origin, ":")[1]
	c, err := net.Dial("tcp", l.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if !m.tunnel {
		return c, "http://" + host, host
	}
	fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", host, host)
	// read the 200 byte by byte, so nothing of the tunnel is left in a buffer
	var head []byte
	one := make([]byte, 1)
	for !strings.HasSuffix(string(head), "\r\n\r\n") {
		if _, err := c.Read(one); err != nil {
			t.Fatalf("CONNECT: %v after %q", err, head)
		}
		head = append(head, one[0])
	}
	if !strings.HasPrefix(string(head), "HTTP/1.1 200") {
		t.Fatalf("CONNECT: %q", head)
	}
	if !m.tls {
		return c, "", host
	}
	pool := x509.NewCertPool()
	pool.AddCert(l.ca.Cert)
	tc := tls.Client(c, &tls.Config{RootCAs: pool, ServerName: "smuggle.app.test", NextProtos: []string{"http/1.1"}})
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := tc.Handshake(); err != nil {
		t.Fatalf("TLS through the proxy: %v", err)
	}
	return tc, "", host
}

// readResponses reads responses until the connection ends, at most max; with probe it then waits for
// the end and reports whether the proxy closed the connection (rather than the read deadline ending
// the wait).
func readResponses(c net.Conn, max int, probe bool) (statuses []string, bodies []string, closed bool) {
	br := bufio.NewReader(c)
	for len(statuses) < max {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			var ne net.Error
			return statuses, bodies, !(errors.As(err, &ne) && ne.Timeout()) && !errors.Is(err, os.ErrDeadlineExceeded)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		statuses, bodies = append(statuses, strconv.Itoa(resp.StatusCode)), append(bodies, string(b))
	}
	if !probe {
		return statuses, bodies, false
	}
	// the caller expected no more than max: anything further means the connection stayed open, or
	// was closed, which the next read tells
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err := br.ReadByte()
	var ne net.Error
	return statuses, bodies, err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// TestRequestFraming sends the request-smuggling variants by hand (raw TCP, bytes written as they are
// here) through the proxy to a raw origin, in absolute form, inside a CONNECT tunnel and inside
// intercepted TLS. RFC 9112: a request with both Content-Length and Transfer-Encoding (or any
// Transfer-Encoding on HTTP/1.0) is answered and the connection closed (section 6.1, 6.3); an
// obs-folded framing header is refused with 400 (section 5.2); Content-Length values that differ are
// refused (section 6.3). In no case may the bytes after the first request's body reach the origin as a
// request of their own.
func TestRequestFraming(t *testing.T) {
	const smuggled = "GET /smuggled HTTP/1.1\r\nHost: smuggle.app.test\r\n\r\n"
	for _, tc := range []struct {
		name string
		// head is the first request's head after the request line, each line ending \r\n; the blank
		// line, body and tail follow
		head, body string
		proto      string // "" is HTTP/1.1
		// tail follows the body: a smuggled request, or a plain pipelined one for the controls
		tail string
		// want: the status lines the client gets, the paths the origin sees, and whether the proxy
		// closes the connection after them
		want      []string
		origin    []string
		wantClose bool
	}{
		{
			name: "CL.TE: the chunked body ends early, the rest is a second request",
			head: fmt.Sprintf("Content-Length: %d\r\nTransfer-Encoding: chunked\r\n", 5+len(smuggled)), body: "0\r\n\r\n", tail: smuggled,
			want: []string{"200"}, origin: []string{"/a"}, wantClose: true,
		},
		{
			name: "TE.CL: the chunked body carries what a Content-Length reader would take for a request",
			head: "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", body: fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(smuggled), smuggled), tail: smuggled,
			want: []string{"200"}, origin: []string{"/a"}, wantClose: true,
		},
		{
			name: "TE.TE: xchunked is not chunked",
			head: "Content-Length: 5\r\nTransfer-Encoding: xchunked\r\n", body: "0\r\n\r\n", tail: smuggled,
			want: []string{"501"}, wantClose: true,
		},
		{
			name: "TE.TE: a leading space is still chunked",
			head: "Content-Length: 56\r\nTransfer-Encoding:  chunked\r\n", body: "0\r\n\r\n", tail: smuggled,
			want: []string{"200"}, origin: []string{"/a"}, wantClose: true,
		},
		{
			name: "TE.TE: a tab and upper case are still chunked",
			head: "Content-Length: 56\r\ntransfer-encoding:\tCHUNKED\r\n", body: "0\r\n\r\n", tail: smuggled,
			want: []string{"200"}, origin: []string{"/a"}, wantClose: true,
		},
		{
			name: "TE.TE: chunked, identity",
			head: "Content-Length: 5\r\nTransfer-Encoding: chunked, identity\r\n", body: "0\r\n\r\n", tail: smuggled,
			want: []string{"501"}, wantClose: true,
		},
		{
			name: "TE.TE: two Transfer-Encoding fields",
			head: "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", body: "0\r\n\r\n", tail: smuggled,
			want: []string{"501"}, wantClose: true,
		},
		{
			name: "TE.TE: a space before the colon",
			head: "Content-Length: 5\r\nTransfer-Encoding : chunked\r\n", body: "0\r\n\r\n", tail: smuggled,
			want: []string{"400"}, wantClose: true,
		},
		{
			name:  "Transfer-Encoding without Content-Length on HTTP/1.0",
			proto: "HTTP/1.0", head: "Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n", body: "0\r\n\r\n", tail: smuggled,
			want: []string{"200"}, origin: []string{"/a"}, wantClose: true,
		},
		{
			name:  "CL.TE on HTTP/1.0",
			proto: "HTTP/1.0", head: "Connection: keep-alive\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n", body: "0\r\n\r\n", tail: smuggled,
			want: []string{"200"}, origin: []string{"/a"}, wantClose: true,
		},
		{
			name: "two Content-Length values",
			head: "Content-Length: 5\r\nContent-Length: 56\r\n", body: "0\r\n\r\n", tail: smuggled,
			want: []string{"400"}, wantClose: true,
		},
		{
			name: "Content-Length list",
			head: "Content-Length: 5, 56\r\n", body: "0\r\n\r\n", tail: smuggled,
			want: []string{"400"}, wantClose: true,
		},
		{
			name: "obs-folded Transfer-Encoding",
			head: "Content-Length: 5\r\nTransfer-Encoding:\r\n chunked\r\n", body: "0\r\n\r\n", tail: smuggled,
			want: []string{"400"}, wantClose: true,
		},
		{
			name: "obs-folded Transfer-Encoding value continued",
			head: "Transfer-Encoding: chunked\r\n\t, identity\r\n", body: "0\r\n\r\n", tail: smuggled,
			want: []string{"400"}, wantClose: true,
		},
		{
			name: "obs-folded Content-Length",
			head: "Content-Length:\r\n 5\r\n", body: "0\r\n\r\n", tail: smuggled,
			want: []string{"400"}, wantClose: true,
		},
		{
			name: "control: chunked body, then a pipelined request",
			head: "Transfer-Encoding: chunked\r\n", body: "3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n", tail: "GET /next HTTP/1.1\r\nHost: smuggle.app.test\r\n\r\n",
			want: []string{"200", "200"}, origin: []string{"/a", "/next"},
		},
		{
			name: "control: equal Content-Length values, then a pipelined request",
			head: "Content-Length: 3\r\nContent-Length: 3\r\n", body: "abc", tail: "GET /next HTTP/1.1\r\nHost: smuggle.app.test\r\n\r\n",
			want: []string{"200", "200"}, origin: []string{"/a", "/next"},
		},
		{
			name: "control: an obs-fold outside the framing headers is unfolded",
			head: "Content-Length: 3\r\nX-A: a\r\n b\r\n", body: "abc", tail: "GET /next HTTP/1.1\r\nHost: smuggle.app.test\r\n\r\n",
			want: []string{"200", "200"}, origin: []string{"/a", "/next"},
		},
		{
			name: "control: CRLF after a POST body, as old clients send",
			head: "Content-Length: 3\r\n", body: "abc\r\n", tail: "GET /next HTTP/1.1\r\nHost: smuggle.app.test\r\n\r\n",
			want: []string{"200", "200"}, origin: []string{"/a", "/next"},
		},
	} {
		for _, m := range framingModes {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				l := newLab(t)
				var otls *tls.Config
				if m.tls {
					otls = l.originTLS(t)
				}
				o := newRawOrigin(t, otls, nil)
				c, prefix, host := l.dialThrough(t, m, o.addr)
				proto := tc.proto
				if proto == "" {
					proto = "HTTP/1.1"
				}
				tail := strings.ReplaceAll(tc.tail, "GET /", "GET "+prefix+"/")
				raw := "POST " + prefix + "/a " + proto + "\r\nHost: " + host + "\r\n" + tc.head + "\r\n" + tc.body + tail
				if _, err := io.WriteString(c, raw); err != nil {
					t.Fatal(err)
				}
				statuses, _, closed := readResponses(c, len(tc.want), tc.wantClose)
				if fmt.Sprint(statuses) != fmt.Sprint(tc.want) {
					t.Errorf("client got %q, want %q", statuses, tc.want)
				}
				if tc.wantClose && !closed {
					t.Errorf("the proxy kept the connection open (RFC 9112 section 6.1: close after responding)")
				}
				if !tc.wantClose {
					// still open: one more request is served
					c.SetDeadline(time.Now().Add(10 * time.Second))
					fmt.Fprintf(c, "GET %s/last HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", prefix, host)
					if s, _, _ := readResponses(c, 1, false); fmt.Sprint(s) != "[200]" {
						t.Errorf("a request after the pipelined ones got %q", s)
					}
				}
				// the origin's last request may still be on its way when the client has its answer
				want := tc.origin
				if !tc.wantClose {
					want = append(append([]string(nil), want...), "/last")
				}
				var paths []string
				var raw2 string
				for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
					if paths, raw2 = o.seen(); len(paths) >= len(want) {
						break
					}
				}
				time.Sleep(50 * time.Millisecond) // a smuggled request would arrive right behind
				paths, raw2 = o.seen()
				if fmt.Sprint(paths) != fmt.Sprint(want) {
					t.Errorf("origin saw requests %q, want %q", paths, want)
				}
				if strings.Contains(raw2, "/smuggled HTTP") && !strings.Contains(tc.body, "/smuggled") {
					t.Errorf("the smuggled request reached the origin:\n%s", raw2)
				}
			})
		}
	}
}

// TestResponseFraming has a raw origin answer with ambiguous framing. The proxy must not relay such a
// response in a framing the origin may not have meant (RFC 9112 section 6.3: both Content-Length and
// Transfer-Encoding "ought to be handled as an error"; section 6.1: Transfer-Encoding in HTTP/1.0;
// section 5.2: obs-fold): the client gets a 502 that says why, and nothing after the ambiguous head
// is passed on as a response. The controls are framings that must still pass, on one kept-alive
// upstream connection.
func TestResponseFraming(t *testing.T) {
	const tail = "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"
	for _, tc := range []struct {
		name, reply string
		method      string // "" is GET
		want        int
		body        string // wanted body on success
	}{
		{name: "CL and TE", reply: "HTTP/1.1 200 OK\r\nContent-Length: 48\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + tail, want: 502},
		{name: "CL and TE, TE first", reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + tail, want: 502},
		{name: "TE with a leading space and CL", reply: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding:  chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + tail, want: 502},
		{name: "obs-folded TE", reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + tail, want: 502},
		{name: "obs-folded CL", reply: "HTTP/1.1 200 OK\r\nContent-Length:\r\n 5\r\n\r\nhello" + tail, want: 502},
		{name: "TE on HTTP/1.0", reply: "HTTP/1.0 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nhello", want: 502},
		{name: "xchunked", reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", want: 502},
		{name: "chunked, identity", reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n", want: 502},
		{name: "two CL values", reply: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 48\r\n\r\nhello" + tail, want: 502},
		{name: "control: chunked", reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", want: 200, body: "hello"},
		{name: "control: chunked with extension and trailer", reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n", want: 200, body: "hello"},
		{name: "control: Content-Length", reply: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", want: 200, body: "hello"},
		{name: "control: 100 Continue first", reply: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", want: 200, body: "hello"},
		{name: "control: HEAD with a chunked head", method: "HEAD", reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", want: 200},
		{name: "control: HEAD with a length", method: "HEAD", reply: "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", want: 200},
		{name: "control: 204", reply: "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", want: 204},
		{name: "control: obs-fold outside framing", reply: "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 5\r\n\r\nhello", want: 200, body: "hello"},
	} {
		for _, m := range []framingMode{{name: "plain"}, {name: "connect-tls", tunnel: true, tls: true}} {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				l := newLab(t)
				var otls *tls.Config
				if m.tls {
					otls = l.originTLS(t)
				}
				o := newRawOrigin(t, otls, func(c net.Conn, r *http.Request) bool {
					io.WriteString(c, tc.reply)
					return true
				})
				method := tc.method
				if method == "" {
					method = "GET"
				}
				c, prefix, host := l.dialThrough(t, m, o.addr)
				// two requests on one client connection: the second shows whether the upstream connection
				// (kept alive for the controls) is still in step
				for i := range 2 {
					fmt.Fprintf(c, "%s %s/r%d HTTP/1.1\r\nHost: %s\r\n\r\n", method, prefix, i, host)
					resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
					if err != nil {
						t.Fatalf("request %d: %v", i, err)
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != tc.want {
						t.Errorf("request %d: status %d body %q, want %d", i, resp.StatusCode, b, tc.want)
					}
					if strings.Contains(string(b), "smuggled") {
						t.Errorf("request %d: the bytes after the ambiguous response were relayed: %q", i, b)
					}
					if tc.want == 502 && !strings.Contains(string(b), "hopscope proxy: upstream") {
						t.Errorf("request %d: want a message that says why, got %q", i, b)
					}
					if tc.want != 502 && string(b) != tc.body {
						t.Errorf("request %d: body %q, want %q", i, b, tc.body)
					}
					if resp.Close {
						break
					}
				}
			})
		}
	}
}

// netHTTPRequests counts the requests net/http's server reads whole from data (skipping, as it does,
// up to four CR or LF bytes after a POST), leaving out OPTIONS * (which it answers itself).
func netHTTPRequests(data []byte) int {
	br := bufio.NewReader(bytes.NewReader(data))
	n, last := 0, ""
	for range 64 {
		if last == http.MethodPost {
			peek, _ := br.Peek(4)
			k := 0
			for k < len(peek) && (peek[k] == '\r' || peek[k] == '\n') {
				k++
			}
			br.Discard(k)
		}
		r, err := http.ReadRequest(br)
		if err != nil {
			return n
		}
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			return n
		}
		if !(r.Method == "OPTIONS" && r.RequestURI == "*") {
			n++
		}
		last = r.Method
	}
	return n
}

// checkFramer feeds data to a request framer whole and in pieces, and checks that the pieces change
// nothing and that it finds the message boundaries net/http finds: every request net/http reads whole
// is a head the framer counted, unless the framer stopped before it (a tunnel, an upgrade, a drain).
// (It may count more: heads net/http refuses, after which the connection closes.)
func checkFramer(t *testing.T, data []byte, split int) {
	whole := newFramer(false, 1<<20)
	keep, err := whole.feed(data)
	if keep < 0 || keep > len(data) {
		t.Fatalf("kept %d of %d bytes", keep, len(data))
	}
	if split > 0 && split < len(data) {
		parts := newFramer(false, 1<<20)
		k1, err1 := parts.feed(data[:split])
		k2, err2 := 0, err1
		if err1 == nil {
			k2, err2 = parts.feed(data[split:])
		}
		if (err == nil) != (err2 == nil) || parts.heads != whole.heads || (err == nil && k1+k2 != keep) {
			t.Fatalf("split at %d: kept %d+%d err %v heads %d; whole: kept %d err %v heads %d", split, k1, k2, err2, parts.heads, keep, err, whole.heads)
		}
	}
	k := netHTTPRequests(data)
	stopped := whole.st == fsDrain || whole.st == fsOpaque || err != nil
	if !stopped && whole.heads < int64(k) {
		t.Fatalf("framer counted %d heads, net/http read %d requests: they disagree on a boundary", whole.heads, k)
	}
}

// framerSeeds are request streams for the framer's tests and fuzz target.
var framerSeeds = []string{
	"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
	"POST / HTTP/1.0\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n",
	"GET / HTTP/1.1\nHost: a\nX-A: 1\n 2\n\nGET /2 HTTP/1.1\nHost: a\n\n",
	"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
	"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n\x16\x03\x01",
	"GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x00",
}

func TestFramerAgreesWithNetHTTP(t *testing.T) {
	for i, s := range framerSeeds {
		for split := range len(s) {
			checkFramer(t, []byte(s), split)
		}
		f := newFramer(false, 1<<20)
		f.feed([]byte(s))
		t.Logf("seed %d: %d heads, close after %d", i, f.heads, f.closeAt.Load())
	}
}

func FuzzFramer(f *testing.F) {
	for _, s := range framerSeeds {
		f.Add([]byte(s), 7)
	}
	f.Fuzz(func(t *testing.T, data []byte, split int) {
		checkFramer(t, data, split)
	})
}
