// Package mitm is hopscope's intercepting proxy: the per-install root CA, leaf certificates minted per
// host, the HTTP/HTTPS/SOCKS5 proxy and its tunnels. Package sniff recognises what a tunnel carries
// (TLS, mmTLS, SSH, plain HTTP) and reads its ClientHello; package session keeps the flow records.
//
// References: RFC 9110 (HTTP semantics, CONNECT), RFC 9112 (HTTP/1.1 message syntax), RFC 9113 (HTTP/2),
// RFC 8446 (TLS 1.3 record and alert layout), RFC 1928 (SOCKS5), RFC 5280 (certificates), HAR 1.2 (in
// package har).
package mitm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// File names of the CA inside its directory.
const (
	CACertFile = "hopscope-ca.pem"
	CAKeyFile  = "hopscope-ca-key.pem"
)

// ErrNoCA is returned by LoadCA when no CA has been created in the directory.
var ErrNoCA = errors.New("no hopscope CA yet (run \"hopscope ca create\")")

// CA is the root certificate authority that signs leaf certificates.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// Dir is where the CA files live; empty for an in-memory CA.
	Dir string
}

// CertPath is the path of the CA certificate file.
func (c *CA) CertPath() string { return filepath.Join(c.Dir, CACertFile) }

// NewCA makes a CA in memory: ECDSA P-256, valid ten years from now minus one hour. rnd supplies
// randomness (crypto/rand.Reader in production).
func NewCA(commonName string, now time.Time, rnd io.Reader) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rnd)
	if err != nil {
		return nil, fmt.Errorf("generate CA key: %w", err)
	}
	serial, err := randSerial(rnd)
	if err != nil {
		return nil, err
	}
	ski := sha256.Sum256(elliptic.MarshalCompressed(elliptic.P256(), key.X, key.Y))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"hopscope"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		SubjectKeyId:          ski[:20],
	}
	der, err := x509.CreateCertificate(rnd, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("self-sign CA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse new CA: %w", err)
	}
	return &CA{Cert: cert, Key: key}, nil
}

func randSerial(rnd io.Reader) (*big.Int, error) {
	s, err := randIntN(rnd, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("serial number: %w", err)
	}
	return s.Add(s, big.NewInt(1)), nil
}

func randIntN(rnd io.Reader, max *big.Int) (*big.Int, error) {
	b := make([]byte, (max.BitLen()+7)/8)
	if _, err := io.ReadFull(rnd, b); err != nil {
		return nil, err
	}
	return new(big.Int).Mod(new(big.Int).SetBytes(b), max), nil
}

// CreateCA makes a new CA and writes it to dir (created 0700); the key file is 0600. It refuses to
// overwrite an existing CA unless force is set.
func CreateCA(dir string, force bool, now time.Time, rnd io.Reader) (*CA, error) {
	if !force {
		if _, err := os.Stat(filepath.Join(dir, CAKeyFile)); err == nil {
			return nil, fmt.Errorf("a CA already exists in %s (use --force to replace it)", dir)
		}
	}
	ca, err := NewCA("hopscope interception CA", now, rnd)
	if err != nil {
		return nil, err
	}
	ca.Dir = dir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create CA directory: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(ca.Key)
	if err != nil {
		return nil, fmt.Errorf("encode CA key: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, CAKeyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(ca.CertPath(), ca.PEM(), 0o644); err != nil {
		return nil, err
	}
	return ca, nil
}

func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return fmt.Errorf("chmod %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s: %w", path, err)
	}
	return nil
}

