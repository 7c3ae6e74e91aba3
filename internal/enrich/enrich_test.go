package enrich

import (
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func newEnricher(t testing.TB, cfg Config) *Enricher {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// TestEmbeddedSeedAddresses pins what the embedded data says about the seed article's trace
// (lookups in the local database; no traffic).
func TestEmbeddedSeedAddresses(t *testing.T) {
	e := newEnricher(t, Config{NoHints: true})
	tests := []struct {
		addr    string
		asn     uint32
		org     string
		country string
		special string
	}{
		{"101.33.110.25", 132203, "Tencent", "SG", ""},
		{"80.231.246.6", 6453, "TATA COMMUNICATIONS", "FR", ""},
		{"180.87.12.2", 6453, "TATA COMMUNICATIONS", "SG", ""},
		{"193.251.251.20", 5511, "Orange", "FR", ""},
		{"80.10.253.29", 3215, "Orange", "FR", ""},
		// Orange backbone addresses that no route covers: registered (FR) but unannounced.
		{"193.253.82.102", 0, "", "FR", "unannounced"},
		{"81.253.184.6", 0, "", "FR", "unannounced"},
		// DoD space used inside Tencent's network: no registry data at all.
		{"11.28.188.149", 0, "", "", "unannounced"},
		{"8.8.8.8", 15169, "Google", "US", ""},
		{"2001:4860:4860::8888", 15169, "Google", "US", ""},
		{"192.168.1.1", 0, "", "", "private"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			info := e.Lookup(addr(tt.addr), "")
			if info.ASN != tt.asn || !strings.Contains(info.ASOrg, tt.org) || info.Country != tt.country {
				t.Errorf("got AS%d %q %q, want AS%d ~%q %q", info.ASN, info.ASOrg, info.Country, tt.asn, tt.org, tt.country)
			}
			kind := ""
			if info.Special != nil {
				kind = info.Special.Kind
			}
			if kind != tt.special {
				t.Errorf("special = %q (%+v), want %q", kind, info.Special, tt.special)
			}
			if tt.asn != 0 && info.ASSource != "embedded" {
				t.Errorf("ASSource = %q, want embedded", info.ASSource)
			}
		})
	}
}

func TestUnannouncedSeedHop(t *testing.T) {
	e := newEnricher(t, Config{})
	info := e.Lookup(addr("11.28.188.149"), "")
	want := Special{Prefix: netip.MustParsePrefix("11.0.0.0/8"), Kind: "unannounced", Routable: false,
		Name: "registered but not announced: used inside a provider network"}
	if info.Special == nil || *info.Special != want {
		t.Fatalf("Special = %+v, want %+v", info.Special, want)
	}
	info = e.Lookup(addr("193.253.82.102"), "ae91-0.ncidf304.rbci.orange.net")
	if info.Special == nil || info.Special.Kind != "unannounced" || info.Special.Prefix != netip.MustParsePrefix("193.253.80.0/20") {
		t.Errorf("Orange backbone: Special = %+v", info.Special)
	}
	if info.ASN != 3215 || info.ASSource != "hostname" || info.ASOrg != "Orange S.A." {
		t.Errorf("Orange backbone: AS%d from %q, want AS3215 from the hostname", info.ASN, info.ASSource)
	}
}

func TestLookupHints(t *testing.T) {
	e := newEnricher(t, Config{})
	tests := []struct {
		name, addr, host   string
		city, country, src string
		hint               bool
	}{
		{"spelled-out city wins over registry country", "80.231.246.6", "if-ae-39-2.tcore1.pvu-paris.as6453.net", "Paris", "FR", "hostname", true},
		{"singapore", "180.87.12.2", "if-ae-2-2.tcore2.svw-singapore.as6453.net", "Singapore", "SG", "hostname", true},
		{"medium code fills city", "8.8.8.8", "lga15s02-in-f104.1e100.net", "New York", "US", "hostname", true},
		{"low code, other country: dropped", "1.0.4.1", "mas2-l101.bng.optusnet.com.au", "", "AU", "embedded", true},
		{"no name", "8.8.8.8", "", "", "US", "embedded", false},
		{"ambiguous words only", "80.10.154.194", "lag-10.nenly00z.rbci.orange.net", "", "FR", "embedded", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := e.Lookup(addr(tt.addr), tt.host)
			if info.City != tt.city || info.Country != tt.country || info.GeoSource != tt.src {
				t.Errorf("got %q %q from %q, want %q %q from %q", info.City, info.Country, info.GeoSource, tt.city, tt.country, tt.src)
			}
			if (info.Hint != nil) != tt.hint {
				t.Errorf("hint = %+v, want present=%v", info.Hint, tt.hint)
			}
			if info.Hint != nil && info.Hint.City == "" && info.Hint.HasCoords {
				t.Errorf("hint without city has coords: %+v", info.Hint)
			}
		})
	}
	// A low-confidence code agreeing with the database country is kept.
	// (NORDUnet's 109.105.102.93 is registered in DK, so "lla-br1.nordu.net" loses its place there,
	// while "se-lla.nordu.net" keeps it: its country token confirms the code.)
	info := e.Lookup(addr("193.11.0.48"), "lla1-br1.sunet.se")
	if info.Hint == nil || info.Hint.City != "Luleå" || info.Hint.Confidence != ConfidenceLow || info.City != "Luleå" {
		t.Errorf("lla1-br1.sunet.se: %+v hint %+v", info, info.Hint)
	}
	if info := e.Lookup(addr("109.105.102.93"), "lla-br1.nordu.net"); info.Hint == nil || info.Hint.City != "" || info.Hint.ASN != 2603 {
		t.Errorf("lla-br1.nordu.net: hint %+v, want the AS only", info.Hint)
	}
	if info := e.Lookup(addr("109.105.102.93"), "se-lla.nordu.net"); info.City != "Luleå" || info.Hint == nil || info.Hint.Confidence != ConfidenceMedium {
		t.Errorf("se-lla.nordu.net: %s, hint %+v, want Luleå by a confirmed code", info.City, info.Hint)
	}
	// A low-confidence code of a city within borderKm of the database's country stands: Strasbourg's
	// SXB in an address block registered in Germany. One far from it (Manus Island, for an Australian
	// block) is dropped, as above.
	for _, host := range []string{"ae0.cr-nunki.sxb1.bb.godaddy.com", "ae0-v100.sr-sol.sxb1.mass.systems"} {
		if info := e.Lookup(addr("87.230.113.3"), host); info.City != "Strasbourg" || info.Country != "FR" || info.GeoSource != "hostname" {
			t.Errorf("%s: %q %q from %q, want Strasbourg FR from the name", host, info.City, info.Country, info.GeoSource)
		}
	}
	// NoHints turns them off.
	off := newEnricher(t, Config{NoHints: true})
	if info := off.Lookup(addr("180.87.12.2"), "if-ae-2-2.tcore2.svw-singapore.as6453.net"); info.Hint != nil || info.City != "" {
		t.Errorf("NoHints: %+v", info)
	}
}

