package capture

import (
	"os"
	"testing"
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
