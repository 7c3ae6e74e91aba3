package capture

import (
	"bytes"
	"os"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"hopscope/internal/capture/quic"
	"hopscope/internal/sniff"
)

// BenchmarkReadFile reads a capture end to end: $HOPSCOPE_BENCH_PCAP, or the Android corpus capture.
func BenchmarkReadFile(b *testing.B) {
	path := os.Getenv("HOPSCOPE_BENCH_PCAP")
	if path == "" {
		path = "testdata/ndpi-android.pcap"
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for b.Loop() {
		res, err := ReadFile(path, Config{})
		if err != nil {
			b.Fatal(err)
		}
		res.Analyzer.Inventory(path)
	}
}

// corpusFrames returns the Ethernet frames of a classic corpus capture.
func corpusFrames(b *testing.B, name string) [][]byte {
	b.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		b.Fatal(err)
	}
	var out [][]byte
	for off := 24; off+16 <= len(data); {
		n := int(data[off+8]) | int(data[off+9])<<8 | int(data[off+10])<<16
		out = append(out, data[off+16:off+16+n])
		off += 16 + n
	}
	return out
}

// BenchmarkPacketEstablished is the hot path: a data packet of a flow already named. It must not allocate.
func BenchmarkPacketEstablished(b *testing.B) {
	frames := corpusFrames(b, "arkime-curl-enabled-tls13.pcap")
	a := NewAnalyzer(Config{})
	for i, f := range frames {
		a.Packet(LinkEthernet, int64(i), f, len(f))
	}
	// The last frames are TLS application data of the named flow.
	last := frames[len(frames)-3]
	b.SetBytes(int64(len(last)))
	b.ReportAllocs()
	for b.Loop() {
		a.Packet(LinkEthernet, 1e9, last, len(last))
	}
}

// BenchmarkDecode measures header decoding alone.
func BenchmarkDecode(b *testing.B) {
	frames := corpusFrames(b, "ndpi-android.pcap")
	var p packet
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range frames {
			decode(LinkEthernet, f, &p)
		}
	}
}

func benchPayload(b *testing.B, keep func(p *packet) bool) []byte {
	ps := corpusPayloads(b, keep)
	return ps[0]
}

func BenchmarkTLSClientHello(b *testing.B) {
	hello := benchPayload(b, func(p *packet) bool { return p.dport == 443 && sniff.IsRecordStart(p.payload) })
	b.SetBytes(int64(len(hello)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sniff.ParseRecords(hello); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQUICInitial(b *testing.B) {
	dg := benchPayload(b, func(p *packet) bool { return p.dport == 443 && quic.IsLongHeader(p.payload) })
	b.SetBytes(int64(len(dg)))
	b.ReportAllocs()
	for b.Loop() {
		var a quic.Assembler
		if _, err := a.Add(dg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDNSAnswers(b *testing.B) {
	msg := benchPayload(b, func(p *packet) bool { return p.sport == 53 })
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dnsAnswers(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeGopacket decodes the same frames with gopacket's DecodingLayerParser, for comparison
// with BenchmarkDecode (the hand-written decoder this package uses).
func BenchmarkDecodeGopacket(b *testing.B) {
	frames := corpusFrames(b, "ndpi-android.pcap")
	var (
		eth   layers.Ethernet
		ip4   layers.IPv4
		ip6   layers.IPv6
		tcp   layers.TCP
		udp   layers.UDP
		pl    gopacket.Payload
		found []gopacket.LayerType
	)
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &ip4, &ip6, &tcp, &udp, &pl)
	parser.IgnoreUnsupported = true
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range frames {
			parser.DecodeLayers(f, &found)
		}
	}
}

// BenchmarkReadMem compares the serial and the sharded reader on $HOPSCOPE_BENCH_PCAP (or a corpus file).
func BenchmarkReadMem(b *testing.B) {
	path := os.Getenv("HOPSCOPE_BENCH_PCAP")
	if path == "" {
		path = "testdata/ndpi-android.pcap"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		b.Run(map[int]string{1: "serial", 2: "2-shards"}[workers], func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				var a *Analyzer
				if workers == 1 {
					a = NewAnalyzer(Config{})
					if err := readPcapMem(data, path, a); err != nil {
						b.Fatal(err)
					}
				} else if a, err = readPcapMemParallel(data, path, Config{}, workers); err != nil {
					b.Fatal(err)
				}
				a.Inventory(path)
			}
		})
	}
}

// BenchmarkReadPcapngMem walks a pcapng held in memory in place ($HOPSCOPE_BENCH_PCAPNG, or the corpus
// capture) against gopacket's NgReader on the same bytes.
func BenchmarkReadPcapngMem(b *testing.B) {
	path := os.Getenv("HOPSCOPE_BENCH_PCAPNG")
	if path == "" {
		path = "testdata/ndpi-sites.pcapng"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("walker", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if err := readPcapngMem(data, path, NewAnalyzer(Config{})); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("NgReader", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if err := readPcapng(bytes.NewReader(data), path, NewAnalyzer(Config{})); err != nil {
				b.Fatal(err)
			}
		}
	})
}