// LoadCA reads the CA from dir. It returns ErrNoCA when none exists, and refuses a key file readable by
// group or others.
func LoadCA(dir string) (*CA, error) {
	keyPath := filepath.Join(dir, CAKeyFile)
	st, err := os.Stat(keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoCA
	}
	if err != nil {
		return nil, fmt.Errorf("stat CA key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("CA key %s has mode %v: it must be readable by its owner only (chmod 600)", keyPath, st.Mode().Perm())
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("read CA key: %w", err)
	}
	certPEM, err := os.ReadFile(filepath.Join(dir, CACertFile))
	if err != nil {
		return nil, fmt.Errorf("read CA certificate: %w", err)
	}
	ca, err := ParseCA(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	ca.Dir = dir
	return ca, nil
}

// ParseCA decodes a PEM certificate and its PEM PKCS#8 (or SEC1) private key.
func ParseCA(certPEM, keyPEM []byte) (*CA, error) {
	cb, _ := pem.Decode(certPEM)
	if cb == nil || cb.Type != "CERTIFICATE" {
		return nil, errors.New("CA certificate: no PEM CERTIFICATE block")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("CA certificate: %w", err)
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil {
		return nil, errors.New("CA key: no PEM block")
	}
	var key any
	switch kb.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(kb.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(kb.Bytes)
	default:
		return nil, fmt.Errorf("CA key: unexpected PEM block %q", kb.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("CA key: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, errors.New("CA key: not a signing key")
	}
	if !publicKeysEqual(signer.Public(), cert.PublicKey) {
		return nil, errors.New("CA key does not match the CA certificate")
	}
	if !cert.IsCA {
		return nil, errors.New("CA certificate is not a CA (basicConstraints)")
	}
	return &CA{Cert: cert, Key: signer}, nil
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	ae, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ae.Equal(b)
}

// RemoveCA deletes the CA files from dir; it is not an error when there is none.
func RemoveCA(dir string) error {
	for _, name := range []string{CAKeyFile, CACertFile} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", name, err)
		}
	}
	return nil
}

// PEM is the CA certificate in PEM.
func (c *CA) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw})
}

// DER is the CA certificate in DER (what Android and Windows import as .cer/.crt).
func (c *CA) DER() []byte { return c.Cert.Raw }

// P12 is the CA certificate (without its key) as a PKCS#12 trust store protected by password.
func (c *CA) P12(password string) ([]byte, error) {
	b, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{c.Cert}, password)
	if err != nil {
		return nil, fmt.Errorf("encode p12: %w", err)
	}
	return b, nil
}

// SPKIHash is the base64 SHA-256 of the CA's SubjectPublicKeyInfo, as Chromium's
// --ignore-certificate-errors-spki-list and HPKP pins spell it.
func (c *CA) SPKIHash() string {
	sum := sha256.Sum256(c.Cert.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// Fingerprint is the SHA-256 of the certificate, as colon-separated hex.
func (c *CA) Fingerprint() string {
	sum := sha256.Sum256(c.Cert.Raw)
	out := make([]byte, 0, len(sum)*3)
	const hexd = "0123456789ABCDEF"
	for i, b := range sum {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, hexd[b>>4], hexd[b&15])
	}
	return string(out)
}

// ExportFormat names an encoding of the CA certificate for export: "pem", "der" or "p12".
type ExportFormat string

// The export formats Export writes.
const (
	FormatPEM ExportFormat = "pem"
	FormatDER ExportFormat = "der"
	FormatP12 ExportFormat = "p12"
)

// ParseExportFormat accepts a format name and its aliases (cer, crt for DER; pkcs12, pfx for p12).
func ParseExportFormat(s string) (ExportFormat, error) {
	switch strings.ToLower(s) {
	case "pem":
		return FormatPEM, nil
	case "der", "cer", "crt":
		return FormatDER, nil
	case "p12", "pkcs12", "pfx":
		return FormatP12, nil
	}
	return "", fmt.Errorf("unknown export format %q (want pem, der or p12)", s)
}

// FormatForFile is the export format a file name asks for by its extension (.p12/.pfx, .der/.cer/.crt,
// .pem); ok is false for any other name, where the caller keeps its default. Writing PEM to a file
// named .p12 produces a file no importer accepts.
func FormatForFile(name string) (f ExportFormat, ok bool) {
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), ".")
	if ext == "" {
		return "", false
	}
	f, err := ParseExportFormat(ext)
	return f, err == nil
}

// Export encodes the CA certificate (never its key) in format f; password protects a p12 file.
func (c *CA) Export(f ExportFormat, password string) ([]byte, error) {
	switch f {
	case FormatPEM:
		return c.PEM(), nil
	case FormatDER:
		return c.DER(), nil
	case FormatP12:
		return c.P12(password)
	}
	return nil, fmt.Errorf("unknown export format %q (want pem, der or p12)", f)
}
