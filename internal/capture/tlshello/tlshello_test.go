package tlshello

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
	"net"
	"slices"
	"testing"
	"time"
)

// firstFlight returns the TLS records crypto/tls sends first (the ClientHello) for serverName.
func firstFlight(t *testing.T, cfg *tls.Config) []byte {
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
