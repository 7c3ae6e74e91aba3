package mitm

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	xproxy "golang.org/x/net/proxy"

	"hopscope/internal/inventory"
)

func hello(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "hello %s %s %s", r.Host, r.URL.Path, r.Proto)
}

func TestInterceptHTTPS(t *testing.T) {
	for _, tc := range []struct {
		name        string
		originH2    bool
		clientH2    bool
		wantProto   string // what the client sees
		wantOrigin  string // what the origin sees
		wantFlowALP string // upstream ALPN recorded; "" for none negotiated
	}{
		{"h1 client, h1 origin", false, false, "HTTP/1.1", "HTTP/1.1", "http/1.1"},
		{"h2 client, h2 origin", true, true, "HTTP/2.0", "HTTP/2.0", "h2"},
		{"h2 client, h1-only origin gets h1", false, true, "HTTP/1.1", "HTTP/1.1", "http/1.1"},
		// The client's protocol goes upstream: an HTTP/1.1 client stays HTTP/1.1 even where the origin
		// offers h2 (which then negotiates no ALPN at all, as Go servers do for http/1.1-only clients).
		{"h1 client, h2 origin stays h1", true, false, "HTTP/1.1", "HTTP/1.1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t)
			o := l.origin(t, http.HandlerFunc(hello), tc.originH2)
			u := "https://api.app.test:" + l.port(o) + "/x?y=1"
			resp, body := get(t, l.client(tc.clientH2), u)
			if resp.StatusCode != 200 || !strings.HasPrefix(body, "hello api.app.test:"+l.port(o)+" /x") {
				t.Fatalf("got %d %q", resp.StatusCode, body)
			}
			if resp.Proto != tc.wantProto {
				t.Errorf("client protocol %s, want %s", resp.Proto, tc.wantProto)
			}
			if resp.TLS == nil || resp.TLS.PeerCertificates[0].Issuer.CommonName != "test interception CA" {
				t.Errorf("client did not see our leaf")
			}
			waitFor(t, "flow", func() bool { return len(l.rec.all()) == 1 })
			f := l.rec.all()[0].Flow
			if f.Host != "api.app.test" || !f.Intercepted || f.HTTP == nil || f.HTTP.Status != 200 || f.HTTP.URL != u {
				t.Errorf("flow %+v http %+v", f, f.HTTP)
			}
			if !strings.HasSuffix(body, " "+tc.wantOrigin) {
				t.Errorf("origin saw %q, want %s", body, tc.wantOrigin)
			}
			if f.TLS == nil || strings.Join(f.TLS.ALPN, ",") != tc.wantFlowALP || f.TLS.SNI != "api.app.test" {
				t.Errorf("flow TLS %+v, want ALPN %s", f.TLS, tc.wantFlowALP)
			}
			if f.HTTP.ResponseBytes != int64(len(body)) || f.Server.Addr().String() != "127.0.0.1" {
				t.Errorf("response bytes %d (want %d), server %v", f.HTTP.ResponseBytes, len(body), f.Server)
			}
			if f.Process == "" && f.Client.IsValid() {
				// in-process clients are found through /proc on Linux only when ProcessLookup is set; not here
			}
		})
	}
}

func TestPlainHTTPAndSelfRefusal(t *testing.T) {
	l := newLab(t)
	o := l.origin(t, http.HandlerFunc(hello), false)
	plain := &http.Server{Handler: http.HandlerFunc(hello)}
	pln, _ := net.Listen("tcp", "127.0.0.1:0")
	go plain.Serve(pln)
	t.Cleanup(func() { plain.Close() })
	_, pport, _ := net.SplitHostPort(pln.Addr().String())
	c := l.client(false)
	if resp, body := get(t, c, "http://www.app.test:"+pport+"/plain"); resp.StatusCode != 200 || !strings.Contains(body, "/plain") {
		t.Fatalf("plain http: %d %q", resp.StatusCode, body)
	}
	_, proxyPort, _ := net.SplitHostPort(l.addr)
	for _, tc := range []struct{ name, url string }{
		{"absolute http to proxy", "http://127.0.0.1:" + proxyPort + "/"},
		{"absolute http to localhost proxy", "http://localhost:" + proxyPort + "/admin"},
		{"CONNECT to proxy", "https://127.0.0.1:" + proxyPort + "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := c.Get(tc.url)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != http.StatusForbidden {
					t.Fatalf("status %d, want 403", resp.StatusCode)
				}
				return
			}
			if !strings.Contains(err.Error(), "Forbidden") {
				t.Fatalf("err %v, want a 403 refusal", err)
			}
		})
	}
	// origin-form request straight to the proxy: no control endpoint
	resp, err := http.Get("http://" + l.addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("direct request: %d, want 400", resp.StatusCode)
	}
	// still serving
	if resp, _ := get(t, c, "https://api.app.test:"+l.port(o)+"/after"); resp.StatusCode != 200 {
		t.Errorf("after refusals: %d", resp.StatusCode)
	}
}

