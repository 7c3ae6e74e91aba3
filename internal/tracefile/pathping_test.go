package tracefile

import (
	"os"
	"slices"
	"strings"
	"testing"

	"hopscope/internal/path"
)

// TestPathping: the route listing and the statistics of pathping become one trace: hop 0 is the
// source, a wrapped address is joined, each hop's responder carries the loss from the source and the
// average RTT, and a hop that never answered in the statistics has nothing received.
func TestPathping(t *testing.T) {
	data, err := os.ReadFile("testdata/pastes/pathping.txt")
	if err != nil {
		t.Fatal(err)
	}
	if f, err := Detect(data); err != nil || f != FormatPathping {
		t.Fatalf("Detect = %q, %v", f, err)
	}
	for _, strict := range []bool{false, true} {
		trs, err := ParseWith(data, "", ParseOptions{Strict: strict})
		if err != nil || len(trs) != 1 {
			t.Fatalf("strict=%v: %d traces, %v", strict, len(trs), err)
		}
		tr := trs[0]
		if tr.Source != FormatPathping || tr.From.String() != "192.168.0.11" || tr.Target.Name != "example.com" || tr.Target.Addr.String() != "198.51.100.9" || tr.MaxTTL != 30 {
			t.Errorf("source %q from %v target %+v max %d", tr.Source, tr.From, tr.Target, tr.MaxTTL)
		}
		if got := ttls(tr); !slices.Equal(got, []int{1, 2, 3, 4}) {
			t.Fatalf("hops %v, want 1 to 4 (hop 0 is the source)", got)
		}
		wantResponder(t, tr, 3, "192.0.2.34", "r3.example.net", 0)
		for _, c := range []struct {
			ttl, sent, received int
			avgMs               float64
		}{{1, 100, 100, 48}, {2, 100, 100, 51}, {3, 100, 0, 0}, {4, 100, 98, 82}} {
			st := tr.Hop(c.ttl).Responders[0].Stats
			if st == nil || st.Sent != c.sent || st.Received != c.received || st.Avg.Seconds()*1000 != c.avgMs {
				t.Errorf("hop %d stats %+v, want %d/%d at %v ms", c.ttl, st, c.received, c.sent, c.avgMs)
			}
		}
	}
}

// TestPathpingRefused: broken statistics are named, not guessed.
func TestPathpingRefused(t *testing.T) {
	in := "Tracing route to 192.0.2.9 over a maximum of 30 hops\n  1  192.0.2.9\n\nComputing statistics for 25 seconds...\n  1   4ms     x/ 100 =  0%     0/ 100 =  0%  192.0.2.9\n"
	_, err := ParseWith([]byte(in), FormatPathping, ParseOptions{Strict: true})
	if pe, ok := err.(*ParseError); !ok || pe.Line != 5 {
		t.Errorf("err = %v; want a ParseError on line 5", err)
	}
}

// TestPathpingRouteOnly: pathping's route listing without its statistics (cut off, or not yet computed)
// gives every listed router one answered probe without an RTT and a "*" hop one timeout, and says the
// RTTs and loss are not in the input; with the statistics, neither happens.
func TestPathpingRouteOnly(t *testing.T) {
	const listing = "C:\\>pathping example.com\n\nTracing route to example.com [198.51.100.9]\nover a maximum of 30 hops:\n" +
		"  0  mypc [192.168.1.10]\n  1  router [192.168.1.1]  # my router\n  2  192.0.2.2\n  3     *        *        *\n"
	tests := []struct {
		name, in string
	}{
		{"cut after the computing line", listing + "Computing statistics for 75 seconds...\n"},
		{"cut after the listing", listing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := ParseWith([]byte(tc.in), FormatPathping, ParseOptions{})
			if err != nil || len(trs) != 1 {
				t.Fatalf("%d traces, %v", len(trs), err)
			}
			tr := trs[0]
			if got := ttls(tr); !slices.Equal(got, []int{1, 2, 3}) {
				t.Fatalf("hops %v", got)
			}
			for _, c := range []struct {
				ttl  int
				from string
			}{{1, "192.168.1.1"}, {2, "192.0.2.2"}} {
				h := tr.Hop(c.ttl)
				if len(h.Probes) != 1 || h.Probes[0].Status != path.StatusReply || h.Probes[0].HasRTT || h.Probes[0].From.String() != c.from || h.Answered() != 1 {
					t.Errorf("hop %d probes %+v, want one reply from %s without an RTT", c.ttl, h.Probes, c.from)
				}
				if h.Responders[0].Stats != nil {
					t.Errorf("hop %d has stats %+v", c.ttl, h.Responders[0].Stats)
				}
			}
			if h := tr.Hop(3); !h.Silent() || len(h.Probes) != 1 || h.Probes[0].Status != path.StatusTimeout {
				t.Errorf("hop 3 %+v, want one timeout", h)
			}
			wantWarning(t, tr, "pathping's statistics part is not in the input: no RTTs or loss")
			wantWarning(t, tr, `line 6: ignored "# my router", a comment appended to the hop line`)
			for _, w := range tr.Warnings {
				if strings.Contains(w, "only the average RTT") {
					t.Errorf("warning %q for statistics that are not there", w)
				}
			}
		})
	}
	data, err := os.ReadFile("testdata/pastes/pathping.txt")
	if err != nil {
		t.Fatal(err)
	}
	trs, err := Parse(data, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range trs[0].Warnings {
		if strings.Contains(w, "statistics part is not") {
			t.Errorf("full pathping output warned %q", w)
		}
	}
	if h := trs[0].Hop(1); len(h.Probes) != 0 || h.Responders[0].Stats == nil {
		t.Errorf("full output hop 1: probes %+v, stats %+v; want the statistics only", h.Probes, h.Responders[0].Stats)
	}
}
