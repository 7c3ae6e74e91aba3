package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// dnsAnswer is one address a DNS response gave, with the name asked and the alias chain to it.
type dnsAnswer struct {
	// asked is the question name; host owns the address record (the end of the CNAME chain).
	asked, host string
	// chain runs from asked to host; nil when they are equal.
	chain []string
	addr  netip.Addr
	ttl   uint32
}

func normName(s string) string { return strings.ToLower(strings.TrimSuffix(s, ".")) }

// errDNSName is returned for a name that overruns the message, loops or is too long.
var errDNSName = errors.New("bad name")

// readName decodes the (possibly compressed, RFC 1035 §4.1.4) name at off into dst, lower-cased and
// dot-separated without the final dot, and returns the offset after the name's in-place encoding.
func readName(msg []byte, off int, dst []byte) ([]byte, int, error) {
	end := -1
	for hops := 0; ; {
		if off >= len(msg) {
			return dst, 0, errDNSName
		}
		c := int(msg[off])
		switch c & 0xc0 {
		case 0x00:
			if c == 0 {
				if end < 0 {
					end = off + 1
				}
				return dst, end, nil
			}
			if off+1+c > len(msg) || len(dst)+c+1 > 255 {
				return dst, 0, errDNSName
			}
			if len(dst) > 0 {
				dst = append(dst, '.')
			}
			for _, b := range msg[off+1 : off+1+c] {
				if 'A' <= b && b <= 'Z' {
					b += 'a' - 'A'
				}
				dst = append(dst, b)
			}
			off += 1 + c
		case 0xc0:
			if off+1 >= len(msg) {
				return dst, 0, errDNSName
			}
			if end < 0 {
				end = off + 2
			}
			hops++
			if hops > 32 {
				return dst, 0, errDNSName
			}
			off = int(binary.BigEndian.Uint16(msg[off:]) & 0x3fff)
		default:
			return dst, 0, errDNSName // 0x40 and 0x80 label types are obsolete
		}
	}
}

// dnsAnswers extracts the A and AAAA answers from a DNS response message. A query, an error response
// or a response without addresses gives none and no error.
func dnsAnswers(msg []byte) ([]dnsAnswer, error) { return appendDNSAnswers(nil, msg, nil) }

// appendDNSAnswers is dnsAnswers appending to dst; intern, when not nil, turns names into strings
// (letting the caller share the few names that recur in every answer).
func appendDNSAnswers(dst []dnsAnswer, msg []byte, intern func([]byte) string) ([]dnsAnswer, error) {
	str := intern
	if str == nil {
		str = func(b []byte) string { return string(b) }
	}
	out := dst[:0]
	if len(msg) < 12 {
		return out, fmt.Errorf("dns message of %d bytes is shorter than its header", len(msg))
	}
	if msg[2]&0x80 == 0 || msg[3]&0x0f != 0 {
		return out, nil // a query, or an error response
	}
	qd := int(binary.BigEndian.Uint16(msg[4:6]))
	an := int(binary.BigEndian.Uint16(msg[6:8]))
	if qd == 0 || an == 0 {
		return out, nil
	}
	var scratch [256]byte
	name, off, err := readName(msg, 12, scratch[:0])
	if err != nil {
		return out, fmt.Errorf("dns message: question name at offset 12: %w", err)
	}
	asked := str(name)
	off += 4
	for i := 1; i < qd; i++ { // further questions (rare)
		if _, off, err = readName(msg, off, scratch[:0]); err != nil {
			return out, fmt.Errorf("dns message: question %d: %w", i+1, err)
		}
		off += 4
	}
	if off > len(msg) {
		return out, fmt.Errorf("dns message: question overruns the %d-byte message", len(msg))
	}
	type alias struct{ from, to string }
	var aliasBuf [8]alias
	aliases := aliasBuf[:0]
	for i := 0; i < an; i++ {
		start := off
		name, off, err = readName(msg, off, scratch[:0])
		if err != nil {
			return out, fmt.Errorf("dns message: answer %d name at offset %d: %w", i+1, start, err)
		}
		if off+10 > len(msg) {
			return out, fmt.Errorf("dns message: answer %d header overruns the %d-byte message", i+1, len(msg))
		}
		typ := binary.BigEndian.Uint16(msg[off:])
		class := binary.BigEndian.Uint16(msg[off+2:]) & 0x7fff
		ttl := binary.BigEndian.Uint32(msg[off+4:])
		rdlen := int(binary.BigEndian.Uint16(msg[off+8:]))
		off += 10
		if off+rdlen > len(msg) {
			return out, fmt.Errorf("dns message: answer %d data (%d bytes) overruns the %d-byte message", i+1, rdlen, len(msg))
		}
		rd := msg[off : off+rdlen]
		if class == 1 {
			switch {
			case typ == 1 && rdlen == 4, typ == 28 && rdlen == 16:
				a, _ := netip.AddrFromSlice(rd)
				owner := asked
				if string(name) != asked {
					owner = str(name)
				}
				out = append(out, dnsAnswer{asked: asked, host: owner, addr: a, ttl: ttl})
			case typ == 5:
				var tb [256]byte
				target, _, err := readName(msg, off, tb[:0])
				if err != nil {
					return out, fmt.Errorf("dns message: answer %d CNAME target: %w", i+1, err)
				}
				aliases = append(aliases, alias{str(name), str(target)})
			}
		}
		off += rdlen
	}
	// Attach the alias chain from the asked name to each address's owner (shared by addresses of one owner).
	for i := range out {
		if out[i].host == asked {
			continue
		}
		if i > 0 && out[i-1].host == out[i].host && out[i-1].asked == asked {
			out[i].chain = out[i-1].chain
			continue
		}
		chain := []string{asked}
		for n, hops := asked, 0; hops < 16 && chain[len(chain)-1] != out[i].host; hops++ {
			next := ""
			for _, al := range aliases {
				if al.from == n {
					next = al.to
					break
				}
			}
			if next == "" {
				break
			}
			chain = append(chain, next)
			n = next
		}
		if chain[len(chain)-1] != out[i].host {
			// The address is not reached from the question: not an answer to it.
			out[i].asked, chain = out[i].host, nil
		}
		out[i].chain = chain
	}
	return out, nil
}
