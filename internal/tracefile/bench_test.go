package tracefile

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// linuxTraceroute100k builds a Linux traceroute file of at least n lines: traces of 30 hops mixing
// named and numeric responders, timeouts, several responders on one line and annotations.
func linuxTraceroute100k(n int) []byte {
	var b strings.Builder
	lines := 0
	for tr := 0; lines < n; tr++ {
		fmt.Fprintf(&b, "traceroute to host%d.example (203.0.113.%d), 30 hops max, 60 byte packets\n", tr, tr%250+1)
		lines++
		for ttl := 1; ttl <= 30 && lines < n; ttl++ {
			a, c := tr%200+1, ttl
			switch ttl % 6 {
			case 0:
				fmt.Fprintf(&b, "%2d  * * *\n", ttl)
			case 1:
				fmt.Fprintf(&b, "%2d  r%d-%d.core.example.net (198.51.%d.%d)  %d.%03d ms  %d.%03d ms  %d.%03d ms\n", ttl, a, c, a, c, ttl, a, ttl, c, ttl+1, a)
			case 2:
				fmt.Fprintf(&b, "%2d  198.51.%d.%d (198.51.%d.%d)  %d.%03d ms * 198.51.%d.%d (198.51.%d.%d)  %d.%03d ms\n", ttl, a, c, a, c, ttl, a, a, c+100, a, c+100, ttl, c)
			case 3:
				fmt.Fprintf(&b, "%2d  2001:db8:%x::%x  %d.%03d ms  %d.%03d ms  %d.%03d ms\n", ttl, a, c, ttl, a, ttl, c, ttl, a)
			case 4:
				fmt.Fprintf(&b, "%2d  edge%d.example.org (192.0.2.%d)  %d.%03d ms !H  %d.%03d ms !H  *\n", ttl, a, c, ttl*3, a, ttl*3, c)
			default:
				fmt.Fprintf(&b, "%2d  192.0.2.%d  %d.%03d ms  %d.%03d ms  %d.%03d ms\n", ttl, c, ttl, a, ttl, c, ttl, a)
			}
			lines++
		}
	}
	return []byte(b.String())
}

func BenchmarkParseLinux100k(b *testing.B) {
	data := linuxTraceroute100k(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	start := processCPU()
	for b.Loop() {
		trs, err := Parse(data, "")
		if err != nil || len(trs) == 0 {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

func BenchmarkDetectLinux100k(b *testing.B) {
	data := linuxTraceroute100k(100_000)
	b.SetBytes(int64(len(data)))
	start := processCPU()
	for b.Loop() {
		if _, err := Detect(data); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// BenchmarkParseCorpus imports each saved real-world file (format detection included).
func BenchmarkParseCorpus(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.txt"))
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		if i := strings.IndexByte(name, '_'); i > 0 {
			name = name[:i]
		}
		data := readCorpus(b, filepath.Base(f))
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			start := processCPU()
			for b.Loop() {
				if _, err := Parse(data, ""); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

func TestLinux100kGenerator(t *testing.T) {
	data := linuxTraceroute100k(100_000)
	if n := strings.Count(string(data), "\n"); n != 100_000 {
		t.Fatalf("%d lines, want 100000", n)
	}
	trs, err := Parse(data, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(trs) != 3226 || len(trs[0].Hops) != 30 || len(trs[0].Hops[1].Responders) != 2 {
		t.Errorf("%d traces, first has %d hops and %d responders at hop 2", len(trs), len(trs[0].Hops), len(trs[0].Hops[1].Responders))
	}
}

// The regular expressions a regexp-based importer would use for the same lines; measured in
// BenchmarkRegexpLexLinux100k to justify the hand-written tokenizer (it only matches, builds nothing).
var (
	reHopLine = regexp.MustCompile(`^\s*(\d+)\s+(.*)$`)
	reProbe   = regexp.MustCompile(`(?:\[(AS\d+|\*)\]\s+)?(?:(\S+)\s+\((\S+)\)\s+|([0-9a-f.:]+)\s+)?(\d+(?:\.\d+)?) ms(?:\s+(!\S*))?|\*`)
)

func BenchmarkRegexpLexLinux100k(b *testing.B) {
	data := linuxTraceroute100k(100_000)
	lines := strings.Split(string(data), "\n")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		n := 0
		for _, ln := range lines {
			if m := reHopLine.FindStringSubmatch(ln); m != nil {
				n += len(reProbe.FindAllStringSubmatch(m[2], -1))
			}
		}
		if n == 0 {
			b.Fatal("no probes matched")
		}
	}
	reportCPU(b, start)
}
