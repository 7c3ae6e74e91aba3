package mitm

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"hopscope/internal/inventory"
	"hopscope/internal/session"
)

// ServeHTTP handles proxy requests: CONNECT and absolute-form requests on the proxy's own listener,
// origin-form requests inside intercepted tunnels. Anything addressed to the proxy itself is refused:
// there is no control endpoint.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ci := connInfoFrom(r.Context())
	if ci.frames != nil && r.ProtoMajor == 1 && ci.frames.closeAfter() {
		// RFC 9112 section 6.1: answer, then close (both Content-Length and Transfer-Encoding, or
		// Transfer-Encoding in HTTP/1.0); also after a CONNECT or Upgrade that does not switch
		w.Header().Set("Connection", "close")
	}
	if viaHas(r.Header.Values("Via"), p.cfg.ViaName) {
		p.refuseLoop(w, r, ci)
		return
	}
	if ci.target == "" {
		if r.Method == http.MethodConnect {
			p.handleConnect(w, r, ci)
			return
		}
		if !r.URL.IsAbs() || r.URL.Host == "" {
			http.Error(w, "hopscope proxy: this is a proxy, not a web server; send absolute-form requests or CONNECT", http.StatusBadRequest)
			return
		}
		if r.URL.Scheme != "http" && r.URL.Scheme != "https" {
			http.Error(w, "hopscope proxy: unsupported scheme "+r.URL.Scheme, http.StatusBadRequest)
			return
		}
		port := r.URL.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[r.URL.Scheme]
		}
		p.forward(w, r, ci, r.URL.Scheme, net.JoinHostPort(r.URL.Hostname(), port))
		return
	}
	if r.Method == http.MethodConnect {
		http.Error(w, "hopscope proxy: CONNECT inside a tunnel is not supported", http.StatusMethodNotAllowed)
		return
	}
	p.forward(w, r, ci, ci.scheme, ci.target)
}

// hopHeaders are removed when forwarding (RFC 9110 section 7.6.1), plus the proxy-only ones.
var hopHeaders = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

func removeHopHeaders(h http.Header, keepUpgrade bool) {
	for _, f := range h.Values("Connection") {
		for _, name := range strings.Split(f, ",") {
			name = strings.TrimSpace(name)
			if keepUpgrade && strings.EqualFold(name, "upgrade") {
				continue
			}
			h.Del(name)
		}
	}
	for _, k := range hopHeaders {
		if keepUpgrade && (k == "Connection" || k == "Upgrade") {
			continue
		}
		h.Del(k)
	}
}

func isUpgrade(h http.Header) bool {
	for _, v := range h.Values("Connection") {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), "upgrade") {
				return h.Get("Upgrade") != ""
			}
		}
	}
	return false
}

// timing collects httptrace events for one exchange.
type timing struct {
	mu                        sync.Mutex
	dnsStart, dnsDone         time.Time
	connStart, connDone       time.Time
	tlsStart, tlsDone         time.Time
	gotConn, wrote, firstByte time.Time
	reused                    bool
	remote                    net.Addr
	// tls is the upstream TLS state of an HTTP/1 connection (its response carries none: the transport
	// sees the framer that wraps it)
	tls *tls.ConnectionState
}

// mark records now in *dst unless it is already set.
func (t *timing) mark(dst *time.Time) {
	t.mu.Lock()
	if dst.IsZero() {
		*dst = time.Now()
	}
	t.mu.Unlock()
}

// trace returns hooks that time the exchange and tell an upstream framer the request's method.
func (t *timing) trace(method string) *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		DNSStart:             func(httptrace.DNSStartInfo) { t.mark(&t.dnsStart) },
		DNSDone:              func(httptrace.DNSDoneInfo) { t.mark(&t.dnsDone) },
		ConnectStart:         func(string, string) { t.mark(&t.connStart) },
		ConnectDone:          func(string, string, error) { t.mark(&t.connDone) },
		TLSHandshakeStart:    func() { t.mark(&t.tlsStart) },
		TLSHandshakeDone:     func(tls.ConnectionState, error) { t.mark(&t.tlsDone) },
		WroteRequest:         func(httptrace.WroteRequestInfo) { t.mark(&t.wrote) },
		GotFirstResponseByte: func() { t.mark(&t.firstByte) },
		GotConn: func(i httptrace.GotConnInfo) {
			fc, _ := i.Conn.(*frameConn)
			if fc != nil {
				fc.expect(method)
			}
			t.mu.Lock()
			t.gotConn, t.reused, t.remote = time.Now(), i.Reused, i.Conn.RemoteAddr()
			if fc != nil {
				t.tls = fc.tls
			}
			t.mu.Unlock()
		},
	}
}

