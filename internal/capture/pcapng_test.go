package capture

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// TestPcapngMixedLinkTypes: one pcapng with an Ethernet, a raw-IP and a Linux-cooked interface; each
// packet is decoded by its own interface's link type.
func TestPcapngMixedLinkTypes(t *testing.T) {
	http := seg{src: netip.MustParseAddrPort("192.0.2.1:40000"), dst: netip.MustParseAddrPort("198.51.100.7:80"), flags: tcpACK | 0x08, seq: 1,
		payload: []byte("GET / HTTP/1.1\r\nHost: eth.example.test\r\n\r\n")}
	raw := seg{src: netip.MustParseAddrPort("[2001:db8::1]:40001"), dst: netip.MustParseAddrPort("[2001:db8::2]:80"), flags: tcpACK | 0x08, seq: 1,
		payload: []byte("GET / HTTP/1.1\r\nHost: raw.example.test\r\n\r\n")}
	cooked := seg{src: netip.MustParseAddrPort("203.0.113.9:40002"), dst: netip.MustParseAddrPort("198.51.100.8:8080"), flags: tcpACK | 0x08, seq: 1,
		payload: []byte("GET / HTTP/1.1\r\nHost: sll.example.test\r\n\r\n")}
	sll := func(s seg) []byte {
		fr := s.frame()
		hdr := make([]byte, 16)
		copy(hdr[14:], fr[12:14])
		return append(hdr, fr[14:]...)
	}

	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriterInterface(&buf, pcapgo.NgInterface{Name: "eth0", LinkType: layers.LinkTypeEthernet, SnapLength: 65535}, pcapgo.DefaultNgWriterOptions)
	if err != nil {
		t.Fatal(err)
	}
	rawID, err := w.AddInterface(pcapgo.NgInterface{Name: "tun0", LinkType: layers.LinkTypeRaw, SnapLength: 65535})
	if err != nil {
		t.Fatal(err)
	}
	sllID, err := w.AddInterface(pcapgo.NgInterface{Name: "any", LinkType: layers.LinkTypeLinuxSLL, SnapLength: 65535})
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, p := range []struct {
		iface int
		data  []byte
	}{{0, http.frame()}, {rawID, raw.frame()[14:]}, {sllID, sll(cooked)}} {
		ci := gopacket.CaptureInfo{Timestamp: ts.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(p.data), Length: len(p.data), InterfaceIndex: p.iface}
		if err := w.WritePacket(ci, p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	res, err := Read(bytes.NewReader(buf.Bytes()), "mixed.pcapng", Config{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "pcapng" {
		t.Errorf("format %q", res.Format)
	}
	inv := res.Analyzer.Inventory("mixed.pcapng")
	want := []string{"eth.example.test", "raw.example.test", "sll.example.test"}
	if len(inv.Flows) != len(want) {
		t.Fatalf("%d flows, want %d", len(inv.Flows), len(want))
	}
	for i, f := range inv.Flows {
		if f.Host != want[i] || f.NameSource != "http-host" || f.Protocol != "http" {
			t.Errorf("flow %d: %q by %q (%s)", i, f.Host, f.NameSource, f.Protocol)
		}
	}
	if !inv.Started.Equal(ts) {
		t.Errorf("started %v, want %v", inv.Started, ts)
	}
}
