package tracefile

import (
	"slices"
	"strings"
	"testing"

	"hopscope/internal/path"
)

// ttls lists the TTLs of tr's hops.
func ttls(tr *path.Trace) []int {
	out := make([]int, len(tr.Hops))
	for i, h := range tr.Hops {
		out[i] = h.TTL
	}
	return out
}

// TestHuaweiTracert pins Huawei VRP's tracert: its own format name, its header's fields, the label
// stack "tracert -v" glues to the address, and its prompts.
func TestHuaweiTracert(t *testing.T) {
	const hdr = " traceroute to  198.51.100.9(198.51.100.9), max hops: 30 ,packet length: 40,press CTRL_C to break \n"
	tests := []struct {
		name   string
		in     string
		hops   []int
		labels map[int][]path.MPLSLabel // hop → the label stack of its probes
	}{
		{
			name:   "two-label stack glued to the address",
			in:     "<CE1>tracert -v -a 192.0.2.1 198.51.100.9\n" + hdr + " 1 10.1.17.1 30 ms  20 ms  20 ms \n 2 10.1.12.2[MPLS Label=1024/1028 Exp=0/0 S=0/1 TTL=1/1] 50 ms  40 ms  40 ms \n 3 198.51.100.9 70 ms  50 ms  50 ms\n",
			hops:   []int{1, 2, 3},
			labels: map[int][]path.MPLSLabel{2: {{Label: 1024, TTL: 1}, {Label: 1028, S: true, TTL: 1}}},
		},
		{
			name:   "three-label stack with Exp set",
			in:     hdr + " 1 10.0.23.3[MPLS Label=1024/1027/1026 Exp=5/0/0 S=0/0/1 TTL=1/1/2] 60 ms  50 ms  50 ms \n",
			hops:   []int{1},
			labels: map[int][]path.MPLSLabel{1: {{Label: 1024, TC: 5, TTL: 1}, {Label: 1027, TTL: 1}, {Label: 1026, S: true, TTL: 2}}},
		},
		{
			name: "header wrapped by the console, system-view prompts",
			in:   "[R1]tracert 198.51.100.9\n\n traceroute to  198.51.100.9(198.51.100.9), max hops: 30 ,packet length: 40,press CT\nRL_C to break \n\n 1 192.0.2.2 30 ms  10 ms  20 ms \n\n 2 198.51.100.9 20 ms  30 ms  40 ms \n[R1]\n",
			hops: []int{1, 2},
		},
		{
			name: "middle dots for hops the author left out",
			in:   hdr + " 1 192.0.2.2 50 ms  20 ms  20 ms \n 2 192.0.2.1 10 ms  20 ms  10 ms \n······\n27 192.0.2.2 80 ms  60 ms  100 ms \n28 192.0.2.1 70 ms  80 ms  80 ms \n",
			hops: []int{1, 2, 27, 28},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if f, err := Detect([]byte(tc.in)); err != nil || f != FormatTracerouteHuawei {
				t.Fatalf("Detect = %q, %v; want %q", f, err, FormatTracerouteHuawei)
			}
			for _, strict := range []bool{false, true} {
				trs, err := ParseWith([]byte(tc.in), "", ParseOptions{Strict: strict})
				if err != nil || len(trs) != 1 {
					t.Fatalf("strict=%v: %d traces, %v", strict, len(trs), err)
				}
				tr := trs[0]
				if tr.Source != FormatTracerouteHuawei || tr.Target.Addr.String() != "198.51.100.9" || tr.MaxTTL != 30 || tr.PacketSize != 40 {
					t.Errorf("source %q, target %v, max %d, size %d", tr.Source, tr.Target.Addr, tr.MaxTTL, tr.PacketSize)
				}
				if got := ttls(tr); !slices.Equal(got, tc.hops) {
					t.Errorf("strict=%v: hops %v, want %v", strict, got, tc.hops)
				}
				for _, w := range tr.Warnings {
					if strings.Contains(w, "skipped") {
						t.Errorf("strict=%v: unexpected warning %q", strict, w)
					}
				}
				for _, h := range tr.Hops {
					want := tc.labels[h.TTL]
					for _, p := range h.Probes {
						if !slices.Equal(p.MPLS, want) {
							t.Errorf("hop %d: labels %+v, want %+v", h.TTL, p.MPLS, want)
						}
					}
					if h.Silent() {
						t.Errorf("hop %d silent", h.TTL)
					}
				}
			}
		})
	}
}

// TestHuaweiMPLSRefused: a label stack that cannot be read is an error naming it, not labels made up.
func TestHuaweiMPLSRefused(t *testing.T) {
	for _, stack := range []string{
		"[MPLS Label=1024/1028 Exp=0 S=0/1 TTL=1/1]", // fields of different depths
		"[MPLS Label=2000000 Exp=0 S=1 TTL=1]",       // beyond 20 bits
		"[MPLS Exp=0 S=1 TTL=1]",                     // no label
		"[MPLS Label=16 Exp=0 S=1 TTL=1",             // not closed
		"[MPLS Label=16 Foo=1]",                      // unknown field
	} {
		in := " traceroute to  198.51.100.9(198.51.100.9), max hops: 30 ,packet length: 40,press CTRL_C to break \n 1 192.0.2.2" + stack + " 5 ms  5 ms  5 ms\n"
		_, err := ParseWith([]byte(in), FormatTracerouteHuawei, ParseOptions{Strict: true})
		pe, ok := err.(*ParseError)
		if !ok || pe.Line != 2 || !strings.Contains(pe.Expected, "label stack") {
			t.Errorf("%s: err = %v; want a ParseError on line 2 about the label stack", stack, err)
		}
	}
}

