package quic

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"net"
	"testing"
	"time"
)

// TestSecrets checks key derivation against RFC 9001 Appendix A.1 and RFC 9369 Appendix A.1.
func TestSecrets(t *testing.T) {
	dcid, _ := hex.DecodeString("8394c8f03e515708")
	tests := []struct {
		name        string
		version     uint32
		key, iv, hp string
	}{
		{"v1", Version1, "1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c", "9f50449e04a0e810283a1e9933adedd2"},
		{"v2", Version2, "8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f", "45b95e15235d6f45a6b19cbcb0294ba9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, iv, hp, err := secrets(tt.version, dcid)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(key) != tt.key || hex.EncodeToString(iv) != tt.iv || hex.EncodeToString(hp) != tt.hp {
				t.Errorf("key %x iv %x hp %x", key, iv, hp)
			}
		})
	}
	if _, _, _, err := secrets(0xff00001d, dcid); err == nil {
		t.Error("draft version accepted")
	}
}

// clientHello returns a real ClientHello handshake message from crypto/tls (with the post-quantum key
// share Go offers by default, so it is well over 1 KB) for serverName.
func clientHello(t *testing.T, serverName string, alpn []string) []byte {
	t.Helper()
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	go func() {
		tls.Client(c1, &tls.Config{ServerName: serverName, NextProtos: alpn, MinVersion: tls.VersionTLS13}).Handshake()
	}()
	c2.SetReadDeadline(time.Now().Add(5 * time.Second))
	hdr := make([]byte, 5)
	if _, err := c2.Read(hdr[:5]); err != nil {
		t.Fatal(err)
	}
	n := int(binary.BigEndian.Uint16(hdr[3:5]))
	body := make([]byte, n)
	for got := 0; got < n; {
		m, err := c2.Read(body[got:])
		if err != nil {
			t.Fatal(err)
		}
		got += m
	}
	return body // the handshake message (records carry it unchanged)
}

func appendVarint(b []byte, v uint64) []byte {
	switch {
	case v < 1<<6:
		return append(b, byte(v))
	case v < 1<<14:
		return append(b, byte(v>>8)|0x40, byte(v))
	case v < 1<<30:
		return append(b, byte(v>>24)|0x80, byte(v>>16), byte(v>>8), byte(v))
	}
	panic("varint too large for the test")
}

// sealInitial builds a protected client Initial packet (2-byte packet number) carrying frames, padded
// to at least minLen bytes.
func sealInitial(t *testing.T, version uint32, dcid []byte, pn uint16, frames []byte, minLen int) []byte {
	t.Helper()
	k, err := NewKeys(version, dcid)
	if err != nil {
		t.Fatal(err)
	}
	typ := byte(0)
	if version == Version2 {
		typ = 1
	}
	hdr := []byte{0xc0 | typ<<4 | 0x01}
	hdr = binary.BigEndian.AppendUint32(hdr, version)
	hdr = append(hdr, byte(len(dcid)))
	hdr = append(hdr, dcid...)
	hdr = append(hdr, 0) // empty SCID
	hdr = append(hdr, 0) // no token
	payloadLen := len(frames) + 16
	if pad := minLen - (len(hdr) + 2 + 2 + payloadLen); pad > 0 {
		frames = append(frames, make([]byte, pad)...) // PADDING frames
		payloadLen += pad
	}
	hdr = append(hdr, byte(0x40|(2+payloadLen)>>8), byte(2+payloadLen))
	pnOff := len(hdr)
	hdr = binary.BigEndian.AppendUint16(hdr, pn)
	var nonce [12]byte
	copy(nonce[:], k.iv[:])
	nonce[10] ^= byte(pn >> 8)
	nonce[11] ^= byte(pn)
	pkt := k.aead.Seal(append([]byte(nil), hdr...), nonce[:], frames, hdr)
	var mask [16]byte
	k.hp.Encrypt(mask[:], pkt[pnOff+4:pnOff+4+16])
	pkt[0] ^= mask[0] & 0x0f
	pkt[pnOff] ^= mask[1]
	pkt[pnOff+1] ^= mask[2]
	return pkt
}

func cryptoFrame(off int, data []byte) []byte {
	f := []byte{0x06}
	f = appendVarint(f, uint64(off))
	f = appendVarint(f, uint64(len(data)))
	return append(f, data...)
}

// TestAssembler: a ClientHello split across Initial packets and CRYPTO frames, delivered out of order,
// coalesced, repeated, for QUIC v1 and v2.
func TestAssembler(t *testing.T) {
	hello := clientHello(t, "video.example.test", []string{"h3"})
	if len(hello) < 1200 {
		t.Logf("ClientHello is %d bytes (no post-quantum share?)", len(hello))
	}
	dcid := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	a, b, c := len(hello)/3, 2*len(hello)/3, len(hello)
	for _, version := range []uint32{Version1, Version2} {
		p1 := sealInitial(t, version, dcid, 0, append(cryptoFrame(b, hello[b:c]), cryptoFrame(0, hello[:a])...), 1200)
		p2 := sealInitial(t, version, dcid, 1, append([]byte{0x01}, cryptoFrame(a, hello[a:b])...), 0)
		tests := []struct {
			name      string
			datagrams [][]byte
		}{
			{"in order", [][]byte{p1, p2}},
			{"second packet first", [][]byte{p2, p1}},
			{"repeated", [][]byte{p2, p2, p1}},
			{"coalesced in one datagram", [][]byte{append(append([]byte(nil), p2...), p1...)}},
			{"short-header junk after", [][]byte{p1, append(append([]byte(nil), p2...), 0x40, 1, 2, 3)}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var as Assembler
				for i, d := range tt.datagrams {
					done, err := as.Add(d)
					if err != nil {
						t.Fatalf("datagram %d: %v", i, err)
					}
					if done != (i == len(tt.datagrams)-1) && !as.Done() {
						t.Fatalf("datagram %d: done = %v", i, done)
					}
				}
				h := as.Hello()
				if !as.Done() || h.ServerName != "video.example.test" || len(h.ALPN) != 1 || h.ALPN[0] != "h3" {
					t.Fatalf("version %x: done %v hello %+v", version, as.Done(), h)
				}
			})
		}
	}
}

// TestAssemblerRejects: damaged packets give errors, never a hello or a panic.
func TestAssemblerRejects(t *testing.T) {
	hello := clientHello(t, "x.example.test", nil)
	dcid := []byte{9, 9, 9, 9}
	good := sealInitial(t, Version1, dcid, 0, cryptoFrame(0, hello), 1200)
	flip := bytes.Clone(good)
	flip[len(flip)-1] ^= 1
	tests := []struct {
		name string
		d    []byte
	}{
		{"tag corrupted", flip},
		{"truncated", good[:len(good)-100]},
		{"unknown version", append([]byte{0xc0, 0xff, 0, 0, 0x1d}, good[5:]...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var as Assembler
			done, err := as.Add(tt.d)
			if done || as.Done() {
				t.Fatal("hello from a damaged packet")
			}
			if err == nil {
				t.Fatal("no error")
			}
		})
	}
}
