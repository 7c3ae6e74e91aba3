package enrich

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// TestUserDatabaseNamesSpecialSpace: a user's own database describes space no public source does
// (private ranges, a lab's TEST-NETs); hopscope uses it and still names the range.
func TestUserDatabaseNamesSpecialSpace(t *testing.T) {
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-City", RecordSize: 24, IncludeReservedNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	asnTree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-ASN", RecordSize: 24, IncludeReservedNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	_, office, _ := net.ParseCIDR("10.20.0.0/16")
	_, lab, _ := net.ParseCIDR("203.0.113.0/24")
	if err := tree.Insert(office, mmdbtype.Map{
		"city":     mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String("Lyon")}},
		"country":  mmdbtype.Map{"iso_code": mmdbtype.String("FR")},
		"location": mmdbtype.Map{"latitude": mmdbtype.Float64(45.76), "longitude": mmdbtype.Float64(4.83)},
	}); err != nil {
		t.Fatal(err)
	}
	if err := asnTree.Insert(lab, mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(64500),
		"autonomous_system_organization": mmdbtype.String("Lab Cloud")}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, w *mmdbwriter.Tree) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := w.WriteTo(f); err != nil {
			t.Fatal(err)
		}
		return p
	}
	e, err := New(Config{MMDB: []string{write("office-City.mmdb", tree), write("lab-ASN.mmdb", asnTree)}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	tests := []struct {
		name, addr, special, city string
		asn                       uint32
	}{
		{"private range placed by the user's city database", "10.20.1.1", "private", "Lyon", 0},
		{"documentation range with the user's AS", "203.0.113.9", "documentation", "", 64500},
		{"private range the user's data does not cover", "10.99.0.1", "private", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := e.Lookup(netip.MustParseAddr(tc.addr), "")
			if in.Special == nil || in.Special.Kind != tc.special {
				t.Errorf("special = %+v, want %s", in.Special, tc.special)
			}
			if in.City != tc.city || in.ASN != tc.asn {
				t.Errorf("city %q asn %d, want %q %d", in.City, in.ASN, tc.city, tc.asn)
			}
			if tc.city != "" && (!in.HasCoords || in.GeoSource != "office-City.mmdb") {
				t.Errorf("coords/source missing: %+v", in)
			}
		})
	}
}