// TestElisionLines: a line an author put in place of left-out hops keeps those hops out of the trace
// (not silent), in every importer of traceroute's and tracert's hop lines; an ordinary line is not one.
func TestElisionLines(t *testing.T) {
	const linuxHdr = "traceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 60 byte packets\n"
	const tracertHdr = "Tracing route to 192.0.2.9 over a maximum of 30 hops\n\n"
	tests := []struct {
		name    string
		in      string
		hops    []int
		warning string
	}{
		{"Linux three dots", linuxHdr + " 1  192.0.2.1  1.0 ms\n 2  192.0.2.2  2.0 ms\n...\n 9  192.0.2.9  9.0 ms\n", []int{1, 2, 9}, "hops 3 to 8 are not in the input: line 4"},
		{"BSD indented dots after a hop", "traceroute to 192.0.2.9 (192.0.2.9), 64 hops max, 52 byte packets\n 1  192.0.2.1 (192.0.2.1)  1.0 ms\n ...\n 3  192.0.2.9 (192.0.2.9)  3.0 ms\n", []int{1, 3}, "hop 2 is not in the input: line 3"},
		{"spaced dots", linuxHdr + " 1  192.0.2.1  1.0 ms\n . . .\n 5  192.0.2.9  5.0 ms\n", []int{1, 5}, "hops 2 to 4"},
		{"ellipsis character", linuxHdr + " 1  192.0.2.1  1.0 ms\n…\n 5  192.0.2.9  5.0 ms\n", []int{1, 5}, "hops 2 to 4"},
		{"snip mark", linuxHdr + " 1  192.0.2.1  1.0 ms\n--snip--\n 5  192.0.2.9  5.0 ms\n", []int{1, 5}, "hops 2 to 4"},
		{"dots with no hop missing", linuxHdr + " 1  192.0.2.1  1.0 ms\n...\n 2  192.0.2.9  2.0 ms\n", []int{1, 2}, ""},
		{"a real silent hop stays", linuxHdr + " 1  192.0.2.1  1.0 ms\n 2  * * *\n...\n 6  192.0.2.9  6.0 ms\n", []int{1, 2, 6}, "hops 3 to 5"},
		{"a gap without a mark is silent", linuxHdr + " 1  192.0.2.1  1.0 ms\n 4  192.0.2.9  4.0 ms\n", []int{1, 2, 3, 4}, ""},
		{"tracert bracketed dots", tracertHdr + "  1     1 ms     1 ms     1 ms  192.0.2.1\n  [...]\n  9    21 ms    13 ms    12 ms  192.0.2.9\n", []int{1, 9}, "hops 2 to 8"},
		{"tracert several dot lines", tracertHdr + "  1     1 ms     1 ms     1 ms  192.0.2.1\n  .\n  .\n  ...\n  9    21 ms    13 ms    12 ms  192.0.2.9\n", []int{1, 9}, "line 4 stands for them"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := Parse([]byte(tc.in), "")
			if err != nil || len(trs) != 1 {
				t.Fatalf("%d traces, %v", len(trs), err)
			}
			if got := ttls(trs[0]); !slices.Equal(got, tc.hops) {
				t.Errorf("hops %v, want %v", got, tc.hops)
			}
			if tc.warning != "" {
				wantWarning(t, trs[0], tc.warning)
			}
			for _, w := range trs[0].Warnings {
				if strings.Contains(w, "skipped") || tc.warning == "" && strings.Contains(w, "not in the input") {
					t.Errorf("unexpected warning %q", w)
				}
			}
		})
	}
}

func TestIsElisionLine(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{"...", true}, {".", true}, {". . .", true}, {"······", true}, {"…", true}, {"⋮", true},
		{"[...]", true}, {"(...)", true}, {"--snip--", true}, {"-- snip --", true}, {"[snip]", true},
		{"<snipped>", true}, {"... output omitted ...", true},
		{"----------", false}, {"====", false}, {"", false}, {"see below", false}, {"...done", false},
		{"1.2.3.4", false}, {"* * *", false}, {"snip this", false},
	}
	for _, tc := range tests {
		if got := isElisionLine(tc.line); got != tc.want {
			t.Errorf("isElisionLine(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

// TestNextTraceHiddenAddress: a NextTrace hop shown with "*" for its address but an AS and an RTT line
// answered; it is kept as a responder without an address, with its AS and RTTs.
func TestNextTraceHiddenAddress(t *testing.T) {
	in := "traceroute to 192.0.2.9, 30 hops max, 52 bytes payload, ICMP mode\n" +
		"1   198.51.100.1    AS64500  [EXAMPLE]        Country  example.net\n" +
		"                                              0.31 ms / 0.31 ms / 0.26 ms\n" +
		"2   *\n" +
		"3   *   AS64501                  Country City  example.org \n" +
		"                                              30.66 ms / 30.59 ms / * ms\n"
	trs, err := Parse([]byte(in), "")
	if err != nil || len(trs) != 1 {
		t.Fatalf("%d traces, %v", len(trs), err)
	}
	tr := trs[0]
	if got := ttls(tr); !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("hops %v", got)
	}
	h := tr.Hop(3)
	if h.Silent() || len(h.Responders) != 1 || h.Responders[0].Addr.IsValid() || h.Responders[0].ReportedASN != 64501 {
		t.Fatalf("hop 3 responders %+v", h.Responders)
	}
	if h.Answered() != 2 || len(h.Probes) != 3 {
		t.Errorf("hop 3 probes %+v; want 2 answers and a timeout", h.Probes)
	}
	if !tr.Hop(2).Silent() {
		t.Errorf("hop 2 should stay silent")
	}
	wantWarning(t, tr, "hop 3: a responder shown without its address")
}
