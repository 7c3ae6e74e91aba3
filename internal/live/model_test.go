package live

import (
	"math"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hopscope/internal/report"
)

// newTestModel is a model of the given screen size with fake hooks that record their calls.
func newTestModel(w, h int) (*model, *[]string) {
	var calls []string
	m := newModel(Config{Width: w, Height: h,
		OnPause: func(p bool) {
			if p {
				calls = append(calls, "pause")
			} else {
				calls = append(calls, "resume")
			}
		},
		OnReset: func() { calls = append(calls, "reset") },
		OnQuit:  func() { calls = append(calls, "quit") },
	})
	return m, &calls
}

func feed(m *model, p *report.Path) { m.Update(updateMsg{p}) }

// press sends the key as the terminal would: a printable key with its text, or ctrl+<letter>.
func press(m *model, k string) tea.Cmd {
	var msg tea.KeyPressMsg
	switch {
	case strings.HasPrefix(k, "ctrl+"):
		msg = tea.KeyPressMsg{Code: rune(k[len(k)-1]), Mod: tea.ModCtrl}
	case k == "down":
		msg = tea.KeyPressMsg{Code: tea.KeyDown}
	case k == "up":
		msg = tea.KeyPressMsg{Code: tea.KeyUp}
	case k == "space":
		msg = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	default:
		msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
	}
	_, cmd := m.Update(msg)
	return cmd
}

// plain is the screen without styling.
func plain(m *model) string { return ansi.Strip(m.screen()) }

// rowOf returns the screen line of hop ttl ("  4. ..."), or "".
func rowOf(screen string, ttl int) string {
	prefix := strings.Repeat(" ", 3-len(itoa(ttl))) + itoa(ttl) + "."
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

func itoa(n int) string { return strings.TrimSpace(sentText(n)) }

// checkFits fails when a line of the screen is wider than w or there are more than h lines.
func checkFits(t *testing.T, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if len(lines) > h {
		t.Errorf("%d lines on a screen %d high", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells on a screen %d wide: %q", i+1, n, w, ansi.Strip(l))
		}
	}
}

func TestScreenFits(t *testing.T) {
	for _, tc := range []struct {
		name string
		w, h int
		keys string
	}{
		{"80x30", 80, 30, ""},
		{"120x30", 120, 30, ""},
		{"80x30 every responder", 80, 30, "d"},
		{"80x30 addresses, no AS, no place", 80, 30, "nal"},
		{"120x30 everything off", 120, 30, "nald"},
		{"80x12 scrolls", 80, 12, ""},
		{"80x12 scrolled down", 80, 12, "jjjjjjjjjj"},
		{"40x6 least", 40, 6, ""},
		{"200x60 wide", 200, 60, "d"},
		{"30x5 too small", 30, 5, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newTestModel(tc.w, tc.h)
			checkFits(t, m.screen(), tc.w, tc.h) // before any report
			for _, k := range tc.keys {
				press(m, string(k))
			}
			for _, p := range fixture() {
				feed(m, p)
				checkFits(t, m.screen(), tc.w, tc.h)
			}
		})
	}
}

func TestTableChangesAcrossUpdates(t *testing.T) {
	for _, w := range []int{80, 120} {
		m, _ := newTestModel(w, 30)
		rounds := fixture()
		feed(m, rounds[0])
		first := plain(m)
		feed(m, rounds[1])
		second := plain(m)
		if first == second {
			t.Fatalf("width %d: the screen did not change from round 1 to round 2:\n%s", w, second)
		}
		for _, tc := range []struct {
			screen, want string
		}{
			{first, "round 1"}, {second, "round 2"},
		} {
			if !strings.Contains(tc.screen, tc.want) {
				t.Errorf("width %d: screen lacks %q:\n%s", w, tc.want, tc.screen)
			}
		}
		// Hop 4 loses every second probe: none of 1 after round 1, 1 of 2 after round 2 (the report's
		// own label: a percentage of so few probes would claim too much).
		if r := rowOf(first, 4); !strings.Contains(r, " 0/1 ") || !strings.Contains(r, " 1 ") {
			t.Errorf("width %d: hop 4 after round 1 = %q, want 0/1 lost of 1 sent", w, r)
		}
		if r := rowOf(second, 4); !strings.Contains(r, " 1/2 ") || !strings.Contains(r, " 2 ") {
			t.Errorf("width %d: hop 4 after round 2 = %q, want 1/2 lost of 2 sent", w, r)
		}
		if r := rowOf(second, 5); !strings.Contains(r, "???") {
			t.Errorf("width %d: silent hop 5 = %q, want ???", w, r)
		}
		// The explanation learns the loss at round 4.
		for _, p := range rounds[2:4] {
			feed(m, p)
		}
		if s := plain(m); !strings.Contains(s, "Loss:") || strings.Contains(second, "Loss:") {
			t.Errorf("width %d: the Loss section should appear at round 4, not before:\n%s", w, s)
		}
	}
}

