package probe_test

import (
	"fmt"
	"net/netip"

	"hopscope/internal/path"
	"hopscope/internal/probe"
)

// A probe carries its identity where load balancers do not look (here the UDP checksum), and the
// reply a router sends is matched back to it.
func ExampleFlow_Match() {
	f := &probe.Flow{Method: path.ProtoUDP, Src: netip.MustParseAddr("10.1.1.10"), Dst: netip.MustParseAddr("203.0.113.25"),
		SrcPort: 40000, DstPort: 33434}
	pkt, _ := probe.BuildPacket(f, probe.Probe{Seq: 42, TTL: 9, Flow: 1})

	// The ICMP time exceeded that 198.51.100.2 sends back, quoting the probe (RFC 792).
	icmp := append([]byte{11, 0, 0, 0, 0, 0, 0, 0}, pkt...)
	sum := probe.Checksum(0, icmp)
	icmp[2], icmp[3] = byte(sum>>8), byte(sum)
	ip := []byte{0x45, 0, 0, byte(20 + len(icmp)), 0, 0, 0, 0, 247, 1, 0, 0, 198, 51, 100, 2, 10, 1, 1, 10}
	m, err := probe.ParseICMPv4(append(ip, icmp...))
	if err != nil {
		fmt.Println(err)
		return
	}
	r, ok := f.Match(m)
	fmt.Println(ok, r.Seq, r.From, r.Kind == probe.KindTimeExceeded, r.QuotedTTL)
	// Output: true 42 198.51.100.2 true 9
}
