package ipdb

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// build makes a database from literal ranges.
func build(t testing.TB, asns []ASNRange, ccs []CountryRange) *DB {
	t.Helper()
	data, _, err := Build(Meta{BuiltAt: time.Date(2026, 6, 17, 19, 0, 0, 0, time.UTC), Sources: []string{"test"}}, asns, ccs)
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(string(data))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func asn(s, e string, n uint32, org string) ASNRange {
	return ASNRange{Start: mustAddr(s), End: mustAddr(e), ASN: n, Org: org}
}

func cc(s, e, c string) CountryRange {
	return CountryRange{Start: mustAddr(s), End: mustAddr(e), Country: c}
}

func TestBuildLookup(t *testing.T) {
	db := build(t,
		[]ASNRange{
			asn("1.0.0.0", "1.0.0.255", 13335, "Cloudflare, Inc."),
			asn("1.0.1.0", "1.0.1.255", 13335, "Cloudflare, Inc."), // adjacent, equal: merged
			asn("80.231.214.0", "80.231.255.255", 6453, "TATA"),
			asn("255.255.255.0", "255.255.255.255", 64512, "edge of space"),
			asn("2001:4860::", "2001:4860:ffff:ffff:ffff:ffff:ffff:ffff", 15169, "Google LLC"),
			asn("2001:db9::5", "2001:db9::ffff", 1, "below /64: dropped"),
		},
		[]CountryRange{
			cc("1.0.0.0", "1.0.0.127", "AU"),
			cc("80.0.0.0", "80.255.255.255", "FR"),
			cc("2001:4860::", "2001:4860:ffff:ffff:ffff:ffff:ffff:ffff", "US"),
		})
	tests := []struct {
		name string
		addr string
		want Record
		ok   bool
	}{
		{"first address, both layers", "1.0.0.0", Record{13335, "Cloudflare, Inc.", "AU"}, true},
		{"asn continues past country", "1.0.0.200", Record{13335, "Cloudflare, Inc.", ""}, true},
		{"merged adjacent range", "1.0.1.77", Record{13335, "Cloudflare, Inc.", ""}, true},
		{"gap after range", "1.0.2.0", Record{}, false},
		{"before everything", "0.0.0.1", Record{}, false},
		{"country only", "80.10.253.29", Record{0, "", "FR"}, true},
		{"both, bucket boundary crossed", "80.231.246.6", Record{6453, "TATA", "FR"}, true},
		{"range ending at the last bucket", "80.231.255.255", Record{6453, "TATA", "FR"}, true},
		{"after range", "80.232.0.0", Record{0, "", "FR"}, true},
		{"top of the space", "255.255.255.255", Record{64512, "edge of space", ""}, true},
		{"ipv4-mapped", "::ffff:80.231.246.6", Record{6453, "TATA", "FR"}, true},
		{"ipv6", "2001:4860:4860::8888", Record{15169, "Google LLC", "US"}, true},
		{"ipv6 gap", "2001:4861::1", Record{}, false},
		{"ipv6 sub-/64 range dropped", "2001:db9::9", Record{}, false},
		{"ipv6 top", "ffff::1", Record{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := db.Lookup(mustAddr(tt.addr))
			if got != tt.want || ok != tt.ok {
				t.Errorf("Lookup(%s) = %+v, %v; want %+v, %v", tt.addr, got, ok, tt.want, tt.ok)
			}
		})
	}
	if v4, _ := db.Len(); v4 != 9 {
		t.Errorf("v4 records = %d, want 9 (none, AU+cf, cf, none, FR, FR+tata, FR, none, edge)", v4)
	}
	for n, want := range map[uint32]string{13335: "Cloudflare, Inc.", 6453: "TATA", 64512: "edge of space", 1: "below /64: dropped", 0: "", 7: "", 99999: ""} {
		if got := db.Org(n); got != want {
			t.Errorf("Org(%d) = %q, want %q", n, got, want)
		}
	}
	if m := db.Meta(); m.Sources[0] != "test" || m.BuiltAt.Year() != 2026 {
		t.Errorf("meta = %+v", m)
	}
}

func TestRange(t *testing.T) {
	db := build(t,
		[]ASNRange{asn("11.0.0.0", "11.255.255.255", 0, ""), asn("12.0.0.0", "12.0.0.255", 7018, "AT&T")},
		[]CountryRange{cc("11.0.0.0", "13.0.0.255", "US"), cc("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "ZZ")})
	tests := []struct {
		addr, first, last string
	}{
		{"11.28.188.149", "11.0.0.0", "11.255.255.255"},
		{"12.0.0.1", "12.0.0.0", "12.0.0.255"},
		{"0.0.0.1", "0.0.0.0", "10.255.255.255"},
		{"200.0.0.1", "13.0.1.0", "255.255.255.255"},
		{"2001:db8:1::1", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			f, l, ok := db.Range(mustAddr(tt.addr))
			if !ok || f != mustAddr(tt.first) || l != mustAddr(tt.last) {
				t.Errorf("Range(%s) = %s, %s, %v; want %s, %s", tt.addr, f, l, ok, tt.first, tt.last)
			}
		})
	}
}

func TestOverlapsEarlierStartWins(t *testing.T) {
	db := build(t, []ASNRange{
		asn("10.0.0.0", "10.0.0.255", 1, "one"),
		asn("10.0.0.128", "10.0.1.255", 2, "two"),
		asn("10.0.0.10", "10.0.0.20", 3, "inside"),
	}, nil)
	for addr, want := range map[string]uint32{"10.0.0.15": 1, "10.0.0.200": 1, "10.0.1.0": 2} {
		if r, _ := db.Lookup(mustAddr(addr)); r.ASN != want {
			t.Errorf("%s: AS%d, want AS%d", addr, r.ASN, want)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	good, _, err := Build(Meta{}, []ASNRange{asn("1.0.0.0", "1.0.0.255", 1, "x")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, data, want string
	}{
		{"empty", "", "not a hopscope address database"},
		{"wrong magic", "HSIPDB99" + string(good[8:]), "magic"},
		{"meta too long", Magic + "\xff\xff\xff\x00", "metadata length"},
		{"bad meta json", Magic + "\x01\x00\x00\x00{", "metadata at offset 12"},
		{"truncated", string(good[:len(good)-3]), "only"},
		{"trailing", string(good) + "xx", "trailing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open: %v, want error containing %q", err, tt.want)
			}
		})
	}
}

func TestCSVErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"bad address", "1.0.0.0,1.0.0.x,13335,X\n", "f.csv:1: field 2"},
		{"reversed", "1.0.0.9,1.0.0.1,13335,X\n", "ends before it starts"},
		{"mixed family", "1.0.0.0,::1,13335,X\n", "mixes IPv4 and IPv6"},
		{"bad asn", "1.0.0.0,1.0.0.1,AS13335,X\n", "want an AS number"},
		{"field count on line 2", "1.0.0.0,1.0.0.1,1,X\n1.0.0.2,1.0.0.3,1\n", "f.csv:2: 3 fields, want 4"},
		{"quote", "1.0.0.0,1.0.0.1,1,\"X\n", "f.csv:1"},
		{"huge number", "1,999999999999999999999999999999999999999999,1,X\n", "below 2^128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadASNCSV(strings.NewReader(tt.in), "f.csv")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadASNCSV: %v, want error containing %q", err, tt.want)
			}
		})
	}
	if _, err := ReadCountryCSV(strings.NewReader("1.0.0.0,1.0.0.1,FRA\n"), "c.csv"); err == nil ||
		!strings.Contains(err.Error(), "c.csv:1: field 3") {
		t.Errorf("ReadCountryCSV bad code: %v", err)
	}
}

