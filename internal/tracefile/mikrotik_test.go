package tracefile

import (
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"hopscope/internal/path"
)

// TestMikroTik pins RouterOS's traceroute table: its layouts, its repaints, its address-less and
// not-yet-probed rows, MPLS in STATUS and addresses cut by the column width.
func TestMikroTik(t *testing.T) {
	const hdr = " # ADDRESS                          LOSS SENT    LAST     AVG    BEST   WORST STD-DEV STATUS\n"
	tests := []struct {
		name     string
		in       string
		target   string // the target's address, or its name when it has no address
		hops     []int
		silent   []int          // hops with no responder
		addrs    map[int]string // hop → its responder (address, else name)
		sent     map[int]int    // hop → SENT of its row
		labels   map[int]uint32 // hop → the MPLS label of its probe
		warnings []string       // substrings some warning must hold
	}{
		{
			name: "prompt, # column, MPLS labels in STATUS",
			in: "[admin@R1] > tool traceroute 198.51.100.6\n" + hdr +
				" 1 192.0.2.2                          0%   20   1.1ms     1.2     0.9     1.7     0.2 <MPLS:L=17,E=0>\n" +
				" 2 192.0.2.6                          0%   20   0.9ms     0.8     0.6     1.1     0.1 <MPLS:L=16,E=0>\n" +
				" 3 198.51.100.6                       0%   20   0.6ms     0.6     0.4       1     0.1\n",
			target: "198.51.100.6",
			hops:   []int{1, 2, 3},
			addrs:  map[int]string{1: "192.0.2.2", 2: "192.0.2.6", 3: "198.51.100.6"},
			sent:   map[int]int{1: 20, 3: 20},
			labels: map[int]uint32{1: 17, 2: 16},
		},
		{
			name: "no # column, cut STATUS title, address-less first row",
			in: "[admin@R2] > /tool/traceroute address=198.51.100.11\n" +
				"ADDRESS                          LOSS SENT    LAST     AVG    BEST   WORST STD-DEV STA..\n" +
				"                                 100%    4 timeout\n" +
				"192.0.2.3                          0%    3   1.3ms     1.3     1.2     1.4     0.1\n" +
				"198.51.100.11                      0%    3   2.5ms     2.4     2.4     2.5       0\n",
			target: "198.51.100.11",
			hops:   []int{1, 2, 3},
			silent: []int{1},
			addrs:  map[int]string{2: "192.0.2.3", 3: "198.51.100.11"},
			sent:   map[int]int{1: 4, 2: 3},
		},
		{
			name: "three repaints without a command: the last is read, its last row the target",
			in: "ADDRESS                          LOSS SENT    LAST     AVG    BEST   WORST STD-DEV STATUS\n" +
				"2001:db8::1                        0%    1    20ms      20      20      20       0\n" +
				"2001:db8::2                        0%    1   0.1ms     0.1     0.1     0.1       0\n" +
				"2001:db8::1                        0%    2   0.9ms    10.5     0.9      20     9.6\n" +
				"2001:db8::2                        0%    2   0.1ms     0.1     0.1     0.1       0\n" +
				"2001:db8::1                        0%    3   0.8ms     7.2     0.8      20       9\n" +
				"2001:db8::2                        0%    3   0.1ms     0.1       0     0.1       0\n",
			target:   "2001:db8::2",
			hops:     []int{1, 2},
			addrs:    map[int]string{1: "2001:db8::1", 2: "2001:db8::2"},
			sent:     map[int]int{1: 3, 2: 3},
			warnings: []string{"repainted the table 3 times", "no target"},
		},
		{
			name: "repaints separated by titles and footers; a cut last repaint is passed over",
			in: hdr + " 1 192.0.2.1  0%  1  1ms  1  1  1  0\n 2 198.51.100.9  0%  1  5ms  5  5  5  0\n-- [Q quit|D dump|C-z pause]\n" +
				hdr + " 1 192.0.2.1  0%  2  1ms  1  1  1  0\n 2 198.51.100.9  0%  2  5ms  5  5  5  0\n-- [Q quit|D dump|C-z pause]\n" +
				hdr + " 1 192.0.2.1  0%  3  1ms  1  1  1  0\n",
			target: "198.51.100.9",
			hops:   []int{1, 2},
			sent:   map[int]int{1: 2, 2: 2},
		},
		{
			name: "an IPv6 address cut by the column that begins the target's is the target",
			in: "[admin@R3] > /tool traceroute 2001:db8:f163:81:face:b00c:0:25de\n" +
				"ADDRESS                          LOSS SENT    LAST     AVG    BEST   WORST STD-DEV STATUS\n" +
				"2001:db8::1                        0%    1     1ms       1       1       1       0\n" +
				"2001:db8:f163:81:face:b00c:0...    0%    1     2ms       2       2       2       0\n",
			target: "2001:db8:f163:81:face:b00c:0:25de",
			hops:   []int{1, 2},
			addrs:  map[int]string{2: "2001:db8:f163:81:face:b00c:0:25de"},
		},
		{
			name: "a cut address without a target is kept as a name",
			in: "ADDRESS                          LOSS SENT    LAST     AVG    BEST   WORST STD-DEV STATUS\n" +
				"2001:db8::1                        0%    1     1ms       1       1       1       0\n" +
				"2001:db8:f163:81:face:b00c:0...    0%    1     2ms       2       2       2       0\n",
			target:   "2001:db8:f163:81:face:b00c:0...",
			hops:     []int{1, 2},
			addrs:    map[int]string{2: "2001:db8:f163:81:face:b00c:0..."},
			warnings: []string{"cut the address"},
		},
		{
			name:     "a row not probed yet is left out and the last row shown is not taken as the target",
			in:       hdr + " 1 192.0.2.1   0%  4  9.7ms  9.8  9.1  10.5\n 2   100%  4 timeout\n 3 192.0.2.9   0%  3  13.1ms  13.1  13  13.1\n 4   0%  0  0ms\n",
			hops:     []int{1, 2, 3},
			silent:   []int{2},
			warnings: []string{"hop 4: no probe sent yet"},
		},
		{
			name: "names from use-dns=yes, units in every column",
			in: "[admin@R4] > /tool traceroute example.net use-dns=yes\n" + hdr +
				" 1 gw.example.net                     0%    3   850us   0.9ms   0.8ms     1ms       0\n" +
				" 2 example.net                       33%    3 3ms431us   3.4ms   3.4ms   3.5ms     0.1\n",
			target: "example.net",
			hops:   []int{1, 2},
			addrs:  map[int]string{1: "gw.example.net", 2: "example.net"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if f, err := Detect([]byte(tc.in)); err != nil || f != FormatMikroTik {
				t.Fatalf("Detect = %q, %v; want %q", f, err, FormatMikroTik)
			}
			for _, strict := range []bool{false, true} {
				trs, err := ParseWith([]byte(tc.in), "", ParseOptions{Strict: strict})
				if err != nil || len(trs) != 1 {
					t.Fatalf("strict=%v: %d traces, %v", strict, len(trs), err)
				}
				tr := trs[0]
				target := tr.Target.Name
				if tr.Target.Addr.IsValid() {
					target = tr.Target.Addr.String()
				}
				if tr.Source != FormatMikroTik || target != tc.target {
					t.Errorf("source %q, target %q; want %q", tr.Source, target, tc.target)
				}
				if got := ttls(tr); !slices.Equal(got, tc.hops) {
					t.Fatalf("hops %v, want %v", got, tc.hops)
				}
				for _, h := range tr.Hops {
					if h.Silent() != slices.Contains(tc.silent, h.TTL) {
						t.Errorf("hop %d: silent %v", h.TTL, h.Silent())
					}
					if want, ok := tc.addrs[h.TTL]; ok && (len(h.Responders) != 1 || responderText(h.Responders[0]) != want) {
						t.Errorf("hop %d: responders %+v, want %s", h.TTL, h.Responders, want)
					}
					if want, ok := tc.sent[h.TTL]; ok && rowStats(h).Sent != want {
						t.Errorf("hop %d: sent %d, want %d", h.TTL, rowStats(h).Sent, want)
					}
					var label uint32
					if len(h.Probes) == 1 && len(h.Probes[0].MPLS) == 1 {
						label = h.Probes[0].MPLS[0].Label
					}
					if label != tc.labels[h.TTL] {
						t.Errorf("hop %d: probes %+v, want label %d", h.TTL, h.Probes, tc.labels[h.TTL])
					}
				}
				for _, w := range tc.warnings {
					if !slices.ContainsFunc(tr.Warnings, func(s string) bool { return strings.Contains(s, w) }) {
						t.Errorf("no warning with %q in %q", w, tr.Warnings)
					}
				}
			}
		})
	}
}

