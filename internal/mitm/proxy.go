package mitm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/sync/singleflight"

	"hopscope/internal/session"
)

// Recorder receives each finished flow, such as a session.Writer appending to the session file. The
// proxy calls it from many goroutines.
type Recorder interface {
	Record(*session.Record)
}

// Config configures a Proxy. Only CA is required; every other zero value is a safe default.
type Config struct {
	// CA signs the leaf certificates presented to clients.
	CA *CA
	// Leaves is the leaf cache; nil makes one of 1024 entries.
	Leaves *Leaves
	// Allow lists the client networks that may use the proxy; nil means loopback only.
	Allow []netip.Prefix
	// UpstreamCAs are trusted for upstream servers in addition to the system roots.
	UpstreamCAs []*x509.Certificate
	// InsecureUpstream disables upstream certificate verification (off by default).
	InsecureUpstream bool
	// Passthrough names hosts that are never intercepted.
	Passthrough HostPatterns
	// Pins remembers hosts whose clients refused our certificate; nil keeps them in memory.
	Pins *Pins
	// RecordBytes is how much of each body is kept in flow records; 0 keeps none.
	RecordBytes int
	// UpstreamProxy, when set, is an HTTP proxy every upstream connection is tunnelled through (CONNECT).
	// One that is this proxy itself, or that sends the tunnel back here, is refused (ErrProxyLoop).
	UpstreamProxy *url.URL
	// ViaName is the received-by token this proxy adds to Via on forwarded requests and on CONNECTs to
	// an upstream proxy, and refuses to see again; "" means "hopscope-" and 8 random hex digits.
	ViaName string
	// Resolve overrides name resolution: "host:port" or "host" maps to an address ("addr" or
	// "addr:port"); the key "*" maps every name. nil resolves normally.
	Resolve map[string]string
	// Recorder receives finished flows; nil discards them.
	Recorder Recorder
	// ProcessLookup names the client process of a connection; nil skips it. It runs once per accepted
	// connection, beside the exchange: use a ProcessTable's Lookup, whose work per connection is constant.
	ProcessLookup func(client, local netip.AddrPort) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logf receives diagnostics; nil discards them.
	Logf func(format string, args ...any)

	// MaxHeaderBytes bounds request and response headers; 0 means 64 KiB.
	MaxHeaderBytes int
	// MaxConns bounds concurrent client connections; 0 means 4096.
	MaxConns int
	// HeaderTimeout bounds reading a request's headers (slowloris); 0 means 10 s.
	HeaderTimeout time.Duration
	// IdleTimeout closes idle client keep-alive connections; 0 means 2 min.
	IdleTimeout time.Duration
	// UpstreamTimeout bounds dialling, the upstream TLS handshake and waiting for response headers; 0 means 30 s.
	UpstreamTimeout time.Duration
	// BodyIdleTimeout aborts a body transfer (either way) that makes no progress for this long; 0 means 60 s.
	BodyIdleTimeout time.Duration
	// PeekTimeout is how long a new tunnel waits for the client's first bytes before treating it as
	// server-speaks-first and passing it through; 0 means 3 s.
	PeekTimeout time.Duration
}

// Proxy is an explicit HTTP/HTTPS proxy (and SOCKS5 server) that intercepts TLS, records flows and
// passes through what it must not or cannot intercept.
type Proxy struct {
	cfg    Config
	leaves *Leaves
	pins   *Pins
	// transport speaks HTTP/2 or HTTP/1.1 upstream, as the origin offers; transport1 speaks HTTP/1.1
	// only. A request goes upstream in the protocol the client used (see upstream).
	transport, transport1 *http.Transport
	upTLS                 *tls.Config
	outer                 *http.Server
	inner                 *http.Server
	innerLn               *chanListener
	h2                    *http2.Server
	ctx                   context.Context
	cancel                context.CancelFunc
	seq                   atomic.Uint64
	conns                 atomic.Int64
	pending               atomic.Int64 // records waiting for their process lookup
	wg                    sync.WaitGroup

	mu        sync.Mutex
	selfAddrs []netip.AddrPort
	localIPs  []netip.Addr
	alpn      map[string]alpnResult
	alpnSF    singleflight.Group
	tunnels   map[net.Conn]struct{}
	closes    map[string]int // refusals of our certificate, per host (refused)
}

