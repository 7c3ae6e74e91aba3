package explain

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"hopscope/internal/enrich"
	"hopscope/internal/path"
)

// traceFromBytes turns arbitrary bytes into a trace and enrichment: each 4-byte group is one probe
// (TTL step, responder index, RTT, flags), so the fuzzer explores silent hops, repeated and missing
// responders, aggregates, special ranges, hints and odd RTTs.
func traceFromBytes(data []byte) (*path.Trace, map[netip.Addr]enrich.Info) {
	addrs := []netip.Addr{
		netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("198.51.100.7"), netip.MustParseAddr("203.0.113.9"),
		netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("2001:db8::1"), {},
	}
	hints := []*enrich.Hint{nil, {City: "Paris", Country: "FR", Lat: 48.86, Lon: 2.35, HasCoords: true, Confidence: "high"},
		{City: "Singapore", Country: "SG", Lat: 1.29, Lon: 103.85, HasCoords: true, Confidence: "medium"}, {ASN: 64500, Confidence: "low"}}
	t := &path.Trace{Source: "fuzz"}
	if len(data) > 0 && data[0]&1 == 1 {
		t.Target.Addr = addrs[2]
	}
	infos := map[netip.Addr]enrich.Info{}
	ttl := 1
	for i := 0; i+3 < len(data); i += 4 {
		ttl += int(data[i] % 3)
		if ttl > 64 {
			break
		}
		h := t.HopAt(ttl)
		a := addrs[int(data[i+1])%len(addrs)]
		rtt := time.Duration(data[i+2]) * time.Duration(1+data[i+3]%8) * time.Millisecond
		switch data[i+3] % 5 {
		case 0:
			h.AddProbe(path.Probe{Status: path.StatusTimeout}, "")
		case 1:
			h.AddResponder(path.Responder{Addr: a, Name: "r.example", Stats: &path.Stats{Sent: 3, Received: int(data[i+2] % 4), Best: rtt, Avg: rtt, Worst: rtt}})
		default:
			h.AddProbe(path.Probe{Status: path.StatusReply, From: a, RTT: rtt, HasRTT: data[i+3]%7 != 0}, "r"+string(rune('a'+data[i]%26))+".example")
		}
		if a.IsValid() {
			in := enrich.Info{Addr: a, ASN: uint32(data[i+1] % 4), ASOrg: []string{"", "Alpha Net", "ALPHA", "Beta Telecom"}[data[i+1]%4],
				Country: []string{"", "FR", "SG", "US"}[data[i+2]%4], Hint: hints[int(data[i+3])%len(hints)]}
			if a.Is4() && a.As4()[0] == 10 {
				in.Special = &enrich.Special{Prefix: netip.MustParsePrefix("10.0.0.0/8"), Kind: "private", Name: "private"}
			}
			infos[a] = in
		}
	}
	return t, infos
}

func FuzzExplain(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 0, 5, 2, 1, 1, 6, 2, 1, 2, 240, 3, 2, 2, 200, 2, 1, 4, 9, 1})
	f.Add([]byte{0, 5, 1, 1, 1, 3, 0, 0, 2, 2, 2, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, infos := traceFromBytes(data)
		for _, opt := range []Options{{}, {From: &Place{City: "Paris", Country: "FR", Lat: 48.86, Lon: 2.35, HasCoords: true}}} {
			got := Explain(tr, infos, opt)
			if len(got.Hops) != len(tr.Hops) {
				t.Fatalf("%d hops explained, trace has %d", len(got.Hops), len(tr.Hops))
			}
			if got.Summary == "" || strings.Contains(got.Summary, "%!") || strings.Contains(got.Summary, "invalid IP") {
				t.Fatalf("bad summary %q", got.Summary)
			}
			for _, j := range got.Jumps {
				if j.ToTTL <= j.FromTTL || j.DeltaMs <= 0 {
					t.Fatalf("bad jump %+v", j)
				}
				for _, s := range got.Spikes {
					if s.TTL == j.ToTTL {
						t.Fatalf("hop %d is both a jump and slow ICMP", s.TTL)
					}
				}
			}
		}
	})
}
