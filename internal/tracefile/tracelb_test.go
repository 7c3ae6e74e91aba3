package tracefile

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hopscope/internal/path"
)

// linkStrings renders multipath links as "ttl:from>to", with "+g>" for a gap of g silent hops.
func linkStrings(mp *path.Multipath) []string {
	if mp == nil {
		return nil
	}
	var out []string
	for _, l := range mp.Links {
		gap := ">"
		if l.Gap > 0 {
			gap = ">+" + itoa(l.Gap) + ">"
		}
		out = append(out, itoa(l.TTL)+":"+l.From.String()+gap+l.To.String())
	}
	return out
}

// respondersByTTL renders each hop's responders as "ttl:a,b".
func respondersByTTL(tr *path.Trace) []string {
	var out []string
	for _, h := range tr.Hops {
		var as []string
		for _, r := range h.Responders {
			as = append(as, r.Addr.String())
		}
		out = append(out, itoa(h.TTL)+":"+strings.Join(as, ","))
	}
	return out
}

func TestTracelbText(t *testing.T) {
	const head = "tracelb from 192.0.2.1 to 203.0.113.25, 4 nodes, 4 links, 30 probes, 95%\n"
	tests := []struct {
		name       string
		in         string
		responders []string
		links      []string
		warn       string // a substring of some warning; "" for none at all
	}{
		{"one chain through a diamond, two sets", head + "10.0.0.1 -> (10.0.1.1, 10.0.2.1) -> 10.0.3.1 -> 203.0.113.25\n",
			[]string{"1:10.0.0.1", "2:10.0.1.1,10.0.2.1", "3:10.0.3.1", "4:203.0.113.25"},
			[]string{"1:10.0.0.1>10.0.1.1", "1:10.0.0.1>10.0.2.1", "2:10.0.1.1>10.0.3.1", "2:10.0.2.1>10.0.3.1", "3:10.0.3.1>203.0.113.25"}, ""},
		{"a node with several links, one line each", head + "10.0.0.1 -> 10.0.1.1\n10.0.0.1 -> 10.0.2.1\n10.0.1.1 -> 10.0.3.1\n10.0.2.1 -> 10.0.3.1\n10.0.3.1 -> 203.0.113.25\n",
			[]string{"1:10.0.0.1", "2:10.0.1.1,10.0.2.1", "3:10.0.3.1", "4:203.0.113.25"},
			[]string{"1:10.0.0.1>10.0.1.1", "1:10.0.0.1>10.0.2.1", "2:10.0.1.1>10.0.3.1", "2:10.0.2.1>10.0.3.1", "3:10.0.3.1>203.0.113.25"}, ""},
		{"lines out of order are placed from the first node", head + "10.0.1.1 -> 10.0.3.1\n10.0.0.1 -> 10.0.1.1\n",
			[]string{"1:10.0.0.1", "2:10.0.1.1", "3:10.0.3.1"},
			[]string{"1:10.0.0.1>10.0.1.1", "2:10.0.1.1>10.0.3.1"}, ""},
		{"a line no other reaches is skipped", head + "10.0.0.1 -> 10.0.1.1\n10.9.9.9 -> 10.0.3.1\n",
			[]string{"1:10.0.0.1", "2:10.0.1.1"}, []string{"1:10.0.0.1>10.0.1.1"}, "line 3: skipped: no line leads to its first node"},
		{"a silent hop is a gap", head + "10.0.0.1 -> * -> 10.0.3.1\n",
			[]string{"1:10.0.0.1", "2:", "3:10.0.3.1"}, []string{"1:10.0.0.1>+1>10.0.3.1"}, ""},
		{"a set with some silence", head + "10.0.0.1 -> (10.0.1.1, *) -> 10.0.3.1\n",
			[]string{"1:10.0.0.1", "2:10.0.1.1", "3:10.0.3.1"}, []string{"1:10.0.0.1>10.0.1.1", "2:10.0.1.1>10.0.3.1"}, ""},
		{"a link to nowhere", head + "10.0.0.1 -> 10.0.1.1\n10.0.0.1 -> *\n",
			[]string{"1:10.0.0.1", "2:10.0.1.1"}, []string{"1:10.0.0.1>10.0.1.1"}, ""},
		{"two sets in a row are not linked", head + "10.0.0.1 -> (10.0.1.1, 10.0.2.1) -> (10.0.3.1, 10.0.4.1) -> 203.0.113.25\n",
			[]string{"1:10.0.0.1", "2:10.0.1.1,10.0.2.1", "3:10.0.3.1,10.0.4.1", "4:203.0.113.25"},
			[]string{"1:10.0.0.1>10.0.1.1", "1:10.0.0.1>10.0.2.1", "3:10.0.3.1>203.0.113.25", "3:10.0.4.1>203.0.113.25"}, "line 2: which of (10.0.1.1, 10.0.2.1) leads to which of (10.0.3.1, 10.0.4.1)"},
		{"ipv6 and no source in the header", "tracelb to 2001:db8::9, 2 nodes, 1 links, 12 probes, 99%\n2001:db8::1 -> (2001:db8:1::1, 2001:db8:2::1) -> 2001:db8::9\n",
			[]string{"1:2001:db8::1", "2:2001:db8:1::1,2001:db8:2::1", "3:2001:db8::9"},
			[]string{"1:2001:db8::1>2001:db8:1::1", "1:2001:db8::1>2001:db8:2::1", "2:2001:db8:1::1>2001:db8::9", "2:2001:db8:2::1>2001:db8::9"}, ""},
		{"a bad line is skipped with its number", head + "10.0.0.1 -> 10.0.1.1\nnot a node line\n10.0.1.1 -> (10.0.2.1, bogus)\n",
			[]string{"1:10.0.0.1", "2:10.0.1.1"}, []string{"1:10.0.0.1>10.0.1.1"}, `line 4: skipped "10.0.1.1 -> (10.0.2.1, bogus)": expected an IP address or * in the set, got "bogus"`},
		{"no node at all", head, nil, nil, "tracelb found no node"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := Parse([]byte(tc.in), "")
			if err != nil {
				t.Fatal(err)
			}
			tr := trs[0]
			if tr.Multipath == nil || tr.Multipath.Confidence == 0 || tr.Multipath.Probes == 0 {
				t.Fatalf("multipath %+v, want confidence and probes from the header", tr.Multipath)
			}
			if got := respondersByTTL(tr); tc.responders != nil && !slices.Equal(got, tc.responders) {
				t.Errorf("responders %q, want %q", got, tc.responders)
			}
			if got := linkStrings(tr.Multipath); len(tc.links) > 0 && !slices.Equal(got, tc.links) {
				t.Errorf("links %q, want %q", got, tc.links)
			}
			joined := strings.Join(tr.Warnings, "\n")
			if tc.warn == "" && joined != "" {
				t.Errorf("warnings %q, want none", tr.Warnings)
			}
			if tc.warn != "" && !strings.Contains(joined, tc.warn) {
				t.Errorf("warnings %q, want one with %q", tr.Warnings, tc.warn)
			}
		})
	}
}

