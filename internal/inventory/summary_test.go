package inventory

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestGuessPurpose(t *testing.T) {
	tests := []struct{ host, want string }{
		{"mp.weixin.qq.com", "mini programs"},
		{"channels.weixin.qq.com", "video channels"},
		{"mmbiz.qpic.cn", "pictures"},
		{"wx.qlogo.cn", "avatars and logos"},
		{"vweixinthumb.tc.qq.com", "images"},
		{"mp4.example.test", ""}, // "mp" only as a whole token
		{"api.app.test", "API"},
		{"szshort.weixin.qq.com", "messaging and long connections"},
		{"www.example.test", ""},
	}
	rules := DefaultRules()
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			if got, _ := GuessPurpose(tc.host, rules); got != tc.want {
				t.Errorf("GuessPurpose(%q) = %q, want %q", tc.host, got, tc.want)
			}
		})
	}
}

func TestParseRules(t *testing.T) {
	rules, err := ParseRules(strings.NewReader("# mine\n\n^pay\\.   payments (ours)\nqpic\tour pictures\n"), "rules.txt")
	if err != nil {
		t.Fatal(err)
	}
	all := append(rules, DefaultRules()...)
	if got, _ := GuessPurpose("mmbiz.qpic.cn", all); got != "our pictures" {
		t.Errorf("user rule does not win: %q", got)
	}
	for _, bad := range []struct{ in, want string }{
		{"justpattern\n", "rules.txt:1: want"},
		{"# ok\n([ broken\n", "rules.txt:2: bad pattern"},
	} {
		if _, err := ParseRules(strings.NewReader(bad.in), "rules.txt"); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ParseRules(%q) err = %v, want %q", bad.in, err, bad.want)
		}
	}
}

func TestRegistrableDomain(t *testing.T) {
	for in, want := range map[string]string{
		"vweixinthumb.tc.qq.com": "qq.com",
		"a.b.example.co.uk.":     "example.co.uk",
		"192.0.2.1":              "192.0.2.1",
		"localhost":              "localhost",
	} {
		if got := RegistrableDomain(in); got != want {
			t.Errorf("RegistrableDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSummarize(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	ap := netip.MustParseAddrPort
	inv := &Inventory{Source: "capture", Origin: "x.pcap", Flows: []Flow{
		{Host: "mmbiz.qpic.cn", Server: ap("192.0.2.1:443"), Protocol: "tls", NameSource: "sni", BytesDown: 1000, Start: t0, Duration: time.Second},
		{Host: "MMBIZ.qpic.cn.", Server: ap("192.0.2.2:443"), Protocol: "quic", NameSource: "quic-sni", BytesDown: 500, Start: t0.Add(time.Minute),
			HasHandshakeRTT: true, HandshakeRTT: 30 * time.Millisecond},
		{Host: "wx.qlogo.cn", Server: ap("192.0.2.3:443"), Protocol: "tls", BytesDown: 10, HTTP: &HTTPExchange{}, Error: "reset"},
		{Host: "socwxsns.video.qq.com", AskedName: "vweixinthumb.tc.qq.com", NameSource: "dns", Server: ap("192.0.2.4:443"), Protocol: "tls", BytesDown: 5000},
		{Server: ap("198.51.100.9:8080"), Protocol: "mmtls", BytesUp: 20, Passthrough: "not TLS"},
	}}
	s := Summarize(inv, nil)
	if s.Hosts != 4 || s.Flows != 5 || s.BytesDown != 6510 || s.BytesUp != 20 {
		t.Fatalf("totals: %+v", s)
	}
	if s.Domains[0].Domain != "qq.com" {
		t.Errorf("largest domain first: got %s", s.Domains[0].Domain)
	}
	var qpic *DomainSummary
	for i := range s.Domains {
		if s.Domains[i].Domain == "qpic.cn" {
			qpic = &s.Domains[i]
		}
	}
	if qpic == nil || len(qpic.Hosts) != 1 {
		t.Fatalf("qpic.cn not grouped into one host: %+v", s.Domains)
	}
	h := qpic.Hosts[0]
	if h.Flows != 2 || strings.Join(h.Protocols, ",") != "quic,tls" || len(h.Servers) != 2 || h.Purpose != "pictures" ||
		!h.HasHandshakeRTT || h.MinHandshakeRTT != 30*time.Millisecond || !h.First.Equal(t0) || !h.Last.Equal(t0.Add(time.Minute)) {
		t.Errorf("qpic host summary: %+v", h)
	}
	qq := s.Domains[0].Hosts[0]
	if qq.Host != "socwxsns.video.qq.com" || strings.Join(qq.AskedNames, ",") != "vweixinthumb.tc.qq.com" {
		t.Errorf("the name the app asked is lost: %+v", qq)
	}
	seen := map[string]bool{}
	for _, d := range s.Domains {
		for _, h := range d.Hosts {
			seen[h.Host] = true
			if h.Host == "198.51.100.9" && (h.Passthrough != 1 || h.Ports[0] != 8080 || h.Domain != "198.51.100.9" || h.Purpose != "" || d.Domain != "198.51.100.9") {
				t.Errorf("unnamed flow (grouped under its address, no purpose): %+v in %s", h, d.Domain)
			}
			if h.Host == "wx.qlogo.cn" && (h.Errors != 1 || h.Requests != 1) {
				t.Errorf("qlogo: %+v", h)
			}
		}
	}
	for _, h := range []string{"198.51.100.9", "wx.qlogo.cn"} {
		if !seen[h] {
			t.Errorf("no host %s in the summary", h)
		}
	}
}
