package capture

import (
	"net/netip"
	"testing"

	"golang.org/x/net/bpf"
)

func bpfKeeps(t testing.TB, prog []bpf.RawInstruction, frame []byte) bool {
	t.Helper()
	insns, ok := bpf.Disassemble(prog)
	if !ok {
		t.Fatal("program does not disassemble")
	}
	vm, err := bpf.NewVM(insns)
	if err != nil {
		t.Fatalf("program rejected by the BPF VM: %v", err)
	}
	n, err := vm.Run(frame)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return n > 0
}

// TestCompileBPF: the kernel program agrees with the user-space filter on plain frames.
func TestCompileBPF(t *testing.T) {
	frames := map[string][]byte{
		"v4 tcp 443":  seg{src: netip.MustParseAddrPort("192.0.2.1:40000"), dst: netip.MustParseAddrPort("198.51.100.2:443"), flags: tcpACK}.frame(),
		"v4 udp 53":   seg{src: netip.MustParseAddrPort("10.1.2.3:5353"), dst: netip.MustParseAddrPort("10.9.9.9:53"), udp: true}.frame(),
		"v6 udp 443":  seg{src: netip.MustParseAddrPort("[2001:db8::1]:50000"), dst: netip.MustParseAddrPort("[2001:db8:1::2]:443"), udp: true}.frame(),
		"v6 tcp 22":   seg{src: netip.MustParseAddrPort("[fd00::5]:22"), dst: netip.MustParseAddrPort("[2001:db8::9]:60000"), flags: tcpACK}.frame(),
		"v4 tcp 8080": seg{src: netip.MustParseAddrPort("203.0.113.7:8080"), dst: netip.MustParseAddrPort("192.0.2.1:1024"), flags: tcpACK}.frame(),
	}
	exprs := []string{
		"", "tcp", "udp", "ip", "ip6", "tcp port 443", "udp port 53 or tcp port 22", "port 443",
		"src port 8080", "dst port 443", "portrange 1000-9000", "not port 443", "host 198.51.100.2",
		"src host 192.0.2.1", "dst net 10.0.0.0/8", "net 2001:db8::/32", "src net 2001:db8:1::/48",
		"dst net 2001:db8:1::/48", "not (udp or ip6) and portrange 8000-8100", "ip6 and tcp", "ip and udp dst port 53",
		"net 0.0.0.0/0", "not ip",
	}
	for _, expr := range exprs {
		flt, err := ParseFilter(expr)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		prog, err := flt.CompileBPF(65535)
		if err != nil {
			t.Fatalf("%q: compile: %v", expr, err)
		}
		for name, fr := range frames {
			var p packet
			if decode(LinkEthernet, fr, &p) != decodedTransport {
				t.Fatalf("%s does not decode", name)
			}
			want := flt == nil || flt.match(&p)
			if got := bpfKeeps(t, prog, fr); got != want {
				t.Errorf("%q on %s: BPF keeps %v, user-space filter %v", expr, name, got, want)
			}
		}
	}
}

// FuzzCompileBPF: whatever the filter and frame, the kernel program never drops a packet the user-space
// filter would keep.
func FuzzCompileBPF(f *testing.F) {
	f.Add("tcp port 443", seg{src: netip.MustParseAddrPort("192.0.2.1:40000"), dst: netip.MustParseAddrPort("198.51.100.2:443"), flags: tcpACK}.frame())
	f.Add("not net 2001:db8::/33 and udp", seg{src: netip.MustParseAddrPort("[2001:db8::1]:50000"), dst: netip.MustParseAddrPort("[2001:db8:1::2]:443"), udp: true}.frame())
	f.Fuzz(func(t *testing.T, expr string, frame []byte) {
		flt, err := ParseFilter(expr)
		if err != nil || flt == nil {
			return
		}
		prog, err := flt.CompileBPF(65535)
		if err != nil {
			return // too long for classic BPF: live capture then filters in user space only
		}
		var p packet
		if decode(LinkEthernet, frame, &p) != decodedTransport {
			return // never reaches the user-space filter either
		}
		if flt.match(&p) && !bpfKeeps(t, prog, frame) {
			t.Fatalf("%q: BPF drops a frame the filter keeps: % x", expr, frame)
		}
	})
}
