package capture

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
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

// TestMappedFileShrinks: a capture truncated by another program while it is mapped gives the packets
// before the cut and a warning, in the serial and the sharded reader of both formats, instead of a crash
// (SIGBUS).
func TestMappedFileShrinks(t *testing.T) {
	for _, file := range []string{"ndpi-android.pcap", "ndpi-sites.pcapng"} {
		orig, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		pcapng := strings.HasSuffix(file, ".pcapng")
		read := func(data []byte, name string, workers int) (*Analyzer, error) {
			switch {
			case workers > 1 && pcapng:
				return readPcapngMemParallel(data, name, Config{}, workers)
			case workers > 1:
				return readPcapMemParallel(data, name, Config{}, workers)
			}
			a := NewAnalyzer(Config{})
			if pcapng {
				return a, readPcapngMem(data, name, a)
			}
			return a, readPcapMem(data, name, a)
		}
		full, err := read(orig, "full", 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, workers := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s, %d workers", file, workers), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "shrinking")
				if err := os.WriteFile(path, orig, 0o644); err != nil {
					t.Fatal(err)
				}
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				data, unmap, ok := mapFile(f)
				if !ok {
					t.Skip("this platform does not map files")
				}
				defer unmap()
				// Cut the file to 8 KiB under the mapping: every page after the first two faults when read.
				if err := os.Truncate(path, 8<<10); err != nil {
					t.Fatal(err)
				}
				a, err := read(data, path, workers)
				if err != nil {
					t.Fatal(err)
				}
				inv := a.Inventory(path)
				if !slices.ContainsFunc(inv.Warnings, func(w string) bool { return strings.Contains(w, "shrank") }) {
					t.Errorf("no warning about the shrunken file: %q", inv.Warnings)
				}
				if got, all := a.Stats().Packets, full.Stats().Packets; got == 0 || got >= all {
					t.Errorf("read %d packets of the cut file, want some of the %d", got, all)
				}
			})
		}
	}
}
