package dns

import "testing"

func TestParseServer(t *testing.T) {
	tests := []struct {
		name, in string
		want     Server
		str      string
	}{
		{"bare v4", "192.0.2.53", Server{TransportAuto, "192.0.2.53", 53, ""}, "192.0.2.53:53"},
		{"v4 port", "127.0.0.1:5353", Server{TransportAuto, "127.0.0.1", 5353, ""}, "127.0.0.1:5353"},
		{"bare v6", "2001:db8::53", Server{TransportAuto, "2001:db8::53", 53, ""}, "[2001:db8::53]:53"},
		{"bracketed v6 port", "[::1]:5353", Server{TransportAuto, "::1", 5353, ""}, "[::1]:5353"},
		{"udp", "udp://192.0.2.1", Server{TransportUDP, "192.0.2.1", 53, ""}, "udp://192.0.2.1:53"},
		{"tcp port", "tcp://192.0.2.1:5300", Server{TransportTCP, "192.0.2.1", 5300, ""}, "tcp://192.0.2.1:5300"},
		{"dot name", "tls://dns.example", Server{TransportTLS, "dns.example", 853, ""}, "tls://dns.example:853"},
		{"dot upper scheme", "TLS://dns.example:8853", Server{TransportTLS, "dns.example", 8853, ""}, "tls://dns.example:8853"},
		{"doh default path", "https://dns.example", Server{TransportHTTPS, "dns.example", 443, "/dns-query"}, "https://dns.example/dns-query"},
		{"doh path port", "https://127.0.0.1:8443/q", Server{TransportHTTPS, "127.0.0.1", 8443, "/q"}, "https://127.0.0.1:8443/q"},
		{"doh v6", "https://[2001:db8::1]/dns-query", Server{TransportHTTPS, "2001:db8::1", 443, "/dns-query"}, "https://[2001:db8::1]/dns-query"},
		{"zoned v6", "[fe80::1%eth0]:5353", Server{TransportAuto, "fe80::1%eth0", 5353, ""}, "[fe80::1%eth0]:5353"},
		{"bare zoned v6", "fe80::1%veth-a.2", Server{TransportAuto, "fe80::1%veth-a.2", 53, ""}, "[fe80::1%veth-a.2]:53"},
		{"host name", "resolver.lab.test", Server{TransportAuto, "resolver.lab.test", 53, ""}, "resolver.lab.test:53"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseServer(tc.in)
			if err != nil {
				t.Fatalf("ParseServer(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Fatalf("ParseServer(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			if s := got.String(); s != tc.str {
				t.Fatalf("String() = %q, want %q", s, tc.str)
			}
			back, err := ParseServer(got.String())
			if err != nil || back != got {
				t.Fatalf("round trip %q → %+v, %v", got.String(), back, err)
			}
		})
	}
}

func TestParseServerErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "  ", "empty address"},
		{"unknown scheme", "quic://192.0.2.1", "unknown scheme"},
		{"port zero", "192.0.2.1:0", "port"},
		{"port too big", "192.0.2.1:70000", "port"},
		{"port not a number", "tcp://192.0.2.1:dns", "port"},
		{"path on udp", "udp://192.0.2.1/x", "unexpected character"},
		{"missing host", "tls://", "missing host"},
		{"doh query", "https://dns.example/dns-query?dns=x", "no user, query or fragment"},
		{"doh user", "https://u@dns.example/", "no user"},
		{"garbage host", "tcp://-bad-:53", "neither an IP address nor a host name"},
		{"too many colons", "tcp://a:b:c", "neither"},
		// Found by FuzzParseServer (issue 16): accepted, printed as "[::%]]:53", which does not parse back.
		{"zone with a bracket", "::0%]", "zone"},
		{"zone with a space", "udp://[fe80::1%a b]:53", "unexpected character"},
		{"zone with a percent", "fe80::1%%", "zone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseServer(tc.in)
			if err == nil || !contains(err.Error(), tc.want) {
				t.Fatalf("ParseServer(%q) error = %v, want one mentioning %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestServerFromResolvConf(t *testing.T) {
	s, err := ServerFromResolvConf("testdata/resolv.conf")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Server{TransportAuto, "192.0.2.53", 53, ""}); s != want {
		t.Fatalf("got %+v, want %+v", s, want)
	}
	if _, err := ServerFromResolvConf("testdata/resolv-empty.conf"); err == nil || !contains(err.Error(), "no nameserver") {
		t.Fatalf("empty resolv.conf: err = %v", err)
	}
	if _, err := ServerFromResolvConf("testdata/missing.conf"); err == nil || !contains(err.Error(), "testdata/missing.conf") {
		t.Fatalf("missing file: err = %v", err)
	}
	r, err := New(Config{ResolvConf: "testdata/resolv.conf"})
	if err != nil || r.Server().Host != "192.0.2.53" {
		t.Fatalf("New with ResolvConf: %v, %+v", err, r)
	}
}
