package dns

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	mdns "github.com/miekg/dns"
)

// Transport is how queries reach a server.
type Transport string

// Transports. TransportAuto is UDP that retries over TCP when the reply is truncated (TC bit).
const (
	TransportAuto  Transport = "udp+tcp"
	TransportUDP   Transport = "udp"
	TransportTCP   Transport = "tcp"
	TransportTLS   Transport = "tls"   // DNS over TLS (RFC 7858)
	TransportHTTPS Transport = "https" // DNS over HTTPS (RFC 8484)
)

// Server is one DNS server to ask.
type Server struct {
	Transport Transport
	// Host is an IP address or a host name (DoT/DoH servers are usually named for their certificate).
	Host string
	Port uint16
	// Path is the DoH endpoint path ("/dns-query"); empty for other transports.
	Path string
}

// Address is host:port.
func (s Server) Address() string { return net.JoinHostPort(s.Host, strconv.Itoa(int(s.Port))) }

// String is the server in the form ParseServer reads back.
func (s Server) String() string {
	switch s.Transport {
	case TransportAuto:
		return s.Address()
	case TransportHTTPS:
		h := s.Host
		if strings.Contains(h, ":") {
			h = "[" + h + "]"
		}
		if s.Port != 443 {
			h = s.Address()
		}
		return "https://" + h + s.Path
	}
	return string(s.Transport) + "://" + s.Address()
}

// ParseServer reads a server given on the command line:
//
//	ADDR | ADDR:PORT | [V6]:PORT     UDP with TCP fallback on truncation (port 53)
//	udp://ADDR[:PORT]                UDP only
//	tcp://ADDR[:PORT]                TCP only
//	tls://HOST[:PORT]                DNS over TLS (port 853)
//	https://HOST[:PORT][/PATH]       DNS over HTTPS (port 443, path /dns-query)
func ParseServer(s string) (Server, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Server{}, fmt.Errorf("server: empty address")
	}
	scheme, rest, hasScheme := strings.Cut(s, "://")
	if !hasScheme {
		return parseHostPort(s, TransportAuto, 53, s)
	}
	switch strings.ToLower(scheme) {
	case "udp":
		return parseHostPort(rest, TransportUDP, 53, s)
	case "tcp":
		return parseHostPort(rest, TransportTCP, 53, s)
	case "tls", "dot":
		return parseHostPort(rest, TransportTLS, 853, s)
	case "https", "doh":
		u, err := url.Parse("https://" + rest)
		if err != nil {
			return Server{}, fmt.Errorf("server %q: %v", s, err)
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return Server{}, fmt.Errorf("server %q: a DoH URL takes no user, query or fragment", s)
		}
		srv, err := parseHostPort(u.Host, TransportHTTPS, 443, s)
		if err != nil {
			return Server{}, err
		}
		srv.Path = u.EscapedPath()
		if srv.Path == "" || srv.Path == "/" {
			srv.Path = "/dns-query"
		}
		return srv, nil
	}
	return Server{}, fmt.Errorf("server %q: unknown scheme %q (want udp, tcp, tls or https)", s, scheme)
}

func parseHostPort(hp string, t Transport, defPort uint16, orig string) (Server, error) {
	if hp == "" {
		return Server{}, fmt.Errorf("server %q: missing host", orig)
	}
	if strings.ContainsAny(hp, "/?#@ \t") {
		return Server{}, fmt.Errorf("server %q: unexpected character in host %q (a path is only valid for https://)", orig, hp)
	}
	// A bare IPv6 address ("::1", "2001:db8::53", "[::1]") has colons but no port.
	if strings.HasPrefix(hp, "[") && strings.HasSuffix(hp, "]") {
		hp = hp[1 : len(hp)-1]
	}
	if a, err := netip.ParseAddr(hp); err == nil {
		if err := checkZone(a, orig); err != nil {
			return Server{}, err
		}
		return Server{Transport: t, Host: a.String(), Port: defPort}, nil
	}
	host, port := hp, defPort
	if strings.HasPrefix(hp, "[") || strings.Count(hp, ":") == 1 {
		h, p, err := net.SplitHostPort(hp)
		if err != nil {
			return Server{}, fmt.Errorf("server %q: %v", orig, err)
		}
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return Server{}, fmt.Errorf("server %q: port %q is not a number from 1 to 65535", orig, p)
		}
		host, port = h, uint16(n)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if err := checkZone(a, orig); err != nil {
			return Server{}, err
		}
		return Server{Transport: t, Host: a.String(), Port: port}, nil
	}
	if !isHostName(host) {
		return Server{}, fmt.Errorf("server %q: %q is neither an IP address nor a host name", orig, host)
	}
	return Server{Transport: t, Host: strings.TrimSuffix(host, "."), Port: port}, nil
}

// checkZone refuses an IPv6 zone that is not an interface name or index: netip accepts any bytes after
// the "%" ("::%]"), which would print as a server ParseServer cannot read back ("[::%]]:53").
func checkZone(a netip.Addr, orig string) error {
	z := a.Zone()
	if z == "" {
		return nil
	}
	if !a.Is6() {
		return fmt.Errorf("server %q: zone on a non-IPv6 address", orig)
	}
	for _, c := range z {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("server %q: zone %q is not an interface name or index", orig, z)
		}
	}
	return nil
}

// ServerFromResolvConf returns the first name server in a resolv.conf file (normally /etc/resolv.conf),
// asked over UDP with TCP fallback.
func ServerFromResolvConf(path string) (Server, error) {
	cc, err := mdns.ClientConfigFromFile(path)
	if err != nil {
		return Server{}, fmt.Errorf("read %s: %w", path, err)
	}
	if len(cc.Servers) == 0 {
		return Server{}, fmt.Errorf("%s: no nameserver line", path)
	}
	port, err := strconv.ParseUint(cc.Port, 10, 16)
	if err != nil {
		port = 53
	}
	a, err := netip.ParseAddr(cc.Servers[0])
	if err != nil {
		return Server{}, fmt.Errorf("%s: nameserver %q is not an IP address", path, cc.Servers[0])
	}
	return Server{Transport: TransportAuto, Host: a.String(), Port: uint16(port)}, nil
}

// isHostName reports whether s is a host name: dot-separated labels of letters, digits, '-' and '_',
// none empty (except a final root dot), none starting or ending with '-'.
func isHostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
