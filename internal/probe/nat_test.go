package probe

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"testing"
	"time"

	"hopscope/internal/path"
)

// natted returns the probe packet pkt of flow f as a stateless NAT forwards it: source address
// replaced by to, transport checksum updated (IPv4); id, when not zero, replaces the IP ID.
func natted(f *Flow, pkt []byte, to netip.Addr, id uint16) []byte {
	b := slices.Clone(pkt)
	copy(b[12:16], to.AsSlice())
	if id != 0 {
		binary.BigEndian.PutUint16(b[4:], id)
	}
	l4 := b[20:]
	at := map[path.Protocol]int{path.ProtoUDP: 6, path.ProtoTCP: 16}[f.Method]
	if at != 0 {
		proto := map[path.Protocol]uint8{path.ProtoUDP: protoUDP, path.ProtoTCP: protoTCP}[f.Method]
		l4[at], l4[at+1] = 0, 0
		binary.BigEndian.PutUint16(l4[at:], Checksum(pseudoSum(to, f.Dst, proto, len(l4)), l4))
	}
	return b
}

func TestMatchRewrittenQuote(t *testing.T) {
	nat := netip.MustParseAddr("198.51.100.99")
	p := Probe{Seq: 42, TTL: 7, Flow: 1}
	for _, tc := range []struct {
		name   string
		method path.Protocol
		v6     bool
		id     uint16
		want   []string
		wantOK bool
	}{
		{"icmp4 source rewritten", path.ProtoICMP, false, 0, []string{"source address 10.0.0.2 → 198.51.100.99"}, true},
		{"udp4 source rewritten: the IP ID names the probe", path.ProtoUDP, false, 0, []string{"source address 10.0.0.2 → 198.51.100.99"}, true},
		{"tcp4 source rewritten", path.ProtoTCP, false, 0, []string{"source address 10.0.0.2 → 198.51.100.99"}, true},
		{"icmp4 source and IP ID rewritten", path.ProtoICMP, false, 777, []string{"source address 10.0.0.2 → 198.51.100.99", "IP ID 42 → 777"}, true},
		{"as sent", path.ProtoUDP, false, 0, nil, true},
		{"icmp6 from another source is not ours", path.ProtoICMP, true, 0, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := testFlow(tc.method, tc.v6, false)
			pkt, err := BuildPacket(f, p)
			if err != nil {
				t.Fatal(err)
			}
			rtr := rtr4
			switch {
			case tc.v6:
				rtr = rtr6
				pkt = slices.Clone(pkt)
				copy(pkt[8:24], netip.MustParseAddr("fd00::99").AsSlice())
			case tc.want != nil:
				pkt = natted(f, pkt, nat, tc.id)
			}
			te := map[bool]uint8{false: 11, true: 3}[tc.v6]
			raw := icmpError(tc.v6, rtr, te, 0, pkt, nil, false)
			parse := ParseICMPv4
			if tc.v6 {
				parse = ParseICMPv6
			}
			m, err := parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if tc.v6 {
				m.From = rtr
			}
			r, ok := f.Match(m)
			if ok != tc.wantOK {
				t.Fatalf("Match ok = %v, want %v", ok, tc.wantOK)
			}
			if ok && (r.Seq != 42 || !slices.Equal(r.Rewrites, tc.want)) {
				t.Errorf("reply seq %d rewrites %q, want 42 and %q", r.Seq, r.Rewrites, tc.want)
			}
		})
	}
}

func TestTracerNAT(t *testing.T) {
	a := netip.MustParseAddr
	ms := time.Millisecond
	hops := []simHop{
		{from: []netip.Addr{a("10.0.1.1")}, rtt: ms}, {from: []netip.Addr{a("10.0.2.1")}, rtt: 2 * ms},
		{from: []netip.Addr{a("10.0.3.1")}, rtt: 3 * ms}, {from: []netip.Addr{a("203.0.113.25")}, rtt: 4 * ms, target: true},
	}
	for _, tc := range []struct {
		name    string
		from    int // first TTL whose quote is rewritten; 0 for none
		wantTTL int
	}{
		{"rewritten after hop 2", 3, 3},
		{"no NAT", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			net := newSimNet(hops...)
			net.rewrites = func(p Probe) []string {
				if tc.from > 0 && p.TTL >= tc.from {
					return []string{"source address 10.0.0.2 → 198.51.100.99"}
				}
				return nil
			}
			tr, _ := runSim(t, net, Config{})
			switch {
			case tc.wantTTL == 0 && tr.NAT != nil:
				t.Errorf("NAT %+v, want none", tr.NAT)
			case tc.wantTTL != 0 && (tr.NAT == nil || tr.NAT.TTL != tc.wantTTL || tr.NAT.From != a("10.0.3.1") || len(tr.NAT.Changes) != 1):
				t.Errorf("NAT %+v, want at ttl %d from 10.0.3.1", tr.NAT, tc.wantTTL)
			}
		})
	}
}
