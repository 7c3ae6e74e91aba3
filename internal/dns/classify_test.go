package dns

import (
	"testing"

	mdns "github.com/miekg/dns"
)

func TestClassify(t *testing.T) {
	q := buildQuery(1, "www.example.test.", mdns.TypeA, queryOpts{})
	referral := reply(q, 0, false, nil,
		rrs("example.test. 300 IN NS ns2.example.test.", "example.test. 300 IN NS ns1.example.test.", "example.test. 300 IN NS ns.other.test."),
		rrs("ns1.example.test. 300 IN A 192.0.2.53", "ns1.example.test. 300 IN AAAA 2001:db8::53", "ns2.example.test. 300 IN A 192.0.2.54"))
	tests := []struct {
		name, zone string
		m          *mdns.Msg
		kind       string
		detail     string
	}{
		{"authoritative answer", "example.test.", reply(q, 0, true, rrs("www.example.test. 60 IN A 192.0.2.1"), nil, nil), "answer", "1 record"},
		{"authoritative alias", "example.test.", reply(q, 0, true, rrs("www.example.test. 60 IN CNAME edge.cdn.test."), nil, nil), "cname", "alias"},
		{"nxdomain", "example.test.", reply(q, mdns.RcodeNameError, true, nil, rrs("example.test. 60 IN SOA ns1.example.test. h.example.test. 1 2 3 4 5"), nil), "nxdomain", "NXDOMAIN"},
		{"nodata", "example.test.", reply(q, 0, true, nil, rrs("example.test. 60 IN SOA ns1.example.test. h.example.test. 1 2 3 4 5"), nil), "nodata", "NODATA"},
		{"referral", "test.", referral, "referral", "delegates example.test. to 3 server(s), 2 with glue"},
		{"refused", "example.test.", reply(q, mdns.RcodeRefused, false, nil, nil, nil), "lame", "REFUSED for zone example.test."},
		{"servfail", "example.test.", reply(q, mdns.RcodeServerFailure, false, nil, nil, nil), "lame", "SERVFAIL"},
		{"recursive answer without AA", "example.test.", reply(q, 0, false, rrs("www.example.test. 60 IN A 192.0.2.1"), nil, nil), "lame", "without the AA bit"},
		{"upward referral", "example.test.", reply(q, 0, false, nil, rrs(". 300 IN NS a.root.test."), nil), "lame", "neither"},
		{"sideways referral", "test.", reply(q, 0, false, nil, rrs("other.test. 300 IN NS ns.other.test."), nil), "lame", "neither"},
		{"nxdomain without AA", "example.test.", reply(q, mdns.RcodeNameError, false, nil, nil, nil), "lame", "NXDOMAIN without the AA bit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kind, detail, child := classify(tc.m, tc.zone, "www.example.test.")
			if kind != tc.kind || !contains(detail, tc.detail) {
				t.Fatalf("classify = %q %q, want %q %q", kind, detail, tc.kind, tc.detail)
			}
			if (child != nil) != (kind == "referral") {
				t.Fatalf("referral = %v for kind %s", child, kind)
			}
		})
	}
}

func TestReferralOf(t *testing.T) {
	q := buildQuery(1, "www.example.test.", mdns.TypeA, queryOpts{})
	m := reply(q, 0, false, nil,
		rrs("example.test. 300 IN NS ns2.example.test.", "example.test. 300 IN NS ns1.example.test.", "example.test. 300 IN NS ns.other.test.",
			"unrelated.test. 300 IN NS ns.unrelated.test."),
		rrs("ns1.example.test. 300 IN AAAA 2001:db8::53", "ns1.example.test. 300 IN A 192.0.2.53", "ns2.example.test. 300 IN A 192.0.2.54"))
	ref := referralOf(m, "test.", "www.example.test.")
	if ref == nil || ref.Zone != "example.test." || len(ref.Servers) != 3 {
		t.Fatalf("referral = %+v", ref)
	}
	// Sorted by name; IPv4 glue first; the out-of-bailiwick server has no glue.
	want := []struct {
		name  string
		addrs string
		glue  bool
	}{{"ns.other.test.", "", false}, {"ns1.example.test.", "192.0.2.53 2001:db8::53", true}, {"ns2.example.test.", "192.0.2.54", true}}
	for i, w := range want {
		s := ref.Servers[i]
		var addrs []string
		for _, a := range s.Addrs {
			addrs = append(addrs, a.String())
		}
		if s.Name != w.name || joinSpace(addrs) != w.addrs || s.Glue != w.glue {
			t.Errorf("server %d = %+v, want %+v", i, s, w)
		}
	}
	if referralOf(m, "example.test.", "www.example.test.") != nil {
		t.Error("a referral to the zone itself is not a referral")
	}
}

func joinSpace(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
