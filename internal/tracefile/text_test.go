package tracefile

import (
	"errors"
	"strings"
	"testing"

	"hopscope/internal/path"
)

// hopView is a compact, comparable rendering of a hop: responders and probes.
func hopView(h path.Hop) string {
	var b strings.Builder
	for i, r := range h.Responders {
		if i > 0 {
			b.WriteString(",")
		}
		if r.Addr.IsValid() {
			b.WriteString(r.Addr.String())
		}
		if r.Name != "" {
			b.WriteString("=" + r.Name)
		}
		if r.ReportedASN != 0 {
			b.WriteString("@AS" + itoa(int(r.ReportedASN)))
		}
	}
	b.WriteString(" |")
	for _, p := range h.Probes {
		b.WriteString(" " + probeString(p))
		if len(p.MPLS) > 0 {
			for _, l := range p.MPLS {
				b.WriteString("<" + itoa(int(l.Label)) + ">")
			}
		}
	}
	return b.String()
}

func traceView(tr *path.Trace) []string {
	var out []string
	for _, h := range tr.Hops {
		out = append(out, itoa(h.TTL)+" "+hopView(h))
	}
	return out
}

// variantCase is one input whose parsed hops are compared with their views (traceView).
type variantCase struct {
	name   string
	format string // "" detects
	input  string
	want   []string // hop views of the first trace
	traces int
	check  func(t *testing.T, trs []*path.Trace)
}

// runVariants parses each case and checks trace count, hop views and the case's own check.
func runVariants(t *testing.T, tests []variantCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := Parse([]byte(tc.input), tc.format)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(trs) != tc.traces {
				t.Fatalf("%d traces, want %d", len(trs), tc.traces)
			}
			got := traceView(trs[0])
			for i, w := range tc.want {
				if i >= len(got) || got[i] != w {
					t.Errorf("hops:\n got %q\nwant %q", got, tc.want)
					break
				}
			}
			if tc.check != nil {
				tc.check(t, trs)
			}
		})
	}
}

