package live

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"hopscope/internal/report"
)

// tmuxSession drives a program in a detached tmux session on a private server.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (s *tmuxSession) capture() string { return s.run("capture-pane", "-p", "-J", "-t", "live") }

// waitScreen polls the pane until ok accepts it, failing after a bounded wait with the last screen.
func (s *tmuxSession) waitScreen(what string, ok func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		screen := s.capture()
		if ok(screen) {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waiting for %s; the screen is:\n%s", what, screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var roundRE = regexp.MustCompile(`round (\d+)`)

// shownRound is the round number in the title line, or 0.
func shownRound(screen string) int {
	m := roundRE.FindStringSubmatch(screen)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// checkPane fails when a line of the captured pane (wrapped lines joined) is wider than w, or when a
// part of the table is missing: the header, every hop row, the key line.
func checkPane(t *testing.T, screen string, w int) {
	t.Helper()
	for i, l := range strings.Split(strings.TrimRight(screen, "\n"), "\n") {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells in a %d-column pane (wrapped): %q", i+1, n, w, l)
		}
	}
	for _, want := range []string{"Loss%", "q quit"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the pane lacks %q:\n%s", want, screen)
		}
	}
	for ttl := 1; ttl <= len(fixtureHops); ttl++ {
		if rowOf(screen, ttl) == "" {
			t.Errorf("the pane lacks hop %d's row:\n%s", ttl, screen)
		}
	}
}

// TestTmux runs the live view for real: livedemo replays testdata/rounds.json in an 80x30 tmux pane,
// and the test types keys and reads the screen as a person would.
func TestTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (apt-get install tmux; .ci/run installs it)")
	}
	if testing.Short() {
		t.Skip("-short: the tmux test builds and runs a binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "livedemo")
	if out, err := exec.Command("go", "build", "-o", bin, "./livedemo").CombinedOutput(); err != nil {
		t.Fatalf("go build livedemo: %v\n%s", err, out)
	}
	rounds, err := filepath.Abs(filepath.Join("testdata", "rounds.json"))
	if err != nil {
		t.Fatal(err)
	}
	final := filepath.Join(dir, "final.json")
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\nset -g status off\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &tmuxSession{t: t, socket: fmt.Sprintf("hopscope-live-%d", os.Getpid())}
	// The shell tmux runs the command with records its exit status: tmux's own #{pane_dead_status} is
	// sometimes never set when the terminal closes before tmux reaps the process.
	status := filepath.Join(dir, "status")
	s.run("-f", conf, "new-session", "-d", "-s", "live", "-x", "80", "-y", "30",
		fmt.Sprintf("%s -rounds %s -interval 700ms -o %s; echo $? > %s", bin, rounds, final, status))
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })

	// The table changes across rounds.
	first := s.waitScreen("round 1", func(sc string) bool { return shownRound(sc) >= 1 && rowOf(sc, 7) != "" })
	checkPane(t, first, 80)
	second := s.waitScreen("a later round", func(sc string) bool { return shownRound(sc) > shownRound(first) })
	if rowOf(first, 4) == rowOf(second, 4) {
		t.Errorf("hop 4's row did not change from round %d to round %d: %q", shownRound(first), shownRound(second), rowOf(second, 4))
	}

	// p pauses: the screen says so and the round stays while the replay would have sent three more.
	s.run("send-keys", "-t", "live", "p")
	paused := s.waitScreen("PAUSED", func(sc string) bool { return strings.Contains(sc, "PAUSED") })
	at := shownRound(paused)
	time.Sleep(3 * 700 * time.Millisecond)
	if still := s.capture(); shownRound(still) != at || !strings.Contains(still, "PAUSED") {
		t.Errorf("paused at round %d but the screen moved on:\n%s", at, still)
	}
	s.run("send-keys", "-t", "live", "p")
	s.waitScreen("rounds after resuming", func(sc string) bool { return !strings.Contains(sc, "PAUSED") && shownRound(sc) > at })

	// n switches hop 1 from its name to its address.
	s.run("send-keys", "-t", "live", "n")
	s.waitScreen("addresses after n", func(sc string) bool { return strings.Contains(rowOf(sc, 1), "192.0.2.1") })

	// A resize redraws: 120 columns have room for the operator column, 80 again do not, and hold.
	s.run("resize-window", "-t", "live", "-x", "120", "-y", "30")
	wide := s.waitScreen("the Operator column at 120 columns", func(sc string) bool { return strings.Contains(sc, "Operator") })
	checkPane(t, wide, 120)
	s.run("resize-window", "-t", "live", "-x", "80", "-y", "30")
	narrow := s.waitScreen("80 columns again", func(sc string) bool { return !strings.Contains(sc, "Operator") && strings.Contains(sc, "q quit") })
	checkPane(t, narrow, 80)

	// q quits, and the caller writes the final report.
	s.run("send-keys", "-t", "live", "q")
	deadline := time.Now().Add(20 * time.Second)
	for strings.TrimSpace(s.run("display-message", "-p", "-t", "live", "#{pane_dead}")) != "1" {
		if time.Now().After(deadline) {
			t.Fatalf("q did not quit; the screen is:\n%s", s.capture())
		}
		time.Sleep(100 * time.Millisecond)
	}
	code, err := os.ReadFile(status)
	if err != nil || strings.TrimSpace(string(code)) != "0" {
		t.Errorf("livedemo exited with %q (%v):\n%s", strings.TrimSpace(string(code)), err, s.capture())
	}
	data, err := os.ReadFile(final)
	if err != nil {
		t.Fatalf("no final report after q: %v", err)
	}
	var rep report.Report
	if err := json.Unmarshal(data, &rep); err != nil || rep.Path == nil || len(rep.Path.Hops) != len(fixtureHops) {
		t.Errorf("the final report does not hold the path (%v):\n%s", err, data)
	}
}
