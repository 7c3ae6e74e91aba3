package dnstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// CA is a throw-away certificate authority for DoT and DoH test servers.
type CA struct {
	Pool *x509.CertPool
	// PEM is the CA certificate in PEM form (for a --ca-file flag).
	PEM  []byte
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// NewCA creates a CA valid for a day.
func NewCA(t testing.TB) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hopscope test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{Pool: pool, PEM: pemCert(der), cert: cert, key: key}
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// Leaf issues a server certificate for the given IP addresses and DNS names.
func (ca *CA) Leaf(t testing.TB, ips []netip.Addr, names ...string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "dns.lab.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), DNSNames: names,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, ip := range ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.IP(ip.AsSlice()))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// Forwarder relays every query to an upstream server (over UDP, TCP on truncation).
func Forwarder(upstream netip.AddrPort) mdns.Handler {
	return mdns.HandlerFunc(func(w mdns.ResponseWriter, req *mdns.Msg) {
		resp, err := forward(req, upstream)
		if err != nil {
			m := new(mdns.Msg)
			m.SetRcode(req, mdns.RcodeServerFailure)
			_ = w.WriteMsg(m)
			return
		}
		_ = w.WriteMsg(resp)
	})
}

func forward(req *mdns.Msg, upstream netip.AddrPort) (*mdns.Msg, error) {
	c := &mdns.Client{Timeout: 3 * time.Second}
	resp, _, err := c.Exchange(req, upstream.String())
	if err == nil && resp.Truncated {
		c.Net = "tcp"
		resp, _, err = c.Exchange(req, upstream.String())
	}
	return resp, err
}

// StartDoT runs a DNS-over-TLS server on addr that forwards to upstream, until the test ends.
func StartDoT(t testing.TB, addr netip.AddrPort, cert tls.Certificate, upstream netip.AddrPort) {
	t.Helper()
	l, err := tls.Listen("tcp", addr.String(), &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	s := &mdns.Server{Listener: l, Net: "tcp-tls", Handler: Forwarder(upstream)}
	started := make(chan struct{})
	s.NotifyStartedFunc = func() { close(started) }
	go func() { _ = s.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = s.Shutdown() })
}

// StartDoH runs a DNS-over-HTTPS server (POST and GET on /dns-query) forwarding to upstream and
// returns its URL.
func StartDoH(t testing.TB, cert tls.Certificate, upstream netip.AddrPort) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/dns-query", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/dns-message" {
			http.Error(w, "want POST application/dns-message", http.StatusUnsupportedMediaType)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 65536))
		req := new(mdns.Msg)
		if err != nil || req.Unpack(body) != nil {
			http.Error(w, "bad DNS message", http.StatusBadRequest)
			return
		}
		resp, err := forward(req, upstream)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		resp.Id = req.Id
		out, err := resp.Pack()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/dns-message")
		_, _ = w.Write(out)
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.EnableHTTP2 = true
	// Handshake failures are expected in tests of untrusted certificates.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL + "/dns-query"
}