func TestParseTextVariants(t *testing.T) {
	tests := []variantCase{
		{
			name:   "linux annotations and mixed timeouts",
			format: "",
			input: "traceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 60 byte packets\n" +
				" 1  192.0.2.1 (192.0.2.1)  0.412 ms * 0.388 ms\n" +
				" 2  198.51.100.2 (198.51.100.2)  5.100 ms !H  5.200 ms !N  5.300 ms !X\n" +
				" 3  198.51.100.3 (198.51.100.3)  6.000 ms !<10>  6.100 ms !F-1500  6.200 ms !P\n",
			want: []string{
				"1 192.0.2.1 | 412µ * 388µ",
				"2 198.51.100.2 | 5.1m!H 5.2m!N 5.3m!X",
				"3 198.51.100.3 | 6m!10 6.1m!F 6.2m!P",
			},
			traces: 1,
			check: func(t *testing.T, trs []*path.Trace) {
				p := trs[0].Hops[1].Probes[0]
				if p.Status != path.StatusUnreachable || !p.HasRTT || p.From != addr("198.51.100.2") {
					t.Errorf("unreachable probe %+v", p)
				}
			},
		},
		{
			name:   "prompt lines, CRLF and trailing blank lines",
			format: FormatTraceroute,
			input: "$ traceroute -n 192.0.2.9\r\n" +
				"traceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 60 byte packets\r\n" +
				" 1  192.0.2.1  0.412 ms  0.400 ms  0.390 ms\r\n" +
				" 2  192.0.2.9  1.000 ms  1.100 ms  1.200 ms\r\n\r\n\r\n",
			want:   []string{"1 192.0.2.1 | 412µ 400µ 390µ", "2 192.0.2.9 | 1m 1.1m 1.2m"},
			traces: 1,
			check: func(t *testing.T, trs []*path.Trace) {
				if tr := trs[0]; tr.Protocol != path.ProtoUDP || !tr.FlowsVaried || tr.Meta["command"] != "traceroute -n 192.0.2.9" {
					t.Errorf("protocol %q varied %v meta %v", tr.Protocol, tr.FlowsVaried, tr.Meta)
				}
			},
		},
		{
			name:   "protocol from the command line",
			format: FormatTraceroute,
			input: "$ sudo traceroute -nI -q 1 192.0.2.9\ntraceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 60 byte packets\n 1  192.0.2.9  1.0 ms\n" +
				"% traceroute -P tcp 192.0.2.8\ntraceroute to 192.0.2.8 (192.0.2.8), 64 hops max, 40 byte packets\n 1  192.0.2.8  1.0 ms\n" +
				"traceroute to 192.0.2.7 (192.0.2.7), 30 hops max, 60 byte packets\n 1  192.0.2.7  1.0 ms\n",
			want:   []string{"1 192.0.2.9 | 1m"},
			traces: 3,
			check: func(t *testing.T, trs []*path.Trace) {
				got := []string{string(trs[0].Protocol), string(trs[1].Protocol), string(trs[2].Protocol)}
				if got[0] != "icmp" || got[1] != "tcp" || got[2] != "" || trs[0].FlowsVaried || trs[2].FlowsVaried {
					t.Errorf("protocols %q", got)
				}
			},
		},
		{
			name:   "no-break spaces from a web page",
			format: "",
			input:  "traceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 60 byte packets\n 1\u00a0 192.0.2.1\u00a0 0.5\u00a0ms\n",
			want:   []string{"1 192.0.2.1 | 500µ"},
			traces: 1,
		},
		{
			name:  "zsh prompt and header with from",
			input: "➜  ~ traceroute6 example.net\ntraceroute6 to example.net (2001:db8::9) from 2001:db8::100, 64 hops max, 12 byte packets\n 1  2001:db8::1  0.5 ms  0.6 ms  0.7 ms\n",
			want:  []string{"1 2001:db8::1 | 500µ 600µ 700µ"},
			check: func(t *testing.T, trs []*path.Trace) {
				tr := trs[0]
				if tr.From != addr("2001:db8::100") || tr.Target.Name != "example.net" || tr.Source != "traceroute-bsd" || tr.MaxTTL != 64 || tr.PacketSize != 12 {
					t.Errorf("header: %+v from %v source %s", tr.Target, tr.From, tr.Source)
				}
			},
			traces: 1,
		},
		{
			name:   "linux -A AS lists and MPLS extensions",
			format: FormatTraceroute,
			input: "traceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 60 byte packets\n" +
				" 1  [*] gw (192.0.2.1)  0.4 ms  0.4 ms  0.4 ms\n" +
				" 2  [AS64500/AS64501] r2.example (198.51.100.2) <MPLS:L=24001,E=0,S=1,T=1>  5.1 ms  5.2 ms [AS64502] 198.51.100.22 (198.51.100.22)  5.3 ms <MPLS:L=16,E=1,S=0,T=1/L=17,E=0,S=1,T=2>\n",
			want: []string{
				"1 192.0.2.1=gw | 400µ 400µ 400µ",
				"2 198.51.100.2=r2.example@AS64500,198.51.100.22@AS64502 | 5.1m<24001> 5.2m<24001> 5.3m<16><17>",
			},
			traces: 1,
		},
		{
			name:   "BSD and Junos MPLS label lines",
			format: FormatTracerouteBSD,
			input: "traceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 40 byte packets\n" +
				" 1  198.51.100.1 (198.51.100.1)  4.679 ms  3.640 ms  *\n" +
				"     MPLS Label=299856 CoS=0 TTL=1 S=0\n" +
				"     MPLS Label=16 CoS=0 TTL=1 S=1\n" +
				" 2  198.51.100.2 (198.51.100.2)  45.495 ms MPLS Label=32093 CoS=5 TTL=1 S=1\n" +
				"3  198.51.100.3 (198.51.100.3)  1.0 ms\n" +
				"MPLS Label=29 CoS=0 TTL=1 S=1\n",
			want: []string{
				"1 198.51.100.1 | 4.679m<299856><16> 3.64m<299856><16> *",
				"2 198.51.100.2 | 45.495m<32093>",
				"3 198.51.100.3 | 1m<29>",
			},
			traces: 1,
			check: func(t *testing.T, trs []*path.Trace) {
				if l := trs[0].Hops[1].Probes[0].MPLS[0]; l != (path.MPLSLabel{Label: 32093, TC: 5, TTL: 1, S: true}) {
					t.Errorf("label %+v", l)
				}
			},
		},
		{
			name:   "space-indented continuation lines (FreeBSD)",
			format: FormatTracerouteBSD,
			input: "traceroute to example.org (203.0.113.9), 64 hops max, 40 byte packets\n" +
				" 1  a.example (203.0.113.1)  1.000 ms\n" +
				"    b.example (203.0.113.2)  2.000 ms  3.000 ms\n" +
				" 2  * * *\n" +
				" 3  mtr (203.0.113.3)  4.000 ms\n" +
				"    traceroute (203.0.113.4)  5.000 ms\n",
			want: []string{"1 203.0.113.1=a.example,203.0.113.2=b.example | 1m 2m 3m", "2  | * * *",
				"3 203.0.113.3=mtr,203.0.113.4=traceroute | 4m 5m"},
			traces: 1,
		},
		{
			name:   "several traces in one file",
			format: "",
			input: "traceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 60 byte packets\n 1  192.0.2.1  1.0 ms\n\n" +
				"$ traceroute -n 198.51.100.9\ntraceroute to 198.51.100.9 (198.51.100.9), 30 hops max, 60 byte packets\n 1  198.51.100.1  2.0 ms\n 2  198.51.100.9  3.0 ms\n",
			want:   []string{"1 192.0.2.1 | 1m"},
			traces: 2,
			check: func(t *testing.T, trs []*path.Trace) {
				if got := traceView(trs[1]); len(got) != 2 || got[1] != "2 198.51.100.9 | 3m" {
					t.Errorf("second trace %v", got)
				}
			},
		},
		{
			name:   "hop lines without a header, gap filled",
			format: FormatTraceroute,
			input:  " 1  192.0.2.1  1.0 ms\n 3  192.0.2.3  3.0 ms\n",
			want:   []string{"1 192.0.2.1 | 1m", "3  |", "3 192.0.2.3 | 3m"}[0:1],
			traces: 1,
			check: func(t *testing.T, trs []*path.Trace) {
				got := traceView(trs[0])
				if len(got) != 3 || got[1] != "2  |" {
					t.Errorf("hops %q, want a silent hop 2 filled in", got)
				}
			},
		},
		{
			name:   "tracert with unreachable report, IPv6 and general failure",
			format: "",
			input: "Tracing route to example.com [2001:db8::9]\nover a maximum of 30 hops:\n\n" +
				"  1    <1 ms    <1 ms    <1 ms  2001:db8::1\n" +
				"  2     9 ms     *        8 ms  gw.example [2001:db8::2]\n" +
				"  3    12 ms     *        *     2001:db8::3  reports: Destination host unreachable.\n" +
				"  4     *        *        *     General failure.\n\nTrace complete.\n",
			want: []string{
				"1 2001:db8::1 | 1m 1m 1m",
				"2 2001:db8::2=gw.example | 9m * 8m",
				"3 2001:db8::3 | 12m!H * *",
				"4  | * * *",
			},
			traces: 1,
		},
		{
			name:   "tracert to an address, cmd prompt",
			format: "",
			input: "C:\\Users\\me>tracert -d 192.0.2.9\r\n\r\nTracing route to 192.0.2.9 over a maximum of 30 hops\r\n\r\n" +
				"  1     1 ms     1 ms     2 ms  192.0.2.1\r\n  2    10 ms    11 ms    12 ms  192.0.2.9\r\n\r\nTrace complete.\r\n",
			want:   []string{"1 192.0.2.1 | 1m 1m 2m", "2 192.0.2.9 | 10m 11m 12m"},
			traces: 1,
			check: func(t *testing.T, trs []*path.Trace) {
				if tr := trs[0]; tr.Target.Addr != addr("192.0.2.9") || tr.Target.Name != "" || tr.MaxTTL != 30 {
					t.Errorf("target %+v max %d", tr.Target, tr.MaxTTL)
				}
			},
		},
		{
			name:   "tracepath with names, asymm, pmtu and reached",
			format: "",
			input: " 1?: [LOCALHOST]                      pmtu 1500\n" +
				" 1:  gw.example (192.0.2.1)             0.497ms\n" +
				" 2:  192.0.2.2                          1.204ms asymm  3\n" +
				" 3:  192.0.2.3                          2.100ms pmtu 1492\n" +
				" 4:  dst.example (192.0.2.9)           10.1ms reached\n" +
				"     Resume: pmtu 1492 hops 4 back 4\n",
			want: []string{
				"1 192.0.2.1=gw.example | 497µ",
				"2 192.0.2.2 | 1.204m",
				"3 192.0.2.3 | 2.1m",
				"4 192.0.2.9=dst.example | 10.1m",
			},
			traces: 1,
			check: func(t *testing.T, trs []*path.Trace) {
				tr := trs[0]
				if tr.Meta["pmtu"] != "1492" || tr.Meta["hops"] != "4" || tr.Meta["back"] != "4" || tr.Target.Addr != addr("192.0.2.9") {
					t.Errorf("meta %v target %+v", tr.Meta, tr.Target)
				}
				wantWarning(t, tr, "hop 3: path MTU 1492")
			},
		},
		{
			name:   "mtr report wide with AS column, load balancing and silent hop",
			format: "",
			input: "Start: 2024-01-02T03:04:05+0000\n" +
				"HOST: probe.example                      Loss%   Snt   Last   Avg  Best  Wrst StDev\n" +
				"  1. AS???    192.0.2.1                   0.0%     5    0.5   0.6   0.4   0.9   0.1\n" +
				"  2. AS???    ???                        100.0     5    0.0   0.0   0.0   0.0   0.0\n" +
				"  3. AS64500  r3.example (198.51.100.3)  20.0%     5    5.1   5.0   4.9   5.3   0.1\n" +
				"     AS64500  198.51.100.33\n",
			want: []string{
				"1 192.0.2.1 |",
				"2  |",
				"3 198.51.100.3=r3.example@AS64500,198.51.100.33@AS64500 |",
			},
			traces: 1,
			check: func(t *testing.T, trs []*path.Trace) {
				tr := trs[0]
				h2 := tr.Hops[1]
				if h2.Stats == nil || h2.Stats.Sent != 5 || h2.Stats.Received != 0 || !h2.Silent() {
					t.Errorf("??? hop %+v", h2)
				}
				if s := tr.Hops[2].Responders[0].Stats; s == nil || s.Received != 4 {
					t.Errorf("hop 3 stats %+v", s)
				}
				if tr.Started.IsZero() || tr.Started.Year() != 2024 {
					t.Errorf("started %v", tr.Started)
				}
			},
		},
		{
			name:   "mtr report modern load-balancing lines",
			format: FormatMTRReport,
			input: "HOST: h  Loss%   Snt   Last   Avg  Best  Wrst StDev\n" +
				"  1.|-- 192.0.2.1   0.0%     2    0.5   0.6   0.4   0.9   0.1\n" +
				"    |  `|-- 192.0.2.11\n" +
				"    |   |-- 192.0.2.12\n" +
				"    |   +-- [MPLS: Lbl 24001 Exp 0 S 1 TTL 1]\n",
			want:   []string{"1 192.0.2.1,192.0.2.11,192.0.2.12 |"},
			traces: 1,
			check: func(t *testing.T, trs []*path.Trace) {
				wantWarning(t, trs[0], "MPLS: Lbl 24001")
			},
		},
		{
			name:   "mtr raw with name before address and old p lines",
			format: FormatMTRRaw,
			input:  "x 0 1\nd 0 gw.example\nh 0 192.0.2.1\np 0 1500 1\nh 1 192.0.2.2\np 1 2500\n",
			want:   []string{"1 192.0.2.1=gw.example | 1.5m", "2 192.0.2.2 | 2.5m"},
			traces: 1,
		},
	}
	runVariants(t, tests)
}