// responderText is r's address, or its name when it has none.
func responderText(r path.Responder) string {
	if r.Addr.IsValid() {
		return r.Addr.String()
	}
	return r.Name
}

// rowStats is the aggregate of hop h's row: its responder's, or the hop's when nothing answered.
func rowStats(h path.Hop) path.Stats {
	if h.Stats != nil {
		return *h.Stats
	}
	if len(h.Responders) > 0 && h.Responders[0].Stats != nil {
		return *h.Responders[0].Stats
	}
	return path.Stats{}
}

// TestMikroTikStats pins how a row's columns become Stats: received from LOSS and SENT, times in
// milliseconds with or without units.
func TestMikroTikStats(t *testing.T) {
	in := " # ADDRESS   LOSS SENT    LAST     AVG    BEST   WORST STD-DEV STATUS\n 1 192.0.2.1  25%    4  1.5ms  2.25  1  4ms  850us\n"
	trs, err := Parse([]byte(in), FormatMikroTik)
	if err != nil {
		t.Fatal(err)
	}
	got := rowStats(trs[0].Hops[0])
	want := path.Stats{Sent: 4, Received: 3, Last: 1500 * time.Microsecond, Avg: 2250 * time.Microsecond,
		Best: time.Millisecond, Worst: 4 * time.Millisecond, StdDev: 850 * time.Microsecond}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stats %+v, want %+v", got, want)
	}
}

