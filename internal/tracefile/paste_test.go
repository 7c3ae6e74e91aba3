package tracefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hopscope/internal/path"
)

// TestPastes pins what each constructed paste under testdata/pastes imports as: the format
// detected, the hop count and a few facts an engineer would read from it.
func TestPastes(t *testing.T) {
	tests := []struct {
		file   string
		format string
		hops   int
		check  func(t *testing.T, tr *path.Trace)
	}{
		{"cisco-ios.txt", FormatCiscoIOS, 6, func(t *testing.T, tr *path.Trace) {
			wantResponder(t, tr, 1, "198.51.100.1", "", 64500)
			wantProbes(t, tr, 1, "0", "0", "1m")
			if l := hopOf(t, tr, 2).Probes[0].MPLS; len(l) != 2 || l[0].Label != 16022 || !l[1].S {
				t.Errorf("hop 2 labels %+v", l)
			}
			if n := len(hopOf(t, tr, 4).Responders); n != 2 {
				t.Errorf("hop 4: %d responders, want 2 (continuation lines)", n)
			}
			wantProbes(t, tr, 6, "0", "*") // the line cut short keeps its start
			wantWarning(t, tr, "line 12: kept the start")
		}},
		{"cisco-iosxr.txt", FormatCiscoXR, 4, func(t *testing.T, tr *path.Trace) {
			wantProbes(t, tr, 1, "3m", "2m", "2m")
			if l := hopOf(t, tr, 1).Probes[0].MPLS; len(l) != 1 || l[0].Label != 24005 {
				t.Errorf("hop 1 labels %+v", l)
			}
		}},
		{"junos.txt", FormatJunos, 3, func(t *testing.T, tr *path.Trace) {
			if l := hopOf(t, tr, 1).Probes[2].MPLS; len(l) != 1 || l[0].Label != 299808 {
				t.Errorf("hop 1 labels %+v", l)
			}
			wantProbes(t, tr, 3, "571µ!N", "547µ!N", "532µ!N")
		}},
		{"mtr-curses.txt", FormatMTRCurses, 5, func(t *testing.T, tr *path.Trace) {
			if tr.Target.Name != "example.com" || tr.Target.Addr != addr("192.0.2.9") {
				t.Errorf("target %+v", tr.Target)
			}
			if !hopOf(t, tr, 3).Silent() || len(hopOf(t, tr, 4).Responders) != 2 {
				t.Errorf("hop 3 should be silent and hop 4 have two responders")
			}
		}},
		{"winmtr.txt", FormatWinMTR, 4, func(t *testing.T, tr *path.Trace) {
			if st := hopOf(t, tr, 4).Responders[0].Stats; st == nil || st.Sent != 20 || st.Received != 19 || st.Avg != ms(13) {
				t.Errorf("hop 4 stats %+v", st)
			}
			if h := hopOf(t, tr, 2); !h.Silent() || h.Stats == nil {
				t.Errorf("hop 2 should be silent with stats")
			}
		}},
		{"nexttrace.txt", FormatNextTrace, 5, func(t *testing.T, tr *path.Trace) {
			if tr.Target.Addr != addr("192.0.2.9") || tr.Target.Name != "example.com" || tr.Protocol != path.ProtoICMP {
				t.Errorf("target %+v protocol %q", tr.Target, tr.Protocol)
			}
			wantProbes(t, tr, 1, "1.9m", "1.94m", "1.81m")
			wantResponder(t, tr, 2, "", "2xx.x.xxx.xxx", 4837)
			wantResponder(t, tr, 4, "198.51.100.4", "r4.example.net", 4837)
			wantProbes(t, tr, 4, "24.81m", "16.68m", "*")
		}},
		{"besttrace.txt", FormatNextTrace, 5, func(t *testing.T, tr *path.Trace) {
			wantResponder(t, tr, 1, "198.51.100.1", "", 50131)
			wantResponder(t, tr, 2, "198.51.100.2", "six2.example.net", 0)
			wantProbes(t, tr, 5, "136.91m")
		}},
		{"traceroute-linux-A.txt", FormatTraceroute, 5, func(t *testing.T, tr *path.Trace) {
			wantResponder(t, tr, 1, "192.168.1.1", "_gateway", 0)
			wantResponder(t, tr, 3, "198.51.100.33", "xe-0.example.net", 64500)
			wantResponder(t, tr, 4, "", "xx.xx.xx.xx", 15169)
			wantProbes(t, tr, 4, "10.002m", "9.981m", "9.968m")
			wantWarning(t, tr, "line 6: address (xx.xx.xx.xx) redacted")
		}},
	}
	for _, lang := range []string{"de", "fr", "es", "pt", "it", "ru", "zh", "ja"} {
		tests = append(tests, struct {
			file   string
			format string
			hops   int
			check  func(t *testing.T, tr *path.Trace)
		}{"tracert-" + lang + ".txt", FormatTracert, 0, func(t *testing.T, tr *path.Trace) {
			if tr.Target.Name != "example.com" || tr.Target.Addr != addr("192.0.2.9") || tr.MaxTTL != 30 {
				t.Errorf("target %+v max %d", tr.Target, tr.MaxTTL)
			}
			wantProbes(t, tr, 1, "1m", "1m", "1m")
			wantProbes(t, tr, 2, "*", "*", "*")
			if len(tr.Warnings) > 1 {
				t.Errorf("warnings %q", tr.Warnings)
			}
		}})
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "pastes", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if f, err := Detect(data); err != nil || f != tc.format {
				t.Fatalf("Detect = %q, %v; want %q", f, err, tc.format)
			}
			trs, err := Parse(data, "")
			if err != nil || len(trs) != 1 {
				t.Fatalf("Parse: %d traces, %v", len(trs), err)
			}
			if tc.hops > 0 && len(trs[0].Hops) != tc.hops {
				t.Errorf("%d hops, want %d", len(trs[0].Hops), tc.hops)
			}
			tc.check(t, trs[0])
			checkResult(t, tc.format, trs, nil)
		})
	}
}

