package capture

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// ngBlock builds one pcapng block in byte order bo.
func ngBlock(bo binary.AppendByteOrder, typ uint32, body []byte) []byte {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	n := uint32(12 + len(body))
	b := bo.AppendUint32(nil, typ)
	b = bo.AppendUint32(b, n)
	b = append(b, body...)
	return bo.AppendUint32(b, n)
}

// bigEndianPcapng is a big-endian pcapng with nanosecond timestamps offset by if_tsoffset: one
// interface, one enhanced packet block carrying an HTTP request, one simple packet block, which starts
// at spb.
func bigEndianPcapng(t testing.TB) (data []byte, spb int) {
	t.Helper()
	bo := binary.BigEndian
	shb := bo.AppendUint32(nil, 0x1a2b3c4d)
	shb = bo.AppendUint16(shb, 1)
	shb = bo.AppendUint16(shb, 0)
	shb = bo.AppendUint64(shb, ^uint64(0)) // section length unknown
	idb := bo.AppendUint16(nil, uint16(LinkEthernet))
	idb = bo.AppendUint16(idb, 0)
	idb = bo.AppendUint32(idb, 65535)
	idb = append(bo.AppendUint16(bo.AppendUint16(idb, 9), 1), 9, 0, 0, 0)              // if_tsresol: 10^-9
	idb = bo.AppendUint64(bo.AppendUint16(bo.AppendUint16(idb, 14), 8), 1_700_000_000) // if_tsoffset
	idb = append(idb, 0, 0, 0, 0)                                                      // opt_endofopt
	frame := seg{src: netip.MustParseAddrPort("192.0.2.1:40000"), dst: netip.MustParseAddrPort("198.51.100.7:80"), flags: tcpACK | 0x08, seq: 1,
		payload: []byte("GET / HTTP/1.1\r\nHost: be.example.test\r\n\r\n")}.frame()
	ts := uint64(1_500_000_123) // 1.500000123 s after the offset
	epb := bo.AppendUint32(nil, 0)
	epb = bo.AppendUint32(epb, uint32(ts>>32))
	epb = bo.AppendUint32(epb, uint32(ts))
	epb = bo.AppendUint32(epb, uint32(len(frame)))
	epb = bo.AppendUint32(epb, uint32(len(frame)))
	epb = append(epb, frame...)
	for _, b := range [][]byte{ngBlock(bo, ngSectionHeader, shb), ngBlock(bo, ngInterface, idb), ngBlock(bo, ngEnhanced, epb)} {
		data = append(data, b...)
	}
	return append(data, ngBlock(bo, ngSimplePacket, append(bo.AppendUint32(nil, uint32(len(frame))), frame...))...), len(data)
}

// TestPcapngWalkerMatchesNgReader: the in-place walker used for mapped files reads every pcapng as
// gopacket's NgReader does: the same counters and flows, and a warning where either stops early.
func TestPcapngWalkerMatchesNgReader(t *testing.T) {
	sites, err := os.ReadFile("testdata/ndpi-sites.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	be, spb := bigEndianPcapng(t)
	cases := []struct {
		name string
		data []byte
		cut  bool
	}{
		{"ndpi-sites", sites, false},
		{"ndpi-sites cut mid-block", sites[:len(sites)-77], true},
		// NgReader gives a simple packet block no time at all; the walker gives it the time before.
		{"big-endian, ns resolution, offset", be[:spb], false},
	}
	// Wireshark's own writer: every corpus capture merged into one pcapng, one interface per input.
	if _, err := exec.LookPath("mergecap"); err == nil {
		out := filepath.Join(t.TempDir(), "merged.pcapng")
		in, _ := filepath.Glob("testdata/*.pcap")
		if msg, err := exec.Command("mergecap", append([]string{"-F", "pcapng", "-w", out}, append(in, "testdata/ndpi-sites.pcapng")...)...).CombinedOutput(); err != nil {
			t.Fatalf("mergecap: %v\n%s", err, msg)
		}
		merged, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct {
			name string
			data []byte
			cut  bool
		}{"mergecap of the corpus", merged, false})
	} else {
		t.Log("mergecap not installed (Debian's wireshark-common, with tshark): the merged case is skipped")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ref, err := Read(bytes.NewReader(tc.data), tc.name, Config{})
			if err != nil {
				t.Fatal(err)
			}
			fast := NewAnalyzer(Config{})
			if err := readPcapngMem(tc.data, tc.name, fast); err != nil {
				t.Fatal(err)
			}
			if fast.Stats().Packets == 0 || fast.Stats().Flows == 0 {
				t.Fatalf("nothing read: %+v", fast.Stats())
			}
			if fast.Stats() != ref.Analyzer.Stats() {
				t.Errorf("stats %+v, NgReader %+v", fast.Stats(), ref.Analyzer.Stats())
			}
			fi, ri := fast.Inventory(tc.name), ref.Analyzer.Inventory(tc.name)
			if !reflect.DeepEqual(fi.Flows, ri.Flows) {
				t.Errorf("flows differ:\n fast %+v\n ref  %+v", fi.Flows, ri.Flows)
			}
			if tc.cut && (len(fi.Warnings) == 0 || len(ri.Warnings) == 0) {
				t.Errorf("a cut file gives a warning: fast %q, NgReader %q", fi.Warnings, ri.Warnings)
			}
			for _, workers := range []int{2, 3} {
				par, err := readPcapngMemParallel(tc.data, tc.name, Config{}, workers)
				if err != nil {
					t.Fatal(err)
				}
				if par.Stats() != fast.Stats() || !reflect.DeepEqual(par.Inventory(tc.name).Flows, fi.Flows) {
					t.Errorf("%d workers differ from the serial walk: %+v", workers, par.Stats())
				}
			}
		})
	}
}

