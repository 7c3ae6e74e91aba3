package mda

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"hopscope/internal/path"
	"hopscope/internal/probe"
)

// Topologies of the simulated tests. Addresses stand for routers; 192.0.2.9 is the destination.
var (
	simLinear = []string{"10.0.1.1 > 10.0.2.1", "10.0.2.1 > 10.0.3.1", "10.0.3.1 > 192.0.2.9"}
	simTwo    = []string{"10.0.1.1 > 10.0.2.1 10.0.2.2", "10.0.2.1 > 10.0.3.1", "10.0.2.2 > 10.0.3.1", "10.0.3.1 > 192.0.2.9"}
	simFour   = []string{"10.0.1.1 > 10.0.2.1 10.0.2.2 10.0.2.3 10.0.2.4", "10.0.2.1 > 10.0.3.1", "10.0.2.2 > 10.0.3.1",
		"10.0.2.3 > 10.0.3.1", "10.0.2.4 > 10.0.3.1", "10.0.3.1 > 192.0.2.9"}
	// simNested: a diamond inside one branch of another.
	simNested = []string{"10.0.1.1 > 10.0.2.1 10.0.2.2", "10.0.2.1 > 10.0.3.1 10.0.3.2", "10.0.3.1 > 10.0.4.1",
		"10.0.3.2 > 10.0.4.1", "10.0.2.2 > 10.0.3.3", "10.0.3.3 > 10.0.4.2", "10.0.4.1 > 10.0.5.1", "10.0.4.2 > 10.0.5.1",
		"10.0.5.1 > 192.0.2.9"}
	// simUneven: one branch a hop longer than the other.
	simUneven = []string{"10.0.1.1 > 10.0.2.1 10.0.2.2", "10.0.2.1 > 10.0.3.9", "10.0.3.9 > 10.0.4.1",
		"10.0.2.2 > 10.0.4.1", "10.0.4.1 > 192.0.2.9"}
)

// truth enumerates every path of the simulated network: the interfaces per TTL ("1: a b") and the
// links ("1 a>b"), as MDA should find them (silent routers removed, links across them with "+gap").
func truth(s *simNet, maxTTL int) (hops, links []string) {
	cur := []string{s.first}
	seen := map[string]bool{}
	type at struct {
		r   string
		ttl int
	}
	// last answering router (and its TTL) before each router of this TTL, per path
	from := map[string][]at{}
	for ttl := 1; ttl <= maxTTL && len(cur) > 0; ttl++ {
		var line []string
		var next []string
		nextFrom := map[string][]at{}
		for _, r := range cur {
			if !s.silent[r] {
				if !slices.Contains(line, r) {
					line = append(line, r)
				}
				for _, f := range from[r] {
					l := fmt.Sprintf("%d %s>%s", f.ttl, f.r, r)
					if g := ttl - f.ttl - 1; g > 0 {
						l += fmt.Sprintf("+%d", g)
					}
					if !seen[l] {
						seen[l] = true
						links = append(links, l)
					}
				}
			}
			if r == s.dest {
				continue
			}
			for _, n := range s.next[r] {
				if !slices.Contains(next, n) {
					next = append(next, n)
				}
				src := []at{{r, ttl}}
				if s.silent[r] {
					src = from[r]
				}
				for _, x := range src {
					if !slices.Contains(nextFrom[n], x) {
						nextFrom[n] = append(nextFrom[n], x)
					}
				}
			}
		}
		if len(line) > 0 {
			slices.Sort(line)
			hops = append(hops, fmt.Sprintf("%d: %s", ttl, strings.Join(line, " ")))
		}
		cur, from = next, nextFrom
	}
	slices.Sort(links)
	return hops, links
}

// found is what a trace found, in truth's form.
func found(tr *path.Trace) (hops, links []string) {
	for _, h := range tr.Hops {
		var line []string
		for _, r := range h.Responders {
			line = append(line, r.Addr.String())
		}
		if len(line) > 0 {
			slices.Sort(line)
			hops = append(hops, fmt.Sprintf("%d: %s", h.TTL, strings.Join(line, " ")))
		}
	}
	for _, l := range tr.Multipath.Links {
		s := fmt.Sprintf("%d %s>%s", l.TTL, l.From, l.To)
		if l.Gap > 0 {
			s += fmt.Sprintf("+%d", l.Gap)
		}
		links = append(links, s)
	}
	slices.Sort(links)
	return hops, links
}

