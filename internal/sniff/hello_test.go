package sniff

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"net"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// firstFlight returns the TLS record crypto/tls sends first (the ClientHello) with cfg.
func firstFlight(t testing.TB, cfg *tls.Config) []byte {
	t.Helper()
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	go tls.Client(c1, cfg).Handshake()
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

// fragment re-frames one handshake record into records of at most n bytes of payload each.
func fragment(rec []byte, n int) []byte {
	var out []byte
	body := rec[5:]
	for len(body) > 0 {
		k := min(n, len(body))
		out = append(out, 0x16, 3, 1, byte(k>>8), byte(k))
		out = append(out, body[:k]...)
		body = body[k:]
	}
	return out
}

func TestParseRecords(t *testing.T) {
	pq := firstFlight(t, &tls.Config{ServerName: "pq.example.test", NextProtos: []string{"h2", "http/1.1"}})
	plain := firstFlight(t, &tls.Config{ServerName: "Plain.Example.Test", MaxVersion: tls.VersionTLS12, CurvePreferences: []tls.CurveID{tls.X25519}})
	noSNI := firstFlight(t, &tls.Config{InsecureSkipVerify: true})
	tests := []struct {
		name     string
		in       []byte
		wantSNI  string
		wantALPN []string
		wantVer  string
		wantErr  error // ErrShort, or nil; other errors are checked by wantOtherErr
		otherErr bool
	}{
		{"post-quantum hello", pq, "pq.example.test", []string{"h2", "http/1.1"}, "TLS 1.3", nil, false},
		{"TLS 1.2 only", plain, "Plain.Example.Test", nil, "TLS 1.2", nil, false},
		{"no SNI (IP address)", noSNI, "", nil, "TLS 1.3", nil, false},
		{"split over 100-byte records", fragment(pq, 100), "pq.example.test", []string{"h2", "http/1.1"}, "TLS 1.3", nil, false},
		{"split over 1-byte records", fragment(plain, 1), "Plain.Example.Test", nil, "TLS 1.2", nil, false},
		{"cut in the middle", pq[:len(pq)/2], "", nil, "", ErrShort, false},
		{"cut after the header", pq[:5], "", nil, "", ErrShort, false},
		{"fragmented and cut", fragment(pq, 100)[:700], "", nil, "", ErrShort, false},
		{"application data record", append([]byte{0x17}, pq[1:]...), "", nil, "", nil, true},
		{"not a client hello", append(append([]byte(nil), pq[:5]...), append([]byte{2}, pq[6:]...)...), "", nil, "", nil, true},
		{"zero-length record", []byte{0x16, 3, 1, 0, 0}, "", nil, "", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseRecords(tt.in)
			switch {
			case tt.otherErr:
				if err == nil || errors.Is(err, ErrShort) {
					t.Fatalf("err = %v, want a parse error", err)
				}
				return
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if h.ServerName != tt.wantSNI || !slices.Equal(h.ALPN, tt.wantALPN) || h.MaxVersion() != tt.wantVer {
				t.Errorf("got SNI %q ALPN %q version %q", h.ServerName, h.ALPN, h.MaxVersion())
			}
		})
	}
	if len(pq) < 1200 {
		t.Logf("note: Go's default ClientHello is %d bytes here (no post-quantum share)", len(pq))
	}
}

func TestReadClientHello(t *testing.T) {
	pq := firstFlight(t, &tls.Config{ServerName: "mp.weixin.qq.com", NextProtos: []string{"h2", "http/1.1"}})
	noALPN := firstFlight(t, &tls.Config{ServerName: "Example.Test"})
	noSNI := firstFlight(t, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
	for _, tc := range []struct {
		name string
		in   []byte
		sni  string
		alpn []string
	}{
		{"sni and alpn", pq, "mp.weixin.qq.com", []string{"h2", "http/1.1"}},
		{"no alpn, sni case kept", noALPN, "Example.Test", nil},
		{"no sni", noSNI, "", []string{"http/1.1"}},
		{"split over 10-byte records", fragment(pq, 10), "mp.weixin.qq.com", []string{"h2", "http/1.1"}},
		{"split over 1-byte records", fragment(noALPN, 1), "Example.Test", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Application data after the hello must stay unread.
			in := append(slices.Clone(tc.in), 0x17, 3, 3, 0, 1, 0)
			h, raw, err := ReadClientHello(iotest.OneByteReader(bytes.NewReader(in)))
			if err != nil {
				t.Fatal(err)
			}
			if h.ServerName != tc.sni || !slices.Equal(h.ALPN, tc.alpn) || !bytes.Equal(raw, tc.in) {
				t.Errorf("got sni %q alpn %q raw %d bytes, want %q %q %d", h.ServerName, h.ALPN, len(raw), tc.sni, tc.alpn, len(tc.in))
			}
		})
	}
	for _, bad := range []struct {
		name string
		in   []byte
		want string
	}{
		{"truncated header", []byte{0x16, 0x03}, "record header at offset 0"},
		{"not handshake", []byte{0x17, 0x03, 0x03, 0, 1, 0}, "record at offset 0 has content type 23"},
		{"zero length", []byte{0x16, 0x03, 0x03, 0, 0}, "record at offset 0 has length 0"},
		{"second record bad", []byte{0x16, 0x03, 0x03, 0, 2, 1, 0, 0x15, 0x03, 0x03, 0, 2, 2, 40}, "record at offset 7 has content type 21"},
		{"server hello", []byte{0x16, 0x03, 0x03, 0, 4, 2, 0, 0, 0}, "handshake type 2, want 1"},
		{"short body", []byte{0x16, 0x03, 0x03, 0, 8, 1, 0, 0, 4, 3, 3}, "record body at offset 5"},
		{"truncated fields", []byte{0x16, 0x03, 0x03, 0, 8, 1, 0, 0, 4, 3, 3, 0, 0}, "client hello truncated at offset"},
		{"huge hello", []byte{0x16, 0x03, 0x03, 0, 4, 1, 0x10, 0, 0}, "larger than 65536"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, raw, err := ReadClientHello(bytes.NewReader(bad.in))
			if err == nil || !strings.Contains(err.Error(), bad.want) {
				t.Errorf("error %v, want %q", err, bad.want)
			}
			if !bytes.HasPrefix(bad.in, raw) {
				t.Errorf("raw % x is not a prefix of the input", raw)
			}
		})
	}
}

// FuzzReadClientHello checks that ReadClientHello never reads past what it returns as raw, and that a
// hello it reads parses the same from its raw bytes with ParseRecords.
func FuzzReadClientHello(f *testing.F) {
	f.Add(firstFlight(f, &tls.Config{ServerName: "seed.test", NextProtos: []string{"h2", "http/1.1"}}))
	f.Add([]byte{0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		h, raw, err := ReadClientHello(r)
		if !bytes.Equal(raw, data[:len(data)-r.Len()]) {
			t.Fatalf("raw (%d bytes) is not the %d bytes consumed", len(raw), len(data)-r.Len())
		}
		if err != nil {
			return
		}
		h2, err := ParseRecords(raw)
		if err != nil || !reflect.DeepEqual(h, h2) {
			t.Fatalf("ReadClientHello %+v, ParseRecords %+v %v", h, h2, err)
		}
	})
}
