package explain

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hopscope/internal/path"
	"hopscope/internal/tracefile"
)

// mpTrace builds a multipath trace: hops[i] lists the interfaces at TTL i+1 as "addr" or
// "addr@ms" (one reply with that RTT); links are "ttl:from>to" (or "ttl:from>+gap>to") with
// addresses written as their last octet in 10.0.0.0/24.
func mpTrace(hops [][]string, links ...string) *path.Trace {
	a := func(s string) netip.Addr { return netip.MustParseAddr("10.0.0." + s) }
	t := &path.Trace{From: netip.MustParseAddr("10.0.0.250"), Multipath: &path.Multipath{Confidence: 0.95, Probes: 40}}
	for i, hop := range hops {
		h := t.HopAt(i + 1)
		for _, r := range hop {
			name, rtt, timed := strings.Cut(r, "@")
			if timed {
				var v float64
				fmt.Sscan(rtt, &v)
				h.AddProbe(path.Probe{Status: path.StatusReply, From: a(name), RTT: time.Duration(v * float64(time.Millisecond)), HasRTT: true}, "")
			} else {
				h.AddResponder(path.Responder{Addr: a(name)})
			}
		}
	}
	for _, l := range links {
		var ttl, gap int
		var from, to string
		head, rest, _ := strings.Cut(l, ":")
		fmt.Sscan(head, &ttl)
		from, to, _ = strings.Cut(rest, ">")
		if g, after, ok := strings.Cut(to, ">"); ok {
			fmt.Sscan(strings.TrimPrefix(g, "+"), &gap)
			to = after
		}
		t.Multipath.Links = append(t.Multipath.Links, path.Link{TTL: ttl, From: a(from), To: a(to), Gap: gap})
	}
	return t
}

// diamondString renders a diamond as "div@ttl>conv@ttl w=N l=N [nested] [meshed] [unlinked]".
func diamondString(d Diamond) string {
	s := fmt.Sprintf("%v@%d>%v@%d w=%d l=%d", d.Divergence, d.DivergenceTTL, d.Convergence, d.ConvergenceTTL, d.Width, d.Length)
	if d.Nested {
		s += " nested"
		for _, in := range d.Inner {
			s += " (" + diamondString(in) + ")"
		}
	}
	if d.Meshed {
		s += " meshed"
	}
	if !d.LinksKnown {
		s += " unlinked"
	}
	return s
}