// TestLenient: what real pastes carry around the output becomes warnings with the line number,
// never the loss of the trace; the strict mode refuses the same input at that line.
func TestLenient(t *testing.T) {
	const hdr = "traceroute to example.com (192.0.2.9), 30 hops max, 60 byte packets\n"
	tests := []struct {
		name       string
		in         string
		format     string
		hops       int
		warning    string // substring of a warning; "" for none expected
		strictLine int    // line strict mode stops at; 0 when strict reads it too
	}{
		{"prompt before and after", "me@host:~$ traceroute example.com\n" + hdr + " 1  192.0.2.1  1.0 ms\nme@host:~$\n", FormatTraceroute, 1, "", 0},
		{"banner line", "Last login: Mon Jan 1 from 198.51.100.7\n" + hdr + " 1  192.0.2.1  1.0 ms\n", FormatTraceroute, 1, `line 1: skipped "Last login`, 1},
		{"wrapped header", "traceroute to a-very-long-name.example.com (192.0.2.9), 30 hops max, 60 byte\npackets\n 1  192.0.2.1  1.0 ms\n", FormatTraceroute, 1, "", 0},
		{"redacted hop", hdr + " 1  192.0.2.1  1.0 ms\n 2  xx.xx.xx.xx  2.0 ms  2.1 ms\n 3  192.0.2.9  3.0 ms\n", FormatTraceroute, 3, "line 3: address xx.xx.xx.xx redacted", 3},
		{"redacted star form", hdr + " 1  *.*.*.*  2.0 ms\n", FormatTraceroute, 1, "address *.*.*.* redacted", 2},
		{"redacted word", hdr + " 1  <redacted>  2.0 ms\n", FormatTraceroute, 1, "address <redacted> redacted", 2},
		{"odd line among hops", hdr + " 1  192.0.2.1  1.0 ms\n(some hops omitted)\n 5  192.0.2.9  3.0 ms\n", FormatTraceroute, 5, `line 3: skipped "(some hops omitted)"`, 3},
		{"tracert odd line", "Tracing route to x [192.0.2.9]\nover a maximum of 30 hops:\n  1     1 ms     1 ms     1 ms  192.0.2.1\n  see below\n  2     2 ms     2 ms     2 ms  192.0.2.9\n", FormatTracert, 2, "line 4: skipped", 4},
		{"tracepath junk", " 1:  192.0.2.1   1.0ms\nwhat\n", FormatTracepath, 1, "line 2: skipped", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := Parse([]byte(tc.in), "")
			if err != nil || len(trs) != 1 {
				t.Fatalf("Parse: %d traces, %v", len(trs), err)
			}
			if trs[0].Source != sourceName(tc.format) || len(trs[0].Hops) != tc.hops {
				t.Errorf("source %q with %d hops, want %q with %d", trs[0].Source, len(trs[0].Hops), tc.format, tc.hops)
			}
			if tc.warning != "" {
				wantWarning(t, trs[0], tc.warning)
			}
			checkResult(t, tc.format, trs, nil)
			strict, err := ParseWith([]byte(tc.in), "", ParseOptions{Strict: true})
			var pe *ParseError
			switch {
			case tc.strictLine == 0 && err != nil:
				t.Errorf("strict: %v", err)
			case tc.strictLine > 0 && (!errors.As(err, &pe) || pe.Line != tc.strictLine || strict != nil):
				t.Errorf("strict = %d traces, %v; want a ParseError on line %d", len(strict), err, tc.strictLine)
			}
		})
	}
}

