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
		{"all zero says nothing", []string{"192.0.2.1/0 192.0.2.1/0 192.0.2.1/0", "192.0.2.2/0 192.0.2.2/0 192.0.2.2/0"}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Explain(explaintest.Trace("", tc.hops...), nil, Options{})
			if f.ClockStepMs != tc.wantStep {
				t.Errorf("clock step = %v, want %v", f.ClockStepMs, tc.wantStep)
			}
			if len(f.Jumps) != tc.wantJumps {
				t.Errorf("jumps = %+v, want %d", f.Jumps, tc.wantJumps)
			}
			if said := strings.Contains(f.Summary, "coarse"); said != (tc.wantStep > 0) {
				t.Errorf("summary (coarse clock said: %v): %s", said, f.Summary)
			}
		})
	}
}
