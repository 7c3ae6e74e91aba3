package enrich

import (
	"net/netip"
	"testing"
)

func TestAnycastOf(t *testing.T) {
	tests := []struct {
		addr, operator, service string // operator "" = not anycast
	}{
		{"1.1.1.1", "Cloudflare", "public DNS resolver 1.1.1.1"},
		{"1.0.0.1", "Cloudflare", "public DNS resolver 1.0.0.1"},
		{"2606:4700:4700::1111", "Cloudflare", "public DNS resolver"},
		{"2606:4700:10::6816:1", "Cloudflare", "CDN"}, // inside the /32, outside the resolver /48
		{"104.16.132.229", "Cloudflare", "CDN"},
		{"8.8.8.8", "Google", "public DNS resolver 8.8.8.8"},
		{"8.8.4.4", "Google", "public DNS resolver 8.8.4.4"},
		{"2001:4860:4860::8844", "Google", "public DNS resolver"},
		{"216.239.34.10", "Google", "name server ns2.google.com"},
		{"9.9.9.9", "Quad9", "public DNS resolver 9.9.9.9"},
		{"208.67.222.222", "Cisco OpenDNS", "public DNS resolver 208.67.222.222"},
		{"198.41.0.4", "Verisign", "A root name server"},
		{"192.5.5.241", "ISC", "F root name server"},
		{"2001:7fe::53", "Netnod", "I root name server"},
		{"193.0.14.129", "RIPE NCC", "K root name server"},
		{"2001:dc3::35", "WIDE", "M root name server"},
		{"192.5.6.30", "Verisign", "com/net name server a.gtld-servers.net"},
		{"185.199.108.153", "GitHub", "Pages"},
		{"151.101.1.229", "Fastly", "CDN"}, // cdn.jsdelivr.net
		{"2606:50c0:8003::153", "GitHub", "Pages"},
		{"74.82.42.42", "Hurricane Electric", "public DNS resolver ordns.he.net"},
		{"2001:470:20::2", "Hurricane Electric", "public DNS resolver ordns.he.net"},
		{"94.140.14.14", "AdGuard", "public DNS resolver 94.140.14.14"},
		{"2a10:50c0::ad2:ff", "AdGuard", "public DNS resolver"},
		{"4.2.2.2", "Lumen (Level 3)", "public DNS resolver 4.2.2.1-4.2.2.6"},
		{"3.33.134.25", "Amazon", "Global Accelerator"},
		{"15.197.167.123", "Amazon", "Global Accelerator"},
		{"77.88.8.8", "Yandex", "public DNS resolver 77.88.8.8, 77.88.8.1"},
		{"77.88.8.1", "Yandex", "public DNS resolver 77.88.8.8, 77.88.8.1"},
		{"2a02:6b8::feed:ff", "Yandex", "public DNS resolver"},
		{"2a02:6b8:0:1::feed:ff", "Yandex", "public DNS resolver"},
		{"3.33.0.1", "", ""},       // other AWS space is not Global Accelerator
		{"77.88.55.60", "", ""},    // yandex.ru's own web front ends
		{"74.82.42.43", "", ""},    // only the resolver's address
		{"2001:470:21::2", "", ""}, // other HE space is not anycast
		{"4.2.2.9", "", ""},
		{"185.199.112.1", "", ""},
		{"::ffff:1.1.1.1", "", ""}, // callers unmap first (Lookup does)
		{"8.8.9.1", "", ""},
		{"9.9.10.1", "", ""},
		{"198.41.1.1", "", ""},
		{"142.250.186.142", "", ""},
		{"2a00:1450:4026:808::200e", "", ""},
		{"0.0.0.0", "", ""},
		{"255.255.255.255", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got := anycastOf(netip.MustParseAddr(tt.addr))
			if tt.operator == "" {
				if got != nil {
					t.Fatalf("anycastOf = %+v, want nil", *got)
				}
				return
			}
			if got == nil || got.Operator != tt.operator || got.Service != tt.service || got.Source == "" ||
				!got.Prefix.Contains(netip.MustParseAddr(tt.addr)) {
				t.Fatalf("anycastOf = %+v, want %s %s", got, tt.operator, tt.service)
			}
		})
	}
}

func TestAnycastRowsValid(t *testing.T) {
	for _, r := range anycastRows {
		p, err := netip.ParsePrefix(r.prefix)
		if err != nil || p != p.Masked() || r.operator == "" || r.service == "" || r.source == "" {
			t.Errorf("row %+v: %v (masked %v)", r, err, p.Masked())
		}
	}
}

func TestAnycastFromLookup(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	a := netip.MustParseAddr("216.239.34.21")
	if in := e.Lookup(a, ""); in.Anycast == nil || in.Anycast.Operator != "Google" {
		t.Errorf("216.239.34.21: %+v", in.Anycast)
	}
	b := netip.MustParseAddr("142.250.180.14")
	if in := e.Lookup(b, "any-in-2001.1e100.net"); in.Anycast == nil || in.Anycast.Prefix.Bits() != 32 {
		t.Errorf("any-in name: %+v", in.Anycast)
	}
	if in := e.Lookup(b, "fra24s07-in-f14.1e100.net"); in.Anycast != nil {
		t.Errorf("unicast name: %+v", in.Anycast)
	}
	if in := e.Lookup(netip.MustParseAddr("::ffff:8.8.8.8"), ""); in.Anycast == nil {
		t.Error("a mapped 8.8.8.8 is not anycast")
	}
}

func TestAnycastFromName(t *testing.T) {
	a := netip.MustParseAddr("217.29.76.16")
	for _, tc := range []struct{ name, service string }{
		{"any-in-2001.1e100.net", "anycast front end"},
		{"ns1.it-mil.k.ripe.net.", "K root name server instance"},
		{"fra.l.root-servers.org", "root name server instance"},
		{"ORDNS.he.net.", "public DNS resolver ordns.he.net"},
		{"core1.ordns.he.net", ""},
		{"fra24s07-in-f14.1e100.net", ""},
		{"k.ripe.net.example.com", ""},
		{"", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := AnycastFromName(a, tc.name)
			switch {
			case tc.service == "" && got != nil:
				t.Errorf("AnycastFromName = %+v, want nil", *got)
			case tc.service != "" && (got == nil || got.Service != tc.service || got.Source == "" || got.Prefix.Addr() != a):
				t.Errorf("AnycastFromName = %+v, want %s", got, tc.service)
			}
		})
	}
}

func BenchmarkAnycastOfMiss(b *testing.B) {
	addrs := []netip.Addr{netip.MustParseAddr("142.250.186.142"), netip.MustParseAddr("2a00:1450:4026:808::200e")}
	for i := 0; b.Loop(); i++ {
		anycastOf(addrs[i%len(addrs)])
	}
}

func BenchmarkAnycastOf(b *testing.B) {
	addrs := []netip.Addr{netip.MustParseAddr("1.1.1.1"), netip.MustParseAddr("142.250.186.142"),
		netip.MustParseAddr("2a00:1450:4026:808::200e"), netip.MustParseAddr("104.16.132.229")}
	for i := 0; b.Loop(); i++ {
		anycastOf(addrs[i%len(addrs)])
	}
}