// TestRouterOSTime pins the time values RouterOS prints.
func TestRouterOSTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1.2", 1200 * time.Microsecond, true},
		{"0", 0, true},
		{"1.1ms", 1100 * time.Microsecond, true},
		{"850us", 850 * time.Microsecond, true},
		{"3ms431us", 3431 * time.Microsecond, true},
		{"1s", time.Second, true},
		{"timeout", 0, false},
		{"ms", 0, false},
		{"1.2.3ms", 0, false},
		{"5min", 0, false},
		{"", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := routerOSTime(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("routerOSTime(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestMikroTikErrors pins where a bad row is reported when reading strictly, and that reading
// leniently skips it with a warning.
func TestMikroTikErrors(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		line     int
		col      int
		expected string
	}{
		{"loss without a percent sign", "ADDRESS LOSS SENT LAST\n192.0.2.1 0%  1  1ms\n192.0.2.2  7  1  1ms\n", 3, 12, "loss"},
		{"a word for SENT", "ADDRESS LOSS SENT LAST\n192.0.2.1 0%  x  1ms\n192.0.2.2 0% 1 1ms\n", 2, 15, "probes sent"},
		{"a word for LAST", "ADDRESS LOSS SENT LAST AVG\n192.0.2.1 0%  1  soon  1\n192.0.2.2 0% 1 1ms 1\n", 2, 18, "time in column LAST"},
		{"hop 0", " # ADDRESS LOSS SENT LAST\n 0 192.0.2.1 0%  1  1ms\n 1 192.0.2.1 0%  1  1ms\n", 2, 2, "hop number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseWith([]byte(tc.in), FormatMikroTik, ParseOptions{Strict: true})
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tc.line || pe.Col != tc.col || !strings.Contains(pe.Expected, tc.expected) || pe.Format != FormatMikroTik {
				t.Fatalf("strict: %#v, want line %d col %d expecting %q", err, tc.line, tc.col, tc.expected)
			}
			trs, err := Parse([]byte(tc.in), FormatMikroTik)
			if err != nil || len(trs) != 1 || !slices.ContainsFunc(trs[0].Warnings, func(s string) bool { return strings.Contains(s, "skipped") }) {
				t.Errorf("lenient: %v, %v", trs, err)
			}
		})
	}
}

// FuzzMikroTik fuzzes the RouterOS importer, seeded with the real tables under testdata/corpus.
func FuzzMikroTik(f *testing.F) {
	addFileSeeds(f, filepath.Join("testdata", "corpus", "mikrotik-*.txt"))
	f.Add([]byte(" # ADDRESS LOSS SENT LAST AVG BEST WORST STD-DEV STATUS\n 1 192.0.2.1 0% 1 1ms 1 1 1 0 <MPLS:L=1,E=0>\n 1 2001:db8::... 0% 2 1ms\n-- [Q quit|D dump|C-z pause]\n...\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, strict bool) {
		trs, err := ParseWith(data, FormatMikroTik, ParseOptions{Strict: strict})
		checkResult(t, FormatMikroTik, trs, err)
	})
}
