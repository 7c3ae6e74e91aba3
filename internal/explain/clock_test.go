package explain

import (
	"strings"
	"testing"

	"hopscope/internal/explain/explaintest"
)

func TestClockStep(t *testing.T) {
	tests := []struct {
		name      string
		hops      []string
		wantStep  float64
		wantJumps int
	}{
		{"Cisco msec in 8 ms ticks: no jump", []string{"192.0.2.1/0 192.0.2.1/0 192.0.2.1/0", "192.0.2.2/8 192.0.2.2/0 192.0.2.2/0", "192.0.2.3/8 192.0.2.3/8 192.0.2.3/0"}, 8, 0},
		{"4 ms ticks: a rise of three ticks is still a jump", []string{"192.0.2.1/4 192.0.2.1/4 192.0.2.1/8", "192.0.2.2/16 192.0.2.2/20 192.0.2.2/16", "192.0.2.3/16 192.0.2.3/20 192.0.2.3/24"}, 4, 1},
		{"Windows' 15.625 ms tick printed as 15 and 16: a one-tick rise is not a jump", []string{"192.0.2.1/0 192.0.2.1/0 192.0.2.1/0", "192.0.2.2/15 192.0.2.2/16 192.0.2.2/0", "192.0.2.3/16 192.0.2.3/16 192.0.2.3/31"}, 15.625, 0},
		{"whole milliseconds are not a coarse clock", []string{"192.0.2.1/1 192.0.2.1/2 192.0.2.1/1", "192.0.2.2/3 192.0.2.2/5 192.0.2.2/7", "192.0.2.3/5 192.0.2.3/6 192.0.2.3/9"}, 0, 0},
		{"fine RTTs", []string{"192.0.2.1/0.512 192.0.2.1/0.611", "192.0.2.2/8.1 192.0.2.2/8.3", "192.0.2.3/30.2 192.0.2.3/31.0"}, 0, 2},
		{"too few RTTs to tell", []string{"192.0.2.1/0", "192.0.2.2/8", "192.0.2.3/16"}, 0, 1},
		{"tracert's <1 ms (read as 1 ms) everywhere says nothing about a clock", []string{"192.0.2.1/1 192.0.2.1/1 192.0.2.1/1", "192.0.2.2/1 192.0.2.2/1 192.0.2.2/1", "192.0.2.3/1 192.0.2.3/1 192.0.2.3/1"}, 0, 0},
		{"RTTs of 0 and 1 ms, all below the tick, say nothing about a clock", []string{"192.0.2.1/0 192.0.2.1/1 192.0.2.1/0", "192.0.2.2/1 192.0.2.2/1 192.0.2.2/0", "192.0.2.3/1 192.0.2.3/0 192.0.2.3/1"}, 0, 0},
		{"a virtual router's 10 ms clock with an offset (99, 109, 119 ms): a one-tick excess is not slow ICMP", []string{
			"192.0.2.1/439 192.0.2.1/119 192.0.2.1/109", "192.0.2.2/109 192.0.2.2/109 192.0.2.2/109",
			"192.0.2.3/99 192.0.2.3/99 192.0.2.3/149", "192.0.2.4/119 192.0.2.4/119 192.0.2.4/99",
			"192.0.2.5/109 192.0.2.5/139 192.0.2.5/99", "192.0.2.6/109 192.0.2.6/109"}, 10, 0},
		{"an offset needs many RTTs: six whole-millisecond readings one apart are no clock", []string{
			"192.0.2.1/13 192.0.2.1/23", "192.0.2.2/33 192.0.2.2/43", "192.0.2.3/53 192.0.2.3/63"}, 0, -1},
		{"twelve fine RTTs fit no offset lattice", []string{
			"192.0.2.1/1.2 192.0.2.1/1.9 192.0.2.1/3.3", "192.0.2.2/8.1 192.0.2.2/9.7 192.0.2.2/8.6",
			"192.0.2.3/20.2 192.0.2.3/22.9 192.0.2.3/21.4", "192.0.2.4/30.3 192.0.2.4/33.8 192.0.2.4/31.1"}, 0, -1},
		{"all zero says nothing", []string{"192.0.2.1/0 192.0.2.1/0 192.0.2.1/0", "192.0.2.2/0 192.0.2.2/0 192.0.2.2/0"}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Explain(explaintest.Trace("", tc.hops...), nil, Options{})
			if f.ClockStepMs != tc.wantStep {
				t.Errorf("clock step = %v, want %v", f.ClockStepMs, tc.wantStep)
			}
			if tc.wantJumps >= 0 && len(f.Jumps) != tc.wantJumps {
				t.Errorf("jumps = %+v, want %d", f.Jumps, tc.wantJumps)
			}
			if said := strings.Contains(f.Summary, "coarse"); said != (tc.wantStep > 0) {
				t.Errorf("summary (coarse clock said: %v): %s", said, f.Summary)
			}
		})
	}
}

// TestClockOffsetNoSpike: inside an MPLS tunnel of virtual routers whose clock reads 99, 109, 119 ms, a
// hop at 109 ms before one at 99 ms is one tick of the clock, not a router slow to send ICMP.
func TestClockOffsetNoSpike(t *testing.T) {
	f := Explain(explaintest.Trace("",
		"192.0.2.1/439 192.0.2.1/119 192.0.2.1/109", "192.0.2.2/109 192.0.2.2/109 192.0.2.2/109",
		"192.0.2.3/99 192.0.2.3/99 192.0.2.3/149", "192.0.2.4/119 192.0.2.4/119 192.0.2.4/99",
		"192.0.2.5/109 192.0.2.5/139 192.0.2.5/99", "192.0.2.6/109 192.0.2.6/109"), nil, Options{})
	if len(f.Spikes) != 0 {
		t.Errorf("spikes %+v, want none: one tick of a 10 ms clock", f.Spikes)
	}
	if !strings.Contains(f.Summary, "steps of ~10 ms") {
		t.Errorf("summary does not name the clock: %s", f.Summary)
	}
}
