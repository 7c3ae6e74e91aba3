package capture

import (
	"os"
	"reflect"
	"slices"
	"testing"
)

// TestParallelMatchesSerial: reading with shards gives the same flows, names, counters and warnings as
// reading on one goroutine.
func TestParallelMatchesSerial(t *testing.T) {
	for _, name := range []string{"arkime-curl-enabled-tls13.pcap", "ndpi-android.pcap", "ndpi-iphone.pcap", "zeek-wikipedia.pcap", "zeek-quic-curl-http3-www-google-de.pcap"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + name)
			if err != nil {
				t.Fatal(err)
			}
			for _, cut := range []int{len(data), len(data) - 77} {
				serial := NewAnalyzer(Config{})
				if err := readPcapMem(data[:cut], name, serial); err != nil {
					t.Fatal(err)
				}
				for _, workers := range []int{2, 3, 7} {
					par, err := readPcapMemParallel(data[:cut], name, Config{}, workers)
					if err != nil {
						t.Fatal(err)
					}
					if par.Stats() != serial.Stats() {
						t.Errorf("cut %d, %d workers: stats %+v, serial %+v", cut, workers, par.Stats(), serial.Stats())
					}
					pi, si := par.Inventory(name), serial.Inventory(name)
					if !reflect.DeepEqual(pi.Flows, si.Flows) {
						for i := range min(len(pi.Flows), len(si.Flows)) {
							if !reflect.DeepEqual(pi.Flows[i], si.Flows[i]) {
								t.Errorf("cut %d, %d workers: flow %d\n par %+v\n ser %+v", cut, workers, i, pi.Flows[i], si.Flows[i])
								break
							}
						}
					}
					pw, sw := slices.Sorted(slices.Values(pi.Warnings)), slices.Sorted(slices.Values(si.Warnings))
					if !slices.Equal(pw, sw) {
						t.Errorf("cut %d, %d workers: warnings %q, serial %q", cut, workers, pw, sw)
					}
				}
			}
		})
	}
}
