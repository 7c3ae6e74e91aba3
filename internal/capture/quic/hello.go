package quic

import (
	"errors"

	"hopscope/internal/capture/reasm"
	"hopscope/internal/sniff"
)

// MaxCrypto is how many bytes of the Initial crypto stream an Assembler keeps (a post-quantum
// ClientHello is under 2 KB; large ones with many extensions stay well below this).
const MaxCrypto = 16 << 10

// Assembler collects a client's Initial packets, in any order and coalesced with other packets, and
// reassembles the ClientHello from their CRYPTO frames. The zero value is ready to use.
type Assembler struct {
	keys   *Keys
	crypto reasm.Buffer
	buf    []byte
	done   bool
	hello  sniff.ClientHello
}

// Done reports whether the ClientHello is complete; Hello then returns it.
func (a *Assembler) Done() bool { return a.done }

// Hello returns the reassembled ClientHello; valid when Done.
func (a *Assembler) Hello() sniff.ClientHello { return a.hello }

// Add feeds one UDP datagram sent by the client. It returns true when the ClientHello became complete with
// this datagram. An error means the datagram could not be used (not decryptable, malformed); the
// assembler stays usable for later datagrams.
func (a *Assembler) Add(datagram []byte) (bool, error) {
	if a.done {
		return false, nil
	}
	// Decryption works in place: copy so the caller's buffer is left alone.
	a.buf = append(a.buf[:0], datagram...)
	b := a.buf
	var firstErr error
	for len(b) > 0 {
		if b[0]&0x80 == 0 {
			break // short header packet: 1-RTT, nothing for us
		}
		h, err := ParseHeader(b)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			break
		}
		pkt := b[:h.Len]
		b = b[h.Len:]
		if !h.Initial {
			continue
		}
		if a.keys == nil || !a.keys.Matches(h.Version, h.DCID) {
			k, err := NewKeys(h.Version, h.DCID)
			if err != nil {
				firstErr = err
				continue
			}
			// Keep the first keys: later Initials normally reuse the original DCID; after a Retry or a
			// server-chosen DCID the new keys take over only if they decrypt.
			if a.keys == nil {
				a.keys = k
			} else {
				plain, err := k.Open(nil, append([]byte(nil), pkt...), h)
				if err != nil {
					plain, err = a.keys.Open(nil, pkt, h)
					if err != nil {
						firstErr = err
						continue
					}
				} else {
					a.keys = k
				}
				a.addFrames(plain)
				continue
			}
		}
		plain, err := a.keys.Open(nil, pkt, h)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if err := a.addFrames(plain); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if a.done {
		return true, nil
	}
	return false, firstErr
}

func (a *Assembler) addFrames(plain []byte) error {
	if a.crypto.Max == 0 {
		a.crypto.Max = MaxCrypto
	}
	err := Frames(plain, func(f CryptoFrame) {
		if f.Offset < MaxCrypto {
			a.crypto.Write(int64(f.Offset), f.Data)
		}
	})
	if c := a.crypto.Contiguous(); len(c) > 0 && !a.done {
		h, herr := sniff.ParseHandshake(c)
		switch {
		case herr == nil:
			a.hello, a.done = h, true
			a.crypto.Release()
		case errors.Is(herr, sniff.ErrShort):
		default:
			if err == nil {
				err = herr
			}
		}
	}
	return err
}

// Release frees the assembler's buffers.
func (a *Assembler) Release() {
	a.crypto.Release()
	a.buf = nil
	a.keys = nil
}
