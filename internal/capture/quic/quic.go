// Package quic decrypts QUIC client Initial packets (RFC 9000, RFC 9001 §5 for version 1, RFC 9369 for
// version 2) and reassembles their CRYPTO frames into the TLS ClientHello.
package quic

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Versions this package can decrypt.
const (
	Version1 uint32 = 0x00000001
	Version2 uint32 = 0x6b3343cf
)

var (
	saltV1 = []byte{0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a}
	saltV2 = []byte{0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9}
)

// ErrNotInitial means the datagram holds no client Initial packet of a supported version.
var ErrNotInitial = errors.New("quic: not a client initial packet of a supported version")

// IsLongHeader reports whether a datagram starts with a QUIC long header (header form and fixed bit set)
// of a version this package decrypts.
func IsLongHeader(b []byte) bool {
	if len(b) < 7 || b[0]&0xc0 != 0xc0 {
		return false
	}
	v := binary.BigEndian.Uint32(b[1:5])
	return v == Version1 || v == Version2
}

// Keys are the client Initial packet protection keys for one connection ID.
type Keys struct {
	version uint32
	dcid    [20]byte
	dcidLen int
	aead    cipher.AEAD
	hp      cipher.Block
	iv      [12]byte
}

// hkdfExpandLabel is HKDF-Expand-Label from RFC 8446 §7.1 with an empty context.
func hkdfExpandLabel(secret []byte, label string, length int) ([]byte, error) {
	full := "tls13 " + label
	info := make([]byte, 0, 4+len(full))
	info = append(info, byte(length>>8), byte(length), byte(len(full)))
	info = append(info, full...)
	info = append(info, 0)
	return hkdf.Expand(sha256.New, secret, string(info), length)
}

// secrets derives the client Initial AEAD key, IV and header protection key (RFC 9001 §5.2, RFC 9369 §3.3).
func secrets(version uint32, dcid []byte) (key, iv, hpKey []byte, err error) {
	var salt []byte
	labels := [3]string{"quic key", "quic iv", "quic hp"}
	switch version {
	case Version1:
		salt = saltV1
	case Version2:
		salt = saltV2
		labels = [3]string{"quicv2 key", "quicv2 iv", "quicv2 hp"}
	default:
		return nil, nil, nil, fmt.Errorf("quic: unsupported version 0x%08x", version)
	}
	if len(dcid) > 20 {
		return nil, nil, nil, fmt.Errorf("quic: destination connection id of %d bytes (max 20)", len(dcid))
	}
	initial, err := hkdf.Extract(sha256.New, dcid, salt)
	if err != nil {
		return nil, nil, nil, err
	}
	client, err := hkdfExpandLabel(initial, "client in", 32)
	if err != nil {
		return nil, nil, nil, err
	}
	if key, err = hkdfExpandLabel(client, labels[0], 16); err != nil {
		return nil, nil, nil, err
	}
	if iv, err = hkdfExpandLabel(client, labels[1], 12); err != nil {
		return nil, nil, nil, err
	}
	if hpKey, err = hkdfExpandLabel(client, labels[2], 16); err != nil {
		return nil, nil, nil, err
	}
	return key, iv, hpKey, nil
}

// NewKeys derives the client Initial keys for version from the client's first destination connection ID.
func NewKeys(version uint32, dcid []byte) (*Keys, error) {
	key, iv, hpKey, err := secrets(version, dcid)
	if err != nil {
		return nil, err
	}
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(blk)
	if err != nil {
		return nil, err
	}
	hp, err := aes.NewCipher(hpKey)
	if err != nil {
		return nil, err
	}
	k := &Keys{version: version, aead: aead, hp: hp, dcidLen: len(dcid)}
	copy(k.dcid[:], dcid)
	copy(k.iv[:], iv)
	return k, nil
}

// Matches reports whether k was derived for version and dcid.
func (k *Keys) Matches(version uint32, dcid []byte) bool {
	return k.version == version && string(k.dcid[:k.dcidLen]) == string(dcid)
}

// Header is the part of a long-header packet read before decryption.
type Header struct {
	Version uint32
	DCID    []byte
	SCID    []byte
	// Initial is true for an Initial packet (type 0 in v1, 1 in v2).
	Initial bool
	// Len is the total length of this packet within the datagram (coalesced packets follow it).
	Len int
	// pnOff is where the packet number starts; payloadEnd is where the protected payload ends.
	pnOff, end int
}

func varint(b []byte) (uint64, int) {
	if len(b) == 0 {
		return 0, 0
	}
	n := 1 << (b[0] >> 6)
	if len(b) < n {
		return 0, 0
	}
	v := uint64(b[0] & 0x3f)
	for i := 1; i < n; i++ {
		v = v<<8 | uint64(b[i])
	}
	return v, n
}

