package mitm

import (
	"bufio"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"hopscope/internal/session"
)

// TestCrashChild is the proxy process of TestCrashLosesNothing; it does nothing unless started by it.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("HOPSCOPE_CRASH_CHILD")
	if dir == "" {
		t.Skip("helper process for TestCrashLosesNothing")
	}
	ca, err := NewCA("crash CA", time.Now(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "proxy-ca.pem"), ca.PEM(), 0o644)
	b, _ := os.ReadFile(filepath.Join(dir, "origin-ca.pem"))
	blk, _ := pem.Decode(b)
	oc, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := session.Open(filepath.Join(dir, "s.jsonl"), session.Config{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(Config{CA: ca, UpstreamCAs: []*x509.Certificate{oc}, Recorder: sess, RecordBytes: 4096, Resolve: map[string]string{"*": "127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("LISTEN", ln.Addr())
	p.Serve(ln) // until killed
}

// TestCrashLosesNothing kills the proxy with SIGKILL while eight clients are mid-request, then reads its
// session: the file must parse (a torn last line at most), and every response a client had received
// must be there, except at most one per connection whose record was still being written.
func TestCrashLosesNothing(t *testing.T) {
	if os.Getenv("HOPSCOPE_CRASH_CHILD") != "" {
		t.Skip("in the helper")
	}
	l := newLab(t) // only for its origin CA and origin server
	o := l.origin(t, http.HandlerFunc(hello), true)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "origin-ca.pem"), l.originCA.PEM(), 0o644)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
	cmd.Env = append(os.Environ(), "HOPSCOPE_CRASH_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(out)
	addr := ""
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "LISTEN "); ok {
			addr = a
			break
		}
	}
	go io.Copy(io.Discard, out)
	if addr == "" {
		t.Fatal("helper did not start")
	}
	caPEM, _ := os.ReadFile(filepath.Join(dir, "proxy-ca.pem"))
	blk, _ := pem.Decode(caPEM)
	proxyCA, _ := x509.ParseCertificate(blk.Bytes)
	var received atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	const conns = 8
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := (&lab{ca: &CA{Cert: proxyCA}, addr: addr}).client(false)
			c.Timeout = 5 * time.Second
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := c.Get(fmt.Sprintf("https://crash%d.app.test:%s/%d", w, l.port(o), i))
				if err != nil {
					return // the proxy is gone
				}
				_, err = io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode == 200 {
					received.Add(1)
				}
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	close(stop)
	wg.Wait()
	f, err := os.Open(filepath.Join(dir, "s.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inv, recs, err := session.Read(f, "s.jsonl")
	if err != nil {
		t.Fatalf("session after SIGKILL: %v", err)
	}
	got := int64(len(recs))
	t.Logf("clients received %d responses; the session holds %d records (warnings %q)", received.Load(), got, inv.Warnings)
	if received.Load() == 0 {
		t.Fatal("no request completed before the kill")
	}
	if got < received.Load()-conns {
		t.Errorf("session holds %d records but clients had received %d responses", got, received.Load())
	}
}
