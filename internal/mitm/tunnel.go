package mitm

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http2"

	"hopscope/internal/inventory"
	"hopscope/internal/session"
	"hopscope/internal/sniff"
)

// handleConnect answers a CONNECT request and runs the tunnel on the hijacked connection.
func (p *Proxy) handleConnect(w http.ResponseWriter, r *http.Request, ci *connInfo) {
	target := r.Host
	host, port, err := splitTarget(target)
	if err != nil {
		http.Error(w, "hopscope proxy: CONNECT "+err.Error(), http.StatusBadRequest)
		return
	}
	if p.isSelf(host, port) {
		http.Error(w, "hopscope proxy: refusing to tunnel to the proxy itself", http.StatusForbidden)
		return
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "hopscope proxy: CONNECT needs HTTP/1.1", http.StatusHTTPVersionNotSupported)
		return
	}
	defer p.track(conn)()
	conn.SetDeadline(time.Time{})
	if _, err := brw.WriteString("HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		conn.Close()
		return
	}
	if err := brw.Flush(); err != nil {
		conn.Close()
		return
	}
	var c net.Conn = conn
	if n := brw.Reader.Buffered(); n > 0 {
		pre, _ := brw.Reader.Peek(n)
		c = &prefixConn{Conn: conn, pre: append([]byte(nil), pre...)}
	}
	tci := *ci
	tci.via = r.Header.Values("Via")
	p.tunnel(c, target, &tci)
}

// serveSOCKS runs one SOCKS5 client connection.
func (p *Proxy) serveSOCKS(c net.Conn) {
	defer p.track(c)()
	ci := p.newConnInfo(c)
	c.SetDeadline(p.cfg.Now().Add(p.cfg.HeaderTimeout))
	br := bufio.NewReaderSize(c, 512)
	noAuth, err := ReadSOCKSGreeting(br)
	if err != nil {
		p.cfg.Logf("socks client %s: %v", c.RemoteAddr(), err)
		c.Close()
		return
	}
	if !noAuth {
		c.Write([]byte{5, 0xFF})
		c.Close()
		return
	}
	if _, err := c.Write([]byte{5, 0}); err != nil {
		c.Close()
		return
	}
	target, err := ReadSOCKSRequest(br)
	var rep *errSOCKSReply
	if errors.As(err, &rep) {
		c.Write(socksReply(rep.code))
		c.Close()
		return
	}
	if err != nil {
		c.Close()
		return
	}
	host, port, err := splitTarget(target)
	if err != nil || p.isSelf(host, port) {
		c.Write(socksReply(socksNotAllowed))
		c.Close()
		return
	}
	if _, err := c.Write(socksReply(socksSucceeded)); err != nil {
		c.Close()
		return
	}
	c.SetDeadline(time.Time{})
	var conn net.Conn = c
	if n := br.Buffered(); n > 0 {
		pre, _ := br.Peek(n)
		conn = &prefixConn{Conn: c, pre: append([]byte(nil), pre...)}
	}
	p.tunnel(conn, target, ci)
}

// tunnel decides what to do with a tunnel from its first bytes: intercept TLS, serve plain HTTP, or
// pass anything else through untouched and labelled.
func (p *Proxy) tunnel(c net.Conn, target string, ci *connInfo) {
	c.SetReadDeadline(p.cfg.Now().Add(p.cfg.PeekTimeout))
	first := make([]byte, 3)
	n, err := io.ReadAtLeast(c, first, 3)
	c.SetReadDeadline(time.Time{})
	first = first[:n]
	if err != nil && n == 0 {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			p.passthrough(c, target, ci, sniff.Unknown, "client silent: server speaks first", "", "")
			return
		}
		c.Close()
		return
	}
	pc := &prefixConn{Conn: c, pre: first}
	switch proto := sniff.Classify(first); proto {
	case sniff.TLS:
		p.interceptTLS(pc, target, ci)
	case sniff.HTTP, sniff.HTTP2:
		if string(first) == "CON" {
			// A CONNECT inside the tunnel asks the target, itself a proxy, for a further tunnel.
			p.passthrough(pc, target, ci, sniff.HTTP, "CONNECT to a further proxy", "", "")
			return
		}
		inner := *ci
		inner.target, inner.scheme, inner.nameSource = target, "http", "connect"
		inner.frames = p.clientFrames(pc)
		if !p.innerLn.push(&infoConn{Conn: inner.frames, ci: &inner}) {
			pc.Close()
		}
	default:
		p.passthrough(pc, target, ci, proto, "not TLS: "+proto, "", "")
	}
}

