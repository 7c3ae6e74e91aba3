package sniff

import (
	"bytes"
	"crypto/tls"
	"errors"
	"testing"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"TLS 1.0 record", []byte{0x16, 0x03, 0x01, 0x02, 0x00}, TLS},
		{"TLS 1.2 record", []byte{0x16, 0x03, 0x03}, TLS},
		{"TLS application data is not a hello", []byte{0x17, 0x03, 0x03}, Unknown},
		{"mmTLS f104", []byte{0x16, 0xF1, 0x04, 0x00, 0xa0}, MMTLS},
		{"mmTLS f103 app data", []byte{0x17, 0xF1, 0x03}, MMTLS},
		{"mmTLS-looking but f1 1x", []byte{0x16, 0xF1, 0x10}, Unknown},
		{"SSH banner", []byte("SSH-2.0-x"), SSH},
		{"SSH three bytes", []byte("SSH"), SSH},
		{"SSH without dash", []byte("SSHx"), Unknown},
		{"HTTP GET", []byte("GET / HTTP/1.1"), HTTP},
		{"HTTP CONNECT prefix", []byte("CON"), HTTP},
		{"HTTP prefix only", []byte("POS"), HTTP},
		{"HTTP/2 preface", []byte("PRI * HTTP/2.0"), HTTP2},
		{"HTTP/2 preface prefix", []byte("PRI"), HTTP2},
		{"two bytes of GET", []byte("GE"), Unknown},
		{"SSL 3.0 is not TLS here", []byte{0x16, 0x03, 0x05}, Unknown},
		{"random", []byte{0x00, 0x01, 0x02}, Unknown},
		{"empty", nil, Unknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Classify(tc.in); got != tc.want {
				t.Errorf("Classify(% x) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestStream(t *testing.T) {
	hello := firstFlight(t, &tls.Config{ServerName: "Www.Example.Test", NextProtos: []string{"h2"}})
	dnsQuery := []byte{0, 29, 0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1}
	tests := []struct {
		name     string
		c, s     []byte
		final    bool
		want     Verdict // Hello and Err are checked by wantHello and wantErr
		needMore bool
		hello    bool
		err      bool
	}{
		{name: "TLS hello names the host, lower-cased", c: hello, want: Verdict{Protocol: TLS, Name: "www.example.test", Source: "sni"}, hello: true},
		{name: "TLS hello cut, more may come", c: hello[:100], needMore: true},
		{name: "TLS hello cut for good", c: hello[:100], final: true, want: Verdict{Protocol: TLS}, err: true},
		{name: "TLS starting with application data", c: []byte{0x17, 3, 3, 0, 40, 1, 2}, want: Verdict{Protocol: TLS}},
		{name: "server TLS only, capture began late", s: []byte{0x17, 3, 3, 0, 40}, final: true, want: Verdict{Protocol: TLS}},
		{name: "nothing from the client yet", s: []byte{0x17, 3, 3, 0, 40}, needMore: true},
		{name: "server SSH banner first", s: []byte("SSH-2.0-OpenSSH_9.6\r\n"), want: Verdict{Protocol: SSH}},
		{name: "client SSH banner", c: []byte("SSH-2.0-x\r\n"), want: Verdict{Protocol: SSH}},
		{name: "mmTLS", c: []byte{0x16, 0xf1, 0x04, 0, 8, 1}, want: Verdict{Protocol: MMTLS}},
		{name: "HTTP/2 preface", c: []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), want: Verdict{Protocol: HTTP2}},
		{name: "HTTP Host", c: []byte("GET / HTTP/1.1\r\nUser-Agent: x\r\nHost: Example.Test:8080\r\n\r\n"), want: Verdict{Protocol: HTTP, Name: "example.test", Source: "http-host"}},
		{name: "HTTP absolute form", c: []byte("GET http://[2001:db8::1]:80/ HTTP/1.1\r\n"), want: Verdict{Protocol: HTTP, Name: "2001:db8::1", Source: "http-host"}},
		{name: "HTTP headers cut", c: []byte("GET / HTTP/1.1\r\nHost: exa"), needMore: true},
		{name: "HTTP without Host", c: []byte("GET / HTTP/1.0\r\n\r\n"), want: Verdict{Protocol: HTTP}},
		{name: "HTTP bad Host", c: []byte("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"), want: Verdict{Protocol: HTTP}},
		{name: "partial method", c: []byte("OPTI"), needMore: true},
		{name: "DNS over TCP", c: dnsQuery, want: Verdict{Protocol: DNS}},
		{name: "three bytes", c: []byte{1, 2, 3}, needMore: true},
		{name: "unknown", c: []byte{1, 2, 3, 4, 5}, want: Verdict{Protocol: Unknown}},
		{name: "three bytes, final", c: []byte{1, 2, 3}, final: true, want: Verdict{Protocol: Unknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, more := Stream(tt.c, tt.s, tt.final)
			if more != tt.needMore {
				t.Fatalf("needMore = %v, want %v (verdict %+v)", more, tt.needMore, v)
			}
			if (v.Hello != nil) != tt.hello || (v.Err != nil) != tt.err {
				t.Errorf("hello %v err %v, want hello %v err %v", v.Hello, v.Err, tt.hello, tt.err)
			}
			if tt.err && errors.Is(v.Err, ErrShort) {
				t.Errorf("err %v: a cut hello at the end of a stream is a warning, not ErrShort", v.Err)
			}
			v.Hello, v.Err = nil, nil
			if v != tt.want {
				t.Errorf("verdict %+v, want %+v", v, tt.want)
			}
		})
	}
}

func TestIsDNSMessage(t *testing.T) {
	query := []byte{0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}
	answer := []byte{0xab, 0xcd, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0}
	for _, tc := range []struct {
		name     string
		in       []byte
		response bool
		want     bool
	}{
		{"query", query, false, true},
		{"query is not a response", query, true, false},
		{"answer", answer, true, true},
		{"query carrying answers", []byte{0xab, 0xcd, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0}, false, false},
		{"two questions", []byte{0xab, 0xcd, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0}, false, false},
		{"opcode status", []byte{0xab, 0xcd, 0x10, 0, 0, 1, 0, 0, 0, 0, 0, 0}, false, false},
		{"Z bit set", []byte{0xab, 0xcd, 1, 0x40, 0, 1, 0, 0, 0, 0, 0, 0}, false, false},
		{"short", query[:11], false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsDNSMessage(tc.in, tc.response); got != tc.want {
				t.Errorf("IsDNSMessage = %v, want %v", got, tc.want)
			}
		})
	}
}

