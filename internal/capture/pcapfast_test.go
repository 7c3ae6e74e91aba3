package capture

import (
	"bytes"
	"os"
	"reflect"
	"testing"
)

// TestFastReaderMatchesPcapgo: the in-place pcap reader gives exactly what pcapgo.Reader gives.
func TestFastReaderMatchesPcapgo(t *testing.T) {
	for _, name := range []string{"arkime-curl-enabled-tls13.pcap", "ndpi-android.pcap", "ndpi-iphone.pcap", "zeek-wikipedia.pcap", "zeek-quic-curl-http3-www-google-de.pcap"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + name)
			if err != nil {
				t.Fatal(err)
			}
			for _, cut := range []int{len(data), len(data) - 100, len(data) / 2} {
				fast, slow := NewAnalyzer(Config{}), NewAnalyzer(Config{})
				if err := readPcapFast(bytes.NewReader(data[:cut]), name, fast); err != nil {
					t.Fatal(err)
				}
				if err := readPcap(bytes.NewReader(data[:cut]), name, slow); err != nil {
					t.Fatal(err)
				}
				mem := NewAnalyzer(Config{})
				if err := readPcapMem(data[:cut], name, mem); err != nil {
					t.Fatal(err)
				}
				if mem.Stats() != slow.Stats() {
					t.Errorf("cut %d: stats in memory %+v, pcapgo %+v", cut, mem.Stats(), slow.Stats())
				}
				if fast.Stats() != slow.Stats() {
					t.Errorf("cut %d: stats fast %+v, pcapgo %+v", cut, fast.Stats(), slow.Stats())
				}
				fi, si := fast.Inventory(name), slow.Inventory(name)
				if !reflect.DeepEqual(fi.Flows, si.Flows) {
					t.Errorf("cut %d: flows differ", cut)
				}
				if (len(fi.Warnings) == 0) != (len(si.Warnings) == 0) {
					t.Errorf("cut %d: warnings fast %q, pcapgo %q", cut, fi.Warnings, si.Warnings)
				}
			}
		})
	}
}