func span(a, b time.Time) time.Duration {
	if a.IsZero() || b.IsZero() || b.Before(a) {
		return -1
	}
	return b.Sub(a)
}

// timings converts the trace into HAR-style timings; end is when the response body ended.
func (t *timing) timings(start, end time.Time) inventory.Timings {
	t.mu.Lock()
	defer t.mu.Unlock()
	tm := inventory.Timings{DNS: span(t.dnsStart, t.dnsDone), Connect: span(t.connStart, t.connDone), TLS: span(t.tlsStart, t.tlsDone)}
	sendFrom := t.gotConn
	if sendFrom.IsZero() {
		sendFrom = start
	}
	tm.Send = span(sendFrom, t.wrote)
	tm.Wait = span(t.wrote, t.firstByte)
	tm.Transfer = span(t.firstByte, end)
	return tm
}

// bodyTap counts a body's bytes, keeps the first max, and refreshes an idle deadline on each read.
type bodyTap struct {
	r      io.Reader
	n      int64
	max    int
	head   []byte
	onRead func()
}

func (b *bodyTap) Read(p []byte) (int, error) {
	if b.onRead != nil {
		b.onRead()
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if room := b.max - len(b.head); room > 0 && n > 0 {
		b.head = append(b.head, p[:min(room, n)]...)
	}
	return n, err
}

func headerSize(h http.Header) int64 {
	var n int64
	for k, vv := range h {
		for _, v := range vv {
			n += int64(len(k) + len(v) + 4)
		}
	}
	return n + 2
}

func headerList(h http.Header) []session.Header {
	out := make([]session.Header, 0, len(h))
	for k, vv := range h {
		for _, v := range vv {
			out = append(out, session.Header{Name: k, Value: v})
		}
	}
	return out
}

// forward sends r to target and streams the response back, recording one flow.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, ci *connInfo, scheme, target string) {
	start := p.cfg.Now()
	host, port, err := splitTarget(target)
	if err != nil {
		http.Error(w, "hopscope proxy: "+err.Error(), http.StatusBadRequest)
		return
	}
	if p.isSelf(host, port) {
		http.Error(w, "hopscope proxy: refusing a request addressed to the proxy itself", http.StatusForbidden)
		return
	}
	name := NormalizeHost(host)
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		name = NormalizeHost(h)
	} else if r.Host != "" {
		name = NormalizeHost(r.Host)
	}
	proto := "http"
	if r.ProtoMajor == 2 {
		proto = "http2"
	}
	rc := http.NewResponseController(w)
	f := inventory.Flow{
		ID: p.nextID(), Host: name, NameSource: "http-host", Client: ci.client, Transport: "tcp", Protocol: proto,
		Start: start, Intercepted: ci.tls != nil,
	}
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.URL.Scheme, out.URL.Host = scheme, target
	if out.Host == "" {
		out.Host = target
	}
	upgrade := isUpgrade(r.Header) && r.ProtoMajor == 1
	removeHopHeaders(out.Header, upgrade)
	out.Header["Via"] = append(out.Header.Values("Via"), p.viaEntry(r.ProtoMajor, r.ProtoMinor))
	reqTap := &bodyTap{r: r.Body, max: p.cfg.RecordBytes, onRead: func() { rc.SetReadDeadline(time.Now().Add(p.cfg.BodyIdleTimeout)) }}
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		out.Body = nil
	} else {
		out.Body = io.NopCloser(reqTap)
	}
	ctx, cancel := context.WithCancel(withVia(r.Context(), append(slices.Clone(ci.via), r.Header.Values("Via")...)))
	defer cancel()
	idle := time.AfterFunc(p.cfg.UpstreamTimeout+p.cfg.BodyIdleTimeout, cancel)
	defer idle.Stop()
	tm := &timing{}
	out = out.WithContext(httptrace.WithClientTrace(ctx, tm.trace(out.Method)))
	ex := &inventory.HTTPExchange{Method: r.Method, URL: scheme + "://" + r.Host + r.URL.RequestURI(), Proto: r.Proto, RequestBytes: -1, ResponseBytes: -1}
	f.HTTP = ex
	rec := &session.Record{Flow: f, RequestHeaders: headerList(r.Header)}
	finish := func(end time.Time) {
		rec.Flow.Duration = end.Sub(start)
		ex.Timings = tm.timings(start, end)
		ex.RequestBytes = reqTap.n
		rec.Flow.BytesUp += reqTap.n + headerSize(r.Header) + int64(len(r.Method)+len(r.URL.RequestURI())+12)
		rec.RequestBody, rec.RequestBodyTruncated = reqTap.head, reqTap.n > int64(len(reqTap.head))
		tm.mu.Lock()
		if ap, err := netip.ParseAddrPort(addrString(tm.remote)); err == nil {
			rec.Flow.Server = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
		}
		if !tm.connStart.IsZero() && !tm.connDone.IsZero() {
			rec.Flow.HandshakeRTT, rec.Flow.HasHandshakeRTT = tm.connDone.Sub(tm.connStart), true
		}
		tm.mu.Unlock()
		// give the client-process lookup (started at accept) a moment before the response completes, so
		// a short-lived client is still there to be named; past that the record waits on its own
		ci.proc.wait(procHold)
		p.record(rec, ci.proc)
	}
	resp, err := p.upstream(r).RoundTrip(out)
	if err != nil {
		code := http.StatusBadGateway
		if errors.Is(err, ErrProxyLoop) {
			code = http.StatusLoopDetected
		} else if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || strings.Contains(err.Error(), "timeout") {
			code = http.StatusGatewayTimeout
		}
		rec.Flow.Error = "upstream: " + err.Error()
		msg := fmt.Sprintf("hopscope proxy: upstream %s: %v\n", target, err)
		http.Error(w, strings.TrimSuffix(msg, "\n"), code)
		// ex.Status stays 0: the origin sent no response (the client got our error status)
		finish(p.cfg.Now())
		return
	}
	idle.Reset(p.cfg.BodyIdleTimeout)
	ex.Status = resp.StatusCode
	rec.StatusText = strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
	rec.ResponseHeaders = headerList(resp.Header)
	ex.ContentType = mediaType(resp.Header.Get("Content-Type"))
	upTLS := resp.TLS
	if upTLS == nil {
		tm.mu.Lock()
		upTLS = tm.tls
		tm.mu.Unlock()
	}
	if upTLS != nil {
		rec.Flow.TLS = &inventory.TLSInfo{SNI: ci.sni, Version: tls.VersionName(upTLS.Version), Cipher: cipherName(upTLS.CipherSuite)}
		if upTLS.NegotiatedProtocol != "" {
			rec.Flow.TLS.ALPN = []string{upTLS.NegotiatedProtocol}
		}
	} else if ci.tls != nil {
		rec.Flow.TLS = &inventory.TLSInfo{SNI: ci.sni, Version: tls.VersionName(ci.tls.Version), Cipher: cipherName(ci.tls.CipherSuite)}
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		p.upgrade(w, r, resp, rec, finish)
		return
	}
	hdrDown := headerSize(resp.Header)
	removeHopHeaders(resp.Header, false)
	dst := w.Header()
	for k, vv := range resp.Header {
		dst[k] = vv
	}
	for k := range resp.Trailer {
		dst.Add("Trailer", k)
	}
	w.WriteHeader(resp.StatusCode)
	respTap := &bodyTap{r: resp.Body, max: p.cfg.RecordBytes, onRead: func() { idle.Reset(p.cfg.BodyIdleTimeout) }}
	bp := bufPool.Get().(*[]byte)
	buf := *bp
	var werr, rerr error
	for {
		n, err := respTap.Read(buf)
		if n > 0 {
			rc.SetWriteDeadline(time.Now().Add(p.cfg.BodyIdleTimeout))
			if _, werr = w.Write(buf[:n]); werr != nil {
				break
			}
			// flush when the upstream paused (a short read) and more is to come, so streamed responses
			// (server-sent events, long polls) reach the client; the handler's end flushes the rest
			if n < len(buf) && (resp.ContentLength < 0 || respTap.n < resp.ContentLength) {
				rc.Flush()
			}
		}
		if err != nil {
			if err != io.EOF {
				rerr = err
			}
			break
		}
	}
	bufPool.Put(bp)
	resp.Body.Close()
	for k, vv := range resp.Trailer {
		w.Header()[k] = vv
	}
	ex.ResponseBytes = respTap.n
	rec.Flow.BytesDown = respTap.n + hdrDown + 15
	rec.ResponseBody, rec.ResponseBodyTruncated = respTap.head, respTap.n > int64(len(respTap.head))
	switch {
	case rerr != nil:
		rec.Flow.Error = "upstream body: " + rerr.Error()
	case werr != nil:
		rec.Flow.Error = "client went away: " + werr.Error()
	}
	finish(p.cfg.Now())
	if rerr != nil {
		panic(http.ErrAbortHandler) // the client must see a truncated response, not a complete one
	}
}