func TestRunFindsEveryBranch(t *testing.T) {
	tests := []struct {
		name   string
		lines  []string
		silent []string
		conf   float64
		// minProbes is the least the stopping rule allows: every interface's successors need n_k
		// answered probes.
		minProbes int
	}{
		{name: "linear", lines: simLinear, conf: 0.95, minProbes: 6*3 + 1},
		{name: "two branches", lines: simTwo, conf: 0.95, minProbes: 6 + 11 + 2*6 + 1},
		{name: "four branches", lines: simFour, conf: 0.99, minProbes: 8 + 28 + 4*8 + 1},
		{name: "nested diamond", lines: simNested, conf: 0.99},
		{name: "uneven branches", lines: simUneven, conf: 0.99},
		{name: "silent router", lines: simLinear, silent: []string{"10.0.2.1"}, conf: 0.95},
		{name: "silent branch router", lines: simNested, silent: []string{"10.0.3.3"}, conf: 0.99},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSimNet(t, "192.0.2.9", tc.lines...)
			for _, r := range tc.silent {
				s.silent[r] = true
			}
			tr, err := Run(context.Background(), s, Config{Confidence: tc.conf, Now: s.clock})
			if err != nil {
				t.Fatal(err)
			}
			wantHops, wantLinks := truth(s, 30)
			gotHops, gotLinks := found(tr)
			if !slices.Equal(gotHops, wantHops) {
				t.Errorf("interfaces\n got %q\nwant %q", gotHops, wantHops)
			}
			if !slices.Equal(gotLinks, wantLinks) {
				t.Errorf("links\n got %q\nwant %q", gotLinks, wantLinks)
			}
			mp := tr.Multipath
			if len(mp.Incomplete) > 0 {
				t.Errorf("incomplete hops %v", mp.Incomplete)
			}
			if mp.Probes != s.sent || mp.Probes < tc.minProbes || mp.Confidence != tc.conf {
				t.Errorf("probes %d (sim saw %d, least possible %d), confidence %v", mp.Probes, s.sent, tc.minProbes, mp.Confidence)
			}
			n := 0
			for _, h := range tr.Hops {
				n += len(h.Probes)
				for _, p := range h.Probes {
					if p.FlowID < 1 || p.FlowID > mp.Flows && mp.Flows > 0 {
						t.Errorf("hop %d: probe with flow %d of %d", h.TTL, p.FlowID, mp.Flows)
					}
				}
			}
			if n != mp.Probes {
				t.Errorf("hops hold %d probes, multipath says %d", n, mp.Probes)
			}
			if last := tr.Hops[len(tr.Hops)-1]; last.Responder(netip.MustParseAddr("192.0.2.9")) == nil {
				t.Errorf("last hop %d does not hold the destination: %+v", last.TTL, last.Responders)
			}
		})
	}
}

// TestRunMissRate checks the stopping rule's promise statistically, over many runs with different
// flow hashes. A two-way balancer at the first hop is missed exactly when its n_1 = 6 probes (95%)
// all take one branch, with probability 2⁻⁵ = 3.1%: too many misses means too few probes, none
// at all too many. A four-way balancer deeper in the path is found at least 95% of the time.
func TestRunMissRate(t *testing.T) {
	count := func(runs int, lines []string, src []string, ttl, want int) int {
		misses := 0
		for seed := range uint64(runs) {
			s := newSimNet(t, "192.0.2.9", lines...)
			s.seed, s.src = seed, src
			tr, err := Run(context.Background(), s, Config{Confidence: 0.95, Now: s.clock})
			if err != nil {
				t.Fatal(err)
			}
			if h := tr.Hop(ttl); h == nil || len(h.Responders) != want {
				misses++
			}
		}
		return misses
	}
	// 400 runs at 3.1%: 12.5 misses expected, standard deviation 3.5.
	first := count(400, []string{"10.0.1.1 > 10.0.2.1", "10.0.1.2 > 10.0.2.1", "10.0.2.1 > 192.0.2.9"},
		[]string{"10.0.1.1", "10.0.1.2"}, 1, 2)
	if first < 3 || first > 25 {
		t.Errorf("two-way balancer at hop 1 missed in %d of 400 runs, want about 12 (3..25)", first)
	}
	four := count(100, simFour, nil, 2, 4)
	if four > 5+5 {
		t.Errorf("four-way balancer missed in %d of 100 runs at 95%%", four)
	}
	t.Logf("missed: two-way at hop 1 in %d of 400 runs, four-way at hop 2 in %d of 100", first, four)
}

