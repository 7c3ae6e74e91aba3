package ipdb

import (
	"net/netip"
	"slices"
	"testing"
)

func TestFixFallbackCountry(t *testing.T) {
	a := netip.MustParseAddr
	asn := func(s, e string, n uint32) ASNRange { return ASNRange{Start: a(s), End: a(e), ASN: n} }
	cc := func(s, e, c string) CountryRange { return CountryRange{Start: a(s), End: a(e), Country: c} }
	asns := []ASNRange{
		// IPv4 homes: 4538 all in CN (national), 15169 split US/AU/IE (multinational), 1221 in AU.
		asn("1.0.0.0", "1.0.255.255", 4538),
		asn("2.0.0.0", "2.0.0.255", 15169), asn("2.0.1.0", "2.0.1.127", 15169), asn("2.0.2.0", "2.0.2.127", 15169),
		asn("3.0.0.0", "3.0.255.255", 1221),
		// IPv6: one fallback range announced by the three of them, with unannounced gaps.
		asn("2001:250::", "2001:250:ffff:ffff:ffff:ffff:ffff:ffff", 4538),
		asn("2001:252::", "2001:252:ffff:ffff:ffff:ffff:ffff:ffff", 1221),
		asn("2001:254::", "2001:254:ffff:ffff:ffff:ffff:ffff:ffff", 15169),
		asn("2001:300::", "2001:300:ffff:ffff:ffff:ffff:ffff:ffff", 4538),
	}
	countries := []CountryRange{
		cc("1.0.0.0", "1.0.255.255", "CN"),
		cc("2.0.0.0", "2.0.0.255", "US"), cc("2.0.1.0", "2.0.1.127", "AU"), cc("2.0.2.0", "2.0.2.127", "IE"),
		cc("3.0.0.0", "3.0.255.255", "AU"),
		cc("2001:240::", "2001:258:ffff:ffff:ffff:ffff:ffff:ffff", "AU"),
		// Not the fallback country: left alone even where the AS lives elsewhere.
		cc("2001:300::", "2001:300:ffff:ffff:ffff:ffff:ffff:ffff", "JP"),
	}
	got, st := FixFallbackCountry(asns, countries)
	want := []CountryRange{
		cc("1.0.0.0", "1.0.255.255", "CN"),
		cc("2.0.0.0", "2.0.0.255", "US"), cc("2.0.1.0", "2.0.1.127", "AU"), cc("2.0.2.0", "2.0.2.127", "IE"),
		cc("3.0.0.0", "3.0.255.255", "AU"),
		cc("2001:240::", "2001:24f:ffff:ffff:ffff:ffff:ffff:ffff", "AU"), // unannounced: as given
		cc("2001:250::", "2001:250:ffff:ffff:ffff:ffff:ffff:ffff", "CN"), // national AS elsewhere: its country
		cc("2001:251::", "2001:251:ffff:ffff:ffff:ffff:ffff:ffff", "AU"),
		cc("2001:252::", "2001:252:ffff:ffff:ffff:ffff:ffff:ffff", "AU"), // an Australian AS: kept
		cc("2001:253::", "2001:253:ffff:ffff:ffff:ffff:ffff:ffff", "AU"),
		// 2001:254::/32, the multinational's: dropped (no range, so no country).
		cc("2001:255::", "2001:258:ffff:ffff:ffff:ffff:ffff:ffff", "AU"),
		cc("2001:300::", "2001:300:ffff:ffff:ffff:ffff:ffff:ffff", "JP"),
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%v\nwant\n%v", got, want)
	}
	if st != (FallbackStats{Kept: 1, Corrected: 1, Dropped: 1}) {
		t.Errorf("stats %+v", st)
	}
}

func TestFixFallbackCountryEnds(t *testing.T) {
	a := netip.MustParseAddr
	// An AS range covering the whole fallback range, and one starting before it.
	asns := []ASNRange{
		{Start: a("1.0.0.0"), End: a("1.0.0.255"), ASN: 7},
		{Start: a("2001:1ff::"), End: a("2001:2ff::"), ASN: 7},
	}
	countries := []CountryRange{
		{Start: a("1.0.0.0"), End: a("1.0.0.255"), Country: "JP"},
		{Start: a("2001:200::"), End: a("2001:200::ffff"), Country: "AU"},
	}
	got, _ := FixFallbackCountry(asns, countries)
	want := []CountryRange{countries[0], {Start: a("2001:200::"), End: a("2001:200::ffff"), Country: "JP"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
