package cli

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// wideZone has names longer than a terminal line: an alias chain of generated CDN names, a long TXT
// record and addresses of both families.
const wideZone = `
wide.test. 300 IN SOA ns1.wide.test. hostmaster.wide.test. 1 3600 600 86400 60
wide.test. 300 IN NS ns1.wide.test.
a1b2c3d4e5f6g7h8i9j0-k1l2m3n4o5p6q7r8s9t0-u1v2w3x4y5z6.static-assets.edge-delivery.wide.test. 300 IN CNAME cdn-alias-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.wide.test.
cdn-alias-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.wide.test. 20 IN CNAME e2345.dscg-production-region-eu-west-1.akamaiedge-staging-and-production.wide.test.
e2345.dscg-production-region-eu-west-1.akamaiedge-staging-and-production.wide.test. 20 IN A 198.51.100.25
e2345.dscg-production-region-eu-west-1.akamaiedge-staging-and-production.wide.test. 20 IN AAAA 2001:db8:ffff:ffff:ffff:ffff:ffff:fff1
e2345.dscg-production-region-eu-west-1.akamaiedge-staging-and-production.wide.test. 20 IN TXT "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A"
`

// wideName is the long alias of wideZone.
const wideName = "a1b2c3d4e5f6g7h8i9j0-k1l2m3n4o5p6q7r8s9t0-u1v2w3x4y5z6.static-assets.edge-delivery.wide.test"

// widthCorpus lists the traceroute corpus (the copy in tracefile's testdata and, when present,
// ../shared/corpus beside the repository) and the packet captures, each base name once.
func widthCorpus(t *testing.T) (traces, pcaps []string) {
	t.Helper()
	seen := map[string]bool{}
	add := func(list *[]string, patterns ...string) {
		for _, p := range patterns {
			files, err := filepath.Glob(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if b := filepath.Base(f); !seen[b] {
					seen[b] = true
					*list = append(*list, f)
				}
			}
		}
	}
	add(&traces, "../tracefile/testdata/corpus/*.txt", "../../../shared/corpus/traceroute/*.txt")
	add(&pcaps, "../capture/testdata/*.pcap", "../capture/testdata/*.pcapng", "../../../shared/corpus/pcap/*.pcap", "../../../shared/corpus/pcap/*.pcapng")
	if len(traces) < 19 || len(pcaps) < 5 {
		t.Fatalf("corpus: %d traces, %d captures", len(traces), len(pcaps))
	}
	return traces, pcaps
}

// TestTextFitsTheWidth runs the commands that need no lab with COLUMNS fixed at 80 and 100 on the
// traceroute corpus, the packet captures, loopback DNS servers (one with names longer than a line) and
// addresses of every kind, and checks that no line of the text output is wider than the terminal
// (issue 15: nothing wraps in tmux at 80 or 100). Markdown tables of the inventories must keep one row
// per line with the header's cells.
func TestTextFitsTheWidth(t *testing.T) {
	traces, pcaps := widthCorpus(t)
	server, wide := serveZone(t, formatsZone), serveZone(t, wideZone)
	var cmds [][]string
	for _, f := range traces {
		cmds = append(cmds, []string{"analyze", f})
	}
	for _, f := range pcaps {
		cmds = append(cmds, []string{"capture", f})
	}
	cmds = append(cmds,
		append([]string{"capture"}, pcaps...),
		[]string{"ip", "192.0.2.1", "1.1.1.1", "2001:db8::1", "80.231.246.6=if-ae-39-2.tcore1.pvu-paris.as6453.net", "11.28.188.149",
			"10.1.2.3", "100.64.0.1", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::1"},
		[]string{"dns", "--dns-server", server, "www.fmt.test"},
		[]string{"dns", "--dns-server", wide, "--type", "A,AAAA,TXT", wideName},
		[]string{"dns", "--dns-server", wide, "--ptr", wideName},
		[]string{"dns", "--dns-server", wide, "nope.wide.test"},
		[]string{"domains", sessionFixture},
		[]string{"domains", harFixture},
	)
	dataDir := t.TempDir()
	for _, width := range []int{80, 100} {
		t.Setenv("COLUMNS", strconv.Itoa(width))
		for _, args := range cmds {
			name := strconv.Itoa(width) + "/" + args[0] + "/" + filepath.Base(args[len(args)-1])
			if len(args) > 3 && args[0] == "capture" {
				name = strconv.Itoa(width) + "/capture/all"
			}
			t.Run(name, func(t *testing.T) {
				full := append([]string{"--data-dir", dataDir, "--color", "never"}, args...)
				code, out, errs := run(t, "", full...)
				if (code != ExitOK && !(code == ExitNegative && args[0] == "dns")) || out == "" {
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

	t.Run("dns cuts long names in the middle, whole in JSON", func(t *testing.T) {
		t.Setenv("COLUMNS", "80")
		_, txt, _ := run(t, "", "--data-dir", dataDir, "--color", "never", "dns", "--dns-server", wide, wideName)
		_, js, _ := run(t, "", "--data-dir", dataDir, "dns", "--json", "--dns-server", wide, wideName)
		if strings.Contains(txt, wideName) || !strings.Contains(txt, wideName[:12]) || !strings.Contains(txt, "…") {
			t.Errorf("the text does not cut %s in the middle:\n%s", wideName, txt)
		}
		for _, rec := range []string{"A     198.51.100.25", "AAAA  2001:db8:ffff:ffff:ffff:ffff:ffff:fff1"} {
			if !strings.Contains(txt, rec) {
				t.Errorf("the text lacks the record row %q:\n%s", rec, txt)
			}
		}
		if !strings.Contains(js, `"name": "`+wideName+`."`) {
			t.Errorf("the JSON lacks the whole name:\n%s", js)
		}
	})

	for _, args := range [][]string{{"domains", sessionFixture}, {"domains", harFixture}, {"capture", pcaps[0]}, append([]string{"capture"}, pcaps...)} {
		t.Run("markdown/"+args[0]+"/"+filepath.Base(args[len(args)-1]), func(t *testing.T) {
			code, out, errs := run(t, "", append([]string{"--data-dir", dataDir, "--format", "markdown"}, args...)...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if n := checkMarkdownRows(t, out); n == 0 {
				t.Errorf("no table:\n%s", out)
			}
		})
	}
}

// mdRowCells counts the cells of a Markdown table row (escaped pipes are not separators); -1 when the
// line is not a row.
func mdRowCells(line string) int {
	if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") || strings.HasSuffix(line, `\|`) {
		return -1
	}
	n := 0
	for i := 1; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n
}

var mdSeparatorRow = regexp.MustCompile(`^\|(\s*:?-+:?\s*\|)+$`)

// checkMarkdownRows fails when a table of md has a row with a cell count other than its header's, or a
// line inside it that is not a row; it returns how many tables it saw.
func checkMarkdownRows(t *testing.T, md string) (tables int) {
	t.Helper()
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		head := mdRowCells(lines[i])
		if head < 0 {
			continue
		}
		tables++
		if i+1 >= len(lines) || !mdSeparatorRow.MatchString(lines[i+1]) || mdRowCells(lines[i+1]) != head {
			t.Errorf("line %d: the header %q is not followed by its separator", i+1, lines[i])
		}
		j := i + 2
		for ; j < len(lines) && lines[j] != ""; j++ {
			if n := mdRowCells(lines[j]); n != head {
				t.Errorf("line %d: %d cells, the header has %d: %q", j+1, n, head, lines[j])
			}
		}
		i = j
	}
	return tables
}
