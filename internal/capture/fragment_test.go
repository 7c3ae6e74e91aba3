package capture

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// fragments splits the IP payload of an Ethernet frame built by seg into IP fragments of at most mtu
// payload bytes each (a multiple of 8 but the last), with datagram identification id.
func fragments(t *testing.T, s seg, id uint32, mtu int) [][]byte {
	t.Helper()
	fr := s.frame()
	eth := fr[:14]
	var out [][]byte
	if s.src.Addr().Is4() {
		hdr, body := fr[14:34], fr[34:]
		for off := 0; off < len(body); off += mtu {
			end := min(off+mtu, len(body))
			h := append([]byte(nil), hdr...)
			binary.BigEndian.PutUint16(h[2:4], uint16(20+end-off))
			binary.BigEndian.PutUint16(h[4:6], uint16(id))
			fl := uint16(off / 8)
			if end < len(body) {
				fl |= 0x2000 // more fragments
			}
			binary.BigEndian.PutUint16(h[6:8], fl)
			out = append(out, append(append(append([]byte(nil), eth...), h...), body[off:end]...))
		}
		return out
	}
	hdr, body := fr[14:54], fr[54:]
	next := hdr[6]
	for off := 0; off < len(body); off += mtu {
		end := min(off+mtu, len(body))
		h := append([]byte(nil), hdr...)
		h[6] = 44 // fragment header follows
		binary.BigEndian.PutUint16(h[4:6], uint16(8+end-off))
		fh := []byte{next, 0, 0, 0, 0, 0, 0, 0}
		fo := uint16(off/8) << 3
		if end < len(body) {
			fo |= 1
		}
		binary.BigEndian.PutUint16(fh[2:4], fo)
		binary.BigEndian.PutUint32(fh[4:8], id)
		out = append(out, append(append(append(append([]byte(nil), eth...), h...), fh...), body[off:end]...))
	}
	return out
}

func TestFragmentsJoinTheirFlow(t *testing.T) {
	for _, tc := range []struct {
		name     string
		src, dst string
	}{
		{"ipv4", "192.0.2.10:40000", "198.51.100.53:5000"},
		{"ipv6", "[2001:db8::10]:40000", "[2001:db8::53]:5000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			big := seg{src: netip.MustParseAddrPort(tc.src), dst: netip.MustParseAddrPort(tc.dst), udp: true, payload: bytes.Repeat([]byte("x"), 4000)}
			frags := fragments(t, big, 77, 1480)
			if len(frags) != 3 {
				t.Fatalf("%d fragments, want 3", len(frags))
			}
			stray := fragments(t, big, 78, 1480)[1] // a later fragment of a datagram whose start was not captured
			a := NewAnalyzer(Config{})
			var wire int64
			for i, fr := range append(frags, stray) {
				a.Packet(LinkEthernet, int64(i+1)*1e6, fr, len(fr))
				if i < len(frags) {
					wire += int64(len(fr))
				}
			}
			st := a.Stats()
			if st.Flows != 1 || st.Transport != 1 || st.Fragments != 2 || st.OtherIP != 1 {
				t.Errorf("stats %+v, want 1 flow, 1 transport packet, 2 fragments, 1 other", st)
			}
			inv := a.Inventory("frag")
			if len(inv.Flows) != 1 {
				t.Fatalf("%d flows", len(inv.Flows))
			}
			f := inv.Flows[0]
			if f.BytesUp != wire || f.PacketsUp != 3 || f.Duration != 2e6 {
				t.Errorf("flow %d bytes in %d packets over %v, want %d bytes in 3 packets over 2ms", f.BytesUp, f.PacketsUp, f.Duration, wire)
			}
		})
	}
}

// TestFragmentsSharded: the sharded reader attributes fragments as the serial one does.
func TestFragmentsSharded(t *testing.T) {
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	ts := int64(1e9)
	write := func(fr []byte) {
		ts += 1e6
		ci := gopacket.CaptureInfo{Timestamp: time.Unix(0, ts), CaptureLength: len(fr), Length: len(fr)}
		if err := w.WritePacket(ci, fr); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 {
		src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}), uint16(40000+i))
		big := seg{src: src, dst: netip.MustParseAddrPort("198.51.100.53:5000"), udp: true, payload: bytes.Repeat([]byte{byte(i)}, 3000+i*10)}
		for _, fr := range fragments(t, big, uint32(i), 1480) {
			write(fr)
		}
	}
	data := buf.Bytes()
	serial := NewAnalyzer(Config{})
	if err := readPcapMem(data, "frag.pcap", serial); err != nil {
		t.Fatal(err)
	}
	if st := serial.Stats(); st.Fragments != 80 || st.OtherIP != 0 {
		t.Fatalf("serial stats %+v, want 80 fragments", st)
	}
	for _, workers := range []int{2, 3} {
		par, err := readPcapMemParallel(data, "frag.pcap", Config{}, workers)
		if err != nil {
			t.Fatal(err)
		}
		if par.Stats() != serial.Stats() {
			t.Errorf("%d workers: stats %+v, serial %+v", workers, par.Stats(), serial.Stats())
		}
		if pi, si := par.Inventory("p"), serial.Inventory("p"); !reflect.DeepEqual(pi.Flows, si.Flows) {
			t.Errorf("%d workers: flows differ from the serial read", workers)
		}
	}
}
