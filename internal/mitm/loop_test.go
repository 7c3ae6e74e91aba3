package mitm

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// loopProxy starts a proxy on ln (so its address can be named before it exists) with the given
// upstream proxy; every proxy in these tests shares ca, so they also trust each other's leaves.
func loopProxy(t *testing.T, ln net.Listener, ca, originCA *CA, upstream string) (*Proxy, *memRecorder) {
	t.Helper()
	rec := &memRecorder{}
	u, _ := url.Parse("http://" + upstream)
	p, err := New(Config{
		CA: ca, UpstreamCAs: []*x509.Certificate{originCA.Cert, ca.Cert}, Recorder: rec, UpstreamProxy: u,
		Resolve: map[string]string{"*": "127.0.0.1"}, Logf: t.Logf, UpstreamTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	go p.Serve(ln)
	t.Cleanup(func() { p.Close() })
	return p, rec
}

func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// loopOrigins starts a plain HTTP and an HTTPS origin that count the requests reaching them.
func loopOrigins(t *testing.T, originCA *CA, hits *int64) (plain, secure string) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { *hits++; io.WriteString(w, "origin") })
	ps := httptest.NewServer(h)
	t.Cleanup(ps.Close)
	leaves, _ := NewLeaves(originCA, LeafConfig{})
	ts := httptest.NewUnstartedServer(h)
	ts.TLS = &tls.Config{GetCertificate: func(hi *tls.ClientHelloInfo) (*tls.Certificate, error) { return leaves.Get(hi.ServerName) }}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	return ps.URL + "/", "https://api.app.test:" + port + "/"
}

// boundedClient uses proxy, trusts ca and gives up after 5 s: on a looping proxy it must not wait longer.
func boundedClient(proxy string, ca *CA) *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: proxy}), TLSClientConfig: &tls.Config{RootCAs: pool},
		TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{}, DisableKeepAlives: true,
	}}
}

// TestProxyLoop is issue 16 finding 3: --upstream-proxy pointing at the proxy itself recursed (one curl,
// ~1,700 error flows and 3,000 descriptors in 30 s), and two proxies pointed at each other did too.
// Now each is refused with 508 and costs one error flow per proxy, not one per pass.
func TestProxyLoop(t *testing.T) {
	ca, _ := NewCA("loop test CA", time.Now(), rand.Reader)
	originCA, _ := NewCA("loop origin CA", time.Now(), rand.Reader)
	var hits int64
	plain, secure := loopOrigins(t, originCA, &hits)

	t.Run("self", func(t *testing.T) {
		ln := listenLoopback(t)
		p, rec := loopProxy(t, ln, ca, originCA, ln.Addr().String())
		c := boundedClient(ln.Addr().String(), ca)
		for i, u := range []string{plain, secure} {
			resp, err := c.Get(u)
			if err != nil {
				t.Fatalf("GET %s: %v", u, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusLoopDetected || !strings.Contains(string(body), "is this proxy itself") {
				t.Errorf("GET %s: %s %q, want 508 naming the loop", u, resp.Status, body)
			}
			waitFor(t, "the error flow", func() bool { return len(rec.all()) >= i+1 })
		}
		time.Sleep(200 * time.Millisecond) // a recursing proxy would go on recording
		flows := rec.all()
		if len(flows) != 2 {
			t.Errorf("%d flows, want 2 (one per request)", len(flows))
		}
		for _, f := range flows {
			if !strings.Contains(f.Flow.Error, "proxy loop") {
				t.Errorf("flow %s %s: error %q, want the proxy loop", f.Flow.ID, f.Flow.HTTP.URL, f.Flow.Error)
			}
		}
		if n := p.conns.Load(); n > 1 {
			t.Errorf("%d client connections still open", n)
		}
	})

	t.Run("pair", func(t *testing.T) {
		lnA, lnB := listenLoopback(t), listenLoopback(t)
		_, recA := loopProxy(t, lnA, ca, originCA, lnB.Addr().String())
		_, recB := loopProxy(t, lnB, ca, originCA, lnA.Addr().String())
		c := boundedClient(lnA.Addr().String(), ca)
		for i, u := range []string{plain, secure} {
			resp, err := c.Get(u)
			if err != nil {
				t.Fatalf("GET %s: %v", u, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusLoopDetected || !strings.Contains(string(body), "proxy loop") {
				t.Errorf("GET %s: %s %q, want 508 naming the loop", u, resp.Status, body)
			}
			waitFor(t, "a flow in each proxy", func() bool { return len(recA.all()) >= i+1 && len(recB.all()) >= i+1 })
		}
		time.Sleep(200 * time.Millisecond)
		a, b := recA.all(), recB.all()
		if len(a) != 2 || len(b) != 2 {
			t.Fatalf("%d flows in A and %d in B, want 2 each (one per request)", len(a), len(b))
		}
		for i := range a {
			if a[i].Flow.HTTP.Status != http.StatusLoopDetected || !strings.Contains(b[i].Flow.Error, "proxy loop") {
				t.Errorf("request %d: A's flow status %d error %q; B's flow error %q", i, a[i].Flow.HTTP.Status, a[i].Flow.Error, b[i].Flow.Error)
			}
		}
	})
	if hits != 0 {
		t.Errorf("the origins were reached %d times through a loop", hits)
	}
}

// TestVia: forwarded requests carry this proxy's Via entry, and one that already carries it is refused.
func TestVia(t *testing.T) {
	l := newLab(t)
	var gotVia []string
	o := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { gotVia = r.Header.Values("Via") }))
	defer o.Close()
	c := l.client(false)
	name := l.proxy.cfg.ViaName
	if !strings.HasPrefix(name, "hopscope-") || len(name) != len("hopscope-")+8 {
		t.Errorf("ViaName %q", name)
	}
	req, _ := http.NewRequest("GET", o.URL+"/", nil)
	req.Header.Set("Via", "1.1 squid")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Join(gotVia, ", ") != "1.1 squid, 1.1 "+name {
		t.Errorf("%s; origin saw Via %q, want the client's entry then ours", resp.Status, gotVia)
	}
	gotVia = nil
	req.Header.Set("Via", "1.0 other, 1.1 "+strings.ToUpper(name)+" (hopscope)")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusLoopDetected || gotVia != nil {
		t.Errorf("a request carrying our Via: %s, origin saw %q; want 508 and no origin request", resp.Status, gotVia)
	}
}