// TestRefusals: an input that is still refused says what it looks like, and the two misleading
// errors are gone (a JunOS prompt read as JSON, an IOS-XR hop read as Linux).
func TestRefusals(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		format string // detected format; "" when detection itself refuses
		looks  string // substring of Looks
		line   int
	}{
		{"cisco header only", "R1#traceroute 192.0.2.9\nType escape sequence to abort.\nTracing the route to 192.0.2.9\nR1#\n", FormatCiscoIOS, "a Cisco IOS/IOS-XE traceroute without hop lines", 5},
		{"cisco ping", "R1#ping 192.0.2.9\nType escape sequence to abort.\nSending 5, 100-byte ICMP Echos to 192.0.2.9, timeout is 2 seconds:\n!!!!!\n", FormatCiscoIOS, "Cisco ping output", 1},
		{"junos prompt only", "{master}\nuser@r1> traceroute 192.0.2.9\n", FormatJunos, "a Juniper JunOS traceroute without hop lines", 0},
		{"linux ping", "PING 192.0.2.9 (192.0.2.9) 56(84) bytes of data.\n64 bytes from 192.0.2.9: icmp_seq=1 ttl=57 time=1.0 ms\n", "", "ping output", 1},
		{"unknown json", `{"a": 1}`, "", "JSON that is none of", 1},
		{"binary", "\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00", "", "binary data", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, derr := Detect([]byte(tc.in))
			if f != tc.format {
				t.Fatalf("Detect = %q, %v; want %q", f, derr, tc.format)
			}
			_, err := Parse([]byte(tc.in), "")
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.Contains(pe.Looks, tc.looks) {
				t.Fatalf("err = %v; want one that looks like %q", err, tc.looks)
			}
			if tc.line > 0 && pe.Line != tc.line {
				t.Errorf("line %d, want %d (%v)", pe.Line, tc.line, err)
			}
			if !strings.Contains(err.Error(), "this looks like "+pe.Looks) {
				t.Errorf("message %q does not say what the input looks like", err)
			}
		})
	}
	// An IOS-XR hop pasted without its header is Cisco, not Linux.
	if f, err := Detect([]byte(" 1  192.0.2.1 2 msec  1 msec  1 msec\n 2  192.0.2.9 2 msec  2 msec  2 msec\n")); f != FormatCiscoXR {
		t.Errorf("IOS-XR hop lines detected as %q, %v", f, err)
	}
	// A list of what hopscope reads comes from the table.
	_, err := Detect([]byte("hello\n"))
	if err == nil || !strings.Contains(err.Error(), describe(FormatWinMTR)) {
		t.Errorf("refusal %v does not list the formats from the table", err)
	}
}

// TestUTF16 reads tracert output as PowerShell 5 writes it to a file.
func TestUTF16(t *testing.T) {
	text := "Tracing route to 192.0.2.9 over a maximum of 30 hops\r\n\r\n  1     1 ms     1 ms     1 ms  192.0.2.9\r\n"
	data := []byte{0xFF, 0xFE}
	for _, r := range text {
		data = append(data, byte(r), byte(r>>8))
	}
	trs, err := Parse(data, "")
	if err != nil || len(trs) != 1 || trs[0].Source != FormatTracert || len(trs[0].Hops) != 1 {
		t.Fatalf("Parse = %v, %v", trs, err)
	}
}
