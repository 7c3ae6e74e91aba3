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
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"hopscope/internal/session"
)

// memRecorder keeps records in memory for tests.
type memRecorder struct {
	mu   sync.Mutex
	recs []*session.Record
}

func (m *memRecorder) Record(r *session.Record) {
	m.mu.Lock()
	m.recs = append(m.recs, r)
	m.mu.Unlock()
}

func (m *memRecorder) all() []*session.Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*session.Record(nil), m.recs...)
}

// waitFor polls until cond holds (records are written when a handler finishes, just after the client
// has its response) or fails the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// lab is a proxy in front of loopback origin servers that have their own test CA.
type lab struct {
	ca       *CA // the proxy's interception CA
	originCA *CA
	proxy    *Proxy
	addr     string // proxy listen address
	rec      *memRecorder
	dir      string
}

type labOpt func(*Config)

func newLab(t *testing.T, opts ...labOpt) *lab { return newLabTB(t, opts...) }

func newLabB(b *testing.B, opts ...labOpt) *lab { return newLabTB(b, opts...) }

func newLabTB(t testing.TB, opts ...labOpt) *lab {
	t.Helper()
	now := time.Now()
	ca, err := NewCA("test interception CA", now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	originCA, err := NewCA("test origin CA", now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	l := &lab{ca: ca, originCA: originCA, rec: &memRecorder{}, dir: t.TempDir()}
	cfg := Config{
		CA: ca, UpstreamCAs: []*x509.Certificate{originCA.Cert}, Recorder: l.rec, RecordBytes: 1024,
		Resolve: map[string]string{"*": "127.0.0.1"}, Logf: t.Logf,
	}
	if _, ok := t.(*testing.B); ok {
		cfg.Logf = nil
	}
	for _, o := range opts {
		o(&cfg)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.proxy, l.addr = p, ln.Addr().String()
	go p.Serve(ln)
	t.Cleanup(func() { p.Close() })
	return l
}

// origin starts an HTTPS server on 127.0.0.1 whose certificates (any SNI) come from the origin CA.
func (l *lab) origin(t testing.TB, h http.Handler, h2 bool) *httptest.Server {
	t.Helper()
	leaves, err := NewLeaves(l.originCA, LeafConfig{})
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewUnstartedServer(h)
	s.EnableHTTP2 = h2
	s.TLS = &tls.Config{GetCertificate: func(hi *tls.ClientHelloInfo) (*tls.Certificate, error) {
		name := hi.ServerName
		if name == "" {
			name = "127.0.0.1"
		}
		return leaves.Get(name)
	}}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func (l *lab) port(s *httptest.Server) string {
	_, p, _ := net.SplitHostPort(s.Listener.Addr().String())
	return p
}

// client is a Go HTTP client that uses the proxy and trusts the interception CA.
func (l *lab) client(h2 bool) *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(l.ca.Cert)
	tr := &http.Transport{
		Proxy:             http.ProxyURL(&url.URL{Scheme: "http", Host: l.addr}),
		TLSClientConfig:   &tls.Config{RootCAs: pool},
		ForceAttemptHTTP2: h2,
	}
	if !h2 {
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// caFile writes the interception CA to a PEM file (for curl --cacert).
func (l *lab) caFile(t *testing.T) string {
	p := filepath.Join(l.dir, "ca.pem")
	if err := os.WriteFile(p, l.ca.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s body: %v", u, err)
	}
	return resp, string(b)
}