func TestDiamonds(t *testing.T) {
	tests := []struct {
		name  string
		trace *path.Trace
		want  []string
	}{
		{"single path has none", mpTrace([][]string{{"1"}, {"2"}, {"3"}}, "1:1>2", "2:2>3"), nil},
		{"two branches", mpTrace([][]string{{"1"}, {"2", "3"}, {"4"}}, "1:1>2", "1:1>3", "2:2>4", "2:3>4"),
			[]string{"10.0.0.1@1>10.0.0.4@3 w=2 l=2"}},
		{"four branches two hops long", mpTrace([][]string{{"1"}, {"2", "3", "4", "5"}, {"6", "7", "8", "9"}, {"10"}},
			"1:1>2", "1:1>3", "1:1>4", "1:1>5", "2:2>6", "2:3>7", "2:4>8", "2:5>9", "3:6>10", "3:7>10", "3:8>10", "3:9>10"),
			[]string{"10.0.0.1@1>10.0.0.10@4 w=4 l=3"}},
		{"nested", mpTrace([][]string{{"1"}, {"2", "3"}, {"4", "5", "6"}, {"7", "8"}, {"9"}},
			"1:1>2", "1:1>3", "2:2>4", "2:2>5", "2:3>6", "3:4>7", "3:5>7", "3:6>8", "4:7>9", "4:8>9"),
			[]string{"10.0.0.1@1>10.0.0.9@5 w=3 l=4 nested (10.0.0.2@2>10.0.0.7@4 w=2 l=2)"}},
		{"meshed", mpTrace([][]string{{"1"}, {"2", "3"}, {"4", "5"}, {"6"}},
			"1:1>2", "1:1>3", "2:2>4", "2:2>5", "2:3>4", "2:3>5", "3:4>6", "3:5>6"),
			[]string{"10.0.0.1@1>10.0.0.6@4 w=2 l=3 meshed"}},
		{"a split inside that never merges is neither nested nor meshed", mpTrace([][]string{{"1"}, {"2", "3"}, {"4", "5", "6"}, {"9"}},
			"1:1>2", "1:1>3", "2:2>4", "2:2>5", "2:3>6", "3:4>9", "3:5>9", "3:6>9"),
			[]string{"10.0.0.1@1>10.0.0.9@4 w=3 l=3"}},
		{"crossing right after the divergence", mpTrace([][]string{{"1"}, {"2", "3"}, {"4"}}, "1:1>2", "1:1>3", "1:3>2", "2:2>4", "2:3>4"),
			[]string{"10.0.0.1@1>10.0.0.4@3 w=2 l=2 meshed"}},
		{"split at the source", mpTrace([][]string{{"2", "3"}, {"4"}}, "1:2>4", "1:3>4"),
			[]string{"10.0.0.250@0>10.0.0.4@2 w=2 l=2 unlinked"}},
		{"open: the trace ends split", mpTrace([][]string{{"1"}, {"2", "3"}, {"4", "5"}}, "1:1>2", "1:1>3", "2:2>4", "2:3>5"),
			[]string{"10.0.0.1@1>invalid IP@0 w=2 l=2"}},
		{"no links: shape only", mpTrace([][]string{{"1"}, {"2", "3"}, {"4", "5"}, {"6"}}, "1:1>2", "1:1>3", "3:4>6", "3:5>6"),
			[]string{"10.0.0.1@1>10.0.0.6@4 w=2 l=3 unlinked"}},
		{"two diamonds in a row", mpTrace([][]string{{"1"}, {"2", "3"}, {"4"}, {"5", "6", "7"}, {"8"}},
			"1:1>2", "1:1>3", "2:2>4", "2:3>4", "3:4>5", "3:4>6", "3:4>7", "4:5>8", "4:6>8", "4:7>8"),
			[]string{"10.0.0.1@1>10.0.0.4@3 w=2 l=2", "10.0.0.4@3>10.0.0.8@5 w=3 l=2"}},
		{"a silent hop inside", mpTrace([][]string{{"1"}, {"2", "3"}, {}, {"6"}}, "1:1>2", "1:1>3", "2:2>+1>6", "2:3>+1>6"),
			[]string{"10.0.0.1@1>10.0.0.6@4 w=2 l=3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := Diamonds(tc.trace)
			var got []string
			for _, d := range ds {
				got = append(got, diamondString(d))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("diamonds\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestMultipathLines(t *testing.T) {
	tests := []struct {
		name  string
		trace *path.Trace
		want  []string // substrings of the first line, in order
	}{
		{"same RTT", mpTrace([][]string{{"1@1"}, {"2@10.1", "3@10.6"}, {"4@11"}}, "1:1>2", "1:1>3", "2:2>4", "2:3>4"),
			[]string{"load balancing: 2 parallel paths between hop 1 (10.0.0.1) and hop 3 (10.0.0.4)", "found at 95% confidence with 40 probes", "every branch about the same RTT (10.1-10.6 ms at hop 2)"}},
		{"one branch slower", mpTrace([][]string{{"1@1"}, {"2@10", "3@22.4"}, {"4@23"}}, "1:1>2", "1:1>3", "2:2>4", "2:3>4"),
			[]string{"the branch via 10.0.0.3 is 12.4 ms slower than via 10.0.0.2 (hop 2)"}},
		{"nested named", mpTrace([][]string{{"1"}, {"2", "3"}, {"4", "5", "6"}, {"7", "8"}, {"9"}},
			"1:1>2", "1:1>3", "2:2>4", "2:2>5", "2:3>6", "3:4>7", "3:5>7", "3:6>8", "4:7>9", "4:8>9"),
			[]string{"3 parallel paths", "a nested diamond 2 wide from hop 2 (10.0.0.2) to hop 4 (10.0.0.7)"}},
		{"no diamond", mpTrace([][]string{{"1"}, {"2"}}, "1:1>2"), []string{"no load balancing: every hop answered from a single interface, found at 95% confidence"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Multipath(tc.trace)
			if f == nil || len(f.Lines) == 0 {
				t.Fatalf("finding %+v", f)
			}
			rest := f.Lines[0]
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("line %q lacks %q (in order)", f.Lines[0], w)
				}
				rest = rest[i+len(w):]
			}
		})
	}
	if Multipath(&path.Trace{}) != nil {
		t.Error("a trace without a multipath graph has a multipath finding")
	}
}

// TestDiamondsOfScamperLabs reads the diamonds of scamper tracelb runs in the ECMP labs (captured by
// internal/cli's lab test into internal/tracefile/testdata/tracelb).
func TestDiamondsOfScamperLabs(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"lab-diamond2.json", "10.200.0.2@1>203.0.113.25@4 w=2 l=3"},
		{"lab-diamond2.txt", "10.200.0.2@1>203.0.113.25@4 w=2 l=3 unlinked"},
		{"lab-diamond4.txt", "10.200.0.2@1>203.0.113.25@4 w=4 l=3 unlinked"},
		{"lab-diamond4.json", "10.200.0.2@1>203.0.113.25@4 w=4 l=3"},
		{"lab-nested.json", "10.200.0.2@1>203.0.113.25@6 w=3 l=5 nested (10.200.0.6@2>10.200.0.26@4 w=2 l=2) meshed"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "tracefile", "testdata", "tracelb", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			trs, err := tracefile.Parse(data, "")
			if err != nil {
				t.Fatal(err)
			}
			ds := Diamonds(trs[0])
			if len(ds) != 1 || diamondString(ds[0]) != tc.want {
				var got []string
				for _, d := range ds {
					got = append(got, diamondString(d))
				}
				t.Errorf("diamonds %q, want [%q]", got, tc.want)
			}
		})
	}
}

func TestMultipathSentence(t *testing.T) {
	tests := []struct {
		name  string
		trace *path.Trace
		want  string
	}{
		{"one diamond", mpTrace([][]string{{"1"}, {"2", "3"}, {"4"}}, "1:1>2", "1:1>3", "2:2>4", "2:3>4"),
			"Flows split over 2 parallel paths after hop 1 and merge at hop 3, found at 95% confidence."},
		{"the widest of two", mpTrace([][]string{{"1"}, {"2", "3"}, {"4"}, {"5", "6", "7"}, {"8"}}),
			"Flows split over 3 parallel paths after hop 3 and merge at hop 5 (one of 2 load-balanced stretches), found at 95% confidence."},
		{"open at the source", mpTrace([][]string{{"2", "3"}}), "Flows split over 2 parallel paths from the source, found at 95% confidence."},
		{"no diamond", mpTrace([][]string{{"1"}, {"2"}}), ""},
		{"no multipath graph", &path.Trace{Hops: []path.Hop{{TTL: 1}}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := multipathSentence(&Findings{Multipath: Multipath(tc.trace)}); got != tc.want {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}
