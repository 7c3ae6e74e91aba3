package tracefile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hopscope/internal/path"
)

// TestTracertConventions pins conventions learned from real tracert pastes (the windows-tracert-*
// files of internal/analysis/testdata/realcorpus): one-line headers of newer Windows releases,
// IPv6 responders ending in "::", messages in place of RTTs, names whose address the author removed,
// and responders wrapped by an 80-column console. Each is read leniently; strict reading keeps
// refusing what is not tracert's own output.
func TestTracertConventions(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		strict bool
		// target is the expected target text: "name addr", "addr" or "name".
		target string
		hops   int
		check  func(t *testing.T, tr *path.Trace)
		errSub string // when set, the import must fail with this in the message
	}{
		{
			name:   "Japanese one-line header with hop limit",
			in:     "\n2606:4700:4700::1111 へのルートをトレースしています。経由するホップ数は最大 10 です\n\n  1     3 ms     1 ms     1 ms  2001:db8:1::1\n  2     9 ms     6 ms     7 ms  2001:db8:2::\n  3     7 ms    12 ms     8 ms  2606:4700:4700::1111\n\nトレースを完了しました。\n",
			target: "2606:4700:4700::1111", hops: 3,
			check: func(t *testing.T, tr *path.Trace) {
				if tr.MaxTTL != 10 {
					t.Errorf("MaxTTL %d, want 10", tr.MaxTTL)
				}
				wantResponder(t, tr, 2, "2001:db8:2::", "", 0) // an address ending in "::" keeps its colons
				wantProbes(t, tr, 2, "9m", "6m", "7m")
			},
		},
		{
			name:   "Japanese one-line header of a name",
			in:     "PS C:\\> tracert 192.0.2.1\n\n192.0.2.1 へのルートをトレースしています。経由するホップ数は最大 30 です\n\n  1    <1 ms    <1 ms    <1 ms  198.51.100.1\n  2     2 ms     4 ms     6 ms  HOST-B [192.0.2.1]\n\nトレースを完了しました。\n",
			target: "192.0.2.1", hops: 2,
			check: func(t *testing.T, tr *path.Trace) { wantResponder(t, tr, 2, "192.0.2.1", "HOST-B", 0) },
		},
		{
			name:   "Chinese one-line header",
			in:     "C:\\>tracert 192.168.1.1\n通过最多 30 个跃点跟踪到 192.168.1.1 的路由\n  1    <1 毫秒   <1 毫秒   <1 毫秒 192.168.1.1\n跟踪完成。\n",
			target: "192.168.1.1", hops: 1,
			check: func(t *testing.T, tr *path.Trace) {
				if tr.MaxTTL != 30 {
					t.Errorf("MaxTTL %d, want 30", tr.MaxTTL)
				}
				wantProbes(t, tr, 1, "1m", "1m", "1m")
			},
		},
		{
			name:   "Korean, hop limit on the line before the target",
			in:     "C:\\Users\\me>tracert dns.example\n\n최대 30홉 이상의\ndns.example [192.0.2.9](으)로 가는 경로 추적:\n\n  1     6 ms     8 ms     8 ms  192.168.45.1\n  2     *        *        *     요청 시간이 만료되었습니다.\n  3    45 ms    38 ms    49 ms  dns.example [192.0.2.9]\n\n추적을 완료했습니다.\n",
			target: "dns.example 192.0.2.9", hops: 3,
			check: func(t *testing.T, tr *path.Trace) {
				if tr.MaxTTL != 30 {
					t.Errorf("MaxTTL %d, want 30", tr.MaxTTL)
				}
				for _, w := range tr.Warnings {
					if strings.Contains(w, "skipped") {
						t.Errorf("unexpected warning %q", w)
					}
				}
			},
		},
		{
			name:   "no header: the target from the command line, a closing line without its period",
			in:     "C:\\Users\\me>tracert -d -h 15 192.0.2.9\n  1     1 ms  198.51.100.1\n  2  198.51.100.1  reports: Destination host unreachable.\nTrace complete\n",
			strict: true, target: "192.0.2.9", hops: 2,
			check: func(t *testing.T, tr *path.Trace) { wantProbes(t, tr, 2, "reply!H") },
		},
		{
			name:   "a target name a web page turned into a link",
			in:     "C:\\>tracert > [> www.example.com](http://www.example.com/)\n\n[> www.g.example.com](http://www.g.example.com/)>  [192.0.2.9] へのルートをトレースしています\n\n経由するホップ数は最大 30 です:\n\n  1    <1 ms     1 ms     2 ms  ntt.setup [***.***.***.***]\n  2   105 ms   107 ms   111 ms  f2.example.com [192.0.2.9]\n",
			target: "192.0.2.9", hops: 2,
			check: func(t *testing.T, tr *path.Trace) {
				wantResponder(t, tr, 1, "", "ntt.setup", 0)
				wantResponder(t, tr, 2, "192.0.2.9", "f2.example.com", 0)
			},
		},
		{
			name:   "a report without RTT columns",
			in:     "Tracing route to 192.0.2.9 over a maximum of 30 hops\n\n  1  198.51.100.1  reports: Destination net unreachable.\n\nTrace complete.\n",
			strict: true, target: "192.0.2.9", hops: 1,
			check: func(t *testing.T, tr *path.Trace) {
				wantResponder(t, tr, 1, "198.51.100.1", "", 0)
				wantProbes(t, tr, 1, "reply!N")
			},
		},
		{
			name:   "a report in the third column",
			in:     "Tracing route to 192.0.2.9 over a maximum of 30 hops\n\n  1     1 ms     1 ms     1 ms  198.51.100.1\n  2     *        *     198.51.100.7  reports: Destination net unreachable.\n",
			target: "192.0.2.9", hops: 2,
			check: func(t *testing.T, tr *path.Trace) { wantProbes(t, tr, 2, "*", "*", "reply!N") },
		},
		{
			name:   "a message instead of RTTs",
			in:     "Détermination de l'itinéraire vers 8.8.8.8 avec un maximum de 30 sauts.\n\n  1  Erreur de transmission : code 1231\n\nItinéraire déterminé.\n",
			target: "8.8.8.8", hops: 1,
			check: func(t *testing.T, tr *path.Trace) {
				wantProbes(t, tr, 1, "E")
				wantWarning(t, tr, "hop 1: Erreur de transmission : code 1231")
			},
		},
		{
			name:   "a message instead of RTTs, strictly",
			in:     "Tracing route to 192.0.2.9 over a maximum of 30 hops\n\n  1  Transmit error: code 1231.\n\nTrace complete.\n",
			strict: true, target: "192.0.2.9", hops: 1,
			check: func(t *testing.T, tr *path.Trace) { wantProbes(t, tr, 1, "E") },
		},
		{
			name:   "names whose address was removed",
			in:     "Tracing route to example.net [192.0.2.9]\nover a maximum of 30 hops:\n\n  1     1 ms     1 ms     1 ms  192.168.0.1\n  2    14 ms    24 ms    14 ms  lo1.r02.ber01.example.net\n  3    13 ms    14 ms    14 ms  a192-0-2-9.example.net\n",
			target: "example.net 192.0.2.9", hops: 3,
			check: func(t *testing.T, tr *path.Trace) {
				wantResponder(t, tr, 2, "", "lo1.r02.ber01.example.net", 0)
				wantProbes(t, tr, 2, "14m", "24m", "14m")
				wantWarning(t, tr, "has no address in brackets")
			},
		},
		{
			name:   "names whose address was removed, strictly",
			in:     "Tracing route to example.net [192.0.2.9]\nover a maximum of 30 hops:\n\n  1    14 ms    24 ms    14 ms  lo1.r02.ber01.example.net\n",
			strict: true, errSub: "a responder like",
		},
		{
			name:   "dots for hops the author left out",
			in:     "Rastreando a rota para example.net [192.0.2.9]\ncom no máximo 30 saltos:\n\n  1     3 ms     2 ms     2 ms  192.168.42.129 \n  .\n  ...\n 11     *        *        *     Esgotado o tempo limite do pedido.\n 12    78 ms    77 ms    75 ms  192.0.2.9 \n\nRastreamento concluído.\n",
			target: "example.net 192.0.2.9", hops: 3, // hops 2 to 10 were left out: not in the trace, not silent
			check: func(t *testing.T, tr *path.Trace) {
				wantResponder(t, tr, 12, "192.0.2.9", "", 0)
				wantWarning(t, tr, `hops 2 to 10 are not in the input: line 5 stands for them`)
				if tr.Hop(2) != nil || tr.Hop(10) != nil || tr.Hop(11) == nil {
					t.Errorf("%d hops: want 1, 11 and 12 only", len(tr.Hops))
				}
			},
		},
		{
			name:   "responders wrapped at 80 columns",
			in:     "Traza a la dirección example.net [192.0.2.9]\nsobre un máximo de 30 saltos:\n\n  1   388 ms   410 ms   380 ms  192.168.17.13\n  2   368 ms   419 ms   439 ms  host137.example-telecom.example.net [198.51.100.\n137]\n  3   348 ms   399 ms   419 ms  192.0.2.9\n\nTraza completa.\n",
			target: "example.net 192.0.2.9", hops: 3,
			check: func(t *testing.T, tr *path.Trace) {
				wantResponder(t, tr, 2, "198.51.100.137", "host137.example-telecom.example.net", 0)
				wantWarning(t, tr, "line 5: joined with the next line")
				for _, w := range tr.Warnings {
					if strings.Contains(w, "skipped") {
						t.Errorf("unexpected warning %q", w)
					}
				}
			},
		},
		{
			name:   "a bracket that a later line does not close stays as it was",
			in:     "Tracing route to 192.0.2.9 over a maximum of 30 hops\n\n  1     1 ms     1 ms     1 ms  r1.example.net [198.51.100.1\n  2     2 ms     2 ms     2 ms  192.0.2.9\n",
			target: "192.0.2.9", hops: 1,
			check: func(t *testing.T, tr *path.Trace) {
				wantResponder(t, tr, 2, "192.0.2.9", "", 0)
				wantWarning(t, tr, "line 3: skipped")
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := ParseWith([]byte(tc.in), FormatTracert, ParseOptions{Strict: tc.strict})
			if tc.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errSub) {
					t.Fatalf("err = %v, want one containing %q", err, tc.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tr := trs[0]
			got := strings.TrimSpace(tr.Target.Name + " " + addrText(tr.Target.Addr.String(), tr.Target.Addr.IsValid()))
			if got != tc.target {
				t.Errorf("target %q, want %q", got, tc.target)
			}
			if len(tr.Hops) != tc.hops {
				t.Errorf("%d hops, want %d", len(tr.Hops), tc.hops)
			}
			if tc.check != nil {
				tc.check(t, tr)
			}
			if f, err := Detect([]byte(tc.in)); err != nil || f != FormatTracert {
				t.Errorf("Detect = %q, %v; want %q", f, err, FormatTracert)
			}
		})
	}
}

