package tracefile

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tracelbJSONLine builds a scamper tracelb JSON line around nodes (the value of "nodes").
func tracelbJSONLine(nodes string) string {
	return `{"type":"tracelb", "version":"0.1", "method":"icmp-echo", "src":"192.0.2.1", "dst":"203.0.113.9", "start":{"sec":1671301854, "usec":0}, ` +
		`"probe_size":44, "firsthop":1, "attempts":3, "confidence":99, "probec":20, "probec_max":3000, "nodec":4, "linkc":3, "nodes":[` + nodes + `]}` + "\n"
}

// probe writes one probe of flow f at ttl answered with rtt (ms).
func probe(ttl, f int, rtt string) string {
	return `{"tx":{"sec":1, "usec":0}, "replyc":1, "ttl":` + itoa(ttl) + `, "attempt":0, "flowid":` + itoa(f) +
		`, "replies":[{"rx":{"sec":1, "usec":1}, "ttl":60, "rtt":` + rtt + `, "icmp_type":11, "icmp_code":0, "icmp_q_tos":0, "icmp_q_ttl":1}]}`
}

// TestTracelbJSONVariants covers the shapes public tracelb JSON takes (M-Lab's traceroute-caller
// archives among them): silent hops as [{"addr":"*"}] levels, a node with several links, node names,
// a node whose one link has no hops listed, and an unanswered element.
func TestTracelbJSONVariants(t *testing.T) {
	tests := []struct {
		name       string
		nodes      string
		responders []string
		links      []string
		err        string // a substring of the refusal; "" when it must import
	}{
		{"one link through silent hops",
			`{"addr":"10.0.0.1", "q_ttl":1, "linkc":1, "links":[[{"addr":"*"}],[{"addr":"*"}],[{"addr":"10.0.0.4", "probes":[` + probe(4, 1, "9.5") + `,` + probe(4, 2, "9.6") + `]}]]}`,
			[]string{"1:10.0.0.1", "2:", "3:", "4:10.0.0.4"}, []string{"1:10.0.0.1>+2>10.0.0.4"}, ""},
		{"several links, one element each, and names",
			`{"addr":"10.0.0.1", "name":"r1.example", "q_ttl":1, "linkc":2, "links":[[{"addr":"10.0.0.2", "probes":[` + probe(2, 1, "1.0") + `]},{"addr":"10.0.0.3", "probes":[` + probe(2, 2, "1.2") + `]}]]},` +
				`{"addr":"10.0.0.2", "q_ttl":1, "linkc":1, "links":[[{"addr":"10.0.0.4", "probes":[` + probe(3, 1, "2.0") + `]}]]},` +
				`{"addr":"10.0.0.3", "q_ttl":1, "linkc":1, "links":[[{"addr":"10.0.0.4", "probes":[` + probe(3, 2, "2.1") + `]}]]}`,
			[]string{"1:10.0.0.1", "2:10.0.0.2,10.0.0.3", "3:10.0.0.4"},
			[]string{"1:10.0.0.1>10.0.0.2", "1:10.0.0.1>10.0.0.3", "2:10.0.0.2>10.0.0.4", "2:10.0.0.3>10.0.0.4"}, ""},
		{"a set of several, linked by flows",
			`{"addr":"10.0.0.1", "q_ttl":1, "linkc":1, "links":[[{"addr":"10.0.0.2", "probes":[` + probe(2, 1, "1") + `,` + probe(2, 3, "1") + `]}, {"addr":"10.0.0.3", "probes":[` + probe(2, 2, "1") + `]}],` +
				`[{"addr":"10.0.0.5", "probes":[` + probe(3, 1, "2") + `]}, {"addr":"10.0.0.6", "probes":[` + probe(3, 2, "2") + `,` + probe(3, 3, "2") + `]}], [{"addr":"10.0.0.9", "probes":[` + probe(4, 1, "3") + `]}]]}`,
			[]string{"1:10.0.0.1", "2:10.0.0.2,10.0.0.3", "3:10.0.0.5,10.0.0.6", "4:10.0.0.9"},
			[]string{"1:10.0.0.1>10.0.0.2", "1:10.0.0.1>10.0.0.3", "2:10.0.0.2>10.0.0.5", "2:10.0.0.2>10.0.0.6", "2:10.0.0.3>10.0.0.6", "3:10.0.0.5>10.0.0.9", "3:10.0.0.6>10.0.0.9"}, ""},
		{"a node with linkc 1 and no links",
			`{"addr":"10.0.0.1", "q_ttl":1, "linkc":1, "links":[[{"addr":"10.0.0.2", "probes":[` + probe(2, 1, "1") + `]}]]}, {"addr":"10.0.0.2", "q_ttl":1, "linkc":1}`,
			[]string{"1:10.0.0.1", "2:10.0.0.2"}, []string{"1:10.0.0.1>10.0.0.2"}, ""},
		{"an anonymised element without an address is refused with its place",
			`{"addr":"*", "q_ttl":1, "linkc":1, "links":[[{"addr":"", "probes":[` + probe(2, 1, "1") + `]}]]}`,
			nil, nil, `scamper: line 1`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := Parse([]byte(tracelbJSONLine(tc.nodes)), "")
			if tc.err != "" {
				var pe *ParseError
				if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want a ParseError with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tr := trs[0]
			if tr.Multipath == nil || tr.Multipath.Confidence != 0.99 || tr.Multipath.Probes != 20 {
				t.Fatalf("multipath %+v", tr.Multipath)
			}
			if got := respondersByTTL(tr); !slices.Equal(got, tc.responders) {
				t.Errorf("responders %q, want %q", got, tc.responders)
			}
			if got := linkStrings(tr.Multipath); !slices.Equal(got, tc.links) {
				t.Errorf("links %q, want %q", got, tc.links)
			}
		})
	}
}

// FuzzTracelbJSON fuzzes scamper JSON import from the tracelb lab captures: whatever it accepts, every
// multipath link joins two responders of the hops it names.
func FuzzTracelbJSON(f *testing.F) {
	for _, name := range []string{"lab-diamond2.json", "lab-diamond4.json", "lab-nested.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "tracelb", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(tracelbJSONLine(`{"addr":"10.0.0.1", "q_ttl":1, "linkc":1, "links":[[{"addr":"*"}],[{"addr":"10.0.0.4", "probes":[` + probe(3, 1, "9.5") + `]}]]}`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		trs, err := Parse(data, FormatScamper)
		checkResult(t, FormatScamper, trs, err)
		for _, tr := range trs {
			if tr.Multipath == nil {
				continue
			}
			for _, l := range tr.Multipath.Links {
				if h := tr.Hop(l.TTL); h == nil || h.Responder(l.From) == nil {
					t.Fatalf("link %+v: %v is not a responder of hop %d", l, l.From, l.TTL)
				}
				if h := tr.Hop(l.TTL + 1 + l.Gap); h == nil || h.Responder(l.To) == nil {
					t.Fatalf("link %+v: %v is not a responder of hop %d", l, l.To, l.TTL+1+l.Gap)
				}
			}
		}
	})
}