// ParseHeader reads the long header at the start of b. It does not remove header protection.
func ParseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < 7 || b[0]&0x80 == 0 {
		return h, errors.New("quic: not a long header packet")
	}
	h.Version = binary.BigEndian.Uint32(b[1:5])
	if h.Version != Version1 && h.Version != Version2 {
		return h, ErrNotInitial
	}
	typ := (b[0] >> 4) & 3
	h.Initial = (h.Version == Version1 && typ == 0) || (h.Version == Version2 && typ == 1)
	off := 5
	dl := int(b[off])
	off++
	if dl > 20 || len(b) < off+dl+1 {
		return h, fmt.Errorf("quic: bad destination connection id length %d", dl)
	}
	h.DCID = b[off : off+dl]
	off += dl
	sl := int(b[off])
	off++
	if sl > 20 || len(b) < off+sl {
		return h, fmt.Errorf("quic: bad source connection id length %d", sl)
	}
	h.SCID = b[off : off+sl]
	off += sl
	retry := (h.Version == Version1 && typ == 3) || (h.Version == Version2 && typ == 0)
	if retry {
		h.Len = len(b)
		return h, nil
	}
	if h.Initial {
		tl, n := varint(b[off:])
		if n == 0 || uint64(len(b)-off-n) < tl {
			return h, errors.New("quic: truncated token length")
		}
		off += n + int(tl)
	}
	pl, n := varint(b[off:])
	if n == 0 {
		return h, errors.New("quic: truncated length field")
	}
	off += n
	if uint64(len(b)-off) < pl {
		return h, fmt.Errorf("quic: packet length %d exceeds the %d bytes left in the datagram", pl, len(b)-off)
	}
	h.pnOff = off
	h.end = off + int(pl)
	h.Len = h.end
	return h, nil
}

// Open removes header protection and decrypts the Initial packet pkt (whose header h was parsed by
// ParseHeader) into dst, returning the plaintext frames. pkt is modified in place.
func (k *Keys) Open(dst, pkt []byte, h Header) ([]byte, error) {
	if h.end-h.pnOff < 4+16 || h.pnOff+4+16 > len(pkt) {
		return nil, errors.New("quic: packet too short to sample for header protection")
	}
	var mask [16]byte
	k.hp.Encrypt(mask[:], pkt[h.pnOff+4:h.pnOff+4+16])
	pkt[0] ^= mask[0] & 0x0f
	pnLen := int(pkt[0]&3) + 1
	var pn uint64
	for i := 0; i < pnLen; i++ {
		pkt[h.pnOff+i] ^= mask[1+i]
		pn = pn<<8 | uint64(pkt[h.pnOff+i])
	}
	var nonce [12]byte
	copy(nonce[:], k.iv[:])
	for i := 0; i < 8; i++ {
		nonce[11-i] ^= byte(pn >> (8 * i))
	}
	hdrEnd := h.pnOff + pnLen
	out, err := k.aead.Open(dst, nonce[:], pkt[hdrEnd:h.end], pkt[:hdrEnd])
	if err != nil {
		return nil, fmt.Errorf("quic: initial packet does not decrypt: %w", err)
	}
	return out, nil
}

// CryptoFrame is one CRYPTO frame's data at its offset in the Initial crypto stream.
type CryptoFrame struct {
	Offset uint64
	Data   []byte
}

// Frames walks decrypted Initial payload and calls fn for each CRYPTO frame. It stops at the first frame
// type that may not appear in an Initial packet.
func Frames(p []byte, fn func(CryptoFrame)) error {
	for off := 0; off < len(p); {
		t, n := varint(p[off:])
		if n == 0 {
			return errors.New("quic: truncated frame type")
		}
		off += n
		switch {
		case t == 0x00 || t == 0x01: // PADDING, PING
		case t == 0x02 || t == 0x03: // ACK
			var v [4]uint64
			for i := range v {
				x, m := varint(p[off:])
				if m == 0 {
					return errors.New("quic: truncated ACK frame")
				}
				v[i] = x
				off += m
			}
			ranges := v[2]
			if ranges > uint64(len(p)) {
				return errors.New("quic: ACK frame range count exceeds the packet")
			}
			for i := uint64(0); i < 2*ranges; i++ {
				_, m := varint(p[off:])
				if m == 0 {
					return errors.New("quic: truncated ACK range")
				}
				off += m
			}
			if t == 0x03 {
				for i := 0; i < 3; i++ {
					_, m := varint(p[off:])
					if m == 0 {
						return errors.New("quic: truncated ACK ECN counts")
					}
					off += m
				}
			}
		case t == 0x06: // CRYPTO
			o, m := varint(p[off:])
			if m == 0 {
				return errors.New("quic: truncated CRYPTO offset")
			}
			off += m
			l, m := varint(p[off:])
			if m == 0 || uint64(len(p)-off-m) < l {
				return errors.New("quic: truncated CRYPTO frame")
			}
			off += m
			fn(CryptoFrame{Offset: o, Data: p[off : off+int(l)]})
			off += int(l)
		case t == 0x1c || t == 0x1d: // CONNECTION_CLOSE
			return nil
		default:
			return fmt.Errorf("quic: frame type 0x%x not allowed in an Initial packet", t)
		}
	}
	return nil
}