func addrText(s string, ok bool) string {
	if !ok {
		return ""
	}
	return s
}

// TestIsCmdExePrompt pins which lines count as a cmd.exe prompt.
func TestIsCmdExePrompt(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{`H:\Documents and Settings\Administrador>tracert gmail.com`, true},
		{`C:\>`, true},
		{`E:\BSDRP>tracert -d 192.168.23.100`, true},
		{`C:\Users\me`, false},
		{`1:\x>`, false},
		{`Tracing route to a [192.0.2.1]`, false},
	} {
		if got := isCmdExePrompt(tc.line); got != tc.want {
			t.Errorf("isCmdExePrompt(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

// TestUnwrapTracert pins which line pairs the console-wrap repair joins.
func TestUnwrapTracert(t *testing.T) {
	tests := []struct {
		name, in, want string
		joined         []int
	}{
		{"wrapped address", "  5   1 ms  a.example [198.51.100.\n137]\n  6", "  5   1 ms  a.example [198.51.100.137]\n\n  6", []int{1}},
		{"CR line ends", "  5   1 ms  a [198.51.100.\r\n137]\r\n", "  5   1 ms  a [198.51.100.137]\n\n", []int{1}},
		{"closed bracket", "  5   1 ms  a [198.51.100.1]\n137]\n", "  5   1 ms  a [198.51.100.1]\n137]\n", nil},
		{"not a hop line", "Tracing route to a [198.51.100.\n1]\n", "Tracing route to a [198.51.100.\n1]\n", nil},
		{"next line is more text", "  5   1 ms  a [198.51.100.\n  6   2 ms  b]\n", "  5   1 ms  a [198.51.100.\n  6   2 ms  b]\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, joined := unwrapTracert([]byte(tc.in))
			if string(out) != tc.want || len(joined) != len(tc.joined) || (len(joined) > 0 && joined[0] != tc.joined[0]) {
				t.Errorf("unwrapTracert = %q %v, want %q %v", out, joined, tc.want, tc.joined)
			}
		})
	}
}

// FuzzTracertLenient reads tracert pastes leniently and strictly; seeded with the real tracert
// outputs of the analysis corpus and the conventions above.
func FuzzTracertLenient(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "analysis", "testdata", "realcorpus", "windows-tracert-*.txt"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, false)
	}
	f.Add([]byte("通过最多 30 个跃点跟踪到 192.168.1.1 的路由\n  1    <1 毫秒   <1 毫秒   <1 毫秒 192.168.1.1\n"), false)
	f.Add([]byte("a へのルートをトレースしています。経由するホップ数は最大 3 です\n  1  1 ms  2001:db8::\n"), true)
	f.Add([]byte("  1  Transmit error: code 1231.\n  2  1 ms  a.example [198.51.100.\n1]\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, strict bool) {
		trs, err := ParseWith(data, FormatTracert, ParseOptions{Strict: strict})
		checkResult(t, FormatTracert, trs, err)
	})
}