// interceptTLS reads the ClientHello, then either passes the tunnel through (rule, pinned host, non-HTTP
// ALPN) or terminates TLS with a minted leaf and serves HTTP/1.1 or HTTP/2 as negotiated.
func (p *Proxy) interceptTLS(c *prefixConn, target string, ci *connInfo) {
	c.SetReadDeadline(p.cfg.Now().Add(p.cfg.HeaderTimeout))
	ch, raw, err := sniff.ReadClientHello(c)
	c.SetReadDeadline(time.Time{})
	if err != nil {
		p.cfg.Logf("tunnel %s from %s: %v", target, ci.client, err)
		c.Close()
		return
	}
	tap := &tapConn{Conn: c.Conn}
	rc := &prefixConn{Conn: tap, pre: raw}
	sni := strings.ToLower(ch.ServerName)
	host, _, _ := net.SplitHostPort(target)
	name, source := NormalizeHost(host), "connect"
	if sni != "" {
		name, source = sni, "sni"
	}
	if p.cfg.Passthrough.Match(name) || p.cfg.Passthrough.Match(host) {
		p.passthrough(rc, target, ci, sniff.TLS, "passthrough rule", sni, "")
		return
	}
	if why, ok := p.pins.Pinned(name); ok {
		p.passthrough(rc, target, ci, sniff.TLS, "pinned: "+why, sni, inventory.RefusalPinned)
		return
	}
	var protos []string
	if len(ch.ALPN) > 0 {
		if !slices.Contains(ch.ALPN, "http/1.1") && !slices.Contains(ch.ALPN, "h2") {
			p.passthrough(rc, target, ci, sniff.TLS, "ALPN "+strings.Join(ch.ALPN, ",")+" is not HTTP", sni, "")
			return
		}
		if slices.Contains(ch.ALPN, "h2") && p.upstreamH2(target, name, ci.via) {
			protos = append(protos, "h2")
		}
		if slices.Contains(ch.ALPN, "http/1.1") || len(protos) == 0 {
			protos = append(protos, "http/1.1")
		}
	}
	cfg := &tls.Config{
		NextProtos: protos,
		MinVersion: tls.VersionTLS10,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return p.leaves.Get(name)
		},
	}
	tc := tls.Server(rc, cfg)
	ctx, cancel := context.WithTimeout(p.ctx, p.cfg.HeaderTimeout)
	start := p.cfg.Now()
	err = tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		rec := &session.Record{Flow: inventory.Flow{
			ID: p.nextID(), Host: name, NameSource: source, Client: ci.client, Transport: "tcp", Protocol: sniff.TLS,
			Start: start, Duration: p.cfg.Now().Sub(start), TLS: &inventory.TLSInfo{SNI: sni, ALPN: ch.ALPN},
		}}
		switch why := certRejection(err, tap.bytes()); {
		case why != "" && p.refused(name):
			rec.Flow.Error = msgPinned + " (the client refused our certificate again: " + why + ")"
			rec.Flow.CertRefusal = inventory.RefusalPinned
			if perr := p.pins.Add(name, why, p.cfg.Now()); perr != nil {
				p.cfg.Logf("%v", perr)
			}
		case why != "":
			rec.Flow.Error = msgUntrusted + " (" + why + "; passed through if it refuses again)"
			rec.Flow.CertRefusal = inventory.RefusalUntrusted
		default:
			rec.Flow.Error = "TLS handshake with client: " + err.Error()
		}
		p.record(rec, ci.proc)
		tc.Close()
		return
	}
	tap.stop()
	st := tc.ConnectionState()
	inner := *ci
	inner.target, inner.scheme, inner.sni, inner.nameSource, inner.tls = target, "https", sni, source, &st
	inner.frames = nil
	if st.NegotiatedProtocol == "h2" {
		p.h2.ServeConn(tc, &http2.ServeConnOpts{Context: withConnInfo(p.ctx, &inner), Handler: p, BaseConfig: p.inner})
		tc.Close()
		return
	}
	inner.frames = p.clientFrames(tc)
	if !p.innerLn.push(&infoConn{Conn: inner.frames, ci: &inner}) {
		tc.Close()
	}
}