func TestPcapngWalkerBlocks(t *testing.T) {
	be, _ := bigEndianPcapng(t)
	a := NewAnalyzer(Config{})
	if err := readPcapngMem(be, "be.pcapng", a); err != nil {
		t.Fatal(err)
	}
	inv := a.Inventory("be.pcapng")
	if st := a.Stats(); st.Packets != 2 || len(inv.Flows) != 1 || inv.Flows[0].Host != "be.example.test" || inv.Flows[0].PacketsUp != 2 {
		t.Fatalf("stats %+v, flows %+v", st, inv.Flows)
	}
	// if_tsoffset seconds plus 1.500000123 s at nanosecond resolution; the simple packet block, which has
	// no time of its own, takes the one before.
	if got, want := inv.Flows[0].Start.UnixNano(), int64(1_700_000_001_500_000_123); got != want || inv.Flows[0].Duration != 0 {
		t.Errorf("start %d, want %d; duration %v", got, want, inv.Flows[0].Duration)
	}
	bad := func(mut func(b []byte) []byte) []byte { return mut(append([]byte(nil), be...)) }
	for _, tc := range []struct {
		name    string
		data    []byte
		wantErr string // an error: not a readable pcapng
		warn    string // else a warning, and the packets before the fault
	}{
		{"bad byte-order magic", bad(func(b []byte) []byte { b[8] = 0; return b }), "byte-order magic", ""},
		{"section version 2", bad(func(b []byte) []byte { b[13] = 2; return b }), "version 2", ""},
		{"header cut", be[:20], "want at least 28 bytes", ""},
		{"trailing length differs", bad(func(b []byte) []byte { b[len(b)-1]++; return b }), "", "at its end"},
		{"packet on a missing interface", bad(func(b []byte) []byte {
			i := bytes.Index(b, []byte{0, 0, 0, ngEnhanced})
			b[i+11] = 7
			return b
		}), "", "interface 7"},
		{"block cut", be[:len(be)-10], "", "truncated file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := NewAnalyzer(Config{})
			err := readPcapngMem(tc.data, "x.pcapng", a)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "x.pcapng") {
					t.Errorf("error %v, want one naming the file and %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			inv := a.Inventory("x.pcapng")
			if len(inv.Warnings) != 1 || !strings.Contains(inv.Warnings[0], tc.warn) || !strings.Contains(inv.Warnings[0], "x.pcapng: unreadable block at byte") {
				t.Errorf("warnings %q, want one with %q", inv.Warnings, tc.warn)
			}
		})
	}
}

func FuzzPcapngWalk(f *testing.F) {
	be, _ := bigEndianPcapng(f)
	f.Add(be)
	if b, err := os.ReadFile("testdata/ndpi-sites.pcapng"); err == nil {
		f.Add(b[:min(len(b), 4096)])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a := NewAnalyzer(Config{})
		if err := readPcapngMem(data, "fuzz.pcapng", a); err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.pcapng: ") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		for _, w := range a.Inventory("fuzz.pcapng").Warnings {
			if !strings.Contains(w, "fuzz.pcapng") && !strings.Contains(w, "flow") && !strings.Contains(w, "link type") && !strings.Contains(w, "packets were cut") {
				t.Errorf("warning names neither the file nor a flow: %q", w)
			}
		}
	})
}
