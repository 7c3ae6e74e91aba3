package dnstest

import (
	"encoding/binary"
	"testing"

	mdns "github.com/miekg/dns"
)

func TestGarbageReply(t *testing.T) {
	q := new(mdns.Msg)
	q.SetQuestion("www.example.test.", mdns.TypeA)
	q.Id = 0x1234
	wire, err := q.Pack()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		mode  string
		check func([]byte) bool
	}{
		{GarbageSilent, func(b []byte) bool { return b == nil }},
		{GarbageRandom, func(b []byte) bool { return len(b) == 48 && binary.BigEndian.Uint16(b) != 0x1234 }},
		{GarbageQuery, func(b []byte) bool { return string(b) == string(wire) }},
		{GarbageWrongID, func(b []byte) bool {
			m := new(mdns.Msg)
			return m.Unpack(b) == nil && m.Id == 0x1235 && len(m.Answer) == 1
		}},
		{GarbageTruncated, func(b []byte) bool {
			m := new(mdns.Msg)
			return binary.BigEndian.Uint16(b) == 0x1234 && m.Unpack(b) != nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			if got := GarbageReply(wire, tc.mode); !tc.check(got) {
				t.Fatalf("GarbageReply(%s) = %x", tc.mode, got)
			}
		})
	}
}
