package tracefile

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzRealCorpusPastes detects and reads, leniently and strictly, inputs grown from the real Windows
// tracert, WinMTR, mtr and NextTrace outputs of internal/analysis/testdata/realcorpus.
func FuzzRealCorpusPastes(f *testing.F) {
	for _, pattern := range []string{"windows-tracert-*.txt", "winmtr-*.txt", "mtr-*", "nexttrace-*.txt"} {
		files, _ := filepath.Glob(filepath.Join("..", "analysis", "testdata", "realcorpus", pattern))
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data, false)
		}
	}
	f.Add([]byte("192.0.2.1 -> 192.0.2.9 (a), 30 hops max, 28 byte packets, ICMP mode\n1   192.0.2.2  *  x\n   1.0 ms\n----------\n"), false)
	f.Add([]byte("h (192.0.2.1)   Mon Mar  1 13:50:36 2021\n Host  Loss%  Snt\n 1. ???\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, strict bool) {
		trs, err := ParseWith(data, "", ParseOptions{Strict: strict})
		checkResult(t, "", trs, err)
	})
}