func TestCSVNumericFormat(t *testing.T) {
	rows, err := ReadASNCSV(strings.NewReader("16777216,16777471,13335,\"Cloudflare, Inc.\"\n"+
		"42540528726795050063891204319802818560,42540528727329395276160870415022948351,2500,WIDE Project\n"), "n.csv")
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].Start != mustAddr("1.0.0.0") || rows[0].End != mustAddr("1.0.0.255") || rows[0].Org != "Cloudflare, Inc." {
		t.Errorf("v4 row = %+v", rows[0])
	}
	if rows[1].Start != mustAddr("2001:200::") || rows[1].End != mustAddr("2001:200:1b9:ffff:ffff:ffff:ffff:ffff") {
		t.Errorf("v6 row = %+v", rows[1])
	}
}

// TestPackageFixture reads archives made with `npm pack` from the fixture CSVs (real rows of the
// ip-location-db packages around the seed trace's addresses).
func TestPackageFixture(t *testing.T) {
	var asns []ASNRange
	var ccs []CountryRange
	var sources []string
	for _, f := range []string{"ip-location-db-asn-0.0.0-fixture.tgz", "ip-location-db-geo-whois-asn-country-0.0.0-fixture.tgz"} {
		data, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		p, err := ReadPackage(bytes.NewReader(data), f)
		if err != nil {
			t.Fatal(err)
		}
		asns, ccs, sources = append(asns, p.ASNs...), append(ccs, p.Countries...), append(sources, p.Source())
	}
	if sources[0] != "@ip-location-db/asn@0.0.0-fixture" {
		t.Errorf("source = %q", sources[0])
	}
	db := build(t, asns, ccs)
	tests := []struct {
		addr string
		want Record
	}{
		{"101.33.110.25", Record{132203, "Shenzhen Tencent Computer Systems Company Limited", "SG"}},
		{"80.231.246.6", Record{6453, "TATA COMMUNICATIONS (AMERICA) INC", "FR"}},
		{"180.87.12.2", Record{6453, "TATA COMMUNICATIONS (AMERICA) INC", "SG"}},
		{"193.251.251.20", Record{5511, "Orange S.A.", "FR"}},
		{"193.253.82.102", Record{0, "", "FR"}},
		{"2001:4860:4860::8888", Record{15169, "Google LLC", "US"}},
	}
	for _, tt := range tests {
		if got, _ := db.Lookup(mustAddr(tt.addr)); got != tt.want {
			t.Errorf("%s = %+v, want %+v", tt.addr, got, tt.want)
		}
	}
}