type alpnResult struct {
	h2      bool
	expires time.Time
}

// New validates cfg and makes a Proxy; call Serve and/or ServeSOCKS, then Close.
func New(cfg Config) (*Proxy, error) {
	if cfg.CA == nil {
		return nil, errors.New("proxy: no CA")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.ViaName == "" {
		cfg.ViaName = newViaName()
	}
	if cfg.Allow == nil {
		cfg.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.HeaderTimeout, 10*time.Second)
	def(&cfg.IdleTimeout, 2*time.Minute)
	def(&cfg.UpstreamTimeout, 30*time.Second)
	def(&cfg.BodyIdleTimeout, 60*time.Second)
	def(&cfg.PeekTimeout, 3*time.Second)
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = 64 << 10
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 4096
	}
	if cfg.RecordBytes < 0 {
		return nil, fmt.Errorf("proxy: negative record size %d", cfg.RecordBytes)
	}
	p := &Proxy{cfg: cfg, leaves: cfg.Leaves, pins: cfg.Pins, alpn: map[string]alpnResult{}, tunnels: map[net.Conn]struct{}{}, closes: map[string]int{}}
	if p.leaves == nil {
		l, err := NewLeaves(cfg.CA, LeafConfig{Now: cfg.Now})
		if err != nil {
			return nil, err
		}
		p.leaves = l
	}
	if p.pins == nil {
		p.pins, _ = LoadPins("")
	}
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	for _, c := range cfg.UpstreamCAs {
		roots.AddCert(c)
	}
	p.upTLS = &tls.Config{RootCAs: roots, InsecureSkipVerify: cfg.InsecureUpstream, MinVersion: tls.VersionTLS12}
	p.transport = &http.Transport{
		DialContext:            p.dialUpstreamHTTP,
		TLSClientConfig:        p.upTLS.Clone(),
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           1024,
		MaxIdleConnsPerHost:    256,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    cfg.UpstreamTimeout,
		ResponseHeaderTimeout:  cfg.UpstreamTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: int64(cfg.MaxHeaderBytes),
		DisableCompression:     true,
		WriteBufferSize:        32 << 10,
		ReadBufferSize:         32 << 10,
	}
	p.transport1 = p.transport.Clone()
	p.transport1.ForceAttemptHTTP2 = false
	p.transport1.TLSClientConfig.NextProtos = []string{"http/1.1"}
	p.transport1.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{} // no HTTP/2
	if h2t, err := http2.ConfigureTransports(p.transport); err == nil {
		h2t.MaxHeaderListSize = uint32(cfg.MaxHeaderBytes)
		h2t.ReadIdleTimeout = cfg.BodyIdleTimeout
	}
	// The proxy makes upstream TLS connections itself, so that an HTTP/1 one can be read through a
	// framer (framing.go); an HTTP/2 one goes to the transport as it is.
	for _, t := range []*http.Transport{p.transport, p.transport1} {
		tcfg := t.TLSClientConfig
		t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			return p.dialUpstreamTLS(ctx, addr, tcfg)
		}
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	errLog := log.New(logWriter(cfg.Logf), "", 0)
	p.outer = &http.Server{
		Handler:           p,
		ReadHeaderTimeout: cfg.HeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          errLog,
		ConnContext:       p.outerConnContext,
		BaseContext:       func(net.Listener) context.Context { return p.ctx },
	}
	p.outer.SetKeepAlivesEnabled(true)
	p.innerLn = newChanListener()
	p.inner = &http.Server{
		Handler:           p,
		ReadHeaderTimeout: cfg.HeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          errLog,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if ic, ok := c.(*infoConn); ok {
				return withConnInfo(ctx, ic.ci)
			}
			return ctx
		},
		BaseContext: func(net.Listener) context.Context { return p.ctx },
	}
	p.h2 = &http2.Server{MaxConcurrentStreams: 250, IdleTimeout: cfg.IdleTimeout, MaxReadFrameSize: 1 << 20}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		_ = p.inner.Serve(p.innerLn)
	}()
	if ips, err := net.InterfaceAddrs(); err == nil {
		for _, a := range ips {
			if pn, ok := a.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(pn.IP); ok {
					p.localIPs = append(p.localIPs, ip.Unmap())
				}
			}
		}
	}
	return p, nil
}