func TestNoEmbedded(t *testing.T) {
	e := newEnricher(t, Config{NoEmbedded: true, NoHints: true})
	info := e.Lookup(addr("8.8.8.8"), "")
	if info.ASN != 0 || info.Country != "" || info.Special != nil {
		t.Errorf("no sources should know nothing and not call it unannounced: %+v", info)
	}
}

func TestEmbeddedMeta(t *testing.T) {
	at, src := Embedded()
	if at.IsZero() || at.Year() < 2025 {
		t.Errorf("built at %v", at)
	}
	if len(src) != 2 || !strings.HasPrefix(src[0], "@ip-location-db/asn@") || !strings.HasPrefix(src[1], "@ip-location-db/geo-whois-asn-country@") {
		t.Errorf("sources = %q", src)
	}
}

func TestIP2LocationBIN(t *testing.T) {
	bin := filepath.Join("testdata", "IP2LOCATION-LITE-DB1.BIN")
	e := newEnricher(t, Config{IP2Location: []string{bin}, NoEmbedded: true})
	tests := []struct{ addr, country string }{
		{"101.33.110.25", "SG"},
		{"80.231.246.6", "FR"},
		{"2001:4860:4860::8888", ""}, // DB1 is IPv4 only
	}
	for _, tt := range tests {
		info := e.Lookup(addr(tt.addr), "")
		if info.Country != tt.country || info.City != "" || info.HasCoords {
			t.Errorf("%s: %+v, want country %q only", tt.addr, info, tt.country)
		}
		if tt.country != "" && info.GeoSource != "IP2LOCATION-LITE-DB1.BIN" {
			t.Errorf("%s: GeoSource %q", tt.addr, info.GeoSource)
		}
	}
	// With the embedded database, the embedded country comes first.
	both := newEnricher(t, Config{IP2Location: []string{bin}})
	if info := both.Lookup(addr("101.33.110.25"), ""); info.GeoSource != "embedded" || info.ASN != 132203 {
		t.Errorf("embedded + BIN: %+v", info)
	}
}

func TestOpenErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.mmdb")
	if err := os.WriteFile(junk, []byte("this is not a database"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"missing mmdb", Config{MMDB: []string{filepath.Join(dir, "nope.mmdb")}}, "nope.mmdb"},
		{"junk mmdb", Config{MMDB: []string{junk}}, "junk.mmdb"},
		{"missing BIN", Config{IP2Location: []string{filepath.Join(dir, "nope.BIN")}}, "nope.BIN"},
		{"junk BIN", Config{IP2Location: []string{junk}}, "junk.mmdb"},
		{"junk ipdb", Config{IPDB: junk}, "junk.mmdb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(tt.cfg)
			if err == nil {
				e.Close()
				t.Fatal("New succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name %q", err, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		addr, kind string
		routable   bool
	}{
		{"10.1.2.3", "private", false},
		{"172.16.0.1", "private", false},
		{"172.32.0.1", "", false},
		{"192.168.1.1", "private", false},
		{"100.64.0.1", "cgnat", false},
		{"100.128.0.1", "", false},
		{"127.0.0.1", "loopback", false},
		{"169.254.1.1", "link-local", false},
		{"192.0.2.7", "documentation", false},
		{"198.51.100.1", "documentation", false},
		{"203.0.113.9", "documentation", false},
		{"198.18.0.1", "benchmarking", false},
		{"198.19.255.255", "benchmarking", false},
		{"224.0.0.251", "multicast", false},
		{"233.252.0.1", "documentation", false},
		{"240.0.0.1", "reserved", false},
		{"255.255.255.255", "broadcast", false},
		{"0.0.0.0", "unspecified", false},
		{"0.1.2.3", "this-network", false},
		{"192.0.0.8", "ietf-protocol", false},
		{"192.0.0.170", "ietf-protocol", false},
		{"192.88.99.1", "6to4", false},
		{"192.31.196.1", "as112", true},
		{"11.28.188.149", "", false}, // routing question, not a registry one
		{"8.8.8.8", "", false},
		{"::ffff:10.0.0.1", "private", false},
		{"::", "unspecified", false},
		{"::1", "loopback", false},
		{"fe80::1", "link-local", false},
		{"fd00::1", "unique-local", false},
		{"fc00::1", "unique-local", false},
		{"ff02::1", "multicast", false},
		{"2001:db8::1", "documentation", false},
		{"3fff::1", "documentation", false},
		{"2002:c000:0201::1", "6to4", true},
		{"2001:0:4136:e378::1", "teredo", true},
		{"64:ff9b::808:808", "nat64", true},
		{"64:ff9b:1::1", "nat64", false},
		{"2001:2::1", "benchmarking", false},
		{"2001:4860:4860::8888", "", false},
		{"2620:4f:8000::1", "as112", true},
		{"2620:fe::fe", "", false},
		{"100::1", "discard", false},
		{"4000::1", "reserved", false},
		{"fec0::1", "reserved", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			s := Classify(addr(tt.addr))
			if tt.kind == "" {
				if s != nil {
					t.Errorf("Classify = %+v, want nil", s)
				}
				return
			}
			if s == nil || s.Kind != tt.kind || s.Routable != tt.routable || s.Name == "" || !s.Prefix.Contains(addr(tt.addr).Unmap()) {
				t.Errorf("Classify = %+v, want kind %q routable %v", s, tt.kind, tt.routable)
			}
		})
	}
}

// randomAddrs returns n addresses from a fixed seed.
func randomAddrs(n int, v6 bool) []netip.Addr {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]netip.Addr, n)
	for i := range out {
		if v6 {
			var b [16]byte
			hi := r.Uint64()&^(uint64(7)<<61) | uint64(1)<<61 // 2000::/3
			for k := range 8 {
				b[k] = byte(hi >> (56 - 8*k))
			}
			out[i] = netip.AddrFrom16(b)
		} else {
			v := r.Uint32()
			out[i] = netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
		}
	}
	return out
}

func BenchmarkLookupEmbedded(b *testing.B) {
	e := newEnricher(b, Config{NoHints: true})
	addrs := randomAddrs(1<<16, false)
	b.ResetTimer()
	reportCPU(b, func() {
		for i := 0; b.Loop(); i++ {
			e.Lookup(addrs[i&(len(addrs)-1)], "")
		}
	})
}

