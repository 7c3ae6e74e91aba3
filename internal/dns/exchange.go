package dns

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	mdns "github.com/miekg/dns"
)

// udpBufs recycles receive buffers: a datagram can be as large as a DNS message, whatever EDNS size
// we advertised, and allocating 64 KiB per query dominated a resolution's cost.
var udpBufs = sync.Pool{New: func() any { b := make([]byte, maxMsg); return &b }}

// maxMsg is the largest DNS message (the TCP length prefix is 16 bits).
const maxMsg = 65535

// exchange sends m to srv and returns the checked reply. It fills q's timing, transport and reply
// summary; the caller sets Name, Type and Purpose.
func (r *Resolver) exchange(ctx context.Context, srv Server, m *mdns.Msg, q *Query) (*mdns.Msg, error) {
	q.Server, q.Transport, q.Start = srv.String(), srv.Transport, r.cfg.Now()
	if srv.Transport == TransportAuto {
		q.Server, q.Transport = srv.Address(), TransportUDP
	}
	var (
		resp *mdns.Msg
		size int
		err  error
	)
	switch srv.Transport {
	case TransportAuto, TransportUDP:
		resp, size, err = r.exchangeUDP(ctx, srv, m)
		if err == nil && resp.Truncated && srv.Transport == TransportAuto {
			q.Transport = TransportTCP
			resp, size, err = r.exchangeStream(ctx, srv, m, false)
		}
	case TransportTCP:
		resp, size, err = r.exchangeStream(ctx, srv, m, false)
	case TransportTLS:
		resp, size, err = r.exchangeStream(ctx, srv, m, true)
	case TransportHTTPS:
		resp, size, err = r.exchangeDoH(ctx, srv, m)
	default:
		err = fmt.Errorf("unknown transport %q", srv.Transport)
	}
	if err != nil {
		var me *MalformedError
		if errors.As(err, &me) && me.Server == "" {
			me.Server = q.Server
		}
		q.Err = err.Error()
		return nil, err
	}
	q.RTT = r.cfg.Now().Sub(q.Start)
	q.Rcode, q.Flags, q.Size, q.Answers = rcodeName(resp.Rcode), flagString(resp), size, len(resp.Answer)
	return resp, nil
}

// deadline is when a query sent now must have its reply.
func (r *Resolver) deadline(ctx context.Context) time.Time {
	d := time.Now().Add(r.cfg.Timeout)
	if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
		d = cd
	}
	return d
}

// readErr turns a socket read/write error into a DNS-level one.
func (r *Resolver) readErr(ctx context.Context, srv Server, err error, ignored int, why string) error {
	if ctx.Err() != nil {
		return fmt.Errorf("query to %s: %w", srv.Address(), ctx.Err())
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &TimeoutError{Server: srv.String(), Wait: r.cfg.Timeout, Ignored: ignored, IgnoredWhy: why}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &TimeoutError{Server: srv.String(), Wait: r.cfg.Timeout}
	}
	if ue := unreachable(srv.String(), err); ue != nil {
		return ue
	}
	return fmt.Errorf("query to %s: %w", srv.String(), err)
}

