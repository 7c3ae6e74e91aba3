package tracefile

import (
	"strings"
	"testing"

	"hopscope/internal/path"
)

// TestCutPasteComment: a comment mark after a space on a line with a hop's words before it starts a
// note of whoever pasted the output; the tool's own text (markers, "<1 ms", MPLS extensions, glued
// prompts) and a prompt whose sign stands after one word are left whole.
func TestCutPasteComment(t *testing.T) {
	tests := []struct {
		name, in, hop, comment string
	}{
		{"hash after tracert hop", "  1     1 ms    <1 ms     1 ms  h188a [192.168.1.1] # my gateway", "  1     1 ms    <1 ms     1 ms  h188a [192.168.1.1]", "# my gateway"},
		{"hash after timeouts", "  8     *        *        *     Request timed out. # firewall", "  8     *        *        *     Request timed out.", "# firewall"},
		{"slashes", " 4  bbtec.net (192.0.2.4)  3.591 ms // Softbank", " 4  bbtec.net (192.0.2.4)  3.591 ms", "// Softbank"},
		{"arrow", " 3:  192.0.2.3   1.922ms asymm  4  <---- this router", " 3:  192.0.2.3   1.922ms asymm  4", "<---- this router"},
		{"unicode arrow", " 2  192.0.2.2  1.0 ms ← ISP", " 2  192.0.2.2  1.0 ms", "← ISP"},
		{"hash glued to the comment text", " 2  192.0.2.2  1.0 ms #ISP edge", " 2  192.0.2.2  1.0 ms", "#ISP edge"},
		{"tab before the mark", " 2  192.0.2.2  1.0 ms\t# ISP", " 2  192.0.2.2  1.0 ms", "# ISP"},
		{"the first mark wins", " 2  192.0.2.2  1.0 ms # a // b", " 2  192.0.2.2  1.0 ms", "# a // b"},
		{"traceroute markers kept", " 3  192.0.2.3  1.0 ms !X  2.0 ms !<10>  3.0 ms !F-1500", "", ""},
		{"tracert under a millisecond kept", "  1    <1 ms    <1 ms    <1 ms  192.0.2.1", "", ""},
		{"MPLS extension kept", " 5  192.0.2.5 <MPLS:L=24001,E=0,S=1,T=1>  9.0 ms", "", ""},
		{"hash inside a word kept", " 5  r#5.example.net (192.0.2.5)  9.0 ms", "", ""},
		{"prompt after one word kept", "host:~ # traceroute 192.0.2.9", "", ""},
		{"a line that is only a comment kept", "   # a note", "", ""},
		{"root prompt kept", "# traceroute 192.0.2.9", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hop, comment, ok := cutPasteComment(tc.in)
			if tc.comment == "" {
				if ok || hop != tc.in {
					t.Errorf("cut to %q and %q; want the line whole", hop, comment)
				}
				return
			}
			if !ok || hop != tc.hop || comment != tc.comment {
				t.Errorf("got %q, %q, %v; want %q, %q", hop, comment, ok, tc.hop, tc.comment)
			}
		})
	}
}