func BenchmarkLookupEmbedded6(b *testing.B) {
	e := newEnricher(b, Config{NoHints: true})
	addrs := randomAddrs(1<<16, true)
	b.ResetTimer()
	reportCPU(b, func() {
		for i := 0; b.Loop(); i++ {
			e.Lookup(addrs[i&(len(addrs)-1)], "")
		}
	})
}

func BenchmarkLookupWithHints(b *testing.B) {
	e := newEnricher(b, Config{})
	names := []string{"if-ae-2-2.tcore2.svw-singapore.as6453.net", "ae-1.par2.he.net", "lag-10.nenly00z.rbci.orange.net",
		"be-1-0.ibr02.lon24.ntwk.msn.net", "nyk-bb1-link.telia.net", "76-220-24-1.lightspeed.sntcca.sbcglobal.net"}
	addrs := randomAddrs(1<<10, false)
	b.ResetTimer()
	reportCPU(b, func() {
		for i := 0; b.Loop(); i++ {
			e.Lookup(addrs[i&(len(addrs)-1)], names[i%len(names)])
		}
	})
}

func TestWidest(t *testing.T) {
	tests := []struct{ a, first, last, want string }{
		{"11.28.188.149", "11.0.0.0", "11.255.255.255", "11.0.0.0/8"},
		{"193.253.82.102", "193.253.80.0", "193.253.95.255", "193.253.80.0/20"},
		{"10.0.0.5", "10.0.0.3", "10.0.0.9", "10.0.0.4/30"},
		{"10.0.0.3", "10.0.0.3", "10.0.0.3", "10.0.0.3/32"},
		{"1.2.3.4", "0.0.0.0", "255.255.255.255", "0.0.0.0/0"},
		{"2001:db8:1::1", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::/32"},
		{"2001:db8::1", "2001:db8::", "2001:db8:0:0:ffff:ffff:ffff:ffff", "2001:db8::/64"},
		{"::1", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0"},
	}
	for _, tt := range tests {
		if got := widest(addr(tt.a), addr(tt.first), addr(tt.last)); got != netip.MustParsePrefix(tt.want) {
			t.Errorf("widest(%s in %s-%s) = %s, want %s", tt.a, tt.first, tt.last, got, tt.want)
		}
	}
}

// BenchmarkLookupSeedHops cycles over the seed trace's addresses: a hot working set, as when a trace is
// enriched, so it measures the lookup's own cost rather than cache misses.
func BenchmarkLookupSeedHops(b *testing.B) {
	e := newEnricher(b, Config{NoHints: true})
	var addrs []netip.Addr
	for _, s := range []string{"192.168.1.1", "80.10.253.29", "80.10.154.194", "193.253.82.102", "193.252.159.153",
		"193.252.103.37", "81.253.184.6", "193.251.251.20", "80.231.246.6", "195.219.174.8", "180.87.12.2",
		"180.87.108.4", "11.28.188.149", "11.28.189.87", "101.33.110.25", "2001:4860:4860::8888"} {
		addrs = append(addrs, addr(s))
	}
	b.ResetTimer()
	reportCPU(b, func() {
		for i := 0; b.Loop(); i++ {
			e.Lookup(addrs[i&(len(addrs)-1)], "")
		}
	})
}

// TestConcurrentLookup runs lookups from several goroutines over every kind of source (run with -race).
func TestConcurrentLookup(t *testing.T) {
	e := newEnricher(t, Config{IP2Location: []string{filepath.Join("testdata", "IP2LOCATION-LITE-DB1.BIN")}})
	want := e.Lookup(addr("180.87.12.2"), "if-ae-2-2.tcore2.svw-singapore.as6453.net")
	done := make(chan string, 4)
	for range 4 {
		go func() {
			for i := range 200 {
				got := e.Lookup(addr("180.87.12.2"), "if-ae-2-2.tcore2.svw-singapore.as6453.net")
				if got.ASN != want.ASN || got.City != want.City || got.Country != want.Country {
					done <- "different answer"
					return
				}
				e.Lookup(addrsForRace[i%len(addrsForRace)], "")
			}
			done <- ""
		}()
	}
	for range 4 {
		if msg := <-done; msg != "" {
			t.Fatal(msg)
		}
	}
}

var addrsForRace = randomAddrs(64, false)