type logWriter func(string, ...any)

func (l logWriter) Write(b []byte) (int, error) {
	l("%s", b)
	return len(b), nil
}

// Serve accepts proxy clients (HTTP, CONNECT) on ln until Close. Connections from addresses outside
// Config.Allow are closed at once.
func (p *Proxy) Serve(ln net.Listener) error {
	p.addSelf(ln.Addr())
	err := p.outer.Serve(&allowListener{Listener: ln, p: p, frames: true})
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// ServeSOCKS accepts SOCKS5 clients (no authentication, CONNECT) on ln until Close.
func (p *Proxy) ServeSOCKS(ln net.Listener) error {
	p.addSelf(ln.Addr())
	al := &allowListener{Listener: ln, p: p}
	go func() {
		<-p.ctx.Done()
		ln.Close()
	}()
	for {
		c, err := al.Accept()
		if err != nil {
			if p.ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serveSOCKS(c)
		}()
	}
}

// Close stops accepting, closes every client and tunnel connection and waits for handlers to finish.
func (p *Proxy) Close() error {
	p.cancel()
	err := p.outer.Close()
	p.inner.Close()
	p.innerLn.Close()
	p.mu.Lock()
	for c := range p.tunnels {
		c.Close()
	}
	p.mu.Unlock()
	p.transport.CloseIdleConnections()
	p.transport1.CloseIdleConnections()
	p.wg.Wait()
	// records still waiting for a process lookup (bounded: a lookup waits at most a second on the
	// kernel and one index rebuild)
	for deadline := time.Now().Add(5 * time.Second); p.pending.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	return err
}

func (p *Proxy) track(c net.Conn) func() {
	p.mu.Lock()
	p.tunnels[c] = struct{}{}
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		delete(p.tunnels, c)
		p.mu.Unlock()
	}
}

func (p *Proxy) addSelf(a net.Addr) {
	if ap, err := netip.ParseAddrPort(a.String()); err == nil {
		p.mu.Lock()
		p.selfAddrs = append(p.selfAddrs, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()))
		p.mu.Unlock()
	}
}

// isSelf reports whether host:port names one of the proxy's own listeners (a loop or an attempt to
// reach a control endpoint through the proxy).
func (p *Proxy) isSelf(host string, port uint16) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.selfAddrs {
		if s.Port() != port {
			continue
		}
		if host == "localhost" || NormalizeHost(host) == "localhost." {
			return true
		}
		a, err := netip.ParseAddr(NormalizeHost(host))
		if err != nil {
			continue
		}
		a = a.Unmap()
		if a == s.Addr() || a.IsLoopback() || a.IsUnspecified() {
			return true
		}
		if s.Addr().IsUnspecified() {
			for _, l := range p.localIPs {
				if l == a {
					return true
				}
			}
		}
	}
	return false
}