func TestWebSocketEcho(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		t.Run(fmt.Sprintf("h2-capable client and origin %v", h2), func(t *testing.T) { testWebSocketEcho(t, h2) })
	}
}

func testWebSocketEcho(t *testing.T, h2 bool) {
	l := newLab(t)
	o := l.origin(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			typ, b, err := c.Read(r.Context())
			if err != nil {
				return
			}
			if err := c.Write(r.Context(), typ, b); err != nil {
				return
			}
		}
	}), h2)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "wss://ws.app.test:"+l.port(o)+"/echo", &websocket.DialOptions{HTTPClient: l.client(h2)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		msg := fmt.Sprintf("ping %d", i)
		if err := conn.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		_, b, err := conn.Read(ctx)
		if err != nil || string(b) != msg {
			t.Fatalf("echo %q, %v", b, err)
		}
	}
	conn.Close(websocket.StatusNormalClosure, "")
	waitFor(t, "websocket flow", func() bool { return len(l.rec.all()) == 1 })
	f := l.rec.all()[0].Flow
	if f.Protocol != "websocket" || f.HTTP.Status != 101 || f.Host != "ws.app.test" || f.BytesDown < 3*6 {
		t.Errorf("flow %+v", f)
	}
}

// TestPinnedClient: a client that trusts only the origin's CA refuses our leaf. The first refusal is
// reported as an untrusted CA, the second pins the host, and the third connection passes through and
// succeeds. Go clients of TLS 1.2 and 1.3 both send an alert the proxy names.
func TestPinnedClient(t *testing.T) {
	for _, tc := range []struct {
		name string
		max  uint16
	}{
		{"tls12", tls.VersionTLS12},
		{"tls13", tls.VersionTLS13},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t)
			o := l.origin(t, http.HandlerFunc(hello), false)
			pool := x509.NewCertPool()
			pool.AddCert(l.originCA.Cert)
			host := "pinned.app.test:" + l.port(o)
			attempt := func() error {
				c, err := net.Dial("tcp", l.addr)
				if err != nil {
					return err
				}
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", host, host)
				br := bufio.NewReader(c)
				resp, err := http.ReadResponse(br, nil)
				if err != nil || resp.StatusCode != 200 {
					return fmt.Errorf("CONNECT: %v %v", resp, err)
				}
				tc := tls.Client(c, &tls.Config{ServerName: "pinned.app.test", RootCAs: pool, MaxVersion: tc.max})
				if err := tc.Handshake(); err != nil {
					return err
				}
				fmt.Fprintf(tc, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host)
				b, err := io.ReadAll(tc)
				if !strings.Contains(string(b), "hello pinned.app.test") {
					return fmt.Errorf("response %q %v", b, err)
				}
				return nil
			}
			for i, want := range []struct{ refusal, msg string }{
				{inventory.RefusalUntrusted, "the client does not trust the hopscope CA: run `hopscope ca trust-help`"},
				{inventory.RefusalPinned, "pinned: passed through from now on"},
			} {
				if err := attempt(); err == nil {
					t.Fatalf("attempt %d succeeded: the client should have refused our certificate", i+1)
				}
				waitFor(t, "refusal flow", func() bool { return len(l.rec.all()) == i+1 })
				f := l.rec.all()[i].Flow
				if f.CertRefusal != want.refusal || !strings.HasPrefix(f.Error, want.msg) || !strings.Contains(f.Error, "alert ") || f.Host != "pinned.app.test" {
					t.Fatalf("flow %d: %+v", i+1, f)
				}
				if _, ok := l.proxy.pins.Pinned("pinned.app.test"); ok != (i == 1) {
					t.Fatalf("after refusal %d: pinned %v", i+1, ok)
				}
			}
			if err := attempt(); err != nil {
				t.Fatalf("third attempt: %v", err)
			}
			waitFor(t, "passthrough flow", func() bool { return len(l.rec.all()) == 3 })
			if f := l.rec.all()[2].Flow; !strings.HasPrefix(f.Passthrough, "pinned") || f.CertRefusal != inventory.RefusalPinned || f.Protocol != "tls" || f.BytesDown == 0 {
				t.Errorf("third flow %+v", f)
			}
		})
	}
}

