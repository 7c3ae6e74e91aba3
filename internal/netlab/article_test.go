package netlab

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestArticleExpectedHops(t *testing.T) {
	hops, err := ExpectedHops(Article(ArticleOptions{}), ArticleClient, ArticleDestination)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hops {
		var rs []string
		for _, r := range h.Responders {
			s := fmt.Sprintf("%s=%s", r.Node, r.Addr4)
			if r.Silent {
				s += "(silent)"
			}
			rs = append(rs, s)
		}
		got = append(got, fmt.Sprintf("%d %s", h.TTL, strings.Join(rs, " ")))
	}
	want := []string{
		"1 home=10.1.1.1", "2 isp=192.0.2.1", "3 lag10=192.0.2.6", "4 ncidf304=192.0.2.10",
		"5 niidf302=192.0.2.14", "6 niidf301=192.0.2.18", "7 opentr=192.0.2.22", "8 handoff=192.0.2.26",
		"9 paris=198.51.100.2", "10 silent10=198.51.100.6(silent)", "11 marseille=198.51.100.10",
		"12 silent12=198.51.100.14(silent)", "13 sga=198.51.100.18 sgb=198.51.100.22",
		"14 una=10.28.188.149 unb=10.28.189.85", "15 silent15=203.0.113.2(silent)",
		"16 silent16=203.0.113.10(silent)", "17 dest=203.0.113.14",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("hops:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	last := hops[len(hops)-1].Responders[0]
	if last.RTT != 2*(2+1+2+3+60+15)*time.Millisecond {
		t.Errorf("destination RTT = %v, want 166ms", last.RTT)
	}
	if r := hops[12].Responders[0]; r.Name4 != "if-ae-2-2.tcore2.svw-singapore.as6453.example" || r.Name6 != r.Name4 || r.RTT != 136*time.Millisecond {
		t.Errorf("hop 13 = %+v, want the svw-singapore name on both families and 136ms", r)
	}
}

func TestArticleOptions(t *testing.T) {
	node := func(s Spec, name string) Node {
		for _, n := range s.Nodes {
			if n.Name == name {
				return n
			}
		}
		t.Fatalf("no node %s", name)
		return Node{}
	}
	tests := []struct {
		name  string
		opts  ArticleOptions
		check func(s Spec) bool
	}{
		{"default destination answers", ArticleOptions{}, func(s Spec) bool { return node(s, ArticleDestination).Drop == 0 }},
		{"silent destination", ArticleOptions{SilentDestination: true}, func(s Spec) bool { return node(s, ArticleDestination).Drop == AllProbes }},
		{"rate-limited hand-off", ArticleOptions{RateLimitedHandoff: true}, func(s Spec) bool { return node(s, "handoff").ICMPPerSecond == 1 }},
		{"no MPLS by default", ArticleOptions{}, func(s Spec) bool { return node(s, "paris").MPLS == nil }},
		{"MPLS on the Tata core", ArticleOptions{MPLS: true}, func(s Spec) bool { return len(node(s, "marseille").MPLS) == 2 }},
		{"DNS by default", ArticleOptions{}, func(s Spec) bool { return s.DNS != nil && s.DNS.Node == ArticleDNSNode }},
		{"no DNS", ArticleOptions{NoDNS: true}, func(s Spec) bool { return s.DNS == nil && len(s.Nodes) == 20 }},
		{"long haul", ArticleOptions{LongHaul: 100 * time.Millisecond}, func(s Spec) bool {
			h, err := ExpectedHops(s, ArticleClient, ArticleDestination)
			return err == nil && h[16].Responders[0].RTT == 2*(2+1+2+3+100+15)*time.Millisecond
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.check(Article(tc.opts)) {
				t.Errorf("Article(%+v) fails the check", tc.opts)
			}
		})
	}
}