func (p *Proxy) allowed(a netip.Addr) bool {
	a = a.Unmap()
	for _, pr := range p.cfg.Allow {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

// connInfo is what the proxy knows about the client connection a request arrived on.
type connInfo struct {
	client netip.AddrPort
	local  netip.AddrPort
	// target is the CONNECT/SOCKS destination (host:port) for tunnelled requests; empty on the proxy's own listener.
	target string
	scheme string
	// sni is the client's server name; host is the name flows are attributed to.
	sni        string
	nameSource string
	tls        *tls.ConnectionState
	proc       *procFuture
	// via is the Via chain of the CONNECT that opened the tunnel (nil on the proxy's own listener).
	via []string
	// frames follows the HTTP/1 request framing of the connection; nil for HTTP/2.
	frames *frameConn
}

// procFuture is a client-process lookup started when the connection is accepted, so it runs beside
// the exchange rather than in front of it; get waits for it.
type procFuture struct {
	done chan struct{}
	name string
}

// procHold is how long a response is held for its client's process lookup.
const procHold = 50 * time.Millisecond

// wait waits at most d for the lookup to finish.
func (f *procFuture) wait(d time.Duration) {
	if f == nil {
		return
	}
	select {
	case <-f.done:
	default:
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-f.done:
		case <-t.C:
		}
	}
}

func (f *procFuture) get() string {
	if f == nil {
		return ""
	}
	<-f.done
	return f.name
}

type ctxKey struct{}

func withConnInfo(ctx context.Context, ci *connInfo) context.Context {
	return context.WithValue(ctx, ctxKey{}, ci)
}

func connInfoFrom(ctx context.Context) *connInfo {
	ci, _ := ctx.Value(ctxKey{}).(*connInfo)
	if ci == nil {
		return &connInfo{}
	}
	return ci
}

func (p *Proxy) outerConnContext(ctx context.Context, c net.Conn) context.Context {
	ci := p.newConnInfo(c)
	ci.frames, _ = c.(*frameConn)
	return withConnInfo(ctx, ci)
}

// clientFrames wraps a client connection served by net/http as HTTP/1 (see framing.go).
func (p *Proxy) clientFrames(c net.Conn) *frameConn {
	return newFrameConn(c, false, p.cfg.MaxHeaderBytes, p.cfg.Logf)
}

func (p *Proxy) newConnInfo(c net.Conn) *connInfo {
	ci := &connInfo{}
	ci.client, _ = netip.ParseAddrPort(c.RemoteAddr().String())
	ci.local, _ = netip.ParseAddrPort(c.LocalAddr().String())
	if p.cfg.ProcessLookup != nil {
		client, local, f := ci.client, ci.local, &procFuture{done: make(chan struct{})}
		go func() {
			defer close(f.done)
			f.name = p.cfg.ProcessLookup(client, local)
		}()
		ci.proc = f
	}
	return ci
}

// dialUpstream connects to target (host:port), through the upstream proxy when one is configured,
// applying Resolve overrides, and refuses to connect to the proxy itself.
func (p *Proxy) dialUpstream(ctx context.Context, network, target string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		return nil, fmt.Errorf("upstream address %q: %w", target, err)
	}
	addr := target
	if v, ok := p.cfg.Resolve[target]; ok {
		addr = v
	} else if v, ok := p.cfg.Resolve[NormalizeHost(host)]; ok {
		addr = v
	} else if v, ok := p.cfg.Resolve["*"]; ok {
		addr = v
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, port)
	}
	d := &net.Dialer{Timeout: p.cfg.UpstreamTimeout, KeepAlive: 30 * time.Second}
	if p.cfg.UpstreamProxy != nil {
		return p.dialViaProxy(ctx, d, addr)
	}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if ra, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil && p.isSelf(ra.Addr().String(), ra.Port()) {
		c.Close()
		return nil, fmt.Errorf("refusing to connect to the proxy itself (%s)", ra)
	}
	return c, nil
}

// dialUpstreamHTTP is dialUpstream for a plain HTTP/1 upstream connection, read through a framer.
func (p *Proxy) dialUpstreamHTTP(ctx context.Context, network, target string) (net.Conn, error) {
	c, err := p.dialUpstream(ctx, network, target)
	if err != nil {
		return nil, err
	}
	return newFrameConn(c, true, p.cfg.MaxHeaderBytes, p.cfg.Logf), nil
}