// echoServer is a loopback TCP echo server; it returns its address.
func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	return ln.Addr().String()
}

func TestOpaqueTunnels(t *testing.T) {
	echo := echoServer(t)
	_, port, _ := net.SplitHostPort(echo)
	for _, tc := range []struct {
		name      string
		first     []byte
		wantProto string
	}{
		{"mmtls", []byte{0x16, 0xF1, 0x04, 0x00, 0x20, 1, 2, 3}, "mmtls"},
		{"ssh", []byte("SSH-2.0-OpenSSH_9.6\r\n"), "ssh"},
		{"unknown", []byte{0x00, 0x01, 0x02, 0x03, 0xff}, "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t)
			c, err := net.Dial("tcp", l.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			target := "long.weixin.test:" + port
			fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target)
			br := bufio.NewReader(c)
			resp, err := http.ReadResponse(br, nil)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("CONNECT: %v", err)
			}
			c.Write(tc.first)
			got := make([]byte, len(tc.first))
			if _, err := io.ReadFull(br, got); err != nil || string(got) != string(tc.first) {
				t.Fatalf("echo %x, %v", got, err)
			}
			c.(*net.TCPConn).CloseWrite()
			io.Copy(io.Discard, br)
			waitFor(t, "tunnel flow", func() bool { return len(l.rec.all()) == 1 })
			f := l.rec.all()[0].Flow
			if f.Protocol != tc.wantProto || f.Passthrough == "" || f.BytesUp != int64(len(tc.first)) || f.BytesDown != int64(len(tc.first)) || f.Host != "long.weixin.test" {
				t.Errorf("flow %+v", f)
			}
			if tc.wantProto != "tls" && f.FirstBytes == "" {
				t.Errorf("no first bytes recorded")
			}
		})
	}
}

