package tracefile

import (
	"strings"
	"testing"
	"time"

	"hopscope/internal/path"
)

// TestMTRCursesHostLine pins the screen's host line in its real forms: with the target after "->",
// without it (the target cut by whoever pasted the screen), with an unspecified source address, and
// with the time in ISO or ctime layout.
func TestMTRCursesHostLine(t *testing.T) {
	const rows = " Host                  Loss%   Snt   Last   Avg  Best  Wrst StDev\n 1. 192.0.2.1            0.0%     5    3.2   4.1   2.5   8.9   2.7\n"
	tests := []struct {
		name    string
		head    string
		from    string
		target  string
		started time.Time
	}{
		{"source and target", "myhost (198.51.100.7) -> example.com (192.0.2.9)    2024-01-02T03:04:05+0000\n", "198.51.100.7", "192.0.2.9", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		// Without a target in the title, the last row is it: mtr stops there.
		{"no target", "MY_COMPUTER (192.168.1.76)                               2021-02-21T12:14:36+0100\n", "192.168.1.76", "192.0.2.1", time.Date(2021, 2, 21, 11, 14, 36, 0, time.UTC)},
		{"unspecified source, ctime", "ip-10-10-10-10 (0.0.0.0)                                Mon Mar  1 13:50:36 2021\n", "", "192.0.2.1", time.Date(2021, 3, 1, 13, 50, 36, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := "                 My traceroute  [v0.93]\n" + tc.head + "Keys:  Help   Display mode   Restart statistics   Order of fields   quit\n" + rows
			trs, err := ParseWith([]byte(in), FormatMTRCurses, ParseOptions{Strict: true})
			if err != nil {
				t.Fatal(err)
			}
			tr := trs[0]
			if got := addrText(tr.From.String(), tr.From.IsValid()); got != tc.from {
				t.Errorf("From %q, want %q", got, tc.from)
			}
			if got := addrText(tr.Target.Addr.String(), tr.Target.Addr.IsValid()); got != tc.target {
				t.Errorf("target %q, want %q", got, tc.target)
			}
			if !tr.Started.Equal(tc.started) {
				t.Errorf("Started %v, want %v", tr.Started, tc.started)
			}
			for _, w := range tr.Warnings {
				if strings.Contains(w, "skipped") {
					t.Errorf("unexpected warning %q", w)
				}
			}
		})
	}
}

// TestMTRLastRowTarget: an mtr report or screen that names no target takes its last row as the target
// (mtr stops there), says so, and leaves it unknown when the last row is "???".
func TestMTRLastRowTarget(t *testing.T) {
	const head = "Start: 2021-12-05T00:38:59+0000\nHOST: router                Loss%   Snt   Last   Avg  Best  Wrst StDev\n"
	tests := []struct {
		name, rows, want string
	}{
		{"answered", "  1.|-- 192.0.2.1  0.0%  10  0.5  0.6  0.4  0.9  0.1\n  2.|-- dns.example  0.0%  10  5.5  5.6  5.4  5.9  0.1\n", "dns.example"},
		{"silent target named", "  1.|-- 192.0.2.1  0.0%  10  0.5  0.6  0.4  0.9  0.1\n  2.|-- 198.51.100.7  100.0  10  0.0  0.0  0.0  0.0  0.0\n", "198.51.100.7"},
		{"last row ???", "  1.|-- 192.0.2.1  0.0%  10  0.5  0.6  0.4  0.9  0.1\n  2.|-- ???  100.0  10  0.0  0.0  0.0  0.0  0.0\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := ParseWith([]byte(head+tc.rows), FormatMTRReport, ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			tr := trs[0]
			got := targetText(tr)
			said := false
			for _, w := range tr.Warnings {
				said = said || strings.Contains(w, "the last row")
			}
			if got != tc.want || said != (tc.want != "") {
				t.Errorf("target %q (warned %v), want %q; warnings %q", got, said, tc.want, tr.Warnings)
			}
		})
	}
}

// targetText is a trace's target as text: its address, else its name.
func targetText(tr *path.Trace) string {
	if tr.Target.Addr.IsValid() {
		return tr.Target.Addr.String()
	}
	return tr.Target.Name
}

// TestMTRCursesTargetTimeLine: a screen pasted from its title's right part ("8.8.8.8 <time>", the
// local host and "->" cut off) takes that target and time.
func TestMTRCursesTargetTimeLine(t *testing.T) {
	in := "8.8.8.8 2022-07-10T15:08:38+0200\nKeys:  Help   Display mode   Restart statistics   Order of fields   quit\n" +
		" Host                  Loss%   Snt   Last   Avg  Best  Wrst StDev\n 1. 192.0.2.1            0.0%     5    3.2   4.1   2.5   8.9   2.7\n 2. 8.8.8.8              0.0%     5    9.2   9.1   9.0   9.9   0.3\n"
	trs, err := ParseWith([]byte(in), FormatMTRCurses, ParseOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if tr := trs[0]; targetText(tr) != "8.8.8.8" || !tr.Started.Equal(time.Date(2022, 7, 10, 13, 8, 38, 0, time.UTC)) {
		t.Errorf("target %q started %v, want 8.8.8.8 at 13:08:38 UTC", targetText(tr), tr.Started)
	}
}