// dialUpstreamTLS connects to target and completes the TLS handshake with cfg (the transport's own
// TLSHandshakeTimeout does not apply to a custom dialer: UpstreamTimeout does). An HTTP/2 connection
// is returned as the *tls.Conn the transport needs; an HTTP/1 one is read through a framer.
func (p *Proxy) dialUpstreamTLS(ctx context.Context, target string, cfg *tls.Config) (net.Conn, error) {
	c, err := p.dialUpstream(ctx, "tcp", target)
	if err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(target)
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	tc := tls.Client(c, cfg)
	trace := httptrace.ContextClientTrace(ctx)
	if trace != nil && trace.TLSHandshakeStart != nil {
		trace.TLSHandshakeStart()
	}
	hctx, cancel := context.WithTimeout(ctx, p.cfg.UpstreamTimeout)
	err = tc.HandshakeContext(hctx)
	cancel()
	st := tc.ConnectionState()
	if trace != nil && trace.TLSHandshakeDone != nil {
		trace.TLSHandshakeDone(st, err)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	if st.NegotiatedProtocol == "h2" {
		return tc, nil
	}
	fc := newFrameConn(tc, true, p.cfg.MaxHeaderBytes, p.cfg.Logf)
	fc.tls = &st
	return fc, nil
}

func (p *Proxy) dialViaProxy(ctx context.Context, d *net.Dialer, target string) (net.Conn, error) {
	u := p.cfg.UpstreamProxy
	ph := u.Host
	if u.Port() == "" {
		ph = net.JoinHostPort(u.Hostname(), "8080")
	}
	if h, ps, err := net.SplitHostPort(ph); err == nil {
		if port, err := strconv.ParseUint(ps, 10, 16); err == nil && p.isSelf(h, uint16(port)) {
			return nil, fmt.Errorf("%w: the upstream proxy %s is this proxy itself", ErrProxyLoop, ph)
		}
	}
	c, err := d.DialContext(ctx, "tcp", ph)
	if err != nil {
		return nil, fmt.Errorf("upstream proxy %s: %w", ph, err)
	}
	if ra, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil && p.isSelf(ra.Addr().String(), ra.Port()) {
		c.Close()
		return nil, fmt.Errorf("%w: the upstream proxy %s (%s) is this proxy itself", ErrProxyLoop, ph, ra)
	}
	c.SetDeadline(time.Now().Add(p.cfg.UpstreamTimeout))
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: target}, Host: target, Header: http.Header{}}
	req.Header["Via"] = append(append([]string(nil), viaFrom(ctx)...), p.viaEntry(1, 1))
	if u.User != nil {
		pw, _ := u.User.Password()
		req.SetBasicAuth(u.User.Username(), pw)
		req.Header.Set("Proxy-Authorization", req.Header.Get("Authorization"))
		req.Header.Del("Authorization")
	}
	if err := req.Write(c); err != nil {
		c.Close()
		return nil, fmt.Errorf("upstream proxy %s: %w", ph, err)
	}
	br := newLimitedBufReader(c, p.cfg.MaxHeaderBytes)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("upstream proxy %s: %w", ph, err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusLoopDetected {
		c.Close()
		return nil, fmt.Errorf("%w: the upstream proxy %s sent CONNECT %s back to this proxy (%s)", ErrProxyLoop, ph, target, resp.Status)
	}
	if resp.StatusCode != http.StatusOK {
		c.Close()
		return nil, fmt.Errorf("upstream proxy %s refused CONNECT %s: %s", ph, target, resp.Status)
	}
	c.SetDeadline(time.Time{})
	if n := br.Buffered(); n > 0 {
		pre, _ := br.Peek(n)
		return &prefixConn{Conn: c, pre: append([]byte(nil), pre...)}, nil
	}
	return c, nil
}

// splitTarget splits host:port, requiring a numeric port 1-65535 and a plausible host.
func splitTarget(target string) (string, uint16, error) {
	host, ps, err := net.SplitHostPort(target)
	if err != nil {
		return "", 0, fmt.Errorf("target %q: want host:port", target)
	}
	port, err := strconv.ParseUint(ps, 10, 16)
	if err != nil || port == 0 {
		return "", 0, fmt.Errorf("target %q: bad port", target)
	}
	if _, err := netip.ParseAddr(host); err != nil && !validHostName(host) {
		return "", 0, fmt.Errorf("target %q: bad host name", target)
	}
	return host, uint16(port), nil
}

func (p *Proxy) nextID() string { return strconv.FormatUint(p.seq.Add(1), 10) }

// record hands rec to the Recorder with the client's process named by proc (nil: not looked up).
// A lookup still running does not hold up the response: the record waits for it on its own goroutine.
func (p *Proxy) record(rec *session.Record, proc *procFuture) {
	if p.cfg.Recorder == nil {
		return
	}
	if proc == nil {
		p.cfg.Recorder.Record(rec)
		return
	}
	select {
	case <-proc.done:
		rec.Flow.Process = proc.name
		p.cfg.Recorder.Record(rec)
	default:
		p.pending.Add(1)
		go func() {
			defer p.pending.Add(-1)
			rec.Flow.Process = proc.get()
			p.cfg.Recorder.Record(rec)
		}()
	}
}

var _ io.Closer = (*Proxy)(nil)
