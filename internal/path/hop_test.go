package path

import (
	"net/netip"
	"reflect"
	"testing"
	"time"
)

func TestSummarizeEachMatchesSummarize(t *testing.T) {
	a, b, c := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("2001:db8::3")
	ms := func(v int) time.Duration { return time.Duration(v) * time.Millisecond }
	reply := func(from netip.Addr, v int) Probe {
		return Probe{Status: StatusReply, From: from, RTT: ms(v), HasRTT: true}
	}
	tests := []struct {
		name string
		hop  Hop
	}{
		{"empty", Hop{TTL: 1}},
		{"one responder", Hop{Probes: []Probe{reply(a, 3), reply(a, 1), reply(a, 2)}, Responders: []Responder{{Addr: a}}}},
		{"interleaved", Hop{
			Probes:     []Probe{reply(a, 5), reply(b, 9), {Status: StatusTimeout}, reply(a, 1), reply(c, 4), reply(b, 7)},
			Responders: []Responder{{Addr: a}, {Addr: b}, {Addr: c}}}},
		{"late, no time and unlisted probes are left out", Hop{
			Probes: []Probe{reply(a, 5), {Status: StatusReply, From: a, RTT: ms(1), HasRTT: true, Late: true},
				{Status: StatusReply, From: b}, reply(c, 2)},
			Responders: []Responder{{Addr: a}, {Addr: b}}}},
		{"a responder known only by name gets the whole hop", Hop{
			Probes:     []Probe{reply(a, 5), reply(b, 1)},
			Responders: []Responder{{Addr: a}, {Name: "router.example"}, {Addr: b}}}},
		{"a listed twice", Hop{
			Probes:     []Probe{reply(a, 5), reply(b, 1), reply(a, 2)},
			Responders: []Responder{{Addr: a}, {Addr: b}, {Addr: a}}}},
		{"aggregates", Hop{Responders: []Responder{
			{Addr: a, Stats: &Stats{Sent: 10, Received: 8, Best: ms(1), Avg: ms(2), Worst: ms(5)}},
			{Addr: b, Stats: &Stats{Sent: 10}},
			{Name: "x", Stats: &Stats{Sent: 10, Received: 1, Best: ms(7), Avg: ms(7), Worst: ms(7)}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.hop.SummarizeEach()
			if len(got) != len(tc.hop.Responders) {
				t.Fatalf("%d summaries for %d responders", len(got), len(tc.hop.Responders))
			}
			for i, r := range tc.hop.Responders {
				if want := tc.hop.Summarize(r.Addr); !reflect.DeepEqual(got[i], want) {
					t.Errorf("responder %d (%v): got %+v, want %+v", i, r.Addr, got[i], want)
				}
			}
		})
	}
}

// FuzzSummarizeEach checks the one-pass summaries against Summarize on hops built from arbitrary bytes:
// each byte pair is a probe (responder index, RTT).
func FuzzSummarizeEach(f *testing.F) {
	f.Add([]byte{0, 5, 1, 9, 0, 1, 2, 4, 255, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var h Hop
		for i := 0; i+1 < len(data); i += 2 {
			r, v := data[i], data[i+1]
			switch {
			case r == 255:
				h.Probes = append(h.Probes, Probe{Status: StatusTimeout})
			case r == 254:
				h.Responders = append(h.Responders, Responder{Name: "n"})
			default:
				a := netip.AddrFrom4([4]byte{192, 0, 2, r % 8})
				h.AddProbe(Probe{Status: StatusReply, From: a, RTT: time.Duration(v) * time.Microsecond, HasRTT: v%5 != 0, Late: v%11 == 0}, "")
			}
		}
		got := h.SummarizeEach()
		for i, r := range h.Responders {
			if want := h.Summarize(r.Addr); got[i] != want {
				t.Fatalf("responder %d (%v): got %+v, want %+v", i, r.Addr, got[i], want)
			}
		}
	})
}
