package mitm

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"hopscope/internal/inventory"
)

// TestCertRejection: which failed handshakes count as the client refusing our certificate, and the
// evidence named.
func TestCertRejection(t *testing.T) {
	badMAC := &net.OpError{Op: "local error", Err: errors.New("tls: bad record MAC")}
	ccs := []byte{20, 3, 3, 0, 1, 1}
	for _, tc := range []struct {
		name string
		err  error
		from []byte
		want string
	}{
		{"clear unknown_ca after CCS (OpenSSL, TLS 1.3)", badMAC, append(ccs, 21, 3, 3, 0, 2, 2, 48), "alert unknown_ca"},
		{"clear bad_certificate", badMAC, []byte{21, 3, 3, 0, 2, 2, 42}, "alert bad_certificate"},
		{"clear handshake_failure is not about the certificate", badMAC, []byte{21, 3, 3, 0, 2, 2, 40}, ""},
		{"encrypted record only", badMAC, []byte{23, 3, 3, 0, 3, 1, 2, 3}, ""},
		{"truncated alert record", badMAC, []byte{21, 3, 3, 0, 2, 2}, ""},
		{"nothing sent", badMAC, nil, ""},
		{"hang-up", fmt.Errorf("read: %w", io.EOF), nil, "closed after our certificate"},
		{"short read", io.ErrUnexpectedEOF, nil, "closed after our certificate"},
		{"reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, nil, "closed after our certificate"},
		{"timeout", os.ErrDeadlineExceeded, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := certRejection(tc.err, tc.from); got != tc.want {
				t.Errorf("certRejection = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRemoteAlert: the alert a real Go client sends when its VerifyPeerCertificate refuses our leaf
// is read from crypto/tls's error, for TLS 1.2 and 1.3.
func TestRemoteAlert(t *testing.T) {
	ca := newLab(t).ca
	leaves, err := NewLeaves(ca, LeafConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, max := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(max), func(t *testing.T) {
			a, b := net.Pipe()
			defer a.Close()
			defer b.Close()
			a.SetDeadline(time.Now().Add(10 * time.Second))
			b.SetDeadline(time.Now().Add(10 * time.Second))
			go func() {
				c := tls.Client(a, &tls.Config{ServerName: "app.test", MaxVersion: max, InsecureSkipVerify: true,
					VerifyPeerCertificate: func([][]byte, [][]*x509.Certificate) error { return errors.New("pinned elsewhere") }})
				c.Handshake()
				a.Close()
			}()
			s := tls.Server(b, &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return leaves.Get("app.test") }})
			err := s.Handshake()
			if got := certRejection(err, nil); got != "alert bad_certificate" {
				t.Errorf("certRejection(%v) = %q, want alert bad_certificate", err, got)
			}
		})
	}
}

func FuzzClientAlert(f *testing.F) {
	f.Add([]byte{20, 3, 3, 0, 1, 1, 21, 3, 3, 0, 2, 2, 48})
	f.Add([]byte{23, 3, 3, 0, 3, 1, 2, 3})
	f.Add([]byte{21, 3, 3, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		code, ok := clientAlert(b)
		if ok && !strings.Contains(string(b), string([]byte{21})) {
			t.Fatalf("alert %d found without an alert record", code)
		}
	})
}

// TestGoClientVerifyRefuses: a Go client whose VerifyPeerCertificate refuses every certificate, through
// the proxy: the flow names the untrusted CA and the alert, and the host is not pinned after one refusal.
func TestGoClientVerifyRefuses(t *testing.T) {
	l := newLab(t)
	o := l.origin(t, http.HandlerFunc(hello), false)
	host := "verify.app.test:" + l.port(o)
	c, err := net.Dial("tcp", l.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", host, host)
	if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT: %v", err)
	}
	tc := tls.Client(c, &tls.Config{ServerName: "verify.app.test", InsecureSkipVerify: true,
		VerifyPeerCertificate: func([][]byte, [][]*x509.Certificate) error { return errors.New("not our pin") }})
	if err := tc.Handshake(); err == nil {
		t.Fatal("handshake succeeded")
	}
	waitFor(t, "refusal flow", func() bool { return len(l.rec.all()) == 1 })
	f := l.rec.all()[0].Flow
	if f.CertRefusal != inventory.RefusalUntrusted || !strings.Contains(f.Error, msgUntrusted) || !strings.Contains(f.Error, "alert bad_certificate") {
		t.Errorf("flow %+v", f)
	}
	if _, ok := l.proxy.pins.Pinned("verify.app.test"); ok {
		t.Error("pinned after one refusal")
	}
}

// TestCurlWithoutCA: curl that does not trust our CA fails with exit 60 twice; the session says the
// client does not trust the hopscope CA, then that the host is pinned; the third request passes
// through and curl, trusting the origin's own CA, succeeds.
func TestCurlWithoutCA(t *testing.T) {
	curl := needTool(t, "curl")
	l := newLab(t)
	o := l.origin(t, http.HandlerFunc(hello), false)
	originCA := filepath.Join(l.dir, "origin-ca.pem")
	if err := os.WriteFile(originCA, l.originCA.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	u := "https://nocurl.app.test:" + l.port(o) + "/x"
	run := func(extra ...string) (string, int) {
		args := append([]string{"-sS", "--max-time", "20", "--proxy", "http://" + l.addr, "--capath", t.TempDir()}, extra...)
		out, err := exec.Command(curl, append(args, u)...).CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return string(out), ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	for i, want := range []struct{ refusal, msg string }{
		{inventory.RefusalUntrusted, msgUntrusted},
		{inventory.RefusalPinned, msgPinned},
	} {
		if out, code := run("--cacert", originCA); code != 60 {
			t.Fatalf("curl %d: exit %d, want 60 (certificate not trusted)\n%s", i+1, code, out)
		}
		waitFor(t, "refusal flow", func() bool { return len(l.rec.all()) == i+1 })
		f := l.rec.all()[i].Flow
		// curl's TLS 1.3 alert arrives in clear ("bad record MAC" to crypto/tls): it must still be named
		if f.CertRefusal != want.refusal || !strings.HasPrefix(f.Error, want.msg) || !strings.Contains(f.Error, "alert ") || f.Host != "nocurl.app.test" {
			t.Fatalf("flow %d: %+v", i+1, f)
		}
	}
	out, code := run("--cacert", originCA)
	if code != 0 || !strings.HasPrefix(out, "hello nocurl.app.test") {
		t.Fatalf("third curl: exit %d\n%s", code, out)
	}
	waitFor(t, "passthrough flow", func() bool { return len(l.rec.all()) == 3 })
	if f := l.rec.all()[2].Flow; f.CertRefusal != inventory.RefusalPinned || !strings.HasPrefix(f.Passthrough, "pinned") {
		t.Errorf("third flow %+v", f)
	}
}