// upstream returns the transport for r: the client's own protocol goes upstream, as it would without
// the proxy. An HTTP/1.1 client keeps its own upstream connections (one request at a time each, as it
// sent them, upgrades included) rather than sharing one multiplexed HTTP/2 connection; an HTTP/2 client
// gets HTTP/2 where the origin offers it.
func (p *Proxy) upstream(r *http.Request) *http.Transport {
	if r.ProtoMajor == 2 {
		return p.transport
	}
	return p.transport1
}

// mediaType is the type/subtype of a Content-Type value, lower-cased and without parameters (what
// mime.ParseMediaType returns first, without building the parameter map); a value with no type/subtype
// is kept as it is.
func mediaType(v string) string {
	t, _, _ := strings.Cut(v, ";")
	t = strings.TrimSpace(t)
	if !strings.Contains(t, "/") {
		return v
	}
	return strings.ToLower(t)
}

// cipherNames maps TLS cipher suite IDs to their names, built once: tls.CipherSuiteName builds the
// whole suite list on every call (a dozen allocations a request).
var cipherNames = sync.OnceValue(func() map[uint16]string {
	m := map[uint16]string{}
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, c := range list {
			m[c.ID] = c.Name
		}
	}
	return m
})

// cipherName is tls.CipherSuiteName without the allocations.
func cipherName(id uint16) string {
	if n, ok := cipherNames()[id]; ok {
		return n
	}
	return tls.CipherSuiteName(id) // its "0x%04X" form
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// upgrade completes a protocol switch (WebSocket): the 101 response goes to the client, then bytes are
// copied both ways until either side closes; the flow is recorded as "websocket" (or the Upgrade token).
func (p *Proxy) upgrade(w http.ResponseWriter, r *http.Request, resp *http.Response, rec *session.Record, finish func(time.Time)) {
	up, ok := resp.Body.(io.ReadWriteCloser)
	if !ok {
		resp.Body.Close()
		http.Error(w, "hopscope proxy: upstream switched protocols without a usable connection", http.StatusBadGateway)
		rec.Flow.Error = "upgrade: no upstream connection"
		finish(p.cfg.Now())
		return
	}
	defer up.Close()
	client, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "hopscope proxy: cannot switch protocols on this connection", http.StatusBadGateway)
		rec.Flow.Error = "upgrade: " + err.Error()
		finish(p.cfg.Now())
		return
	}
	defer p.track(client)()
	defer client.Close()
	client.SetDeadline(time.Time{})
	token := strings.ToLower(resp.Header.Get("Upgrade"))
	if token == "websocket" || token == "" {
		token = "websocket"
	}
	rec.Flow.Protocol = token
	fmt.Fprintf(brw, "HTTP/1.1 %s\r\n", resp.Status)
	resp.Header.Write(brw)
	brw.WriteString("\r\n")
	if err := brw.Flush(); err != nil {
		rec.Flow.Error = "upgrade: " + err.Error()
		finish(p.cfg.Now())
		return
	}
	var src io.Reader = client
	if n := brw.Reader.Buffered(); n > 0 {
		pre, _ := brw.Reader.Peek(n)
		src = io.MultiReader(strings.NewReader(string(pre)), client)
	}
	var upN, downN int64
	done := make(chan struct{}, 2)
	go func() {
		upN, _ = io.Copy(up, src)
		up.Close()
		done <- struct{}{}
	}()
	go func() {
		downN, _ = io.Copy(client, up)
		client.Close()
		done <- struct{}{}
	}()
	<-done
	<-done
	rec.Flow.BytesUp += upN
	rec.Flow.BytesDown = downN + headerSize(resp.Header)
	finish(p.cfg.Now())
}
