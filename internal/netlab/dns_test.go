package netlab

import (
	"net/netip"
	"strings"
	"testing"
)

func TestReverseZone(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"10.28.188.149", "10.in-addr.arpa."},
		{"192.0.2.6", "2.0.192.in-addr.arpa."},
		{"198.51.100.18", "100.51.198.in-addr.arpa."},
		{"203.0.113.25", "113.0.203.in-addr.arpa."},
		{"fd00:1:1::1", "d.f.ip6.arpa."},
		{"2001:db8:10c::2", "8.b.d.0.1.0.0.2.ip6.arpa."},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			if got := reverseZone(netip.MustParseAddr(tc.addr)); got != tc.want {
				t.Errorf("reverseZone(%s) = %q, want %q", tc.addr, got, tc.want)
			}
		})
	}
}

func TestArticleDNSPlan(t *testing.T) {
	p, err := buildPlan(Article(ArticleOptions{}), "t-")
	if err != nil {
		t.Fatal(err)
	}
	d := p.dns
	if got := strings.Join(d.zoneNames(), " "); got != "100.51.198.in-addr.arpa. 2.0.192.in-addr.arpa. 8.b.d.0.1.0.0.2.ip6.arpa. example." {
		t.Errorf("zones = %s", got)
	}
	zone := d.zoneFile("2.0.192.in-addr.arpa.")
	for _, want := range []string{
		"2.0.192.in-addr.arpa. 300 IN SOA ns.lab.test.",
		"6.2.0.192.in-addr.arpa. 300 IN PTR lag-10.nenly00z.rbci.orange.example.\n",
		"26.2.0.192.in-addr.arpa. 300 IN PTR tatateleglobe-8.gw.opentransit.example.\n",
	} {
		if !strings.Contains(zone, want) {
			t.Errorf("zone lacks %q:\n%s", want, zone)
		}
	}
	ex := d.zoneFile("example.")
	if !strings.Contains(ex, "vweixinthumb.tc.example.\t300\tIN\tCNAME\tsocwxsns.video.example.") {
		t.Errorf("example zone lacks the alias:\n%s", ex)
	}
	conf := d.unboundConf("/tmp/x")
	for _, want := range []string{
		"interface: 0.0.0.0\n", "interface: ::0\n", "interface-automatic: yes\n", `local-zone: "." refuse`,
		`local-zone: "2.0.192.in-addr.arpa." transparent`, `zonefile: "/tmp/x/example.zone"`,
		"control-enable: no",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("unbound.conf lacks %q:\n%s", want, conf)
		}
	}
}