func TestRunBudget(t *testing.T) {
	tests := []struct {
		name           string
		cfg            Config
		wantIncomplete []int
	}{
		{name: "probes spent in hop 2", cfg: Config{MaxProbes: 12}, wantIncomplete: []int{2}},
		{name: "flows spent from hop 2 on", cfg: Config{MaxFlows: 8}, wantIncomplete: []int{2, 3}},
		{name: "max ttl before the end", cfg: Config{MaxTTL: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSimNet(t, "192.0.2.9", simFour...)
			tc.cfg.Now = s.clock
			tr, err := Run(context.Background(), s, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := tr.Multipath.Incomplete; !slices.Equal(got, tc.wantIncomplete) {
				t.Errorf("incomplete %v, want %v", got, tc.wantIncomplete)
			}
			if tc.cfg.MaxProbes > 0 && tr.Multipath.Probes > tc.cfg.MaxProbes {
				t.Errorf("%d probes sent, budget %d", tr.Multipath.Probes, tc.cfg.MaxProbes)
			}
			if tc.cfg.MaxFlows > 0 && tr.Multipath.Flows > tc.cfg.MaxFlows {
				t.Errorf("%d flows used, budget %d", tr.Multipath.Flows, tc.cfg.MaxFlows)
			}
			if tc.cfg.MaxTTL > 0 && tr.Hops[len(tr.Hops)-1].TTL != tc.cfg.MaxTTL {
				t.Errorf("last hop %d, want %d", tr.Hops[len(tr.Hops)-1].TTL, tc.cfg.MaxTTL)
			}
		})
	}
}

// TestRunSilentDestination: a destination that never answers ends the run after GapLimit silent hops.
func TestRunSilentDestination(t *testing.T) {
	s := newSimNet(t, "192.0.2.9", simTwo...)
	s.silent["192.0.2.9"] = true
	s.next["192.0.2.9"] = nil
	tr, err := Run(context.Background(), s, Config{Now: s.clock, GapLimit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if last := tr.Hops[len(tr.Hops)-1].TTL; last != 5 {
		t.Errorf("last hop probed %d, want 5 (hop 3 answered, 4 and 5 silent)", last)
	}
	if len(tr.Multipath.Incomplete) != 0 {
		t.Errorf("incomplete %v", tr.Multipath.Incomplete)
	}
}

// TestRunSlowRouter: a router whose ICMP comes 400 ms late (well past the adaptive wait, within the
// timeout) is found, not taken for a silent hop.
func TestRunSlowRouter(t *testing.T) {
	s := newSimNet(t, "192.0.2.9", simTwo...)
	s.slow["10.0.2.2"] = 400 * time.Millisecond
	tr, err := Run(context.Background(), s, Config{Now: s.clock, Confidence: 0.99})
	if err != nil {
		t.Fatal(err)
	}
	wantHops, wantLinks := truth(s, 30)
	gotHops, gotLinks := found(tr)
	if !slices.Equal(gotHops, wantHops) || !slices.Equal(gotLinks, wantLinks) {
		t.Errorf("got %q %q\nwant %q %q", gotHops, gotLinks, wantHops, wantLinks)
	}
	if len(tr.Multipath.Incomplete) > 0 {
		t.Errorf("incomplete %v", tr.Multipath.Incomplete)
	}
	for _, h := range tr.Hops {
		for _, p := range h.Probes {
			if p.Late || p.Status != path.StatusReply {
				t.Errorf("hop %d: probe of flow %d %s, late %v: the slow router's replies were given up", h.TTL, p.FlowID, p.Status, p.Late)
			}
		}
	}
}

func TestRunBadConfig(t *testing.T) {
	for _, cfg := range []Config{{Confidence: 1.5}, {MaxTTL: 300}, {FirstTTL: 5, MaxTTL: 4}, {MaxFlows: 1}, {MaxProbes: 70000}} {
		if _, err := Run(context.Background(), newSimNet(t, "192.0.2.9", simLinear...), cfg); err == nil {
			t.Errorf("config %+v: no error", cfg)
		}
	}
}

// queuedErrorNet is a simNet whose every third send first reports an unreachable an earlier probe
// drew (as an unprivileged socket does on its next send).
type queuedErrorNet struct {
	*simNet
	sends int
	fail  error
}

func (q *queuedErrorNet) Send(p probe.Probe) error {
	q.sends++
	if q.sends%3 == 0 {
		return q.fail
	}
	return q.simNet.Send(p)
}

// TestRunQueuedSendError: an unreachable reported on a send is an earlier probe's answer: the probe is
// sent again and the enumeration goes on; any other send error ends it.
func TestRunQueuedSendError(t *testing.T) {
	s := newSimNet(t, "192.0.2.9", simTwo...)
	tr, err := Run(context.Background(), &queuedErrorNet{simNet: s, fail: syscall.EHOSTUNREACH}, Config{Now: s.clock})
	if err != nil || tr.Multipath == nil || len(tr.Hops) == 0 {
		t.Fatalf("trace %v, err %v: want the enumeration to go on", tr, err)
	}
	if _, err := Run(context.Background(), &queuedErrorNet{simNet: newSimNet(t, "192.0.2.9", simTwo...), fail: syscall.EBADF}, Config{Now: s.clock}); err == nil {
		t.Error("a bad descriptor did not end the run")
	}
}
