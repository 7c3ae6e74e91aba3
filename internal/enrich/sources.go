package enrich

import (
	_ "embed"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ip2location/ip2location-go/v9"
	"github.com/oschwald/maxminddb-golang/v2"

	"hopscope/internal/enrich/ipdb"
)

//go:embed data/ipdb.bin
var embeddedDB string

// openEmbedded opens the embedded database once; Open only reads the header.
var openEmbedded = sync.OnceValues(func() (*ipdb.DB, error) { return ipdb.Open(embeddedDB) })

// Embedded returns when the embedded address database was generated and from which packages
// (name@version), for `hopscope version`.
func Embedded() (builtAt time.Time, sources []string) {
	db, err := openEmbedded()
	if err != nil {
		return time.Time{}, nil
	}
	m := db.Meta()
	return m.BuiltAt, append([]string(nil), m.Sources...)
}

// geo is what one optional source answered; zero fields mean unknown.
type geo struct {
	asn                   uint32
	org                   string
	country, region, city string
	lat, lon              float64
	hasCoords             bool
}

// mmdbSource reads a MaxMind-format database: GeoLite2/GeoIP2 City, Country or ASN, DB-IP lite city and
// ASN (MaxMind layout or the flat ip-location-db layout), IPinfo lite.
type mmdbSource struct {
	name string
	r    *maxminddb.Reader
	// routing is true when the database maps addresses to AS numbers (ASN, ISP and IPinfo types), so
	// that an address it has no AS for may be called unannounced.
	routing bool
}

func openMMDB(path string) (*mmdbSource, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open mmdb %s: %w", path, err)
	}
	t := strings.ToLower(r.Metadata.DatabaseType)
	routing := strings.Contains(t, "asn") || strings.Contains(t, "isp") || strings.Contains(t, "ipinfo")
	return &mmdbSource{name: filepath.Base(path), r: r, routing: routing}, nil
}

func (s *mmdbSource) lookup(a netip.Addr) (geo, error) {
	var m map[string]any
	res := s.r.Lookup(a)
	if err := res.Err(); err != nil {
		return geo{}, fmt.Errorf("%s: %w", s.name, err)
	}
	if !res.Found() {
		return geo{}, nil
	}
	if err := res.Decode(&m); err != nil {
		return geo{}, fmt.Errorf("%s: decode record for %s: %w", s.name, a, err)
	}
	return geoFromMap(m), nil
}

// geoFromMap reads the field names used by the MaxMind, DB-IP, ip-location-db and IPinfo layouts.
func geoFromMap(m map[string]any) geo {
	var g geo
	// MaxMind layout: nested objects with "names".
	if c, ok := m["city"].(map[string]any); ok {
		g.city = name(c)
	} else if c, ok := m["city"].(string); ok {
		g.city = c
	}
	for _, k := range []string{"country", "registered_country"} {
		if c, ok := m[k].(map[string]any); ok && g.country == "" {
			g.country, _ = c["iso_code"].(string)
		}
	}
	if g.country == "" {
		if c, ok := m["country_code"].(string); ok {
			g.country = c
		} else if c, ok := m["country"].(string); ok && len(c) == 2 {
			g.country = c
		}
	}
	if subs, ok := m["subdivisions"].([]any); ok && len(subs) > 0 {
		if s, ok := subs[0].(map[string]any); ok {
			g.region = name(s)
		}
	} else if s, ok := m["state1"].(string); ok {
		g.region = s
	} else if s, ok := m["region"].(string); ok {
		g.region = s
	}
	lat, okLat := number(m, "latitude")
	lon, okLon := number(m, "longitude")
	if loc, ok := m["location"].(map[string]any); ok {
		lat, okLat = number(loc, "latitude")
		lon, okLon = number(loc, "longitude")
	}
	if okLat && okLon && validCoords(lat, lon) {
		g.lat, g.lon, g.hasCoords = lat, lon, true
	}
	if n, ok := number(m, "autonomous_system_number"); ok && n > 0 && n <= math.MaxUint32 {
		g.asn = uint32(n)
	}
	g.org, _ = m["autonomous_system_organization"].(string)
	if s, ok := m["asn"].(string); ok { // IPinfo lite: "AS13335"
		if n, err := strconv.ParseUint(strings.TrimPrefix(strings.ToUpper(s), "AS"), 10, 32); err == nil {
			g.asn = uint32(n)
		}
	}
	if s, ok := m["as_name"].(string); ok && g.org == "" {
		g.org = s
	}
	g.country = strings.ToUpper(g.country)
	if len(g.country) != 2 {
		g.country = ""
	}
	return g
}

func name(obj map[string]any) string {
	if names, ok := obj["names"].(map[string]any); ok {
		if en, ok := names["en"].(string); ok {
			return en
		}
	}
	return ""
}

func number(m map[string]any, key string) (float64, bool) {
	switch v := m[key].(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case uint64:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint16:
		return float64(v), true
	case int:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	}
	return 0, false
}

func validCoords(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && !(lat == 0 && lon == 0)
}

// binSource reads an IP2Location .BIN database (any DB level; fields the level lacks stay unknown).
type binSource struct {
	name string
	db   *ip2location.DB
}

func openBIN(path string) (*binSource, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open IP2Location BIN: %w", err)
	}
	db, err := ip2location.OpenDB(path)
	if err != nil {
		return nil, fmt.Errorf("open IP2Location BIN %s: %w", path, err)
	}
	// The reader does not fail on a file that is not a BIN; probe it.
	if r, _ := db.Get_country_short("8.8.8.8"); unset(r.Country_short) && db.PackageVersion() == "0" {
		db.Close()
		return nil, fmt.Errorf("open IP2Location BIN %s: not an IP2Location BIN file (no valid header)", path)
	}
	return &binSource{name: filepath.Base(path), db: db}, nil
}

func (s *binSource) lookup(a netip.Addr) (geo, error) {
	r, err := s.db.Get_all(a.String())
	if err != nil {
		return geo{}, fmt.Errorf("%s: %w", s.name, err)
	}
	var g geo
	if !unset(r.Country_short) && len(r.Country_short) == 2 {
		g.country = r.Country_short
	}
	if !unset(r.City) {
		g.city = r.City
	}
	if !unset(r.Region) {
		g.region = r.Region
	}
	if g.city != "" && validCoords(float64(r.Latitude), float64(r.Longitude)) {
		g.lat, g.lon, g.hasCoords = round5(float64(r.Latitude)), round5(float64(r.Longitude)), true
	}
	if !unset(r.Asn) {
		if n, err := strconv.ParseUint(r.Asn, 10, 32); err == nil {
			g.asn = uint32(n)
		}
	}
	if !unset(r.As) {
		g.org = r.As
	}
	return g, nil
}

// unset reports whether an IP2Location field is empty, "-" or one of the reader's messages.
func unset(s string) bool {
	return s == "" || s == "-" || strings.Contains(s, "unavailable") || strings.HasPrefix(s, "Invalid") ||
		strings.Contains(s, "missing in IPv4 BIN")
}

func round5(f float64) float64 { return math.Round(f*1e5) / 1e5 }