func TestReadPackageErrors(t *testing.T) {
	if _, err := ReadPackage(strings.NewReader("not gzip"), "x.tgz"); err == nil || !strings.Contains(err.Error(), "x.tgz: not a gzip archive") {
		t.Errorf("got %v", err)
	}
}

func FuzzOpenLookup(f *testing.F) {
	good, _, _ := Build(Meta{Sources: []string{"f"}}, []ASNRange{asn("1.0.0.0", "1.0.0.255", 1, "x"),
		asn("2001:db8::", "2001:db8::ffff:ffff:ffff:ffff", 2, "y")}, []CountryRange{cc("1.0.0.0", "1.0.0.255", "AU")})
	f.Add(good)
	f.Add([]byte(Magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		db, err := Open(string(data))
		if err != nil {
			return
		}
		for _, a := range []string{"0.0.0.0", "1.0.0.1", "255.255.255.255", "2001:db8::1", "ffff::"} {
			db.Lookup(mustAddr(a))
			db.Range(mustAddr(a))
		}
	})
}

func FuzzReadCSV(f *testing.F) {
	for _, p := range []string{"fixture-asn/asn-ipv4.csv", "fixture-asn/asn-ipv6.csv", "fixture-country/geo-whois-asn-country-ipv4.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("16777216,16777471,13335,x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := &Package{}
		if err := p.AddCSV(data, "fuzz.csv"); err != nil {
			if !strings.Contains(err.Error(), "fuzz.csv") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		for _, r := range p.ASNs {
			if r.End.Less(r.Start) || r.Start.Is4() != r.End.Is4() {
				t.Errorf("accepted bad range %+v", r)
			}
		}
		if _, _, err := Build(Meta{}, p.ASNs, p.Countries); err != nil && !strings.Contains(err.Error(), "country") && !strings.Contains(err.Error(), "ASN") {
			t.Errorf("Build: %v", err)
		}
	})
}

// BenchmarkDBLookup measures the raw lookup over the embedded-size database built from the fixture
// plus random ranges; see internal/enrich for the full Lookup benchmark on the real data.
func BenchmarkDBLookup(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "data", "ipdb.bin"))
	if err != nil {
		b.Skip("no generated database:", err)
	}
	db, err := Open(string(data))
	if err != nil {
		b.Fatal(err)
	}
	addrs := make([]netip.Addr, 1<<16)
	x := uint32(2463534242)
	for i := range addrs {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		addrs[i] = netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		db.Lookup(addrs[i&(len(addrs)-1)])
	}
}

func FuzzReadPackage(f *testing.F) {
	for _, p := range []string{"ip-location-db-asn-0.0.0-fixture.tgz", "ip-location-db-geo-whois-asn-country-0.0.0-fixture.tgz"} {
		data, err := os.ReadFile(filepath.Join("testdata", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadPackage(bytes.NewReader(data), "fuzz.tgz")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.tgz") {
				t.Errorf("error does not name the archive: %v", err)
			}
			return
		}
		for _, r := range p.ASNs {
			if r.End.Less(r.Start) {
				t.Errorf("accepted reversed range %+v", r)
			}
		}
		for _, r := range p.Countries {
			if r.End.Less(r.Start) || len(r.Country) != 2 {
				t.Errorf("accepted bad country range %+v", r)
			}
		}
	})
}