func TestParseErrors(t *testing.T) {
	const hdr = "traceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 60 byte packets\n"
	tests := []struct {
		name     string
		format   string
		input    string
		line     int
		expected string // substring of Expected
		got      string
	}{
		{"rtt expected", FormatTraceroute, hdr + " 1  192.0.2.1  foo\n", 2, `an RTT like "4.393 ms"`, "foo"},
		{"garbage line", FormatTraceroute, hdr + " 1  192.0.2.1  1.0 ms\nhello world\n", 3, "a hop line", "hello world"},
		{"bad responder", FormatTraceroute, hdr + " 1  not_an_address  1.0 ms\n", 2, "a responder", "not_an_address"},
		{"annotation first", FormatTraceroute, hdr + " 1  !H\n", 2, "an RTT before", "!H"},
		{"address then nothing", FormatTraceroute, hdr + " 1  192.0.2.1\n", 2, "an RTT", ""},
		{"hops backwards", FormatTraceroute, hdr + " 2  192.0.2.1  1.0 ms\n 1  192.0.2.1  1.0 ms\n", 3, "hop 3 or later", "1"},
		{"bad header address", FormatTraceroute, "traceroute to x (999.1.1.1), 30 hops max\n", 1, "an IP address in parentheses", "(999.1.1.1)"},
		{"bad AS", FormatTracerouteBSD, hdr + " 1  [ASX] 192.0.2.1  1.0 ms\n", 2, "an AS number", "[ASX]"},
		{"rtt without responder", FormatTraceroute, hdr + " 1  1.0 ms\n", 2, "a responder address before the RTT", "1.0"},
		{"empty", FormatTraceroute, "\n\n", 3, "a header", ""},
		{"tracert bad host", FormatTracert, "Tracing route to x [192.0.2.9]\n  1     1 ms     1 ms     1 ms  ???\n", 2, "a responder", "???"},
		{"tracert no rtt", FormatTracert, "Tracing route to x [192.0.2.9]\n  1     fast\n", 2, `an RTT like "4 ms"`, "fast"},
		{"tracepath bad rtt", FormatTracepath, " 1:  192.0.2.1   fast\n", 1, `an RTT like "4.063ms"`, "fast"},
		{"tracepath junk", FormatTracepath, " 1:  192.0.2.1   1.0ms\nwhat\n", 2, "a hop line", "what"},
		{"mtr report short row", FormatMTRReport, "HOST: h Loss% Snt Last Avg Best Wrst StDev\n  1.|-- 192.0.2.1 0.0% 10\n", 2, "a host and the columns", "192.0.2.1 0.0% 10"},
		{"mtr report bad number", FormatMTRReport, "  1.|-- 192.0.2.1 0.0% 10 x 1 1 1 1\n", 1, "a number in column Last", "x"},
		{"mtr raw reply before host", FormatMTRRaw, "x 0 1\np 0 100 1\n", 2, `an "h 0 ADDRESS" line`, "p 0 100 1"},
		{"mtr raw junk", FormatMTRRaw, "x 0 1\nzzz\n", 2, "a raw line", "zzz"},
		{"json truncated", FormatRIPEAtlas, "{\"type\":\"traceroute\",\n\"result\": [\n", 3, "the rest of the JSON", ""},
		{"json syntax", FormatRIPEAtlas, "{\"type\":\"traceroute\",\n \"result\": [}\n", 2, "valid JSON", "}"},
		{"atlas bad from", FormatRIPEAtlas, "{\"type\":\"traceroute\",\"dst_addr\":\"192.0.2.9\",\n\"result\":[{\"hop\":1,\"result\":[{\"from\":\"bogus\",\"rtt\":1}]}]}\n", 2, `an IP address in "from"`, "bogus"},
		{"atlas ping", FormatRIPEAtlas, "{\"type\":\"ping\",\"result\":[]}\n", 1, `"type": "traceroute"`, "ping"},
		{"atlas wrong type", FormatRIPEAtlas, "{\"type\":\"traceroute\",\"result\":[{\"hop\":\"one\"}]}\n", 1, `a int for "result.hop"`, "a JSON string"},
		{"scamper no trace", FormatScamper, "{\"type\":\"cycle-start\"}\n{\"type\":\"ping\"}\n", 0, `a "trace" or "tracelb" object`, "ping"},
		{"scamper bad dst", FormatScamper, "{\"type\":\"trace\",\"dst\":\"nowhere\",\"hops\":[]}\n", 1, `an IP address in "dst"`, "nowhere"},
		{"scamper bad firsthop", FormatScamper, "{\"type\":\"tracelb\",\"dst\":\"192.0.2.9\",\"firsthop\":300}\n", 1, `a "firsthop" from 1 to 255`, "300"},
		{"mtr json no report", FormatMTRJSON, "{\"foo\": 1}\n", 1, "an mtr report", `an object with "foo"`},
		{"mtr json bad count", FormatMTRJSON, "{\"report\":{\"mtr\":{\"dst\":\"x\"},\n\"hubs\":[{\"count\":\"0\",\"host\":\"x\"}]}}\n", 2, `a hop "count"`, "0"},
		{"json text before", FormatMTRJSON, "hello\n{}\n", 1, "JSON", "hello"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := ParseWith([]byte(tc.input), tc.format, ParseOptions{Strict: true})
			if trs != nil {
				t.Errorf("partial result returned with the error: %d traces", len(trs))
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.Format != tc.format || pe.Line != tc.line || !strings.Contains(pe.Expected, tc.expected) || pe.Got != tc.got {
				t.Errorf("got %#v\nwant format %q line %d expected ~%q got %q", pe, tc.format, tc.line, tc.expected, tc.got)
			}
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	e := &ParseError{Format: "traceroute", Line: 7, Col: 18, Expected: `an RTT like "4.393 ms"`, Got: "foo"}
	if got, want := e.Error(), `traceroute: line 7: expected an RTT like "4.393 ms", got "foo"`; got != want {
		t.Errorf("Error() = %s, want %s", got, want)
	}
	e = &ParseError{Expected: "traceroute output"}
	if got, want := e.Error(), `unrecognised traceroute output: expected traceroute output, got end of input`; got != want {
		t.Errorf("Error() = %s, want %s", got, want)
	}
}

func TestParseRTTColumn(t *testing.T) {
	_, err := Parse([]byte("traceroute to 192.0.2.9 (192.0.2.9), 30 hops max\n 1  192.0.2.1  foo\n"), FormatTraceroute)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Col != 16 {
		t.Errorf("err %#v, want column 16", err)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, input, want string
		errLine           int
	}{
		{"linux header", "traceroute to a (192.0.2.1), 30 hops max, 60 byte packets\n", FormatTraceroute, 0},
		{"bsd header", "traceroute to a (192.0.2.1), 64 hops max, 52 byte packets\n", FormatTracerouteBSD, 0},
		{"bare hop lines", " 1  192.0.2.1  1.0 ms\n", FormatTraceroute, 0},
		{"tracert header", "\nTracing route to a [192.0.2.1]\n", FormatTracert, 0},
		{"tracert hops only", "  1    <1 ms    <1 ms    <1 ms  192.0.2.1\n", FormatTracert, 0},
		{"tracert timeouts only", "  3     *        *        *     Request timed out.\n", FormatTracert, 0},
		{"linux -q 4 timeouts", " 3  * * * *\n 4  * * * 192.0.2.4  1.0 ms\n", FormatTraceroute, 0},
		{"tracepath", " 1?: [LOCALHOST]  pmtu 1500\n", FormatTracepath, 0},
		{"mtr report", "Start: Thu Mar  5 10:00:00 2020\n", FormatMTRReport, 0},
		{"mtr report rows", "  1.|-- 192.0.2.1  0.0%  1  1 1 1 1 0\n", FormatMTRReport, 0},
		{"mtr raw", "x 0 33000\n", FormatMTRRaw, 0},
		{"atlas list", "[{\"msm_id\": 5, \"type\": \"traceroute\", \"result\": []}]", FormatRIPEAtlas, 0},
		{"scamper", "{\"type\":\"cycle-start\"}\n", FormatScamper, 0},
		{"mtr json", "# mtr -j x\n{\"report\": {\"mtr\": {}, \"hubs\": []}}", FormatMTRJSON, 0},
		{"prompt then junk", "$ cat notes.txt\nhello world\n", "", 2},
		{"json of nothing known", "{\"a\": 1}", "", 1},
		{"empty", "", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Detect([]byte(tc.input))
			if tc.want != "" {
				if err != nil || got != tc.want {
					t.Errorf("Detect = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tc.errLine || got != "" {
				t.Errorf("Detect = %q, %#v; want a ParseError on line %d", got, err, tc.errLine)
			}
		})
	}
}

func TestParseUnknownFormat(t *testing.T) {
	if _, err := Parse([]byte("x"), "pingplotter"); err == nil || !strings.Contains(err.Error(), "unknown format") {
		t.Errorf("err = %v", err)
	}
	if len(Formats()) != 21 || Formats()[11] != FormatHopscope || Formats()[18] != FormatGlobalping || Formats()[19] != FormatTracelbText || Formats()[20] != FormatMikroTik {
		t.Errorf("Formats() = %v", Formats())
	}
}
