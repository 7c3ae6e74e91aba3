package mitm

import (
	"container/list"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// LeafValidity is how long minted leaf certificates are valid: well under the 397 days browsers accept.
const LeafValidity = 30 * 24 * time.Hour

// leafBackdate is subtracted from NotBefore to tolerate clients whose clocks run slow.
const leafBackdate = time.Hour

// LeafConfig configures a Leaves cache. The zero value of each field has a working default.
type LeafConfig struct {
	// Size bounds the number of cached certificates; 0 means 1024.
	Size int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand supplies randomness for keys and serials; nil means crypto/rand.
	Rand io.Reader
}

// Leaves mints leaf certificates signed by a CA, one per host name or address, and keeps the most
// recently used ones in a bounded LRU cache. All leaves share one ECDSA P-256 key made at construction
// (as mitmproxy does): minting is then one signature. Safe for concurrent use.
type Leaves struct {
	ca   *CA
	key  *ecdsa.PrivateKey
	cfg  LeafConfig
	sf   singleflight.Group
	mu   sync.Mutex
	lru  *list.List // of *leafEntry, front = most recent
	byID map[string]*list.Element
}

type leafEntry struct {
	host string
	cert *tls.Certificate
}

// NewLeaves makes a leaf cache for ca.
func NewLeaves(ca *CA, cfg LeafConfig) (*Leaves, error) {
	if cfg.Size <= 0 {
		cfg.Size = 1024
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), cfg.Rand)
	if err != nil {
		return nil, fmt.Errorf("generate leaf key: %w", err)
	}
	return &Leaves{ca: ca, key: key, cfg: cfg, lru: list.New(), byID: map[string]*list.Element{}}, nil
}

// NormalizeHost lower-cases host, strips a trailing dot and IPv6 brackets.
func NormalizeHost(host string) string {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	h = strings.TrimPrefix(h, "[")
	return strings.TrimSuffix(h, "]")
}

// Get returns the certificate for host (a DNS name or an address), minting it on a cache miss or when
// the cached one is within a day of expiry.
func (l *Leaves) Get(host string) (*tls.Certificate, error) {
	host = NormalizeHost(host)
	if host == "" {
		return nil, fmt.Errorf("leaf certificate: empty host name")
	}
	now := l.cfg.Now()
	l.mu.Lock()
	if el, ok := l.byID[host]; ok {
		e := el.Value.(*leafEntry)
		if now.Add(24 * time.Hour).Before(e.cert.Leaf.NotAfter) {
			l.lru.MoveToFront(el)
			l.mu.Unlock()
			return e.cert, nil
		}
	}
	l.mu.Unlock()
	v, err, _ := l.sf.Do(host, func() (any, error) {
		c, err := l.Mint(host, now)
		if err != nil {
			return nil, err
		}
		l.put(host, c)
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*tls.Certificate), nil
}

func (l *Leaves) put(host string, c *tls.Certificate) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.byID[host]; ok {
		el.Value.(*leafEntry).cert = c
		l.lru.MoveToFront(el)
		return
	}
	l.byID[host] = l.lru.PushFront(&leafEntry{host: host, cert: c})
	for l.lru.Len() > l.cfg.Size {
		old := l.lru.Back()
		l.lru.Remove(old)
		delete(l.byID, old.Value.(*leafEntry).host)
	}
}

// Len is the number of cached certificates.
func (l *Leaves) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.Len()
}

// Mint makes a new leaf for host without touching the cache: valid from now-1h for LeafValidity, with
// host as its only subject alternative name (an IP SAN when host is an address).
func (l *Leaves) Mint(host string, now time.Time) (*tls.Certificate, error) {
	host = NormalizeHost(host)
	serial, err := randSerial(l.cfg.Rand)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: host, Organization: []string{"hopscope interception"}},
		NotBefore:    now.Add(-leafBackdate),
		NotAfter:     now.Add(LeafValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if len(host) > 64 {
		tmpl.Subject.CommonName = "" // CN is limited to 64 characters; the SAN carries the name
	}
	if a, err := netip.ParseAddr(host); err == nil {
		tmpl.IPAddresses = append(tmpl.IPAddresses, a.AsSlice())
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(l.cfg.Rand, tmpl, l.ca.Cert, &l.key.PublicKey, l.ca.Key)
	if err != nil {
		return nil, fmt.Errorf("mint leaf for %s: %w", host, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse leaf for %s: %w", host, err)
	}
	return &tls.Certificate{Certificate: [][]byte{der, l.ca.Cert.Raw}, PrivateKey: l.key, Leaf: leaf}, nil
}