// upstreamH2 reports whether the upstream server for target negotiates HTTP/2, probing it once with a
// TLS handshake and caching the answer for ten minutes (a failed probe for one minute).
func (p *Proxy) upstreamH2(target, sni string, via []string) bool {
	key := target + "|" + sni
	now := p.cfg.Now()
	p.mu.Lock()
	r, ok := p.alpn[key]
	p.mu.Unlock()
	if ok && now.Before(r.expires) {
		return r.h2
	}
	v, _, _ := p.alpnSF.Do(key, func() (any, error) {
		ctx, cancel := context.WithTimeout(withVia(p.ctx, via), p.cfg.UpstreamTimeout)
		defer cancel()
		res := alpnResult{expires: now.Add(time.Minute)}
		c, err := p.dialUpstream(ctx, "tcp", target)
		if err == nil {
			cfg := p.upTLS.Clone()
			cfg.ServerName = sni
			cfg.NextProtos = []string{"h2", "http/1.1"}
			tc := tls.Client(c, cfg)
			if err = tc.HandshakeContext(ctx); err == nil {
				res = alpnResult{h2: tc.ConnectionState().NegotiatedProtocol == "h2", expires: now.Add(10 * time.Minute)}
			}
			tc.Close()
		}
		if err != nil {
			p.cfg.Logf("ALPN probe %s: %v", target, err)
		}
		p.mu.Lock()
		p.alpn[key] = res
		p.mu.Unlock()
		return res.h2, nil
	})
	return v.(bool)
}

// passthrough connects the tunnel to target untouched and records one flow when both directions end.
// refusal is the flow's CertRefusal ("" unless the host is passed through because it was pinned).
func (p *Proxy) passthrough(c net.Conn, target string, ci *connInfo, proto, reason, sni, refusal string) {
	start := p.cfg.Now()
	host, _, _ := net.SplitHostPort(target)
	f := inventory.Flow{
		ID: p.nextID(), Host: NormalizeHost(host), NameSource: "connect", Client: ci.client, Transport: "tcp",
		Protocol: proto, Start: start, Passthrough: reason, CertRefusal: refusal,
	}
	if sni != "" {
		f.Host, f.NameSource = sni, "sni"
	}
	if proto == sniff.TLS {
		f.TLS = &inventory.TLSInfo{SNI: sni}
	}
	ctx, cancel := context.WithTimeout(withVia(p.ctx, ci.via), p.cfg.UpstreamTimeout)
	connStart := time.Now()
	up, err := p.dialUpstream(ctx, "tcp", target)
	cancel()
	if err != nil {
		c.Close()
		f.Error = "connect upstream: " + err.Error()
		f.Duration = p.cfg.Now().Sub(start)
		p.record(&session.Record{Flow: f}, ci.proc)
		return
	}
	f.HandshakeRTT, f.HasHandshakeRTT = time.Since(connStart), true
	if ap, err := netip.ParseAddrPort(up.RemoteAddr().String()); err == nil {
		f.Server = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	defer p.track(up)()
	var head headCapture
	var wg sync.WaitGroup
	var upN, downN int64
	wg.Add(2)
	go func() {
		defer wg.Done()
		upN, _ = copyHalf(up, io.TeeReader(c, &head))
	}()
	go func() {
		defer wg.Done()
		downN, _ = copyHalf(c, up)
	}()
	wg.Wait()
	c.Close()
	up.Close()
	f.BytesUp, f.BytesDown = upN, downN
	f.Duration = p.cfg.Now().Sub(start)
	if proto != sniff.TLS && proto != sniff.HTTP {
		f.FirstBytes = hex.EncodeToString(head.b)
	}
	p.record(&session.Record{Flow: f}, ci.proc)
}

// headCapture keeps the first 16 bytes written to it.
type headCapture struct{ b []byte }

func (h *headCapture) Write(b []byte) (int, error) {
	if n := 16 - len(h.b); n > 0 {
		h.b = append(h.b, b[:min(n, len(b))]...)
	}
	return len(b), nil
}

// copyHalf copies src to dst, then half-closes dst so the peer sees the end of this direction.
func copyHalf(dst net.Conn, src io.Reader) (int64, error) {
	bp := bufPool.Get().(*[]byte)
	n, err := io.CopyBuffer(dst, src, *bp)
	bufPool.Put(bp)
	if cw, ok := dst.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	} else {
		dst.Close()
	}
	return n, err
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// limitReader fails once more than n bytes were read (bounding a header read).
type limitReader struct {
	r io.Reader
	n int
}

func (l *limitReader) Read(b []byte) (int, error) {
	if l.n <= 0 {
		return 0, fmt.Errorf("headers larger than the limit")
	}
	if len(b) > l.n {
		b = b[:l.n]
	}
	n, err := l.r.Read(b)
	l.n -= n
	return n, err
}

func newLimitedBufReader(r io.Reader, max int) *bufio.Reader {
	return bufio.NewReader(&limitReader{r: r, n: max + 4096})
}
