package enrich

import (
	"net/netip"
	"strings"
	"testing"
)

func TestExchangeOf(t *testing.T) {
	tests := []struct{ addr, name, city string }{
		{"80.81.195.12", "DE-CIX Frankfurt", "Frankfurt"},
		{"2001:7f8::3b41:0:1", "DE-CIX Frankfurt", "Frankfurt"},
		{"80.249.209.150", "AMS-IX", "Amsterdam"},
		{"2001:7f8:1::a501:5169:1", "AMS-IX", "Amsterdam"},
		{"195.66.225.179", "LINX LON1", "London"},
		{"192.121.80.47", "Netnod Stockholm (STHIX)", "Stockholm"},
		{"206.126.237.30", "Equinix Ashburn", "Ashburn"},
		{"2001:de8:c::1:3335:1", "BBIX Tokyo", "Tokyo"},
		{"2001:7fa:0:1::ca28:a10a", "HKIX", "Hong Kong"},
		{"210.173.176.9", "JPNAP Tokyo", "Tokyo"},
		{"80.81.200.1", "", ""}, // just past DE-CIX's /21
		{"8.8.8.8", "", ""},
		{"2001:7f8:2::1", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			x := exchangeOf(netip.MustParseAddr(tt.addr))
			if tt.name == "" {
				if x != nil {
					t.Fatalf("exchangeOf = %+v, want nil", *x)
				}
				return
			}
			if x == nil || x.Name != tt.name || x.City != tt.city || !x.Prefix.Contains(netip.MustParseAddr(tt.addr)) || x.Source == "" {
				t.Fatalf("exchangeOf = %+v, want %s in %s", x, tt.name, tt.city)
			}
		})
	}
}

// TestIXPTable keeps data/ixp.tsv clean: every row parses, none overlaps another.
func TestIXPTable(t *testing.T) {
	rows := 0
	for line := range strings.Lines(ixpTSV) {
		if line = strings.TrimSpace(line); line != "" && line[0] != '#' {
			rows++
		}
	}
	es := parseIXP(ixpTSV)
	if len(es) != rows || rows < 20 {
		t.Fatalf("%d of %d rows parse", len(es), rows)
	}
	for i, a := range es {
		for _, b := range es[i+1:] {
			if a.Prefix.Overlaps(b.Prefix) {
				t.Errorf("%s (%s) overlaps %s (%s)", a.Prefix, a.Name, b.Prefix, b.Name)
			}
		}
	}
}

func TestExchangeInLookup(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	// A port on STHIX named for its member: placed at the exchange, AS from the name.
	in := e.Lookup(netip.MustParseAddr("192.121.80.47"), "as15169-10g-sk1.sthix.net")
	if in.Exchange == nil || in.Exchange.Name != "Netnod Stockholm (STHIX)" || in.City != "Stockholm" || in.Country != "SE" {
		t.Errorf("STHIX port: exchange %+v, place %s/%s (%s)", in.Exchange, in.City, in.Country, in.GeoSource)
	}
	if in.Hint == nil || !in.Hint.Interconnect || in.ASN != 15169 {
		t.Errorf("STHIX port: hint %+v, AS%d", in.Hint, in.ASN)
	}
	// A LAN address without a name.
	in = e.Lookup(netip.MustParseAddr("80.81.194.40"), "")
	if in.Exchange == nil || in.GeoSource != "exchange" || in.City != "Frankfurt" {
		t.Errorf("DE-CIX port: %+v %s %s", in.Exchange, in.City, in.GeoSource)
	}
	// An unannounced exchange LAN is an exchange, not a provider's internal address space.
	in = e.Lookup(netip.MustParseAddr("2001:de8:c::1:3335:1"), "")
	if in.Exchange == nil || in.Special != nil || in.City != "Tokyo" {
		t.Errorf("BBIX port: exchange %+v, special %+v, city %q", in.Exchange, in.Special, in.City)
	}
	// Only the name says exchange.
	in = e.Lookup(netip.MustParseAddr("62.115.0.1"), "ae0.linx.example.net")
	if in.Exchange == nil || in.Exchange.Name != "LINX" || in.Exchange.Source != "hostname" || in.Exchange.Prefix.IsValid() {
		t.Errorf("LINX name: %+v", in.Exchange)
	}
	if in = e.Lookup(netip.MustParseAddr("8.8.8.8"), "dns.google"); in.Exchange != nil {
		t.Errorf("8.8.8.8: %+v", in.Exchange)
	}
}

// TestPrefixNesting checks the limit of prefixIndex.lookup on the real tables: no prefix encloses more
// than three rows that start after it.
func TestPrefixNesting(t *testing.T) {
	if n := maxNesting(anycastTable()); n > 3 {
		t.Errorf("anycast: a prefix encloses %d later rows", n)
	}
	if n := maxNesting(exchangeTable()); n > 3 {
		t.Errorf("exchange: a prefix encloses %d later rows", n)
	}
}

func maxNesting[T any](ix *prefixIndex[T]) int {
	most := 0
	for _, rs := range [][]prefixRange[T]{ix.v4, ix.v6} {
		for i, a := range rs {
			n := 0
			for _, b := range rs[i+1:] {
				if b.lo > a.lo && b.lo <= a.hi {
					n++
				}
			}
			most = max(most, n)
		}
	}
	return most
}