func TestColumnsByWidth(t *testing.T) {
	for _, tc := range []struct {
		name      string
		w         int
		want, not []string
	}{
		{"80 keeps mtr's core and the identity columns", 80, []string{"Host", "Loss%", "Snt", "Last", "Avg", "AS", "Place", "History"}, []string{"Operator", "StDev"}},
		{"120 shows every column", 120, []string{"Host", "AS", "Operator", "Place", "Loss%", "Snt", "Last", "Avg", "Best", "Wrst", "StDev", "History"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newTestModel(tc.w, 30)
			feed(m, fixture()[0])
			head := strings.Split(plain(m), "\n")[1]
			for _, c := range tc.want {
				if !strings.Contains(head, c) {
					t.Errorf("header %q lacks %s", head, c)
				}
			}
			for _, c := range tc.not {
				if strings.Contains(head, c) {
					t.Errorf("header %q has %s, which should not fit", head, c)
				}
			}
			if len(tc.not) > 0 && !strings.Contains(plain(m), "cols if wider") {
				t.Errorf("the key line should name the columns left out:\n%s", plain(m))
			}
		})
	}
}

func TestKeys(t *testing.T) {
	rounds := fixture()
	for _, tc := range []struct {
		name  string
		keys  []string
		calls []string
		// check looks at the model and its screen (at 120 columns) after the keys and round 3.
		check func(t *testing.T, m *model, screen string)
	}{
		{"p pauses: a new round does not show", []string{"p"}, []string{"pause"}, func(t *testing.T, m *model, s string) {
			if !m.paused || !strings.Contains(s, "PAUSED") || !strings.Contains(s, "round 2") {
				t.Errorf("paused=%v, want the screen frozen at round 2 and marked PAUSED:\n%s", m.paused, s)
			}
			if m.last() != rounds[2] {
				t.Error("the newest report should still be kept for the final report")
			}
		}},
		{"p twice resumes with the newest round", []string{"p", "p"}, []string{"pause", "resume"}, func(t *testing.T, m *model, s string) {
			if m.paused || !strings.Contains(s, "round 3") || strings.Contains(s, "PAUSED") {
				t.Errorf("paused=%v, want round 3 shown:\n%s", m.paused, s)
			}
		}},
		{"space pauses too", []string{"space"}, []string{"pause"}, func(t *testing.T, m *model, s string) {
			if !m.paused {
				t.Error("space did not pause")
			}
		}},
		{"r resets the statistics", []string{"r"}, []string{"reset"}, func(t *testing.T, m *model, s string) {
			if n := len(m.hist[1].samples); n != 1 {
				t.Errorf("hop 1 history has %d samples after a reset and one round, want 1", n)
			}
		}},
		{"d shows every responder", []string{"d"}, nil, func(t *testing.T, m *model, s string) {
			if !strings.Contains(s, "  be-2.sgp") || strings.Contains(s, "(+1)") {
				t.Errorf("want hop 6's second responder on its own row:\n%s", s)
			}
		}},
		{"without d a hop's other responders are counted", nil, nil, func(t *testing.T, m *model, s string) {
			if strings.Contains(s, "be-2.sgp") || !strings.Contains(rowOf(s, 6), "(+1)") {
				t.Errorf("want hop 6 as one row with (+1):\n%s", s)
			}
		}},
		{"n shows addresses", []string{"n"}, nil, func(t *testing.T, m *model, s string) {
			if r := rowOf(s, 1); !strings.Contains(r, "192.0.2.1") || strings.Contains(r, "gw.home") {
				t.Errorf("hop 1 = %q, want its address", r)
			}
		}},
		{"names by default", nil, nil, func(t *testing.T, m *model, s string) {
			if r := rowOf(s, 1); !strings.Contains(r, "gw.home.example") {
				t.Errorf("hop 1 = %q, want its name", r)
			}
		}},
		{"a hides AS and operator", []string{"a"}, nil, func(t *testing.T, m *model, s string) {
			if head := strings.Split(s, "\n")[1]; strings.Contains(head, "AS") || strings.Contains(head, "Operator") {
				t.Errorf("header %q still has AS or Operator", head)
			}
			if strings.Contains(rowOf(s, 2), "AS64500") {
				t.Error("hop 2 still shows its AS")
			}
		}},
		{"l hides places", []string{"l"}, nil, func(t *testing.T, m *model, s string) {
			if head := strings.Split(s, "\n")[1]; strings.Contains(head, "Place") {
				t.Errorf("header %q still has Place", head)
			}
			if strings.Contains(rowOf(s, 2), "Paris") {
				t.Error("hop 2 still shows its place")
			}
		}},
		{"an unknown key changes nothing", []string{"x"}, nil, func(t *testing.T, m *model, s string) {
			if m.paused || m.t != (toggles{names: true, as: true, places: true}) {
				t.Errorf("state changed: paused=%v toggles=%+v", m.paused, m.t)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, calls := newTestModel(120, 30)
			feed(m, rounds[0])
			feed(m, rounds[1])
			for _, k := range tc.keys {
				if cmd := press(m, k); cmd != nil {
					t.Fatalf("key %q returned a command", k)
				}
			}
			feed(m, rounds[2])
			s := plain(m)
			tc.check(t, m, s)
			if !slices.Equal(*calls, tc.calls) {
				t.Errorf("hooks called %v, want %v", *calls, tc.calls)
			}
			checkFits(t, m.screen(), 120, 30)
		})
	}
}

func TestQuit(t *testing.T) {
	for _, k := range []string{"q", "Q", "ctrl+c"} {
		t.Run(k, func(t *testing.T) {
			m, calls := newTestModel(80, 30)
			cmd := press(m, k)
			if cmd == nil {
				t.Fatalf("%s returned no command", k)
			}
			if _, ok := cmd().(tea.QuitMsg); !ok {
				t.Fatalf("%s did not quit", k)
			}
			press(m, k)
			if !slices.Equal(*calls, []string{"quit"}) {
				t.Errorf("hooks called %v, want one quit", *calls)
			}
		})
	}
}

func TestResize(t *testing.T) {
	m, _ := newTestModel(120, 30)
	feed(m, fixture()[0])
	wide := plain(m)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 20})
	narrow := m.screen()
	checkFits(t, narrow, 80, 20)
	if ansi.Strip(narrow) == wide || strings.Contains(strings.Split(ansi.Strip(narrow), "\n")[1], "Operator") {
		t.Errorf("the screen did not follow the resize:\n%s", ansi.Strip(narrow))
	}
}