func TestLineList(t *testing.T) {
	tests := []struct {
		in   []int
		want string
	}{
		{[]int{6}, "line 6"},
		{[]int{6, 7, 8}, "lines 6-8"},
		{[]int{3, 5, 6, 9}, "lines 3, 5-6, 9"},
	}
	for _, tc := range tests {
		if got := lineList(tc.in); got != tc.want {
			t.Errorf("lineList(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestPastedComments: in every text importer that reads hop lines, a comment appended to them is
// dropped with one warning naming the lines; the hop keeps what the tool printed (no "# ..." read
// as a report, a responder or a marker) and strict reading refuses the line instead.
func TestPastedComments(t *testing.T) {
	tests := []struct {
		name     string
		format   string
		in       string
		hops     int
		check    func(t *testing.T, tr *path.Trace)
		warning  string
		noStrict bool // strict reading refuses the input
	}{
		{
			name:   "tracert with a comment on every line",
			format: FormatTracert,
			in: "Tracing route to example.com [192.0.2.9]\nover a maximum of 30 hops:  # the default\n\n" +
				"  1     1 ms    <1 ms     1 ms  gw [192.0.2.1] # This is my Default Gateway\n" +
				"  2     4 ms     3 ms     3 ms  192.0.2.2 # ISP's first public router. The 92ms shows variable latency\n" +
				"  3     *        *        *     Request timed out. # Routers may block ICMP\n" +
				"  4    62 ms    94 ms    98 ms  example.com [192.0.2.9] # **Destination reached**\n\nTrace complete.\n",
			hops: 4,
			check: func(t *testing.T, tr *path.Trace) {
				for _, ttl := range []int{1, 2, 4} {
					h := tr.Hop(ttl)
					if len(h.Responders) != 1 || len(h.Probes) != 3 {
						t.Fatalf("hop %d: %d responders, %d probes", ttl, len(h.Responders), len(h.Probes))
					}
					for _, p := range h.Probes {
						if p.Status != path.StatusReply || p.Unreachable != "" || !p.HasRTT {
							t.Errorf("hop %d probe %+v, want a plain reply", ttl, p)
						}
					}
				}
				if got := tr.Hop(1).Responders[0]; got.Name != "gw" || got.Addr.String() != "192.0.2.1" {
					t.Errorf("hop 1 responder %+v", got)
				}
				for _, w := range tr.Warnings {
					if strings.HasPrefix(w, "hop ") {
						t.Errorf("a comment was kept as a report: %q", w)
					}
				}
			},
			warning:  `lines 4-7: ignored the comments appended to the hop lines (the first: "# This is my Default Gateway")`,
			noStrict: true,
		},
		{
			name:   "traceroute markers kept before a comment",
			format: FormatTraceroute,
			in: "traceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 60 byte packets\n" +
				" 1  gw (192.0.2.1)  1.0 ms  1.1 ms  1.2 ms  # my router, 1 ms\n" +
				" 2  192.0.2.2  5.0 ms !X  5.1 ms !H  *  // blocked\n" +
				" 3  192.0.2.9  9.0 ms  9.1 ms  9.2 ms ← the target\n",
			hops: 3,
			check: func(t *testing.T, tr *path.Trace) {
				h := tr.Hop(2)
				if len(h.Probes) != 3 || h.Probes[0].Unreachable != "X" || h.Probes[1].Unreachable != "H" || h.Probes[2].Status != path.StatusTimeout {
					t.Errorf("hop 2 probes %+v, want !X, !H and a timeout", h.Probes)
				}
				if h := tr.Hop(1); len(h.Probes) != 3 || h.Responders[0].Name != "gw" {
					t.Errorf("hop 1 %+v", h)
				}
			},
			warning:  `lines 2-4: ignored the comments`,
			noStrict: true,
		},
		{
			name:   "BSD further responder with a comment",
			format: FormatTracerouteBSD,
			in: "traceroute to 192.0.2.9 (192.0.2.9), 64 hops max, 52 byte packets\n" +
				" 1  192.0.2.1 (192.0.2.1)  1.0 ms  1.1 ms\n    192.0.2.11 (192.0.2.11)  1.2 ms  # the other link\n" +
				" 2  192.0.2.9 (192.0.2.9)  9.0 ms  9.1 ms  9.2 ms\n",
			hops: 2,
			check: func(t *testing.T, tr *path.Trace) {
				if h := tr.Hop(1); len(h.Responders) != 2 || len(h.Probes) != 3 {
					t.Errorf("hop 1: %d responders, %d probes; want 2 and 3", len(h.Responders), len(h.Probes))
				}
			},
			warning:  `line 3: ignored "# the other link", a comment appended to the hop line`,
			noStrict: true,
		},
		{
			name:   "mtr report rows with comments",
			format: FormatMTRReport,
			in: "Start: 2024-01-02T03:04:05+0000\nHOST: me                          Loss%   Snt   Last   Avg  Best  Wrst StDev\n" +
				"  1.|-- 192.0.2.1                  0.0%    10    0.5   0.6   0.4   0.9   0.1  # home router\n" +
				"  2.|-- 192.0.2.9                  0.0%    10    5.1   5.0   4.9   5.3   0.1  <-- target 100%\n",
			hops: 2,
			check: func(t *testing.T, tr *path.Trace) {
				if st := tr.Hop(2).Responders[0].Stats; st == nil || st.Received != 10 {
					t.Errorf("hop 2 stats %+v", st)
				}
			},
			warning:  `lines 3-4: ignored the comments appended to the hop lines (the first: "# home router")`,
			noStrict: true,
		},
		{
			name:     "tracepath with an arrow note",
			format:   FormatTracepath,
			in:       " 1?: [LOCALHOST]     pmtu 1500\n 1:  192.0.2.1     1.922ms asymm  4  <---- sent the ICMP, 2ms\n 2:  192.0.2.9     2.0ms reached\n",
			hops:     2,
			warning:  `line 2: ignored "<---- sent the ICMP, 2ms", a comment appended to the hop line`,
			noStrict: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := ParseWith([]byte(tc.in), tc.format, ParseOptions{})
			if err != nil || len(trs) != 1 {
				t.Fatalf("%d traces, %v", len(trs), err)
			}
			tr := trs[0]
			if len(tr.Hops) != tc.hops {
				t.Fatalf("%d hops, want %d", len(tr.Hops), tc.hops)
			}
			if tc.check != nil {
				tc.check(t, tr)
			}
			wantWarning(t, tr, tc.warning)
			if _, err := ParseWith([]byte(tc.in), tc.format, ParseOptions{Strict: true}); tc.noStrict && err == nil {
				t.Errorf("strict reading accepted the comments")
			}
		})
	}
}

// TestPastedChrome: what a shell or a web page adds around a trace is read past without a warning:
// the cmd.exe and PowerShell banners, the tail of a wrapped hop-limit line, the hop-limit line in
// Polish and Dutch, and mtr column titles without "HOST:" (which still set the columns' order).
func TestPastedChrome(t *testing.T) {
	tests := []struct {
		name, format, in string
		maxTTL           int
		check            func(t *testing.T, tr *path.Trace)
	}{
		{"cmd banner", FormatTracert, "Microsoft Windows [Version 10.0.18363.778]\n(c) 2019 Microsoft Corporation. All rights reserved.\n\nC:\\Users\\me>tracert 192.0.2.9\n\nTracing route to 192.0.2.9 over a maximum of 30 hops\n\n  1    <1 ms    <1 ms    <1 ms  192.0.2.9\n\nTrace complete.\n", 30, nil},
		{"XP banner", FormatTracert, "Microsoft Windows XP [Versión 5.1.2600]\n(C) Copyright 1985-2001 Microsoft Corp.\nC:\\>tracert 192.0.2.9\nTraza a la dirección 192.0.2.9\nsobre un máximo de 30 saltos:\n  1    <1 ms    <1 ms    <1 ms  192.0.2.9\n", 30, nil},
		{"PowerShell banner", FormatTracert, "Windows PowerShell\nCopyright (C) Microsoft Corporation. All rights reserved.\n\nTry the new cross-platform PowerShell https://aka.ms/pscore6\n\nPS C:\\> tracert 192.0.2.9\n\nTracing route to 192.0.2.9\nover a maximum of 30 hops:\n\n  1    <1 ms    <1 ms    <1 ms  192.0.2.9\n", 30, nil},
		{"wrapped hop limit", FormatTracert, "Tracing route to www.example.com [192.0.2.9] over a maximum of 30\nhops:\n1 27 ms 2 ms 2 ms 192.0.2.1\n2 38 ms 40 ms 63 ms 192.0.2.9\n", 30, nil},
		{"Polish hop limit", FormatTracert, "Śledzenie trasy do www.example.com [192.0.2.9]\nz maksymalną liczbą 15 przeskoków:\n\n  1    <1 ms    <1 ms    <1 ms  192.0.2.9\n", 15, nil},
		{"Dutch hop limit", FormatTracert, "Traceren van de route naar www.example.com [192.0.2.9]\nvia maximaal 20 hops:\n\n  1    <1 ms    <1 ms    <1 ms  192.0.2.9\n", 20, nil},
		{"pathping banner", FormatPathping, "Microsoft Windows [Version 10.0.19045.3693]\n(c) Microsoft Corporation. All rights reserved.\n\nC:\\>pathping 192.0.2.9\n\nTracing route to 192.0.2.9 over a maximum of 30 hops\n\n  0  pc [192.168.1.10]\n  1  192.0.2.9\n", 0, nil},
		{"mtr titles without HOST", FormatMTRReport, "Start: 2023-03-15T11:45:36+0000\n                                   Snt  Loss   Avg\n  1.|-- 192.0.2.1                  4   25.0%    0.5\n", 0, func(t *testing.T, tr *path.Trace) {
			st := tr.Hop(1).Responders[0].Stats
			if st == nil || st.Sent != 4 || st.Received != 3 || st.Avg.Microseconds() != 500 {
				t.Errorf("stats %+v, want 3 of 4 received at 0.5 ms", st)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := ParseWith([]byte(tc.in), tc.format, ParseOptions{})
			if err != nil || len(trs) != 1 {
				t.Fatalf("%d traces, %v", len(trs), err)
			}
			tr := trs[0]
			for _, w := range tr.Warnings {
				if strings.Contains(w, "skipped") {
					t.Errorf("warning %q", w)
				}
			}
			if tc.maxTTL != 0 && tr.MaxTTL != tc.maxTTL {
				t.Errorf("hop limit %d, want %d", tr.MaxTTL, tc.maxTTL)
			}
			if tc.check != nil {
				tc.check(t, tr)
			}
		})
	}
}
