package cli_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hopscope/internal/cli"
	"hopscope/internal/mitm"
	"hopscope/internal/report"
	"hopscope/internal/session"
)

func hop(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestCACommands(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := hop(t, "--data-dir", dir, "ca", "show"); code != cli.ExitBadInput || !strings.Contains(errs, "no hopscope CA") {
		t.Fatalf("show before create: %d %s", code, errs)
	}
	code, out, errs := hop(t, "--data-dir", dir, "ca", "create")
	if code != 0 || !strings.Contains(out, "spki sha256:") {
		t.Fatalf("create: %d %s %s", code, out, errs)
	}
	if code, _, _ := hop(t, "--data-dir", dir, "ca", "create"); code == 0 {
		t.Error("second create without --force succeeded")
	}
	for _, tc := range []struct {
		format string
		check  func([]byte) bool
	}{
		{"pem", func(b []byte) bool { return bytes.HasPrefix(b, []byte("-----BEGIN CERTIFICATE-----")) }},
		{"der", func(b []byte) bool { c, err := x509.ParseCertificate(b); return err == nil && c.IsCA }},
		{"p12", func(b []byte) bool { return len(b) > 100 && b[0] == 0x30 }},
	} {
		out := filepath.Join(dir, "ca."+tc.format)
		if code, _, errs := hop(t, "--data-dir", dir, "ca", "export", "--format", tc.format, "-o", out); code != 0 {
			t.Fatalf("export %s: %s", tc.format, errs)
		}
		b, _ := os.ReadFile(out)
		if !tc.check(b) {
			t.Errorf("export %s: unexpected content (%d bytes)", tc.format, len(b))
		}
	}
	if code, _, _ := hop(t, "--data-dir", dir, "ca", "export", "--format", "jks"); code != cli.ExitBadInput {
		t.Errorf("unknown format: exit %d", code)
	}
	_, help, _ := hop(t, "--data-dir", dir, "ca", "trust-help")
	for _, want := range []string{"update-ca-certificates", "trust anchor", "security add-trusted-cert", "certutil -addstore", "Firefox", "network_security_config", "remove"} {
		if !strings.Contains(help, want) {
			t.Errorf("trust-help lacks %q", want)
		}
	}
	if code, _, _ := hop(t, "--data-dir", dir, "ca", "remove"); code != 0 {
		t.Error("remove failed")
	}
	if _, err := os.Stat(filepath.Join(dir, "ca", mitm.CAKeyFile)); err == nil {
		t.Error("key still there after remove")
	}
}

func TestProxyFlagValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"open listen without allow", []string{"--listen", "0.0.0.0:0"}, "--allow"},
		{"bad allow", []string{"--listen", "0.0.0.0:0", "--allow", "nonsense"}, "CIDR"},
		{"bad resolve", []string{"--resolve", "nohost"}, "HOST:PORT:ADDR"},
		{"bad upstream proxy", []string{"--upstream-proxy", "socks5://x:1"}, "http://host:port"},
		{"bad passthrough", []string{"--passthrough", "a[b"}, "host pattern"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := hop(t, append([]string{"--data-dir", t.TempDir(), "proxy"}, tc.args...)...)
			if code != cli.ExitBadInput || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errs, tc.want)
			}
		})
	}
}

// TestProxySessionToDomainsAndHAR records real intercepted traffic into a session file, then checks
// that hopscope domains counts every host right and that har export round-trips it.
func TestProxySessionToDomainsAndHAR(t *testing.T) {
	dir := t.TempDir()
	ca, err := mitm.NewCA("cli test CA", time.Now(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	originCA, _ := mitm.NewCA("cli origin CA", time.Now(), rand.Reader)
	leaves, _ := mitm.NewLeaves(originCA, mitm.LeafConfig{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.Host)
	}))
	srv.EnableHTTP2 = true
	srv.TLS = &tls.Config{GetCertificate: func(hi *tls.ClientHelloInfo) (*tls.Certificate, error) { return leaves.Get(hi.ServerName) }}
	srv.StartTLS()
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	sessionPath := filepath.Join(dir, "s.jsonl")
	sess, err := session.Open(sessionPath, session.Config{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := mitm.New(mitm.Config{CA: ca, UpstreamCAs: []*x509.Certificate{originCA.Cert}, Recorder: sess, Resolve: map[string]string{"*": "127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go p.Serve(ln)
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: ln.Addr().String()}),
		TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}, Timeout: 10 * time.Second}
	want := map[string]int{"mp.weixin.qq.com": 3, "wx.qlogo.cn": 2, "mmbiz.qpic.cn": 1}
	for host, n := range want {
		for i := 0; i < n; i++ {
			resp, err := client.Get("https://" + host + ":" + port + "/" + fmt.Sprint(i))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	client.CloseIdleConnections()
	deadline := time.Now().Add(10 * time.Second)
	for sess.Count() < 6 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	p.Close()
	if err := sess.Close(); err != nil {
		t.Fatal(err)
	}

	code, out, errs := hop(t, "domains", sessionPath, "--json", "--no-enrich")
	if code != 0 {
		t.Fatalf("domains: %d %s", code, errs)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	purposes := map[string]string{}
	for _, d := range r.Domains.Domains {
		for _, h := range d.Hosts {
			got[h.Host] = h.Requests
			purposes[h.Host] = h.Purpose
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("requests per host %v, want %v", got, want)
	}
	if purposes["mp.weixin.qq.com"] != "mini programs" || purposes["wx.qlogo.cn"] != "avatars and logos" || purposes["mmbiz.qpic.cn"] != "pictures" {
		t.Errorf("purposes %v", purposes)
	}
	rules := filepath.Join(dir, "rules.txt")
	os.WriteFile(rules, []byte("# mine\n^mmbiz\\. article images\n"), 0o644)
	if _, out, _ := hop(t, "domains", sessionPath, "--format", "markdown", "--no-enrich", "--rules", rules); !strings.Contains(out, "article images") || !strings.Contains(out, "| **qq.com** |") {
		t.Errorf("markdown with rules:\n%s", out)
	}
	harPath := filepath.Join(dir, "s.har")
	if code, _, errs := hop(t, "har", "export", sessionPath, "-o", harPath); code != 0 {
		t.Fatalf("har export: %s", errs)
	}
	code, out, errs = hop(t, "domains", harPath, "--json", "--no-enrich")
	if code != 0 {
		t.Fatalf("domains on HAR: %s", errs)
	}
	var rh report.Report
	json.Unmarshal([]byte(out), &rh)
	if rh.Domains.Flows != 6 || rh.Domains.Source != "har" || len(rh.Domains.Domains) != 3 {
		t.Errorf("HAR inventory: %d flows from %s in %d domains", rh.Domains.Flows, rh.Domains.Source, len(rh.Domains.Domains))
	}
	if code, _, errs := hop(t, "domains", filepath.Join(dir, "rules.txt")); code != cli.ExitBadInput || !strings.Contains(errs, "neither a hopscope session") {
		t.Errorf("domains on a text file: %d %s", code, errs)
	}
}
