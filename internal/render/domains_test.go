package render

import (
	"bytes"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hopscope/internal/enrich"
	"hopscope/internal/inventory"
	"hopscope/internal/report"
)

var updateDomains = flag.Bool("update-domains", false, "rewrite the domains golden files")

func domainsReport(enriched bool) *report.Report {
	t0 := time.Date(2023, 5, 29, 20, 4, 53, 0, time.UTC)
	srv := func(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
	flow := func(id, host, proto string, off time.Duration, up, down int64, server string, http bool) inventory.Flow {
		f := inventory.Flow{ID: id, Host: host, NameSource: "http-host", Protocol: proto, Start: t0.Add(off), Duration: time.Second,
			BytesUp: up, BytesDown: down, Server: srv(server)}
		if http {
			f.HTTP = &inventory.HTTPExchange{Method: "GET", URL: "https://" + host + "/", Status: 200}
		}
		return f
	}
	inv := &inventory.Inventory{Source: "proxy", Origin: "wechat.jsonl", Flows: []inventory.Flow{
		flow("1", "mp.weixin.qq.com", "http2", 0, 800, 120000, "203.0.113.10:443", true),
		flow("2", "mp.weixin.qq.com", "http2", 2*time.Second, 700, 80000, "203.0.113.10:443", true),
		flow("3", "wx.qlogo.cn", "http", 5*time.Second, 300, 9000, "198.51.100.7:443", true),
		flow("4", "szshort.weixin.qq.com", "mmtls", time.Second, 2000, 3000, "203.0.113.20:80", false),
		flow("5", "channels.weixin.qq.com", "http2", 65*time.Second, 900, 2500000, "203.0.113.30:443", true),
	}}
	inv.Flows[3].Passthrough = "not TLS: mmtls"
	s := inventory.Summarize(inv, nil)
	if !enriched {
		return &report.Report{Schema: report.Schema, SchemaVersion: report.SchemaVersion, Kind: report.KindDomains,
			Domains: report.NewDomains(s, nil, nil)}
	}
	addr := netip.MustParseAddr
	servers := map[netip.Addr]enrich.Info{
		addr("203.0.113.10"): {ASN: 132203, ASOrg: "Tencent Building, Kejizhongyi Avenue", Country: "CN"},
		addr("203.0.113.20"): {ASN: 132203, ASOrg: "Tencent Building, Kejizhongyi Avenue", Country: "CN"},
		addr("203.0.113.30"): {ASN: 45090, ASOrg: "Shenzhen Tencent Computer Systems", Country: "CN"},
		addr("198.51.100.7"): {ASN: 13335, ASOrg: "Cloudflare | Inc", Country: "FR"},
	}
	checks := []report.HostCheck{{Host: "mp.weixin.qq.com", Server: "203.0.113.10", MaxDistanceKm: 150, DBDistanceKm: 8200, Contradiction: true,
		Verdict: report.VerdictContradiction, Note: "2 ms handshake cannot reach Shenzhen from Paris"}}
	d := report.NewDomains(s, servers, checks)
	d.Warnings = []string{"wechat.jsonl:9: torn last record skipped"}
	return &report.Report{Schema: report.Schema, SchemaVersion: report.SchemaVersion, Kind: report.KindDomains, Domains: d}
}

func TestDomainsGolden(t *testing.T) {
	for _, tc := range []struct {
		name     string
		enriched bool
		render   Func
	}{
		{"text", false, TextRenderer{}.Render},
		{"text-enriched", true, TextRenderer{}.Render},
		{"markdown", false, Markdown},
		{"markdown-enriched", true, Markdown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b, domainsReport(tc.enriched)); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "domains-"+tc.name+".golden")
			if *updateDomains {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestDomainsGolden -update-domains)", err)
			}
			if b.String() != string(want) {
				t.Errorf("output differs from %s:\n%s", golden, b.String())
			}
		})
	}
}

func TestDomainsContent(t *testing.T) {
	var b bytes.Buffer
	// 140 columns: every column of the enriched table (100 columns leave out AS and LAST).
	if err := (TextRenderer{Width: 140}).Render(&b, domainsReport(true)); err != nil {
		t.Fatal(err)
	}
	out := strings.Join(strings.Fields(b.String()), " ") // wrapped cells join again
	for _, want := range []string{"qq.com", "qlogo.cn", "mini programs", "video channels", "avatars and logos", "1 passed through",
		"AS132203", "CONTRADICTION", "warning: wechat.jsonl:9", "5 flows", "Seen 2023-05-29 20:04:53 to 20:05:59 UTC"} {
		want = strings.Join(strings.Fields(want), " ")
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	var md bytes.Buffer
	Markdown(&md, domainsReport(true))
	if !strings.Contains(md.String(), `Cloudflare \| Inc`) {
		t.Errorf("markdown does not escape pipes:\n%s", md.String())
	}
	if err := (TextRenderer{}).Render(&b, &report.Report{Kind: report.KindDomains}); err == nil {
		t.Error("want an error for a domains report without its section")
	}
}