// TestTracertLastHopTarget: a tracert pasted without its header (nor a command line naming the target)
// takes its last hop as the target when tracert must have stopped there: "Trace complete." after it,
// or every one of three or more probes answered before the hop limit. A paste that may have been cut,
// or that stopped at an unreachable report or at the hop limit, keeps the target unknown.
func TestTracertLastHopTarget(t *testing.T) {
	const hops = "  1    <1 ms    <1 ms    <1 ms  gw [192.0.2.1]\n  2     3 ms     1 ms     1 ms  192.0.2.2\n"
	tests := []struct {
		name, in, target, warning string
	}{
		{"all answered", hops + "  3    24 ms    23 ms    24 ms  one.example [198.51.100.9]\n", "198.51.100.9", "the last hop answered every probe before the hop limit, so that hop (hop 3, 198.51.100.9) is taken as it"},
		{"trace complete after one answer", hops + "  3     *        *       24 ms  198.51.100.9\n\nTrace complete.\n", "198.51.100.9", `said "Trace complete." after it, so the last hop (hop 3, 198.51.100.9)`},
		{"possibly cut: one timeout", hops + "  3     *       25 ms    24 ms  198.51.100.9\n", "", ""},
		{"possibly cut: timeouts", hops + "  3     *        *        *     Request timed out.\n", "", ""},
		{"timeouts then trace complete", hops + "  3     *        *        *     Request timed out.\n\nTrace complete.\n", "", ""},
		{"unreachable report", hops + "  3   198.51.100.7  reports: Destination host unreachable.\n\nTrace complete.\n", "", ""},
		{"at the default hop limit", strings.Replace(hops, "  2 ", " 29 ", 1) + " 30    24 ms    23 ms    24 ms  198.51.100.9\n", "", ""},
		{"at a stated hop limit", "over a maximum of 3 hops:\n\n" + hops + "  3    24 ms    23 ms    24 ms  198.51.100.9\n", "", ""},
		{"header names it", "Tracing route to example.com [203.0.113.9]\nover a maximum of 30 hops:\n\n" + hops + "  3    24 ms    23 ms    24 ms  198.51.100.9\n\nTrace complete.\n", "203.0.113.9", ""},
		{"command names it", "C:\\>tracert -d 203.0.113.9\n" + hops + "  3    24 ms    23 ms    24 ms  198.51.100.9\n", "203.0.113.9", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := ParseWith([]byte(tc.in), FormatTracert, ParseOptions{})
			if err != nil || len(trs) != 1 {
				t.Fatalf("%d traces, %v", len(trs), err)
			}
			tr := trs[0]
			if got := targetText(tr); got != tc.target {
				t.Errorf("target %q, want %q", got, tc.target)
			}
			said := false
			for _, w := range tr.Warnings {
				said = said || strings.Contains(w, "names no target")
			}
			if tc.warning != "" {
				wantWarning(t, tr, tc.warning)
			} else if said {
				t.Errorf("warnings %q name a target the trace does not show", tr.Warnings)
			}
		})
	}
}
