package capture

import (
	"crypto/tls"
	"encoding/binary"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// frame builds an Ethernet/IPv4 (or IPv6) frame carrying a TCP or UDP segment. No checksums: the
// decoder does not verify them, like tcpdump's default.
type seg struct {
	src, dst    netip.AddrPort
	udp         bool
	flags       uint8
	seq, ack    uint32
	payload     []byte
	vlan        bool
	ethernetPad int
}

func (s seg) frame() []byte {
	var l4 []byte
	if s.udp {
		l4 = binary.BigEndian.AppendUint16(nil, s.src.Port())
		l4 = binary.BigEndian.AppendUint16(l4, s.dst.Port())
		l4 = binary.BigEndian.AppendUint16(l4, uint16(8+len(s.payload)))
		l4 = append(l4, 0, 0)
	} else {
		l4 = binary.BigEndian.AppendUint16(nil, s.src.Port())
		l4 = binary.BigEndian.AppendUint16(l4, s.dst.Port())
		l4 = binary.BigEndian.AppendUint32(l4, s.seq)
		l4 = binary.BigEndian.AppendUint32(l4, s.ack)
		l4 = append(l4, 5<<4, s.flags, 0xff, 0xff, 0, 0, 0, 0)
	}
	l4 = append(l4, s.payload...)
	proto := byte(protoTCP)
	if s.udp {
		proto = protoUDP
	}
	var ip []byte
	et := uint16(0x0800)
	if s.src.Addr().Is4() {
		ip = []byte{0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, proto, 0, 0}
		binary.BigEndian.PutUint16(ip[2:], uint16(20+len(l4)))
		a, b := s.src.Addr().As4(), s.dst.Addr().As4()
		ip = append(append(ip, a[:]...), b[:]...)
	} else {
		et = 0x86dd
		ip = []byte{0x60, 0, 0, 0, 0, 0, proto, 64}
		binary.BigEndian.PutUint16(ip[4:], uint16(len(l4)))
		a, b := s.src.Addr().As16(), s.dst.Addr().As16()
		ip = append(append(ip, a[:]...), b[:]...)
	}
	eth := make([]byte, 12)
	if s.vlan {
		eth = append(eth, 0x81, 0x00, 0x00, 0x2a)
	}
	eth = binary.BigEndian.AppendUint16(eth, et)
	out := append(append(eth, ip...), l4...)
	return append(out, make([]byte, s.ethernetPad)...)
}

func tlsFirstFlight(t *testing.T, serverName string) []byte {
	t.Helper()
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	go tls.Client(c1, &tls.Config{ServerName: serverName}).Handshake()
	c2.SetReadDeadline(time.Now().Add(5 * time.Second))
	hdr := make([]byte, 5)
	if _, err := c2.Read(hdr); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, binary.BigEndian.Uint16(hdr[3:5]))
	for got := 0; got < len(body); {
		n, err := c2.Read(body[got:])
		if err != nil {
			t.Fatal(err)
		}
		got += n
	}
	return append(hdr, body...)
}

// TestTCPReassembly: a ClientHello cut into segments that arrive out of order, repeated and overlapping.
func TestTCPReassembly(t *testing.T) {
	hello := tlsFirstFlight(t, "split.example.test")
	cl := netip.MustParseAddrPort("192.0.2.10:40000")
	sv := netip.MustParseAddrPort("203.0.113.5:443")
	const isn, sisn = 1000, 900000
	piece := func(from, to int) seg {
		to = min(to, len(hello))
		return seg{src: cl, dst: sv, flags: tcpACK | 0x08, seq: isn + 1 + uint32(from), ack: sisn + 1, payload: hello[from:to]}
	}
	n := len(hello)
	q := n / 5
	handshake := []seg{
		{src: cl, dst: sv, flags: tcpSYN, seq: isn},
		{src: sv, dst: cl, flags: tcpSYN | tcpACK, seq: sisn, ack: isn + 1},
		{src: cl, dst: sv, flags: tcpACK, seq: isn + 1, ack: sisn + 1},
	}
	tests := []struct {
		name     string
		segs     []seg
		maxBytes int64
		wantSNI  string
		wantWarn string
	}{
		{"in order", []seg{piece(0, q), piece(q, 2*q), piece(2*q, 3*q), piece(3*q, 4*q), piece(4*q, n)}, 0, "split.example.test", ""},
		{"out of order", []seg{piece(2*q, 3*q), piece(4*q, n), piece(0, q), piece(3*q, 4*q), piece(q, 2*q)}, 0, "split.example.test", ""},
		{"retransmitted and overlapping", []seg{piece(0, q), piece(2*q, 3*q), piece(0, q), piece(q/2, 2*q+10), piece(3*q, n), piece(3*q, n)}, 0, "split.example.test", ""},
		{"tiny segments reversed", func() []seg {
			var s []seg
			for i := n - (n % 50); i >= 0; i -= 50 {
				s = append(s, piece(i, i+50))
			}
			return s
		}(), 0, "split.example.test", ""},
		{"gap never filled", []seg{piece(0, q), piece(2*q, n)}, 0, "", "client hello incomplete"},
		{"memory limit", []seg{piece(0, q), piece(q, n)}, 1, "", "reassembly memory limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAnalyzer(Config{MaxReassemblyBytes: tt.maxBytes})
			ts := int64(1e18)
			for _, s := range append(append([]seg(nil), handshake...), tt.segs...) {
				fr := s.frame()
				a.Packet(LinkEthernet, ts, fr, len(fr))
				ts += 1e6
			}
			inv := a.Inventory("synthetic")
			if len(inv.Flows) != 1 {
				t.Fatalf("flows = %d", len(inv.Flows))
			}
			f := inv.Flows[0]
			if f.Client != cl || f.Server != sv || f.Protocol != "tls" || f.Host != tt.wantSNI {
				t.Errorf("flow %s→%s %s %q", f.Client, f.Server, f.Protocol, f.Host)
			}
			if !f.HasHandshakeRTT || f.HandshakeRTT != 2*time.Millisecond {
				t.Errorf("handshake RTT %v (has %v), want 2ms (SYN→ACK)", f.HandshakeRTT, f.HasHandshakeRTT)
			}
			if w := strings.Join(inv.Warnings, "; "); !strings.Contains(w, tt.wantWarn) || (tt.wantWarn == "" && w != "") {
				t.Errorf("warnings %q, want %q", w, tt.wantWarn)
			}
			if a.buffered != 0 {
				t.Errorf("%d reassembly bytes still held after the inventory", a.buffered)
			}
		})
	}
}

