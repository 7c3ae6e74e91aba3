package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"hopscope/internal/netlab"
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

// tmuxPane runs commands in panes of a private tmux server, as a person at a terminal of a given
// width would, and reads back what the terminal shows.
type tmuxPane struct {
	t      *testing.T
	socket string
	conf   string
}

func newTmux(t *testing.T) *tmuxPane {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (apt-get install tmux; .ci/run installs it)")
	}
	if testing.Short() {
		t.Skip("-short: the tmux tests build and run hopscope")
	}
	conf := filepath.Join(t.TempDir(), "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g status off\nset -g history-limit 20000\nset -g exit-empty off\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &tmuxPane{t: t, socket: fmt.Sprintf("hopscope-width-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6), conf: conf}
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", p.socket, "kill-server").Run() })
	return p
}

func (p *tmuxPane) tmux(args ...string) string {
	p.t.Helper()
	cmd := exec.Command("tmux", append([]string{"-L", p.socket, "-f", p.conf}, args...)...)
	// The program must find the width from its terminal, not from the test's environment.
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "COLUMNS=") && !strings.HasPrefix(e, "LINES=") && !strings.HasPrefix(e, "TMUX=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// show runs argv in a new width×50 window, waits (bounded) for it to end, and returns its exit status
// and everything it printed, wrapped lines joined (tmux capture-pane -J), so a line the terminal
// wrapped comes back longer than width.
func (p *tmuxPane) show(width int, argv ...string) (string, string) {
	p.t.Helper()
	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	name := fmt.Sprintf("w%d", time.Now().UnixNano()%1e9)
	// The shell writes the exit status to a file and keeps the pane alive a while: tmux 3.3 does not
	// always report a dead pane's status, and may drop the last output when the pane dies at once.
	statusFile := filepath.Join(p.t.TempDir(), "status")
	p.tmux("new-session", "-d", "-s", name, "-x", strconv.Itoa(width), "-y", "50",
		"env -u COLUMNS "+strings.Join(quoted, " ")+"; echo $? > "+statusFile+"; sleep 30")
	defer p.tmux("kill-session", "-t", name)
	deadline := time.Now().Add(60 * time.Second)
	for {
		status, err := os.ReadFile(statusFile)
		if err == nil && strings.HasSuffix(string(status), "\n") {
			// The program has ended: read the screen until it stops changing.
			screen := p.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", name)
			for range 30 {
				time.Sleep(100 * time.Millisecond)
				again := p.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", name)
				if again == screen {
					break
				}
				screen = again
			}
			return strings.TrimSpace(string(status)), screen
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s did not end within 60 s:\n%s", strings.Join(argv, " "), p.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", name))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkPane fails for every line of screen wider than width, and when the screen is empty.
func checkPane(t *testing.T, screen string, width int) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	if len(lines) < 2 {
		t.Errorf("nothing on the screen: %q", screen)
	}
	for i, l := range lines {
		if n := utf8.RuneCountInString(strings.TrimRight(l, " ")); n > width {
			t.Errorf("line %d is %d cells in a %d-column terminal (wrapped): %q", i+1, n, width, l)
		}
	}
}

// buildHopscope builds the command once for a test.
func buildHopscope(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hopscope")
	if out, err := exec.Command("go", "build", "-o", bin, "hopscope/cmd/hopscope").CombinedOutput(); err != nil {
		t.Fatalf("build hopscope: %v\n%s", err, out)
	}
	return bin
}

// TestTmuxWidth runs the built command in tmux windows 80 and 100 columns wide, on a terminal (colour,
// the width read from the terminal, no COLUMNS), for analyze on the corpus's widest traces, ip, dns
// (the long-name zone too), capture and domains, and checks the terminal wrapped no line (issue 15).
func TestTmuxWidth(t *testing.T) {
	tm := newTmux(t)
	bin := buildHopscope(t)
	traces, pcaps := widthCorpus(t)
	server, wide := serveZone(t, formatsZone), serveZone(t, wideZone)
	data := t.TempDir()
	var cmds [][]string
	for _, f := range traces {
		for _, want := range []string{"sydney-to-azure", "sweden-sunet-telia", "mtr-json", "tracelb", "orange-paris-to-tata", "atlas-traceroute-v6"} {
			if strings.Contains(f, want) {
				cmds = append(cmds, []string{"analyze", f})
			}
		}
	}
	cmds = append(cmds,
		[]string{"ip", "101.33.110.25", "80.231.246.6=if-ae-39-2.tcore1.pvu-paris.as6453.net", "11.28.188.149", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"},
		[]string{"dns", "--dns-server", server, "www.fmt.test"},
		[]string{"dns", "--dns-server", wide, "--type", "A,AAAA,TXT", wideName},
		append([]string{"capture"}, pcaps...),
		[]string{"domains", sessionFixture},
	)
	if len(cmds) < 10 {
		t.Fatalf("only %d commands: corpus files renamed?", len(cmds))
	}
	for _, width := range []int{80, 100} {
		for _, args := range cmds {
			t.Run(fmt.Sprintf("%d/%s/%s", width, args[0], filepath.Base(args[len(args)-1])), func(t *testing.T) {
				status, screen := tm.show(width, append([]string{bin, "--data-dir", data}, args...)...)
				if status != "0" {
					t.Fatalf("exit %s:\n%s", status, screen)
				}
				checkPane(t, screen, width)
			})
		}
	}
}

// TestTmuxWidthLab traces the article lab's path (17 hops, names, an alias with several addresses)
// from inside its client namespace in tmux at 80 and 100 columns, and resolves the alias through the
// lab's unbound, checking the terminal wrapped no line (issue 15: trace on the lab).
func TestTmuxWidthLab(t *testing.T) {
	netlab.RequireRoot(t)
	tm := newTmux(t)
	bin := buildHopscope(t)
	l := netlab.New(t, netlab.Article(netlab.ArticleOptions{}))
	ns, data := l.Netns(netlab.ArticleClient), t.TempDir()
	cmds := [][]string{
		{"trace", "-w", "1", netlab.ArticleTargetName},
		{"trace", "-w", "1", "-6", netlab.ArticleTargetName},
		{"dns", netlab.ArticleTargetName},
	}
	for _, width := range []int{80, 100} {
		for _, args := range cmds {
			t.Run(fmt.Sprintf("%d/%s", width, strings.Join(args, " ")), func(t *testing.T) {
				argv := append([]string{"ip", "netns", "exec", ns, bin, "--data-dir", data}, args...)
				status, screen := tm.show(width, argv...)
				if status != "0" {
					t.Fatalf("exit %s:\n%s", status, screen)
				}
				if !strings.Contains(screen, netlab.ArticleCanonical) {
					t.Errorf("the screen does not name %s:\n%s", netlab.ArticleCanonical, screen)
				}
				checkPane(t, screen, width)
			})
		}
	}
}