func TestTracelbTextHeader(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
		want tracelbHead
	}{
		{"full", "tracelb from 192.0.2.1 to 203.0.113.25, 6 nodes, 5 links, 85 probes, 95%", true,
			tracelbHead{src: addr("192.0.2.1"), dst: addr("203.0.113.25"), nodes: 6, links: 5, probes: 85, confid: 95}},
		{"no source", "tracelb to 2001:db8::9, 2 nodes, 1 links, 12 probes, 99%", true,
			tracelbHead{dst: addr("2001:db8::9"), nodes: 2, links: 1, probes: 12, confid: 99}},
		{"missing percent", "tracelb from 192.0.2.1 to 203.0.113.25, 6 nodes, 5 links, 85 probes, 95", false, tracelbHead{}},
		{"a word instead of an address", "tracelb from here to 203.0.113.25, 6 nodes, 5 links, 85 probes, 95%", false, tracelbHead{}},
		{"confidence past 100", "tracelb to 192.0.2.1, 1 nodes, 1 links, 1 probes, 950%", false, tracelbHead{}},
		{"a trace header", "traceroute from 192.0.2.1 to 203.0.113.25", false, tracelbHead{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tracelbHeader(tc.in)
			if ok != tc.ok || (ok && got != tc.want) {
				t.Errorf("tracelbHeader = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestTracelbTextStrict(t *testing.T) {
	in := "tracelb from 192.0.2.1 to 203.0.113.25, 2 nodes, 1 links, 6 probes, 95%\n10.0.0.1 -> 10.0.1.1\n10.0.1.1 => 10.0.2.1\n"
	_, err := ParseWith([]byte(in), FormatTracelbText, ParseOptions{Strict: true})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 3 || pe.Format != FormatTracelbText {
		t.Fatalf("err = %v, want a ParseError on line 3", err)
	}
	if _, err := Parse([]byte("10.0.0.1 -> 10.0.1.1\n"), FormatTracelbText); err == nil {
		t.Error("node lines without a header were accepted")
	}
}

// TestTracelbCaptures reads what scamper 20211212 printed in the ECMP labs (see the lab test in
// internal/cli): two and four parallel branches and a nested diamond, each as sc_warts2text and
// sc_warts2json output. The text must place every interface at its TTL; the JSON must also link
// them as the probe flows went.
func TestTracelbCaptures(t *testing.T) {
	tests := []struct {
		file       string
		responders []string
		links      []string // nil: not compared
	}{
		{"lab-diamond2.txt", []string{"1:10.200.0.2", "2:10.200.0.10,10.200.0.18", "3:10.200.0.14,10.200.0.22", "4:203.0.113.25"}, nil},
		{"lab-diamond2.json", []string{"1:10.200.0.2", "2:10.200.0.10,10.200.0.18", "3:10.200.0.14,10.200.0.22", "4:203.0.113.25"},
			[]string{"1:10.200.0.2>10.200.0.10", "1:10.200.0.2>10.200.0.18", "2:10.200.0.10>10.200.0.14", "2:10.200.0.18>10.200.0.22", "3:10.200.0.14>203.0.113.25", "3:10.200.0.22>203.0.113.25"}},
		{"lab-diamond4.txt", []string{"1:10.200.0.2", "2:10.200.0.10,10.200.0.18,10.200.0.26,10.200.0.34", "3:10.200.0.14,10.200.0.22,10.200.0.30,10.200.0.38", "4:203.0.113.25"}, nil},
		{"lab-diamond4.json", []string{"1:10.200.0.2", "2:10.200.0.10,10.200.0.18,10.200.0.26,10.200.0.34", "3:10.200.0.14,10.200.0.22,10.200.0.30,10.200.0.38", "4:203.0.113.25"},
			[]string{"1:10.200.0.2>10.200.0.10", "1:10.200.0.2>10.200.0.18", "1:10.200.0.2>10.200.0.26", "1:10.200.0.2>10.200.0.34",
				"2:10.200.0.10>10.200.0.14", "2:10.200.0.18>10.200.0.22", "2:10.200.0.26>10.200.0.30", "2:10.200.0.34>10.200.0.38",
				"3:10.200.0.14>203.0.113.25", "3:10.200.0.22>203.0.113.25", "3:10.200.0.30>203.0.113.25", "3:10.200.0.38>203.0.113.25"}},
		{"lab-nested.txt", []string{"1:10.200.0.2", "2:10.200.0.6,10.200.0.10", "3:10.200.0.14,10.200.0.18,10.200.0.30", "4:10.200.0.26,10.200.0.34", "5:10.200.0.38,10.200.0.42", "6:203.0.113.25"}, nil},
		{"lab-nested.json", nil, []string{"1:10.200.0.2>10.200.0.6", "1:10.200.0.2>10.200.0.10", "2:10.200.0.6>10.200.0.14", "2:10.200.0.6>10.200.0.18", "2:10.200.0.10>10.200.0.30",
			"3:10.200.0.14>10.200.0.26", "3:10.200.0.18>10.200.0.26", "3:10.200.0.30>10.200.0.34", "4:10.200.0.26>10.200.0.38", "4:10.200.0.26>10.200.0.42",
			"4:10.200.0.34>10.200.0.38", "4:10.200.0.34>10.200.0.42", "5:10.200.0.38>203.0.113.25", "5:10.200.0.42>203.0.113.25"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "tracelb", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			trs, err := Parse(data, "")
			if err != nil {
				t.Fatal(err)
			}
			tr := trs[0]
			if tr.Multipath == nil || tr.Multipath.Confidence != 0.95 || tr.Multipath.Probes == 0 || tr.Target.Addr != addr("203.0.113.25") {
				t.Fatalf("multipath %+v target %v", tr.Multipath, tr.Target.Addr)
			}
			if got := respondersByTTL(tr); tc.responders != nil && !slices.Equal(got, tc.responders) {
				t.Errorf("responders %q, want %q", got, tc.responders)
			}
			if got := linkStrings(tr.Multipath); tc.links != nil && !slices.Equal(got, tc.links) {
				t.Errorf("links %q, want %q", got, tc.links)
			}
		})
	}
}

// FuzzTracelbText fuzzes the tracelb text importer from the lab captures and the table's inputs.
func FuzzTracelbText(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "tracelb", "*"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("tracelb to 2001:db8::9, 2 nodes, 1 links, 12 probes, 99%\n2001:db8::1 -> (2001:db8:1::1, *) -> * -> 2001:db8::9\n* -> 2001:db8::1\n"))
	f.Add([]byte("tracelb from 192.0.2.1 to 203.0.113.25, 4 nodes, 4 links, 30 probes, 95%\n10.0.1.1 -> 10.0.3.1\n10.0.0.1 -> 10.0.1.1\n10.0.0.1 -> *\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		trs, err := Parse(data, FormatTracelbText)
		checkResult(t, FormatTracelbText, trs, err)
		for _, tr := range trs {
			for _, l := range tr.Multipath.Links {
				if tr.Hop(l.TTL) == nil || tr.Hop(l.TTL).Responder(l.From) == nil || tr.Hop(l.TTL+1+l.Gap) == nil || tr.Hop(l.TTL+1+l.Gap).Responder(l.To) == nil {
					t.Fatalf("link %+v does not join two responders", l)
				}
			}
		}
	})
}
