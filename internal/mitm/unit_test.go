package mitm

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clientHelloBytes captures the first flight of a Go TLS client offering sni and alpn.
func clientHelloBytes(t testing.TB, sni string, alpn []string) []byte {
	t.Helper()
	c, s := net.Pipe()
	go func() {
		tc := tls.Client(c, &tls.Config{ServerName: sni, NextProtos: alpn, InsecureSkipVerify: sni == ""})
		tc.Handshake()
	}()
	s.SetReadDeadline(time.Now().Add(5 * time.Second))
	var buf bytes.Buffer
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(s, hdr); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
	if _, err := io.ReadFull(s, body); err != nil {
		t.Fatal(err)
	}
	buf.Write(hdr)
	buf.Write(body)
	s.Close()
	c.Close()
	return buf.Bytes()
}

func TestSOCKS(t *testing.T) {
	for _, tc := range []struct {
		name     string
		greeting []byte
		noAuth   bool
		gerr     string
	}{
		{"no auth offered", []byte{5, 1, 0}, true, ""},
		{"user/pass only", []byte{5, 1, 2}, false, ""},
		{"several", []byte{5, 3, 2, 1, 0}, true, ""},
		{"socks4", []byte{4, 1, 0}, false, "version 4"},
		{"no methods", []byte{5, 0}, false, "no methods"},
		{"truncated", []byte{5, 2, 0}, false, "methods"},
	} {
		t.Run("greeting "+tc.name, func(t *testing.T) {
			got, err := ReadSOCKSGreeting(bytes.NewReader(tc.greeting))
			if (err != nil) != (tc.gerr != "") || (err != nil && !strings.Contains(err.Error(), tc.gerr)) || got != tc.noAuth {
				t.Errorf("got %v %v, want %v %q", got, err, tc.noAuth, tc.gerr)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		req    []byte
		target string
		code   int // -1: plain error
	}{
		{"ipv4", []byte{5, 1, 0, 1, 127, 0, 0, 1, 0x1f, 0x90}, "127.0.0.1:8080", 0},
		{"ipv6", append(append([]byte{5, 1, 0, 4}, netip.MustParseAddr("2001:db8::1").AsSlice()...), 1, 187), "[2001:db8::1]:443", 0},
		{"domain", append(append([]byte{5, 1, 0, 3, 16}, "mp.weixin.qq.com"...), 1, 187), "mp.weixin.qq.com:443", 0},
		{"bind command", []byte{5, 2, 0, 1, 127, 0, 0, 1, 0, 80}, "", socksCommandNotSupported},
		{"udp associate", []byte{5, 3, 0, 1, 127, 0, 0, 1, 0, 80}, "", socksCommandNotSupported},
		{"bad atyp", []byte{5, 1, 0, 9}, "", socksAddrNotSupported},
		{"bad name", append([]byte{5, 1, 0, 3, 3}, "a/b\x00\x50"...), "", socksAddrNotSupported},
		{"port zero", []byte{5, 1, 0, 1, 127, 0, 0, 1, 0, 0}, "", socksGeneralFailure},
		{"truncated", []byte{5, 1, 0, 1, 127}, "", -1},
	} {
		t.Run("request "+tc.name, func(t *testing.T) {
			got, err := ReadSOCKSRequest(bytes.NewReader(tc.req))
			var rep *errSOCKSReply
			switch {
			case tc.target != "":
				if err != nil || got != tc.target {
					t.Errorf("got %q %v, want %q", got, err, tc.target)
				}
			case tc.code >= 0:
				if !errors.As(err, &rep) || int(rep.code) != tc.code {
					t.Errorf("got %v, want reply code %d", err, tc.code)
				}
			default:
				if err == nil || errors.As(err, &rep) {
					t.Errorf("got %v, want a plain read error", err)
				}
			}
		})
	}
}

func FuzzReadSOCKSRequest(f *testing.F) {
	f.Add([]byte{5, 1, 0, 3, 4, 'a', '.', 'b', 'c', 0, 80})
	f.Add([]byte{5, 1, 0, 1, 127, 0, 0, 1, 0x1f, 0x90})
	f.Fuzz(func(t *testing.T, data []byte) {
		target, err := ReadSOCKSRequest(bytes.NewReader(data))
		if err == nil {
			if _, _, err := splitTarget(target); err != nil {
				t.Errorf("accepted target %q fails validation: %v", target, err)
			}
		}
	})
}

func TestParseProcAddr(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0100007F:1F90", "127.0.0.1:8080"},
		{"00000000:0050", "0.0.0.0:80"},
		{"00000000000000000000000001000000:01BB", "[::1]:443"},
		{"0000000000000000FFFF00000100007F:1F90", "127.0.0.1:8080"},
		{"B80D0120000000000000000001000000:0035", "[2001:db8::1]:53"},
	} {
		got, err := parseProcAddr(tc.in)
		if err != nil || got.String() != tc.want {
			t.Errorf("parseProcAddr(%s) = %v %v, want %s", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"0100007F", "0100007F:XYZ", "01007F:0050", "zz00007F:0050"} {
		if _, err := parseProcAddr(bad); err == nil {
			t.Errorf("parseProcAddr(%q) accepted", bad)
		}
	}
	table := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 11111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:D431 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 22222 1 0000000000000000 20 4 30 10 -1
`
	ino, err := FindSocketInode(strings.NewReader(table), netip.MustParseAddrPort("127.0.0.1:54321"), netip.MustParseAddrPort("127.0.0.1:8080"))
	if err != nil || ino != 22222 {
		t.Errorf("inode %d %v, want 22222", ino, err)
	}
	if ino, _ := FindSocketInode(strings.NewReader(table), netip.MustParseAddrPort("127.0.0.1:1"), netip.MustParseAddrPort("127.0.0.1:8080")); ino != 0 {
		t.Errorf("found inode %d for a missing connection", ino)
	}
}

func TestLookupProcessSelf(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp (not Linux)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, _ := ln.Accept()
	defer s.Close()
	got := LookupProcess(netip.MustParseAddrPort(c.LocalAddr().String()), netip.MustParseAddrPort(s.LocalAddr().String()))
	if !strings.HasSuffix(got, "["+strconv.Itoa(os.Getpid())+"]") {
		t.Errorf("LookupProcess = %q, want this process (pid %d)", got, os.Getpid())
	}
	if got := LookupProcess(netip.MustParseAddrPort("192.0.2.1:5"), netip.MustParseAddrPort("127.0.0.1:8080")); got != "" {
		t.Errorf("non-loopback client named %q", got)
	}
}

func TestHostPatterns(t *testing.T) {
	hp, err := ParseHostPatterns([]string{"*.apple.com,bank.test", "api-?.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host string
		want bool
	}{
		{"www.apple.com", true}, {"a.b.apple.com", true}, {"apple.com", false}, {"notapple.com", false},
		{"BANK.test.", true}, {"www.bank.test", false}, {"api-1.example.org", true}, {"api-12.example.org", false},
	} {
		if got := hp.Match(tc.host); got != tc.want {
			t.Errorf("Match(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
	if _, err := ParseHostPatterns([]string{"a[b"}); err == nil {
		t.Error("bad pattern accepted")
	}
}

func TestPinsPersist(t *testing.T) {
	p := filepath.Join(t.TempDir(), PinFile)
	pins, err := LoadPins(p)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := pins.Add("Pinned.Example.", "alert bad\tcertificate", now); err != nil {
		t.Fatal(err)
	}
	pins.Add("pinned.example", "again", now)
	again, err := LoadPins(p)
	if err != nil {
		t.Fatal(err)
	}
	if why, ok := again.Pinned("pinned.example"); !ok || why != "alert bad certificate" {
		t.Errorf("reloaded pin %q %v", why, ok)
	}
	b, _ := os.ReadFile(p)
	if string(b) != "pinned.example\t2026-01-02T03:04:05Z\talert bad certificate\n" {
		t.Errorf("pin file %q", b)
	}
}

func TestCAFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	if _, err := LoadCA(dir); !errors.Is(err, ErrNoCA) {
		t.Fatalf("empty dir: %v, want ErrNoCA", err)
	}
	now := time.Now()
	ca, err := CreateCA(dir, false, now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(filepath.Join(dir, CAKeyFile))
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v", st.Mode().Perm())
	}
	if _, err := CreateCA(dir, false, now, rand.Reader); err == nil {
		t.Error("CreateCA replaced an existing CA without force")
	}
	got, err := LoadCA(dir)
	if err != nil || !got.Cert.Equal(ca.Cert) {
		t.Fatalf("LoadCA: %v", err)
	}
	if got.Cert.PublicKeyAlgorithm != x509.ECDSA || !got.Cert.IsCA {
		t.Errorf("CA is %v, IsCA %v", got.Cert.PublicKeyAlgorithm, got.Cert.IsCA)
	}
	if p12, err := ca.P12(""); err != nil || len(p12) == 0 {
		t.Errorf("p12: %v", err)
	}
	os.Chmod(filepath.Join(dir, CAKeyFile), 0o644)
	if _, err := LoadCA(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable key accepted: %v", err)
	}
	if err := RemoveCA(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCA(dir); !errors.Is(err, ErrNoCA) {
		t.Errorf("after remove: %v", err)
	}
}

func TestLeaves(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	ca, err := NewCA("t", now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	clock := now
	l, err := NewLeaves(ca, LeafConfig{Size: 2, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	for _, tc := range []struct {
		host, verifyAs string
	}{
		{"API.App.Test.", "api.app.test"},
		{"192.0.2.7", "192.0.2.7"},
		{"[2001:db8::5]", "2001:db8::5"},
	} {
		c, err := l.Get(tc.host)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Leaf.Verify(x509.VerifyOptions{DNSName: tc.verifyAs, Roots: roots, CurrentTime: now}); err != nil {
			t.Errorf("%s: %v", tc.host, err)
		}
		if v := c.Leaf.NotAfter.Sub(c.Leaf.NotBefore); v > 397*24*time.Hour || !c.Leaf.NotBefore.Equal(now.Add(-time.Hour)) {
			t.Errorf("%s: validity %v from %v", tc.host, v, c.Leaf.NotBefore)
		}
	}
	if l.Len() != 2 {
		t.Errorf("cache holds %d, want the bound 2", l.Len())
	}
	a, _ := l.Get("192.0.2.7")
	b, _ := l.Get("192.0.2.7")
	if a != b {
		t.Error("cache miss for a cached host")
	}
	clock = now.Add(LeafValidity - time.Hour) // near expiry: minted again
	c, _ := l.Get("192.0.2.7")
	if c == a {
		t.Error("near-expiry leaf was served from the cache")
	}
	if _, err := l.Get(""); err == nil {
		t.Error("empty host accepted")
	}
}

func TestMediaTypeAndCipherName(t *testing.T) {
	for in, want := range map[string]string{
		"text/html; charset=utf-8":  "text/html",
		" Application/JSON ":        "application/json",
		"image/png":                 "image/png",
		"":                          "",
		"garbage":                   "garbage",
		"multipart/form-data; b=1;": "multipart/form-data",
	} {
		if got := mediaType(in); got != want {
			t.Errorf("mediaType(%q) = %q, want %q", in, got, want)
		}
	}
	for _, id := range []uint16{tls.TLS_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_RC4_128_SHA, 0x1234} {
		if got, want := cipherName(id), tls.CipherSuiteName(id); got != want {
			t.Errorf("cipherName(%#x) = %q, want %q", id, got, want)
		}
	}
}