func TestScroll(t *testing.T) {
	m, _ := newTestModel(80, 8)
	feed(m, fixture()[0])
	s := plain(m)
	if rowOf(s, 1) == "" || !strings.Contains(s, "more rows") {
		t.Fatalf("want hop 1 and a more-rows line on a short screen:\n%s", s)
	}
	for range 20 {
		press(m, "down")
	}
	s = plain(m)
	if rowOf(s, 1) != "" || rowOf(s, 7) == "" {
		t.Errorf("scrolled to the end, want hop 7 and not hop 1:\n%s", s)
	}
	press(m, "g")
	if rowOf(plain(m), 1) == "" {
		t.Error("g did not go back to the top")
	}
}

func TestHistory(t *testing.T) {
	m := newModel(Config{Width: 120, Height: 30, HistorySize: 5})
	for _, p := range fixture() {
		feed(m, p)
	}
	h4 := m.hist[4].samples
	if len(h4) != 5 {
		t.Fatalf("hop 4 keeps %d samples, want the bound 5", len(h4))
	}
	lost := 0
	for _, v := range h4 {
		if math.IsNaN(v) {
			lost++
		}
	}
	if lost < 2 {
		t.Errorf("hop 4 loses every second probe; its last 5 samples %v should mark at least 2 lost", h4)
	}
	if r := rowOf(plain(m), 4); !strings.ContainsRune(r, lostMark) {
		t.Errorf("hop 4 row %q should draw its lost rounds", r)
	}
	if h5 := m.hist[5].samples; len(h5) != 5 || slices.ContainsFunc(h5, func(v float64) bool { return !math.IsNaN(v) }) {
		t.Errorf("silent hop 5 has samples %v, want 5 lost ones", h5)
	}
}

func TestUntrustedTextIsEscaped(t *testing.T) {
	p := fixture()[0]
	p.Hops[0].Responders[0].Name = "evil\x1b]0;pwned\a.example"
	p.Summary = "summary \x1b[2J cleared"
	m, _ := newTestModel(200, 30)
	feed(m, p)
	s := m.screen()
	for _, bad := range []string{"\x1b]0;pwned", "\a", "\x1b[2J"} {
		if strings.Contains(s, bad) {
			t.Errorf("the screen carries the raw control %q", bad)
		}
	}
	if !strings.Contains(ansi.Strip(s), `\x1b]0;pwned`) || !strings.Contains(ansi.Strip(s), `\x1b[2J`) {
		t.Errorf("the escaped name should show:\n%s", ansi.Strip(s))
	}
}

func TestEngineResetRestartsDeltas(t *testing.T) {
	m, _ := newTestModel(120, 30)
	r := fixture()
	feed(m, r[5])
	feed(m, r[0]) // the engine reset: fewer probes sent than before
	if got := m.hist[1].samples; len(got) != 2 || math.IsNaN(got[1]) {
		t.Errorf("hop 1 after an engine reset: %v, want a measured second sample", got)
	}
}