// exchangeUDP sends the query in one datagram and waits for a reply with our ID, ignoring others; when
// none comes it sends the same datagram again (as dig's +tries does), Tries times in all within the
// timeout, each wait twice the one before. Every send uses the same socket and ID, so a late reply to an
// earlier send still counts.
func (r *Resolver) exchangeUDP(ctx context.Context, srv Server, m *mdns.Msg) (*mdns.Msg, int, error) {
	wire, err := m.Pack()
	if err != nil {
		return nil, 0, fmt.Errorf("pack query: %w", err)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", srv.Address())
	if err != nil {
		if ue := unreachable(srv.String(), err); ue != nil {
			return nil, 0, ue
		}
		return nil, 0, fmt.Errorf("dial %s: %w", srv.String(), err)
	}
	defer conn.Close()
	start, deadline := time.Now(), r.deadline(ctx)
	sends := retransmitTimes(start, deadline, r.tries())
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	bp := udpBufs.Get().(*[]byte)
	defer udpBufs.Put(bp)
	buf := *bp
	ignored, why := 0, ""
	for i := range sends {
		if ctx.Err() != nil {
			return nil, 0, r.readErr(ctx, srv, ctx.Err(), ignored, why)
		}
		wait := deadline
		if i+1 < len(sends) {
			wait = sends[i+1]
		}
		_ = conn.SetDeadline(wait)
		if _, err := conn.Write(wire); err != nil {
			return nil, 0, r.readErr(ctx, srv, err, 0, "")
		}
		for {
			n, err := conn.Read(buf)
			if err != nil {
				if i+1 < len(sends) && errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() == nil {
					break // send again
				}
				return nil, 0, r.readErr(ctx, srv, err, ignored, why)
			}
			// The reply gets its own copy: the buffer goes back to the pool.
			resp, err := parseReply(bytes.Clone(buf[:n]), m)
			if errors.Is(err, errNotOurs) {
				ignored, why = ignored+1, err.Error()
				continue
			}
			return resp, n, err
		}
	}
	return nil, 0, &TimeoutError{Server: srv.String(), Wait: r.cfg.Timeout, Ignored: ignored, IgnoredWhy: why}
}

// tries is how many datagrams one UDP query may send.
func (r *Resolver) tries() int {
	if r.cfg.Tries > 0 {
		return r.cfg.Tries
	}
	return DefaultTries
}

// retransmitTimes returns when each of n sends goes out between start and deadline: the first at
// start, each wait after it twice the one before (for 3 tries: 1/7, 2/7 and 4/7 of the time).
func retransmitTimes(start, deadline time.Time, n int) []time.Time {
	total := deadline.Sub(start)
	if n < 1 {
		n = 1
	}
	parts := time.Duration(1<<n - 1)
	out := make([]time.Time, n)
	at := start
	for i := range n {
		out[i] = at
		at = at.Add(total * time.Duration(1<<i) / parts)
	}
	return out
}

// exchangeStream sends one query over a new TCP or TLS connection (RFC 7766 / 7858 framing).
func (r *Resolver) exchangeStream(ctx context.Context, srv Server, m *mdns.Msg, useTLS bool) (*mdns.Msg, int, error) {
	wire, err := m.Pack()
	if err != nil {
		return nil, 0, fmt.Errorf("pack query: %w", err)
	}
	deadline := r.deadline(ctx)
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	var conn net.Conn
	if useTLS {
		td := &tls.Dialer{Config: r.tlsConfig(srv)}
		conn, err = td.DialContext(dctx, "tcp", srv.Address())
	} else {
		var d net.Dialer
		conn, err = d.DialContext(dctx, "tcp", srv.Address())
	}
	if err != nil {
		if dctx.Err() != nil && ctx.Err() == nil {
			return nil, 0, &TimeoutError{Server: srv.String(), Wait: r.cfg.Timeout}
		}
		if ue := unreachable(srv.String(), err); ue != nil {
			return nil, 0, ue
		}
		return nil, 0, fmt.Errorf("connect to %s: %w", srv.String(), err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	framed := make([]byte, 2+len(wire))
	binary.BigEndian.PutUint16(framed, uint16(len(wire)))
	copy(framed[2:], wire)
	if _, err := conn.Write(framed); err != nil {
		return nil, 0, r.readErr(ctx, srv, err, 0, "")
	}
	var lb [2]byte
	if _, err := io.ReadFull(conn, lb[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, 0, &MalformedError{Server: srv.String(), Reason: "connection closed before a reply"}
		}
		return nil, 0, r.readErr(ctx, srv, err, 0, "")
	}
	n := int(binary.BigEndian.Uint16(lb[:]))
	buf := make([]byte, n)
	if got, err := io.ReadFull(conn, buf); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, 0, &MalformedError{Server: srv.String(), Size: got, Reason: fmt.Sprintf("connection closed after %d of %d announced bytes", got, n)}
		}
		return nil, 0, r.readErr(ctx, srv, err, 0, "")
	}
	resp, err := parseReply(buf, m)
	if errors.Is(err, errNotOurs) {
		// On a connection of our own there is nobody else to answer: a wrong ID is a broken server.
		return nil, 0, &MalformedError{Server: srv.String(), Size: n, Reason: err.Error()}
	}
	return resp, n, err
}

func (r *Resolver) tlsConfig(srv Server) *tls.Config {
	var c *tls.Config
	if r.cfg.TLS != nil {
		c = r.cfg.TLS.Clone()
	} else {
		c = &tls.Config{}
	}
	if c.ServerName == "" {
		c.ServerName = srv.Host
	}
	return c
}

// exchangeDoH POSTs the query as application/dns-message (RFC 8484), with ID 0 as the RFC recommends.
func (r *Resolver) exchangeDoH(ctx context.Context, srv Server, m *mdns.Msg) (*mdns.Msg, int, error) {
	q := m.Copy()
	q.Id = 0
	wire, err := q.Pack()
	if err != nil {
		return nil, 0, fmt.Errorf("pack query: %w", err)
	}
	dctx, cancel := context.WithDeadline(ctx, r.deadline(ctx))
	defer cancel()
	url := srv.String()
	req, err := http.NewRequestWithContext(dctx, http.MethodPost, url, bytes.NewReader(wire))
	if err != nil {
		return nil, 0, fmt.Errorf("DoH request %s: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/dns-message")
	req.Header.Set("Accept", "application/dns-message")
	resp, err := r.http.Do(req)
	if err != nil {
		if dctx.Err() != nil && ctx.Err() == nil {
			return nil, 0, &TimeoutError{Server: url, Wait: r.cfg.Timeout}
		}
		if ue := unreachable(url, err); ue != nil {
			return nil, 0, ue
		}
		return nil, 0, fmt.Errorf("DoH %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("DoH %s: HTTP %s", url, resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/dns-message" {
		return nil, 0, &MalformedError{Server: url, Reason: fmt.Sprintf("Content-Type %q, want application/dns-message", ct)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMsg+1))
	if err != nil {
		if dctx.Err() != nil && ctx.Err() == nil {
			return nil, 0, &TimeoutError{Server: url, Wait: r.cfg.Timeout}
		}
		return nil, 0, fmt.Errorf("DoH %s: read body: %w", url, err)
	}
	if len(body) > maxMsg {
		return nil, 0, &MalformedError{Server: url, Size: len(body), Reason: "body longer than a DNS message"}
	}
	out, err := parseReply(body, q)
	if errors.Is(err, errNotOurs) {
		return nil, 0, &MalformedError{Server: url, Size: len(body), Reason: err.Error()}
	}
	if out != nil {
		out.Id = m.Id
	}
	return out, len(body), err
}
