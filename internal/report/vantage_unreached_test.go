package report

import (
	"strings"
	"testing"
)

// TestSummaryLowerBounds: an origin whose destination did not answer has only a lower bound, which can
// make it slower than an answered origin but never faster or alike (issue 17, found on the recorded
// RIPE Atlas measurement 1000157, where neither probe reached the target).
func TestSummaryLowerBounds(t *testing.T) {
	origin := func(label string, ms float64, reached bool) Origin {
		return Origin{Label: label, Measured: true, HasRTT: true, MinRTTMs: ms, Reached: reached}
	}
	tests := []struct {
		name        string
		slow, fast  Origin
		want        string
		wantDiffers bool
	}{
		{"neither answered", origin("US", 271.8, false), origin("US #2", 198.4, false),
			"which is slower is unknown: the destination did not answer from US #2, so its 198.4 ms (at the last hop that answered) is only a lower bound, as is 271.8 ms from US.", false},
		{"only the slow one answered", origin("Paris", 250, true), origin("Tokyo", 20, false),
			"which is slower is unknown: the destination did not answer from Tokyo", false},
		{"unanswered bound close to an answer", origin("Lima", 110, false), origin("Quito", 100, true),
			"at least as slow from Lima (≥ 110.0 ms, the destination did not answer) as from Quito (100.0 ms); how much slower is unknown.", false},
		{"unanswered bound far above an answer", origin("Lima", 300, false), origin("Quito", 100, true),
			"slow from Lima", true},
		{"both answered, alike", origin("Lima", 110, true), origin("Quito", 100, true), "similar from every origin", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &Vantages{Origins: []Origin{tc.slow, tc.fast}, Slowest: 0, Fastest: 1}
			got := v.summary()
			if !strings.Contains(got, tc.want) || v.Differs != tc.wantDiffers {
				t.Errorf("summary %q (differs %v)\nwant it to contain %q (differs %v)", got, v.Differs, tc.want, tc.wantDiffers)
			}
		})
	}
}
