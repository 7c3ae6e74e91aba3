package report

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"hopscope/internal/enrich"
	"hopscope/internal/explain"
	"hopscope/internal/explain/explaintest"
	"hopscope/internal/path"
)

func TestBuildPathSeed(t *testing.T) {
	tr, infos := explaintest.SeedTrace(), explaintest.SeedInfos()
	p := BuildPath(tr, infos, explain.Explain(tr, infos, explain.Options{}))

	tests := []struct {
		name string
		got  any
		want any
	}{
		{"target address", p.Target.Addr, "101.33.110.25"},
		{"input", p.Input, "traceroute-bsd"},
		{"hop count", len(p.Hops), 17},
		{"hop 8 sent", p.Hops[7].Sent, 3},
		{"hop 8 answered", p.Hops[7].Answered, 1},
		{"hop 10 silent", p.Hops[9].Silent, true},
		{"hop 13 responders", len(p.Hops[12].Responders), 2},
		{"hop 13 second responder min", p.Hops[12].Responders[1].RTT.MinMs, 236.217},
		{"hop 13 second responder median", p.Hops[12].Responders[1].RTT.MedianMs, 272.138},
		{"hop 9 operator", p.Hops[8].Operator, "Tata Communications"},
		{"hop 9 place", p.Hops[8].Place.Label, "Paris, FR"},
		{"hop 9 responder AS", p.Hops[8].Responders[0].Info.ASN, uint32(6453)},
		{"hop 14 marks", strings.Join(p.Hops[13].Marks, ","), "multi,special"},
		{"summary copied", p.Summary, p.Findings.Summary},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
}

func TestBuildPathAggregates(t *testing.T) {
	a := netip.MustParseAddr("192.0.2.1")
	tr := &path.Trace{Source: "mtr-report", Hops: []path.Hop{
		{TTL: 1, Responders: []path.Responder{{Addr: a, Stats: &path.Stats{Sent: 10, Received: 8, Best: time.Millisecond, Avg: 2 * time.Millisecond, Worst: 5 * time.Millisecond}}}},
		{TTL: 2, Stats: &path.Stats{Sent: 10}},
	}}
	p := BuildPath(tr, nil, explain.Explain(tr, nil, explain.Options{}))
	h := p.Hops[0]
	if h.Sent != 10 || h.Answered != 8 || h.Responders[0].Loss == nil || *h.Responders[0].Loss != 0.2 {
		t.Errorf("hop 1 = %+v", h)
	}
	if r := h.Responders[0].RTT; r == nil || r.MinMs != 1 || r.MedianMs != 2 || r.MaxMs != 5 {
		t.Errorf("hop 1 RTT = %+v", r)
	}
	if h.Responders[0].Info.Addr != a.String() {
		t.Errorf("missing enrichment should still carry the address: %+v", h.Responders[0].Info)
	}
	if p.Hops[1].Sent != 10 || p.Hops[1].Answered != 0 || !p.Hops[1].Silent {
		t.Errorf("hop 2 = %+v", p.Hops[1])
	}
}

func TestPathJSON(t *testing.T) {
	tr, infos := explaintest.SeedTrace(), explaintest.SeedInfos()
	r := &Report{Schema: Schema, SchemaVersion: SchemaVersion, Kind: KindPath, Tool: "hopscope test",
		Path: BuildPath(tr, infos, explain.Explain(tr, infos, explain.Options{}))}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Schema string `json:"schema"`
		Path   struct {
			Hops []struct {
				TTL        int `json:"ttl"`
				Responders []struct {
					Info enrich.Info `json:"info"`
				} `json:"responders"`
			} `json:"hops"`
			Findings struct {
				Destination struct {
					ASN uint32 `json:"asn"`
				} `json:"destination"`
				Hops []any `json:"hops"`
			} `json:"findings"`
		} `json:"path"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Schema != Schema || len(back.Path.Hops) != 17 || back.Path.Findings.Destination.ASN != 132203 {
		t.Errorf("round trip = %+v", back)
	}
	if in := back.Path.Hops[13].Responders[0].Info; in.Special == nil || in.Special.Kind != "unannounced" {
		t.Errorf("hop 14 special lost: %+v", in)
	}
}

func BenchmarkBuildPath(b *testing.B) {
	tr, infos := explaintest.SeedTrace(), explaintest.SeedInfos()
	f := explain.Explain(tr, infos, explain.Options{})
	b.ReportAllocs()
	for b.Loop() {
		BuildPath(tr, infos, f)
	}
}

func TestPathMTUAndNATSections(t *testing.T) {
	tr := &path.Trace{Source: "hopscope", Hops: []path.Hop{{TTL: 1}, {TTL: 2, Responders: []path.Responder{{Addr: netip.MustParseAddr("10.0.2.1")}}}},
		PathMTU: &path.PathMTU{Local: 1500, MTU: 1400, Complete: true,
			Drops: []path.MTUDrop{{TTL: 2, From: netip.MustParseAddr("10.0.2.1"), MTU: 1400}}},
		NAT: &path.NAT{TTL: 3, From: netip.MustParseAddr("198.51.100.1"), Changes: []string{"source address 10.1.0.2 → 198.51.100.99"}}}
	p := BuildPath(tr, nil, explain.Explain(tr, nil, explain.Options{}))
	if p.MTU == nil || p.MTU.MTU != 1400 || len(p.MTU.Drops) != 1 || p.MTU.Drops[0].From != "10.0.2.1" || p.NAT == nil || p.NAT.TTL != 3 {
		t.Fatalf("mtu %+v nat %+v", p.MTU, p.NAT)
	}
	got := map[string]string{}
	for _, s := range p.Sections {
		got[s.Label] = strings.Join(s.Lines, " | ")
	}
	if !strings.Contains(got["Path MTU"], "1400 bytes (the first link carries 1500)") || !strings.Contains(got["Path MTU"], "after hop 2 (10.0.2.1)") {
		t.Errorf("Path MTU section = %q", got["Path MTU"])
	}
	if want := "a NAT at hop 2 (10.0.2.1) or on its link to hop 3 rewrote the probes: hop 3 (198.51.100.1) quoted them changed (source address 10.1.0.2 → 198.51.100.99), hop 2 still as sent"; got["NAT"] != want {
		t.Errorf("NAT section = %q\nwant %q", got["NAT"], want)
	}
	if p.NAT.RouterTTL != 2 || p.NAT.Router != "10.0.2.1" {
		t.Errorf("NAT router %d %q, want hop 2 10.0.2.1", p.NAT.RouterTTL, p.NAT.Router)
	}
	// Quoted changed from the first hop on: the rewrite was on this host or its first link.
	first := newNAT(&path.NAT{TTL: 1, From: netip.MustParseAddr("10.0.2.1"), Changes: []string{"x"}}, tr.Hops)
	if l := natLines(first); first.RouterTTL != 0 || len(l) != 1 || !strings.HasPrefix(l[0], "a NAT before hop 1 (on this host or its first link)") || strings.Contains(l[0], "still as sent") {
		t.Errorf("NAT at hop 1: %+v %q", first, l)
	}
}

func TestLateOnlyResponder(t *testing.T) {
	a, b := netip.MustParseAddr("192.0.2.3"), netip.MustParseAddr("192.0.2.4")
	ms := func(v int) time.Duration { return time.Duration(v) * time.Millisecond }
	tr := &path.Trace{Source: "hopscope", Hops: []path.Hop{
		{TTL: 1, Probes: []path.Probe{{Status: path.StatusReply, From: a, RTT: ms(212), HasRTT: true, Late: true},
			{Status: path.StatusReply, From: a, RTT: ms(215), HasRTT: true, Late: true}}, Responders: []path.Responder{{Addr: a}}},
		{TTL: 2, Probes: []path.Probe{{Status: path.StatusReply, From: b, RTT: ms(62), HasRTT: true}}, Responders: []path.Responder{{Addr: b}}},
	}}
	p := BuildPath(tr, nil, explain.Explain(tr, nil, explain.Options{}))
	r := p.Hops[0].Responders[0]
	if r.RTT != nil || r.LateRTT == nil || r.LateRTT.MinMs != 212 || r.LateRTT.Count != 2 {
		t.Fatalf("responder = %+v", r)
	}
	if !strings.Contains(strings.Join(p.Hops[0].Notes, ","), "late replies (212.0 ms)") {
		t.Errorf("notes = %v", p.Hops[0].Notes)
	}
	found := false
	for _, s := range p.Sections {
		found = found || s.Label == "Latency" && strings.Contains(strings.Join(s.Lines, " "), "hop 1 (192.0.2.3) answered only after its probes' wait, in 212.0–215.0 ms")
	}
	if !found {
		t.Errorf("sections = %+v", p.Sections)
	}
	// An imported trace's late replies are not timed to their probe: nothing is made of them.
	tr.Source = "ripe-atlas"
	if p := BuildPath(tr, nil, explain.Explain(tr, nil, explain.Options{})); p.Hops[0].Responders[0].LateRTT != nil {
		t.Errorf("imported late replies used: %+v", p.Hops[0].Responders[0])
	}
}
