package tracefile

import "testing"

// TestUnlinkMarkdown pins which Markdown links made of host names are undone on a line.
func TestUnlinkMarkdown(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"traceroute header with a scheme", "traceroute to [www.l.google.com](http://www.l.google.com) (192.0.2.1), 30 hops max",
			"traceroute to www.l.google.com (192.0.2.1), 30 hops max"},
		{"link without a scheme, twice", "traceroute: Warning: [a.example](a.example) has multiple addresses; using [b.example](https://b.example/)",
			"traceroute: Warning: a.example has multiple addresses; using b.example"},
		{"tracert header", "Tracing route to [dns.example](http://dns.example) [192.0.2.9]", "Tracing route to dns.example [192.0.2.9]"},
		{"Korean tracert is not a link", "dns.example [192.0.2.9](으)로 가는 경로 추적:", "dns.example [192.0.2.9](으)로 가는 경로 추적:"},
		{"link text other than its target", "see [the docs](http://docs.example) here", "see [the docs](http://docs.example) here"},
		{"unclosed", "traceroute to [a.example](http://a.example", "traceroute to [a.example](http://a.example"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := unwrapWebLine(tc.in); got != tc.want {
				t.Errorf("unwrapWebLine(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	trs, err := Parse([]byte("traceroute to [www.example.com](http://www.example.com) (192.0.2.9), 30 hops max, 40 byte packets\n 1  192.0.2.9  1.0 ms  1.1 ms  1.2 ms\n"), "")
	if err != nil || trs[0].Target.Name != "www.example.com" || trs[0].Target.Addr.String() != "192.0.2.9" || len(trs[0].Warnings) != 0 {
		t.Fatalf("Parse: %v, %+v", err, trs)
	}
}
