package dnstest

import (
	"encoding/binary"
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"

	mdns "github.com/miekg/dns"
)

// Garbage modes: how a broken server answers.
const (
	GarbageRandom    = "random"    // 48 random bytes
	GarbageWrongID   = "wrong-id"  // a well-formed reply with another ID
	GarbageTruncated = "truncated" // a reply with our ID cut off in the middle of its answer
	GarbageSilent    = "silent"    // nothing at all
	GarbageQuery     = "query"     // our own query echoed back (QR bit clear)
)

// StartGarbage runs a UDP "server" on addr that answers every datagram in the given mode until the test ends.
func StartGarbage(t testing.TB, addr netip.AddrPort, mode string) {
	t.Helper()
	pc, err := net.ListenPacket("udp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	go func() {
		buf := make([]byte, 4096)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if out := GarbageReply(buf[:n], mode); out != nil {
				_, _ = pc.WriteTo(out, from)
			}
		}
	}()
}

// GarbageReply returns what a server in mode sends for query (nil for GarbageSilent or an unreadable query).
func GarbageReply(query []byte, mode string) []byte {
	switch mode {
	case GarbageSilent:
		return nil
	case GarbageRandom:
		b := make([]byte, 48)
		for i := range b {
			b[i] = byte(rand.IntN(256))
		}
		// Never our ID by accident.
		if len(query) >= 2 && b[0] == query[0] && b[1] == query[1] {
			b[0] ^= 0xff
		}
		return b
	case GarbageQuery:
		return append([]byte(nil), query...)
	}
	q := new(mdns.Msg)
	if err := q.Unpack(query); err != nil || len(q.Question) == 0 {
		return nil
	}
	m := new(mdns.Msg)
	m.SetReply(q)
	m.Answer = []mdns.RR{&mdns.A{Hdr: mdns.RR_Header{Name: q.Question[0].Name, Rrtype: mdns.TypeA, Class: mdns.ClassINET, Ttl: 60}, A: net.IPv4(192, 0, 2, 1)}}
	b, err := m.Pack()
	if err != nil {
		return nil
	}
	switch mode {
	case GarbageWrongID:
		binary.BigEndian.PutUint16(b, q.Id+1)
		return b
	case GarbageTruncated:
		return b[:len(b)-6]
	}
	return nil
}