// FuzzParseRecords runs the ClientHello parser and the stream classifier over TLS records; the seeds
// under testdata/fuzz are client payloads from the capture corpus (curl, Chrome, Android apps).
func FuzzParseRecords(f *testing.F) {
	f.Add(firstFlight(f, &tls.Config{ServerName: "seed.test", NextProtos: []string{"h2", "http/1.1"}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseRecords(b)
		if err == nil && len(h.ServerName) > 253 {
			t.Fatalf("server name of %d bytes", len(h.ServerName))
		}
		v, more := Stream(b, nil, true)
		if more || (len(b) > 0 && v.Protocol == "") {
			t.Fatalf("final stream undecided: %+v needMore %v", v, more)
		}
		if IsRecordStart(b) && (v.Protocol != TLS || (err == nil) != (v.Hello != nil)) {
			t.Fatalf("ParseRecords %v, Stream %+v", err, v)
		}
	})
}

// FuzzStream runs the HTTP Host extraction and the stream classifier over client payloads; the seeds
// under testdata/fuzz are port-80 payloads from the capture corpus.
func FuzzStream(f *testing.F) {
	f.Add([]byte("GET http://example.com:8080/x HTTP/1.1\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, _ := httpHost(b)
		if len(h) > 253 {
			t.Fatalf("host of %d bytes", len(h))
		}
		v, more := Stream(b, b, false)
		if more && v != (Verdict{}) {
			t.Fatalf("needMore with a verdict %+v", v)
		}
		if !more && v.Name != "" && bytes.ContainsAny([]byte(v.Name), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			t.Fatalf("name %q is not lower-cased", v.Name)
		}
	})
}
