package mitm

import (
	"net"
	"net/netip"
	"sync"
)

// allowListener drops clients outside the allow list and beyond the connection limit.
type allowListener struct {
	net.Listener
	p *Proxy
	// frames follows HTTP/1 request framing on each connection (the HTTP listener, not SOCKS).
	frames bool
}

func (l *allowListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ap, perr := netip.ParseAddrPort(c.RemoteAddr().String())
		if perr != nil || !l.p.allowed(ap.Addr()) {
			l.p.cfg.Logf("refused client %s: not in the allow list", c.RemoteAddr())
			c.Close()
			continue
		}
		if l.p.conns.Add(1) > int64(l.p.cfg.MaxConns) {
			l.p.conns.Add(-1)
			l.p.cfg.Logf("refused client %s: %d connections open", c.RemoteAddr(), l.p.cfg.MaxConns)
			c.Close()
			continue
		}
		if l.frames {
			return l.p.clientFrames(&countedConn{Conn: c, p: l.p}), nil
		}
		return &countedConn{Conn: c, p: l.p}, nil
	}
}

type countedConn struct {
	net.Conn
	p    *Proxy
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.p.conns.Add(-1) })
	return c.Conn.Close()
}

func (c *countedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Close()
}

// chanListener is a net.Listener fed with already-accepted (intercepted) connections.
type chanListener struct {
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newChanListener() *chanListener {
	return &chanListener{ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *chanListener) push(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// infoConn carries connInfo to the inner HTTP server.
type infoConn struct {
	net.Conn
	ci *connInfo
}

// prefixConn replays pre before reading from the connection.
type prefixConn struct {
	net.Conn
	pre []byte
}

func (c *prefixConn) Read(b []byte) (int, error) {
	if len(c.pre) > 0 {
		n := copy(b, c.pre)
		c.pre = c.pre[n:]
		return n, nil
	}
	return c.Conn.Read(b)
}

func (c *prefixConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Conn.Close()
}
