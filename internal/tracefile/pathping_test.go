package tracefile

import (
	"os"
	"slices"
	"testing"
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
