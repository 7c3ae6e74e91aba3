package capture

import (
	"bytes"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"hopscope/internal/capture/quic"
)

// corpusPayloads returns transport payloads of the corpus captures that satisfy keep, for fuzz seeds.
func corpusPayloads(t testing.TB, keep func(p *packet) bool) [][]byte {
	t.Helper()
	var out [][]byte
	for _, f := range []string{"arkime-curl-enabled-tls13.pcap", "zeek-quic-curl-http3-www-google-de.pcap", "zeek-wikipedia.pcap", "ndpi-android.pcap"} {
		data, err := os.ReadFile("testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		// Classic pcap, little-endian, Ethernet: walk the records directly.
		for off := 24; off+16 <= len(data); {
			n := int(data[off+8]) | int(data[off+9])<<8 | int(data[off+10])<<16
			if off+16+n > len(data) {
				break
			}
			var p packet
			if decode(LinkEthernet, data[off+16:off+16+n], &p) == decodedTransport && len(p.payload) > 0 && keep(&p) {
				out = append(out, slices.Clone(p.payload))
			}
			off += 16 + n
		}
	}
	if len(out) == 0 {
		t.Fatal("no seeds")
	}
	return out
}

func FuzzReadCapture(f *testing.F) {
	for _, name := range []string{"arkime-curl-enabled-tls13.pcap", "zeek-quic-curl-http3-www-google-de.pcap", "ndpi-sites.pcapng"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 2500)]) // small seeds keep the minimisation of new inputs quick
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// The in-place walker used for mapped files must agree with the streaming one on packet counts.
		mem := NewAnalyzer(Config{MaxStreamBytes: 4096})
		memErr := readPcapMem(b, "fuzz.pcap", mem)
		if memErr == nil {
			win := NewAnalyzer(Config{MaxStreamBytes: 4096})
			if err := readPcapFast(bytes.NewReader(b), "fuzz.pcap", win); err != nil {
				t.Fatalf("mapped walker read it, streaming reader failed: %v", err)
			}
			if mem.Stats() != win.Stats() {
				t.Fatalf("stats: mapped %+v, streaming %+v", mem.Stats(), win.Stats())
			}
		}
		res, err := Read(bytes.NewReader(b), "fuzz.pcap", Config{MaxStreamBytes: 4096})
		if err != nil {
			return
		}
		inv := res.Analyzer.Inventory("fuzz.pcap")
		for _, fl := range inv.Flows {
			if fl.Protocol == "" || fl.Transport == "" {
				t.Fatalf("flow without protocol or transport: %+v", fl)
			}
		}
	})
}

func FuzzDecode(f *testing.F) {
	for _, s := range corpusPayloads(f, func(p *packet) bool { return p.sport == 443 || p.dport == 443 })[:8] {
		f.Add(uint8(1), s)
	}
	f.Add(uint8(113), []byte{0, 0, 1, 4, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0x45, 0, 0, 40})
	f.Fuzz(func(t *testing.T, link uint8, b []byte) {
		links := []LinkType{LinkNull, LinkEthernet, LinkRaw, LinkLoop, LinkLinuxSLL, LinkIPv4, LinkIPv6, LinkLinuxSLL2}
		var p packet
		if decode(links[int(link)%len(links)], b, &p) == decodedTransport {
			if len(p.payload) > len(b) {
				t.Fatalf("payload %d bytes from a %d-byte frame", len(p.payload), len(b))
			}
		}
	})
}

func FuzzQUICInitial(f *testing.F) {
	for _, s := range corpusPayloads(f, func(p *packet) bool { return p.dport == 443 && quic.IsLongHeader(p.payload) }) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var a quic.Assembler
		a.Add(b)
		a.Add(b)
		if a.Done() && a.Hello().ServerName == "" && len(a.Hello().ALPN) > 1<<16 {
			t.Fatal("impossible hello")
		}
	})
}

// FuzzDNSAnswers checks the hand-written answer extraction against miekg/dns: whenever miekg/dns reads a
// successful response, both must find the same addresses with the same owner names.
func FuzzDNSAnswers(f *testing.F) {
	for _, s := range corpusPayloads(f, func(p *packet) bool { return p.sport == 53 }) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := dnsAnswers(b)
		var m dns.Msg
		if m.Unpack(b) != nil || !m.Response || m.Rcode != 0 || len(m.Question) == 0 {
			return
		}
		var want []string
		escaped := false
		for _, rr := range m.Answer {
			var a netip.Addr
			switch r := rr.(type) {
			case *dns.A:
				a, _ = netip.AddrFromSlice(r.A.To4())
			case *dns.AAAA:
				a, _ = netip.AddrFromSlice(r.AAAA.To16())
			default:
				continue
			}
			if rr.Header().Class&0x7fff != dns.ClassINET || !a.IsValid() {
				continue
			}
			want = append(want, normName(rr.Header().Name)+" "+a.String())
			if strings.ContainsRune(rr.Header().Name, '\\') {
				escaped = true // miekg/dns escapes odd bytes in names; compare addresses only
			}
		}
		if err != nil {
			// miekg/dns stops quietly at a truncated section; we report it, and lose only what was cut.
			if len(want) > len(got) && len(got) == 0 && !bytes.Contains(b, []byte{0}) {
				t.Fatalf("miekg/dns reads %q, we fail: %v", want, err)
			}
			return
		}
		var have []string
		for _, x := range got {
			have = append(have, x.host+" "+x.addr.String())
		}
		if escaped {
			for i := range have {
				have[i] = have[i][strings.LastIndexByte(have[i], ' '):]
			}
			for i := range want {
				want[i] = want[i][strings.LastIndexByte(want[i], ' '):]
			}
		}
		if !slices.Equal(have, want) {
			t.Fatalf("answers %q, miekg/dns %q", have, want)
		}
	})
}

func FuzzFilter(f *testing.F) {
	for _, s := range []string{"tcp port 443", "not (udp or src net 10.0.0.0/8) and dst host 2001:db8::1", "portrange 1-1024 || ip6"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := ParseFilter(s)
		if err == nil && flt != nil {
			var p packet
			flt.match(&p)
		}
	})
}
