package report

import (
	"net/netip"
	"testing"

	"hopscope/internal/enrich"
)

func TestNewIPInfo(t *testing.T) {
	paris := enrich.Info{ASN: 6453, ASOrg: "TATA COMMUNICATIONS (AMERICA) INC", ASSource: "embedded", Country: "FR", City: "Paris",
		Region: "Ile-de-France", Lat: 48.86, Lon: 2.35, HasCoords: true, GeoSource: "hostname",
		Hint: &enrich.Hint{Token: "pvu-paris", City: "Paris", Country: "FR", ASN: 6453, Confidence: "high"}}
	tests := []struct {
		name                           string
		in                             enrich.Info
		place, note, hint, sources, as string
	}{
		{"hostname place and hint", paris, "Paris, Ile-de-France (48.86, 2.35) *", "",
			`"pvu-paris" names Paris, FR (high confidence); operator AS6453`, "place from hostname", "AS6453"},
		{"database only", enrich.Info{ASN: 13335, ASOrg: "Cloudflare", ASSource: "GeoLite2-ASN.mmdb", Country: "US", City: "Dallas", Region: "Dallas", GeoSource: "embedded"},
			"Dallas", "", "", "AS from GeoLite2-ASN.mmdb", "AS13335"},
		{"AS read from the name", enrich.Info{ASN: 6453, ASSource: "hostname", Hint: &enrich.Hint{Token: "as6453", ASN: 6453}},
			"", "", "operator AS6453", "AS from hostname", "AS6453*"},
		{"not routed", enrich.Info{Special: &enrich.Special{Prefix: netip.MustParsePrefix("10.0.0.0/8"), Kind: "private", Name: "RFC 1918"}},
			"", "private, not routed", "", "", ""},
		{"routable special range", enrich.Info{Special: &enrich.Special{Prefix: netip.MustParsePrefix("11.0.0.0/8"), Kind: "unannounced", Routable: true}},
			"", "unannounced", "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := NewIPInfo("192.0.2.1=x", netip.MustParseAddr("192.0.2.1"), "x", tc.in)
			if q.Query != "192.0.2.1=x" || q.Addr != "192.0.2.1" || q.Name != "x" {
				t.Errorf("query %+v", q)
			}
			for _, c := range []struct{ what, got, want string }{
				{"place", q.PlaceLabel, tc.place}, {"note", q.Note, tc.note}, {"hint", q.HintLabel, tc.hint},
				{"sources", q.Sources, tc.sources}, {"AS", q.Info.ASLabel, tc.as},
			} {
				if c.got != c.want {
					t.Errorf("%s %q, want %q", c.what, c.got, c.want)
				}
			}
		})
	}
}
