package live

import (
	tea "charm.land/bubbletea/v2"

	"hopscope/internal/report"
)

// updateMsg carries the next report from the engine.
type updateMsg struct{ p *report.Path }

// closedMsg says the engine has finished: no more reports will come.
type closedMsg struct{}

// model is the live view's state. Update and View are pure apart from the Config hooks, so tests feed
// it messages and read its screen without a terminal.
type model struct {
	updates <-chan *report.Path
	hooks   hooks

	width, height int
	t             toggles

	cur      *report.Path // on screen
	pending  *report.Path // the newest report received while paused; nil when none
	received int          // reports received
	shownAt  int          // the count of reports received when cur was shown
	paused   bool
	done     bool // the engine closed its channel
	reset    bool // statistics were reset and no report has come since
	scroll   int  // first table row shown

	hist        map[int]*history // latency history per TTL
	prevSent    map[int]int      // each TTL's sent count in the previous report
	prevAns     map[int]int      // and its answered count
	historySize int
	quitting    bool
}

// hooks are the caller's callbacks; each may be nil.
type hooks struct {
	pause func(bool)
	reset func()
	quit  func()
}

func newModel(cfg Config) *model {
	n := cfg.HistorySize
	if n <= 0 {
		n = DefaultHistorySize
	}
	return &model{
		updates: cfg.Updates,
		hooks:   hooks{pause: cfg.OnPause, reset: cfg.OnReset, quit: cfg.OnQuit},
		width:   cfg.Width, height: cfg.Height,
		t:           toggles{names: !cfg.NoNames, as: true, places: true},
		hist:        map[int]*history{},
		prevSent:    map[int]int{},
		prevAns:     map[int]int{},
		historySize: n,
	}
}

// next waits for the engine's next report.
func (m *model) next() tea.Msg {
	if m.updates == nil {
		return closedMsg{}
	}
	p, ok := <-m.updates
	if !ok {
		return closedMsg{}
	}
	return updateMsg{p}
}

func (m *model) Init() tea.Cmd { return m.next }

func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case updateMsg:
		m.received++
		if m.paused {
			m.pending = msg.p
		} else {
			m.show(msg.p)
		}
		return m, m.next
	case closedMsg:
		m.done = true
		return m, nil
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg.String())
	}
	return m, nil
}

// show puts p on screen and records one history sample per hop.
func (m *model) show(p *report.Path) {
	m.cur, m.pending, m.reset, m.shownAt = p, nil, false, m.received
	if p == nil {
		return
	}
	for _, h := range p.Hops {
		ps, pa := m.prevSent[h.TTL], m.prevAns[h.TTL]
		if h.Sent < ps { // the engine's statistics were reset
			ps, pa = 0, 0
		}
		hs := m.hist[h.TTL]
		if hs == nil {
			hs = &history{limit: m.historySize}
			m.hist[h.TTL] = hs
		}
		switch ms, ok, lost := hopSample(h, ps, pa); {
		case lost:
			hs.add(none)
		case ok:
			hs.add(ms)
		}
		m.prevSent[h.TTL], m.prevAns[h.TTL] = h.Sent, h.Answered
	}
}

// key applies one key press; it returns tea.Quit for q.
func (m *model) key(k string) tea.Cmd {
	switch k {
	case "q", "Q", "ctrl+c":
		if !m.quitting {
			m.quitting = true
			if m.hooks.quit != nil {
				m.hooks.quit()
			}
		}
		return tea.Quit
	case "p", "space":
		m.paused = !m.paused
		if m.hooks.pause != nil {
			m.hooks.pause(m.paused)
		}
		if !m.paused && m.pending != nil {
			m.show(m.pending)
		}
	case "r":
		m.hist = map[int]*history{}
		m.prevSent, m.prevAns = map[int]int{}, map[int]int{}
		m.reset = true
		if m.hooks.reset != nil {
			m.hooks.reset()
		}
	case "d":
		m.t.all = !m.t.all
	case "n":
		m.t.names = !m.t.names
	case "a":
		m.t.as = !m.t.as
	case "l":
		m.t.places = !m.t.places
	case "down", "j":
		m.scroll++
	case "up", "k":
		m.scroll = max(m.scroll-1, 0)
	case "home", "g":
		m.scroll = 0
	}
	return nil
}

// last is the newest report the view has received: the paused one waiting, else the one shown.
func (m *model) last() *report.Path {
	if m.pending != nil {
		return m.pending
	}
	return m.cur
}

func (m *model) View() tea.View {
	v := tea.NewView(m.screen())
	v.AltScreen = true
	v.WindowTitle = "hopscope"
	if m.cur != nil {
		v.WindowTitle = "hopscope " + title(m.cur)
	}
	return v
}
