package render

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"hopscope/internal/enrich"
	"hopscope/internal/report"
)

func ipReport() *report.Report {
	addr := netip.MustParseAddr
	return &report.Report{Schema: report.Schema, SchemaVersion: 1, Kind: report.KindIP, IPs: []report.IPInfo{
		report.NewIPInfo("101.33.110.25", addr("101.33.110.25"), "", enrich.Info{ASN: 132203, ASOrg: "Shenzhen Tencent Computer Systems Company Limited",
			ASSource: "embedded", Country: "SG", GeoSource: "embedded"}),
		report.NewIPInfo("80.231.246.6=x", addr("80.231.246.6"), "if-ae-39-2.tcore1.pvu-paris.as6453.net", enrich.Info{
			ASN: 6453, ASOrg: "TATA COMMUNICATIONS (AMERICA) INC", ASSource: "embedded", Country: "FR", City: "Paris",
			Lat: 48.86, Lon: 2.35, HasCoords: true, GeoSource: "hostname",
			Hint: &enrich.Hint{Token: "pvu-paris", City: "Paris", Country: "FR", Lat: 48.86, Lon: 2.35, HasCoords: true, ASN: 6453, Confidence: "high"}}),
		report.NewIPInfo("11.28.188.149", addr("11.28.188.149"), "", enrich.Info{Special: &enrich.Special{
			Prefix: netip.MustParsePrefix("11.0.0.0/8"), Kind: "unannounced", Name: "registered but not announced: used inside a provider network"}}),
	}}
}

func TestTextIP(t *testing.T) {
	var b bytes.Buffer
	if err := (TextRenderer{}).Render(&b, ipReport()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "ADDRESS ") || !strings.Contains(lines[0], "OPERATOR") {
		t.Errorf("header %q", lines[0])
	}
	// Columns line up: AS starts at the same offset on every row.
	col := strings.Index(lines[0], "AS")
	for _, l := range lines[1:4] {
		if !strings.HasPrefix(l[col:], "AS") && !strings.HasPrefix(l[col:], "-") {
			t.Errorf("misaligned row %q", l)
		}
	}
	for _, want := range []string{"Shenzhen Tencent Computer Systems Compa…", "Paris (48.86, 2.35) *", "unannounced, not routed",
		`80.231.246.6: name if-ae-39-2.tcore1.pvu-paris.as6453.net: "pvu-paris" names Paris, FR (high confidence); operator AS6453; place from hostname`,
		"11.28.188.149: in 11.0.0.0/8, registered but not announced"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour without Color")
	}
	if !strings.Contains(out, "* read from the router's hostname") {
		t.Error("no footnote for the hostname place")
	}
	one := ipReport()
	one.IPs = one.IPs[:1]
	b.Reset()
	(TextRenderer{}).Render(&b, one)
	if strings.Contains(b.String(), "* read from") {
		t.Errorf("footnote without any hostname data:\n%s", b.String())
	}
	b.Reset()
	(TextRenderer{Color: true}).Render(&b, ipReport())
	if !strings.Contains(b.String(), "\x1b[1mADDRESS") {
		t.Error("no bold header with Color")
	}
}

func TestMarkdownIP(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, ipReport()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"| Address | AS | Operator | Country | Place | Note | Sources |",
		"| 101.33.110.25 | AS132203 | Shenzhen Tencent Computer Systems Company Limited | SG | - |  |  |",
		"| 11.28.188.149 | - | - | - | - | registered but not announced: used inside a provider network (11.0.0.0/8) |  |"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if err := Markdown(&b, &report.Report{Kind: report.KindIP}); err == nil {
		t.Error("empty ip report rendered")
	}
}
