package dns

import (
	"errors"
	"strings"
	"testing"

	mdns "github.com/miekg/dns"
)

func TestFollow(t *testing.T) {
	tests := []struct {
		name      string
		qname     string
		qtype     uint16
		answer    []string
		limit     int
		aliases   int
		canonical string
		recs      []string
		err       string
	}{
		{"no alias", "a.test.", mdns.TypeA, []string{"a.test. 60 IN A 192.0.2.1", "a.test. 60 IN A 192.0.2.2"}, 16, 0, "a.test.", []string{"192.0.2.1", "192.0.2.2"}, ""},
		{"article shape", "vweixinthumb.tc.qq.test.", mdns.TypeA, []string{
			"vweixinthumb.tc.qq.test. 600 IN CNAME socwxsns.video.qq.test.",
			"socwxsns.video.qq.test. 60 IN A 198.51.100.25", "socwxsns.video.qq.test. 60 IN A 198.51.100.26"},
			16, 1, "socwxsns.video.qq.test.", []string{"198.51.100.25", "198.51.100.26"}, ""},
		{"two steps out of order, mixed case", "A.test.", mdns.TypeAAAA, []string{
			"c.test. 60 IN AAAA 2001:db8::1", "b.test. 60 IN CNAME C.test.", "a.test. 60 IN CNAME b.test."},
			16, 2, "C.test.", []string{"2001:db8::1"}, ""},
		{"ignores other owners and types", "a.test.", mdns.TypeA, []string{
			"a.test. 60 IN CNAME b.test.", "b.test. 60 IN AAAA 2001:db8::1", "x.test. 60 IN A 192.0.2.9", "b.test. 60 IN A 192.0.2.3",
			"b.test. 60 IN RRSIG A 13 2 60 20300101000000 20200101000000 1 test. AAAA"},
			16, 1, "b.test.", []string{"192.0.2.3"}, ""},
		{"dangling alias", "a.test.", mdns.TypeA, []string{"a.test. 60 IN CNAME elsewhere.example."}, 16, 1, "elsewhere.example.", nil, ""},
		{"loop", "l1.test.", mdns.TypeA, []string{"l1.test. 60 IN CNAME l2.test.", "l2.test. 60 IN CNAME l3.test.", "l3.test. 60 IN CNAME l1.test."},
			16, 3, "l1.test.", nil, "CNAME loop: l1.test. → l2.test. → l3.test. → l1.test."},
		{"self loop", "s.test.", mdns.TypeA, []string{"s.test. 60 IN CNAME S.test."}, 16, 1, "S.test.", nil, "CNAME loop: s.test. → S.test."},
		{"too long", "c0.test.", mdns.TypeA, []string{"c0.test. 60 IN CNAME c1.test.", "c1.test. 60 IN CNAME c2.test.", "c2.test. 60 IN CNAME c3.test."},
			2, 3, "c3.test.", nil, "longer than 2 steps"},
		{"asking for the CNAME itself", "a.test.", mdns.TypeCNAME, []string{"a.test. 60 IN CNAME b.test."}, 16, 0, "a.test.", []string{"b.test."}, ""},
		{"ANY", "a.test.", mdns.TypeANY, []string{"a.test. 60 IN MX 10 m.test.", `a.test. 60 IN TXT "x"`}, 16, 0, "a.test.", []string{"10 m.test.", `"x"`}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[string]bool{strings.ToLower(tc.qname): true}
			al, canon, recs, _, err := follow(tc.qname, tc.qtype, rrs(tc.answer...), seen, []string{tc.qname}, tc.limit)
			if tc.err != "" {
				if err == nil || !contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if len(al) != tc.aliases || canon != tc.canonical {
				t.Fatalf("aliases %d canonical %q, want %d %q", len(al), canon, tc.aliases, tc.canonical)
			}
			var got []string
			for _, r := range recs {
				got = append(got, r.Data)
			}
			if strings.Join(got, ",") != strings.Join(tc.recs, ",") {
				t.Fatalf("records %v, want %v", got, tc.recs)
			}
		})
	}
}

func TestFollowLoopAcrossReplies(t *testing.T) {
	// The first reply ends at b.test.; the second (for b.test.) comes back to a.test.
	seen := map[string]bool{"a.test.": true}
	chain := []string{"a.test."}
	_, canon, _, chain, err := follow("a.test.", mdns.TypeA, rrs("a.test. 60 IN CNAME b.test."), seen, chain, 16)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, _, err = follow(canon, mdns.TypeA, rrs("b.test. 60 IN CNAME a.test."), seen, chain, 16)
	var le *LoopError
	if !errors.As(err, &le) || strings.Join(le.Chain, " ") != "a.test. b.test. a.test." {
		t.Fatalf("err = %v, want a loop a→b→a", err)
	}
}

func TestDNSSECStatus(t *testing.T) {
	tests := []struct {
		name   string
		ad     bool
		rrsigs int
		want   DNSSECStatus
	}{
		{"validated", true, 1, DNSSECSecure},
		{"validated without sigs (minimal responses)", true, 0, DNSSECSecure},
		{"signed not validated", false, 2, DNSSECUnvalidated},
		{"unsigned", false, 0, DNSSECInsecure},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := dnssecStatus(tc.ad, tc.rrsigs); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}
