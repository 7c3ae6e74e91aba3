package cli

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTextFitsTheWidth runs the commands that need no lab with COLUMNS fixed at 80 and 100 on the
// traceroute corpus, the capture fixtures, a loopback DNS server and a few addresses, and checks that
// no line of the text output is wider than the terminal (issue 15: nothing wraps in tmux at 80 or 100).
func TestTextFitsTheWidth(t *testing.T) {
	traces, err := filepath.Glob("../tracefile/testdata/corpus/*.txt")
	if err != nil || len(traces) == 0 {
		t.Fatalf("corpus: %v, %d files", err, len(traces))
	}
	pcaps, _ := filepath.Glob("../capture/testdata/*.pcap*")
	server := serveZone(t, formatsZone)
	var cmds [][]string
	for _, f := range traces {
		cmds = append(cmds, []string{"analyze", f})
	}
	for _, f := range pcaps {
		if filepath.Ext(f) == ".pcap" || filepath.Ext(f) == ".pcapng" {
			cmds = append(cmds, []string{"capture", f})
		}
	}
	cmds = append(cmds,
		[]string{"capture", pcaps[0], pcaps[1]},
		[]string{"ip", "192.0.2.1", "1.1.1.1", "2001:db8::1", "80.231.246.6", "11.28.188.149"},
		[]string{"dns", "--dns-server", server, "www.fmt.test"},
		[]string{"domains", sessionFixture},
		[]string{"domains", harFixture},
	)
	dataDir := t.TempDir()
	for _, width := range []int{80, 100} {
		t.Setenv("COLUMNS", strconv.Itoa(width))
		for _, args := range cmds {
			name := strconv.Itoa(width) + "/" + args[0] + "/" + filepath.Base(args[len(args)-1])
			t.Run(name, func(t *testing.T) {
				full := append([]string{"--data-dir", dataDir, "--color", "never"}, args...)
				code, out, errs := run(t, "", full...)
				if code != ExitOK || out == "" {
					t.Fatalf("exit %d, %d bytes; stderr %s", code, len(out), errs)
				}
				for i, l := range strings.Split(out, "\n") {
					if n := utf8.RuneCountInString(l); n > width {
						t.Errorf("line %d is %d wide (> %d): %q", i+1, n, width, l)
					}
				}
			})
		}
	}
}