func TestSOCKS5(t *testing.T) {
	l := newLab(t)
	o := l.origin(t, http.HandlerFunc(hello), true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go l.proxy.ServeSOCKS(ln)
	d, err := xproxy.SOCKS5("tcp", ln.Addr().String(), nil, xproxy.Direct)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(l.ca.Cert)
	c := &http.Client{Transport: &http.Transport{
		DialContext:       d.(xproxy.ContextDialer).DialContext,
		TLSClientConfig:   &tls.Config{RootCAs: pool},
		ForceAttemptHTTP2: true,
	}, Timeout: 10 * time.Second}
	resp, body := get(t, c, "https://socks.app.test:"+l.port(o)+"/s")
	if resp.StatusCode != 200 || !strings.Contains(body, "hello socks.app.test") || resp.Proto != "HTTP/2.0" {
		t.Fatalf("%d %s %q", resp.StatusCode, resp.Proto, body)
	}
	waitFor(t, "flow", func() bool { return len(l.rec.all()) == 1 })
	if f := l.rec.all()[0].Flow; f.Host != "socks.app.test" || !f.Intercepted {
		t.Errorf("flow %+v", f)
	}
}

func TestPassthroughRule(t *testing.T) {
	l := newLab(t, func(c *Config) { c.Passthrough = HostPatterns{"*.bank.test"} })
	o := l.origin(t, http.HandlerFunc(hello), false)
	pool := x509.NewCertPool()
	pool.AddCert(l.originCA.Cert) // passes through: the client sees the origin's own certificate
	c := l.client(false)
	c.Transport.(*http.Transport).TLSClientConfig.RootCAs = pool
	resp, body := get(t, c, "https://www.bank.test:"+l.port(o)+"/")
	if resp.StatusCode != 200 || !strings.Contains(body, "hello www.bank.test") {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	c.CloseIdleConnections()
	waitFor(t, "flow", func() bool { return len(l.rec.all()) == 1 })
	if f := l.rec.all()[0].Flow; f.Passthrough != "passthrough rule" || f.Host != "www.bank.test" || f.Intercepted {
		t.Errorf("flow %+v", f)
	}
}

// TestUpstreamProxy chains two proxies: the first intercepts and sends its upstream connections through
// the second (CONNECT), which passes them through.
func TestUpstreamProxy(t *testing.T) {
	second := newLab(t, func(c *Config) { c.Passthrough = HostPatterns{"*"} })
	first := newLab(t, func(c *Config) { c.UpstreamProxy = &url.URL{Scheme: "http", Host: second.addr} })
	first.originCA = second.originCA // the origin below is signed by the second lab's origin CA...
	o := second.origin(t, http.HandlerFunc(hello), true)
	first.proxy.upTLS.RootCAs.AddCert(second.originCA.Cert) // ...which the first proxy must trust
	first.proxy.transport.TLSClientConfig.RootCAs.AddCert(second.originCA.Cert)
	resp, body := get(t, first.client(true), "https://chain.app.test:"+second.port(o)+"/")
	if resp.StatusCode != 200 || !strings.Contains(body, "hello chain.app.test") {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	waitFor(t, "flow at the first proxy", func() bool { return len(first.rec.all()) == 1 })
	if f := first.rec.all()[0].Flow; !f.Intercepted || f.Host != "chain.app.test" {
		t.Errorf("first proxy flow %+v", f)
	}
	first.proxy.transport.CloseIdleConnections()
	waitFor(t, "tunnel at the second proxy", func() bool { return len(second.rec.all()) >= 1 })
	if f := second.rec.all()[0].Flow; f.Passthrough != "passthrough rule" || f.Host != "chain.app.test" {
		t.Errorf("second proxy flow %+v", f)
	}
}

// TestPinnedByClose: a client that just hangs up after seeing our certificate (no alert) is pinned on
// the second time only.
func TestPinnedByClose(t *testing.T) {
	l := newLab(t)
	o := l.origin(t, http.HandlerFunc(hello), false)
	target := "closer.app.test:" + l.port(o)
	hangUp := func() {
		c, err := net.Dial("tcp", l.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target)
		br := bufio.NewReader(c)
		if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 200 {
			t.Fatalf("CONNECT: %v", err)
		}
		c.Write(clientHelloBytes(t, "closer.app.test", []string{"http/1.1"}))
		if _, err := br.ReadByte(); err != nil { // the server's flight has started
			t.Fatal(err)
		}
	}
	for i, wantPinned := range []bool{false, true} {
		hangUp()
		waitFor(t, "handshake flow", func() bool { return len(l.rec.all()) == i+1 })
		if _, ok := l.proxy.pins.Pinned("closer.app.test"); ok != wantPinned {
			t.Errorf("after close %d: pinned %v, want %v (flow %+v)", i+1, ok, wantPinned, l.rec.all()[i].Flow)
		}
	}
}

// TestPlainHTTPInsideCONNECT: a tunnel whose first bytes are an HTTP request is served as HTTP
// (recorded like any proxied request) rather than passed through blind.
func TestPlainHTTPInsideCONNECT(t *testing.T) {
	l := newLab(t)
	plain := &http.Server{Handler: http.HandlerFunc(hello)}
	pln, _ := net.Listen("tcp", "127.0.0.1:0")
	go plain.Serve(pln)
	t.Cleanup(func() { plain.Close() })
	target := "plain.app.test:" + strings.Split(pln.Addr().String(), ":")[1]
	c, err := net.Dial("tcp", l.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target)
	br := bufio.NewReader(c)
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT: %v", err)
	}
	fmt.Fprintf(c, "GET /inside HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "hello plain.app.test") {
		t.Fatalf("%d %q", resp.StatusCode, b)
	}
	waitFor(t, "flow", func() bool { return len(l.rec.all()) == 1 })
	if f := l.rec.all()[0].Flow; f.Protocol != "http" || f.Host != "plain.app.test" || f.HTTP.URL != "http://"+target+"/inside" || f.Intercepted {
		t.Errorf("flow %+v %+v", f, f.HTTP)
	}
}
