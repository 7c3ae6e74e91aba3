package tracefile

import (
	"strings"
	"testing"
)

// TestNextTraceConventions pins layouts seen in real NextTrace pastes: the header of NextTrace 1.6 and
// later, which puts the source address first ("SRC -> DST (NAME), 30 hops max, 28 byte packets"), and
// the rules of dashes that scripts print between the traces of several targets.
func TestNextTraceConventions(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		traces int
		from   string
		target string
		hops   int
	}{
		{
			name:   "arrow header of NextTrace 1.6+",
			in:     "NextTrace 1.6.2 2026-04-15T02:15:13Z 7ff76cf\nIP Geo Data Provider: LeoMoeAPI\n192.168.15.156 -> 192.0.2.9 (example.com), 30 hops max, 28 byte packets, ICMP mode\n1   192.168.15.1    *                         RFC1918          \n                                              0.97 ms / 0.94 ms / 0.90 ms\n2   *\n3   192.0.2.9       AS64500                   Country City  example.com \n                                              1.92 ms / 1.98 ms / 1.85 ms\n",
			traces: 1, from: "192.168.15.156", target: "example.com 192.0.2.9", hops: 3,
		},
		{
			name:   "rules and labels between traces",
			in:     "----------------------------------------------------------------------\nFirst target\ntraceroute to 192.0.2.9, 30 hops max, 52 bytes payload, ICMP mode\n1   198.51.100.1    AS64500  [EXAMPLE]        Country  example.net\n                                              0.31 ms / 0.31 ms / 0.26 ms\n----------------------------------------------------------------------\nSecond target\ntraceroute to 192.0.2.10, 30 hops max, 52 bytes payload, ICMP mode\n1   198.51.100.1    AS64500  [EXAMPLE]        Country  example.net\n                                              0.24 ms / 0.31 ms / 0.25 ms\n",
			traces: 2, target: "192.0.2.9", hops: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if f, err := Detect([]byte(tc.in)); err != nil || f != FormatNextTrace {
				t.Fatalf("Detect = %q, %v; want %q", f, err, FormatNextTrace)
			}
			trs, err := ParseWith([]byte(tc.in), FormatNextTrace, ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(trs) != tc.traces {
				t.Fatalf("%d traces, want %d", len(trs), tc.traces)
			}
			tr := trs[0]
			if got := addrText(tr.From.String(), tr.From.IsValid()); got != tc.from {
				t.Errorf("From %q, want %q", got, tc.from)
			}
			got := strings.TrimSpace(tr.Target.Name + " " + addrText(tr.Target.Addr.String(), tr.Target.Addr.IsValid()))
			if got != tc.target {
				t.Errorf("target %q, want %q", got, tc.target)
			}
			if len(tr.Hops) != tc.hops {
				t.Errorf("%d hops, want %d", len(tr.Hops), tc.hops)
			}
			for _, w := range tr.Warnings {
				if strings.Contains(w, "---") {
					t.Errorf("a rule was warned about: %q", w)
				}
			}
		})
	}
}
