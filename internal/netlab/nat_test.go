package netlab

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestNATPlan(t *testing.T) {
	tests := []struct {
		name    string
		nat     NAT
		wantErr string
		want    []string // lines the router's ruleset must hold
		wantLo  string   // address put on the router's loopback
	}{
		{name: "stateless", nat: NAT{Source: "10.200.0.1", To: "198.51.100.99"}, wantLo: "198.51.100.99/32",
			want: []string{"type filter hook prerouting", "ip daddr 198.51.100.99 ip daddr set 10.200.0.1", "type filter hook postrouting", "ip saddr 10.200.0.1 ip saddr set 198.51.100.99"}},
		{name: "masquerade", nat: NAT{Source: "10.200.0.1", Masquerade: true}, want: []string{"type nat hook postrouting", "ip saddr 10.200.0.1 masquerade"}},
		{name: "IPv6 source", nat: NAT{Source: "fd00::1", To: "198.51.100.99"}, wantErr: "want an IPv4 address"},
		{name: "no To", nat: NAT{Source: "10.200.0.1"}, wantErr: "To"},
		{name: "To outside the lab", nat: NAT{Source: "10.200.0.1", To: "192.168.1.1"}, wantErr: "outside the lab ranges"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := diamond()
			nat := tc.nat
			s.Nodes[1].NAT = &nat // r1
			p, err := buildPlan(s, "t-")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r1 := p.byName["r1"]
			for _, w := range tc.want {
				if !strings.Contains(r1.nft, w) {
					t.Errorf("ruleset lacks %q:\n%s", w, r1.nft)
				}
			}
			hasLo := slices.Contains(r1.lo, netip.MustParsePrefix(orDefault(tc.wantLo, "0.0.0.0/32")))
			if hasLo != (tc.wantLo != "") {
				t.Errorf("loopback %v, want %q", r1.lo, tc.wantLo)
			}
			if !slices.Contains(s.tools(), "nft") {
				t.Error("a NAT node does not ask for nft")
			}
		})
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