// TestDecodeVariants: link and network variants decode to the same 5-tuple and payload.
func TestDecodeVariants(t *testing.T) {
	v4 := seg{src: netip.MustParseAddrPort("192.0.2.1:5000"), dst: netip.MustParseAddrPort("198.51.100.2:80"), flags: tcpACK, payload: []byte("GET / HTTP/1.1\r\n")}
	v6 := seg{src: netip.MustParseAddrPort("[2001:db8::1]:5000"), dst: netip.MustParseAddrPort("[2001:db8::2]:53"), udp: true, payload: []byte("hello")}
	short := seg{src: v4.src, dst: v4.dst, flags: tcpACK, payload: []byte("x"), ethernetPad: 20}
	vlan := v4
	vlan.vlan = true
	sll := func(s seg) []byte { // Linux cooked v1 header in place of Ethernet
		fr := s.frame()
		hdr := make([]byte, 16)
		copy(hdr[14:], fr[12:14])
		return append(hdr, fr[14:]...)
	}
	raw := func(s seg) []byte { return s.frame()[14:] }
	null := func(s seg) []byte { return append([]byte{2, 0, 0, 0}, s.frame()[14:]...) }
	tests := []struct {
		name    string
		link    LinkType
		frame   []byte
		want    decodeStatus
		payload string
		v6      bool
	}{
		{"ethernet ipv4 tcp", LinkEthernet, v4.frame(), decodedTransport, "GET / HTTP/1.1\r\n", false},
		{"ethernet padding trimmed", LinkEthernet, short.frame(), decodedTransport, "x", false},
		{"802.1Q tag", LinkEthernet, vlan.frame(), decodedTransport, "GET / HTTP/1.1\r\n", false},
		{"ipv6 udp", LinkEthernet, v6.frame(), decodedTransport, "hello", true},
		{"linux cooked", LinkLinuxSLL, sll(v4), decodedTransport, "GET / HTTP/1.1\r\n", false},
		{"raw ip", LinkRaw, raw(v6), decodedTransport, "hello", true},
		{"bsd null", LinkNull, null(v4), decodedTransport, "GET / HTTP/1.1\r\n", false},
		{"arp", LinkEthernet, append(make([]byte, 12), 0x08, 0x06, 0, 1), decodedNotIP, "", false},
		{"cut ip header", LinkEthernet, v4.frame()[:24], decodedTruncated, "", false},
		{"unknown link", LinkType(147), v4.frame(), decodedUnknownLink, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p packet
			got := decode(tt.link, tt.frame, &p)
			if got != tt.want {
				t.Fatalf("status %d, want %d", got, tt.want)
			}
			if got == decodedTransport && (string(p.payload) != tt.payload || p.v6 != tt.v6) {
				t.Errorf("payload %q v6 %v", p.payload, p.v6)
			}
		})
	}
}

// TestFilter checks the pcap-filter subset on decoded packets.
func TestFilter(t *testing.T) {
	web := seg{src: netip.MustParseAddrPort("192.0.2.1:5000"), dst: netip.MustParseAddrPort("198.51.100.2:443"), flags: tcpACK}
	dns6 := seg{src: netip.MustParseAddrPort("[2001:db8::1]:5353"), dst: netip.MustParseAddrPort("[2001:db8::2]:53"), udp: true}
	tests := []struct {
		expr      string
		web, dns6 bool
		wantErr   string
	}{
		{"tcp port 443", true, false, ""},
		{"udp or ip6", false, true, ""},
		{"not tcp", false, true, ""},
		{"dst port 53 and src net 2001:db8::/32", false, true, ""},
		{"host 198.51.100.2", true, false, ""},
		{"src host 198.51.100.2", false, false, ""},
		{"portrange 400-500 || (udp && dst port 53)", true, true, ""},
		{"ip and tcp dst port 443", true, false, ""},
		{"tcp port", false, false, "port"},
		{"host example.com", false, false, "want an IP address"},
		{"(tcp", false, false, "missing ')'"},
		{"vlan 42", false, false, "unsupported word"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			f, err := ParseFilter(tt.expr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				s    seg
				want bool
			}{{web, tt.web}, {dns6, tt.dns6}} {
				var p packet
				decode(LinkEthernet, c.s.frame(), &p)
				if got := f.match(&p); got != c.want {
					t.Errorf("%s:%d → %s: match %v, want %v", c.s.src, c.s.src.Port(), c.s.dst, got, c.want)
				}
			}
		})
	}
}
