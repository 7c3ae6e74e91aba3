package enrich

import (
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"hopscope/internal/enrich/ipdb"
)

// Config chooses the sources of an Enricher. The zero value uses the embedded database and hostname hints.
type Config struct {
	// MMDB lists optional MaxMind-format files (GeoLite2 City/Country/ASN, DB-IP lite city/ASN, IPinfo lite);
	// nil means none. Earlier files take precedence.
	MMDB []string
	// IP2Location lists optional IP2Location .BIN files; nil means none.
	IP2Location []string
	// IPDB is an address database written by `hopscope db update` that replaces the embedded one;
	// "" means use the embedded database.
	IPDB string
	// NoEmbedded turns the embedded database off (false: it answers ASN, organisation and country).
	NoEmbedded bool
	// NoHints turns hostname hints off (false: router names are read for places and AS numbers).
	NoHints bool
}

// Enricher answers Lookup from its sources. It is immutable after New and safe for concurrent use.
type Enricher struct {
	db       *ipdb.DB
	dbSource string
	mmdbs    []*mmdbSource
	bins     []*binSource
	noHints  bool
}

// New opens the configured sources. Errors name the file and what is wrong with it.
func New(cfg Config) (*Enricher, error) {
	e := &Enricher{noHints: cfg.NoHints}
	if cfg.IPDB != "" {
		data, err := os.ReadFile(cfg.IPDB)
		if err != nil {
			return nil, fmt.Errorf("open address database: %w", err)
		}
		db, err := ipdb.Open(string(data))
		if err != nil {
			return nil, fmt.Errorf("address database %s: %w (reinstall it with \"hopscope db update\" or delete it)", cfg.IPDB, err)
		}
		e.db, e.dbSource = db, filepath.Base(cfg.IPDB)
	} else if !cfg.NoEmbedded {
		db, err := openEmbedded()
		if err != nil {
			return nil, fmt.Errorf("embedded address database: %w", err)
		}
		e.db, e.dbSource = db, "embedded"
	}
	for _, p := range cfg.MMDB {
		s, err := openMMDB(p)
		if err != nil {
			e.Close()
			return nil, err
		}
		e.mmdbs = append(e.mmdbs, s)
	}
	for _, p := range cfg.IP2Location {
		s, err := openBIN(p)
		if err != nil {
			e.Close()
			return nil, err
		}
		e.bins = append(e.bins, s)
	}
	return e, nil
}

// Close releases the optional database files.
func (e *Enricher) Close() error {
	var errs []error
	for _, s := range e.mmdbs {
		errs = append(errs, s.r.Close())
	}
	for _, s := range e.bins {
		s.db.Close()
	}
	e.mmdbs, e.bins = nil, nil
	return errors.Join(errs...)
}

// unannouncedRegistered and unannouncedFree name global unicast space without an origin AS: a block
// with a registry country but no route, or one with neither.
const (
	unannouncedRegistered = "registered but not announced: used inside a provider network"
	unannouncedFree       = "not announced and not registered: used inside a provider network or unallocated"
)

// Lookup returns what the sources know about a; name is its reverse DNS name or "".
//
// Precedence: the address database (embedded or updated) gives ASN, organisation and country; optional
// sources fill an ASN it lacks and give City, Region and coordinates (with their own country, so a
// place is never split across two sources); a high-confidence hostname hint (a spelled-out city) wins
// over a database city, a medium one only fills a missing city, and a low one is kept only when its
// country agrees with the database. GeoSource and ASSource say where each group came from.
//
// Global unicast space that no source gives an origin AS for is marked Special "unannounced" (keeping
// the registry country, and taking the operator AS from the hostname when it names one, ASSource
// "hostname"). The registered blocks that providers use internally (11.0.0.0/8 and other DoD /8s) are
// marked the same way without any registry data: it names the registrant, not the network that uses them.
func (e *Enricher) Lookup(a netip.Addr, name string) Info {
	a = a.Unmap()
	info := Info{Addr: a, Special: Classify(a), Anycast: anycastOf(a)}
	if e.noHints {
		name = ""
	}
	if info.Anycast == nil && name != "" {
		info.Anycast = anycastFromName(a, name)
	}
	if info.Special != nil && !info.Special.Routable {
		// Only the user's own databases know such space (a company's private ranges, a lab's TEST-NETs);
		// their AS and place are taken as given, and the range stays named.
		for _, s := range e.mmdbs {
			if g, err := s.lookup(a); err == nil {
				userGeo(&info, s.name, g)
			}
		}
		for _, s := range e.bins {
			if g, err := s.lookup(a); err == nil {
				userGeo(&info, s.name, g)
			}
		}
		hint, asnToken := hintFor(name, info.Country)
		info.Hint = keepHint(hint, info.Country, asnToken)
		applyHint(&info)
		if info.ASN == 0 && info.Hint != nil && info.Hint.ASN != 0 {
			info.ASN, info.ASSource = info.Hint.ASN, "hostname"
			if e.db != nil {
				info.ASOrg = e.db.Org(info.ASN)
			}
		}
		return info
	}
	if s := internalUse(a); s != nil {
		// Registration data (the DoD as AS749, country US) says nothing about who uses it inside a network.
		info.Special = s
		e.finish(&info, "", name)
		return info
	}
	var dbCountry string
	if e.db != nil {
		if r, ok := e.db.Lookup(a); ok {
			if r.ASN != 0 {
				info.ASN, info.ASOrg, info.ASSource = r.ASN, r.Org, e.dbSource
			}
			if r.Country != "" {
				info.Country, info.GeoSource = r.Country, e.dbSource
				dbCountry = r.Country
			}
		}
	}
	cityFound := false
	take := func(src string, g geo) {
		if info.ASN == 0 && g.asn != 0 {
			info.ASN, info.ASOrg, info.ASSource = g.asn, g.org, src
		}
		if !cityFound && g.city != "" {
			cityFound = true
			info.City, info.Region = g.city, g.region
			info.Lat, info.Lon, info.HasCoords = g.lat, g.lon, g.hasCoords
			if g.country != "" {
				info.Country = g.country
			}
			info.GeoSource = src
		} else if info.Country == "" && g.country != "" {
			info.Country, info.GeoSource = g.country, src
		}
		if dbCountry == "" {
			dbCountry = g.country
		}
	}
	for _, s := range e.mmdbs {
		if g, err := s.lookup(a); err == nil {
			take(s.name, g)
		}
	}
	for _, s := range e.bins {
		if g, err := s.lookup(a); err == nil {
			take(s.name, g)
		}
	}
	if info.Special == nil && info.ASN == 0 && e.hasRouting() && exchangeOf(a) == nil {
		// An exchange's peering LAN is seldom announced, yet it is no provider's internal space: finish
		// sets Exchange instead.
		info.Special = e.unannounced(a, info.Country != "")
	}
	e.finish(&info, dbCountry, name)
	return info
}

// hintFor reads name (none when "") with the database country as the preference between namesakes.
func hintFor(name, country string) (*Hint, string) {
	if name == "" {
		return nil, ""
	}
	return hintFromName(name, country)
}

// finish applies the hostname hint: its place (see applyHint) and, when no database gave an AS, the
// operator AS it names.
func (e *Enricher) finish(info *Info, dbCountry, name string) {
	if x := exchangeOf(info.Addr); x != nil {
		// A port on an exchange LAN is at the exchange, whatever the registrant's country says.
		info.Exchange = x
		info.City, info.Region, info.Country = x.City, "", x.Country
		info.Lat, info.Lon, info.HasCoords = x.Lat, x.Lon, true
		info.GeoSource = "exchange"
		dbCountry = x.Country
	}
	hint, asnToken := hintFor(name, dbCountry)
	info.Hint = keepHint(hint, dbCountry, asnToken)
	if info.Exchange == nil {
		info.Exchange = exchangeFromHint(info.Hint)
	}
	applyHint(info)
	if info.ASN == 0 && info.Hint != nil && info.Hint.ASN != 0 {
		info.ASN, info.ASSource = info.Hint.ASN, "hostname"
		if e.db != nil {
			info.ASOrg = e.db.Org(info.ASN)
		}
	}
}

// userGeo fills what a user-supplied source says about special-purpose space, first source first.
func userGeo(info *Info, src string, g geo) {
	if info.ASN == 0 && g.asn != 0 {
		info.ASN, info.ASOrg, info.ASSource = g.asn, g.org, src
	}
	if info.City == "" && g.city != "" {
		info.City, info.Region = g.city, g.region
		info.Lat, info.Lon, info.HasCoords = g.lat, g.lon, g.hasCoords
		if g.country != "" {
			info.Country = g.country
		}
		info.GeoSource = src
	} else if info.Country == "" && g.country != "" {
		info.Country, info.GeoSource = g.country, src
	}
}

// internalBlocks are registered blocks, mostly the US Department of Defense's, that are not (or only
// sporadically) announced and that large providers use as internal address space: a traceroute through
// Tencent, Alibaba or AWS shows them. Registry data names the DoD for them, which would mislead.
// Lookup returns these shared values; they must not be modified.
var internalBlocks = func() []Special {
	var out []Special
	for _, p := range []string{"11.0.0.0/8", "21.0.0.0/8", "22.0.0.0/8", "26.0.0.0/8", "28.0.0.0/8", "29.0.0.0/8",
		"30.0.0.0/8", "33.0.0.0/8", "55.0.0.0/8", "214.0.0.0/8", "215.0.0.0/8"} {
		out = append(out, Special{Prefix: netip.MustParsePrefix(p), Kind: "unannounced", Name: unannouncedRegistered})
	}
	return out
}()

// internalUse returns the internalBlocks entry that holds a, or nil.
func internalUse(a netip.Addr) *Special {
	if !a.Is4() {
		return nil
	}
	switch a.As4()[0] {
	case 11, 21, 22, 26, 28, 29, 30, 33, 55, 214, 215:
		for i := range internalBlocks {
			if internalBlocks[i].Prefix.Contains(a) {
				return &internalBlocks[i]
			}
		}
	}
	return nil
}

// hasRouting reports whether a source maps addresses to AS numbers, so that a missing AS means "not announced".
func (e *Enricher) hasRouting() bool {
	if e.db != nil {
		return true
	}
	for _, s := range e.mmdbs {
		if s.routing {
			return true
		}
	}
	return false
}

// unannounced builds the Special for global unicast space without an origin AS.
func (e *Enricher) unannounced(a netip.Addr, registered bool) *Special {
	s := &Special{Kind: "unannounced", Name: unannouncedFree, Prefix: netip.PrefixFrom(a, a.BitLen())}
	if registered {
		s.Name = unannouncedRegistered
	}
	if e.db != nil {
		if first, last, ok := e.db.Range(a); ok {
			s.Prefix = widest(a, first, last)
		}
	}
	return s
}

// widest returns the largest prefix around a that stays within [first, last].
func widest(a, first, last netip.Addr) netip.Prefix {
	if a.Is4() {
		x, lo, hi := u128(a), u128(first), u128(last)
		// No prefix inside [first, last] is shorter than their common leading bits.
		for n := bits.LeadingZeros32(uint32(lo.lo ^ hi.lo)); n <= 32; n++ {
			m := ^uint64(0) >> (32 + n) // host bits of a /n in the low 32
			if x.lo&^m >= lo.lo && x.lo|m <= hi.lo {
				p, _ := a.Prefix(n)
				return p
			}
		}
		return netip.PrefixFrom(a, 32)
	}
	x, lo, hi := u128(a), u128(first), u128(last)
	start := bits.LeadingZeros64(lo.hi ^ hi.hi)
	if start == 64 {
		start += bits.LeadingZeros64(lo.lo ^ hi.lo)
	}
	for n := start; n <= 128; n++ {
		var mhi, mlo uint64 // host-bit mask
		switch {
		case n == 0:
			mhi, mlo = ^uint64(0), ^uint64(0)
		case n < 64:
			mhi, mlo = ^uint64(0)>>n, ^uint64(0)
		case n < 128:
			mlo = ^uint64(0) >> (n - 64)
		}
		start := uint128{x.hi &^ mhi, x.lo &^ mlo}
		end := uint128{x.hi | mhi, x.lo | mlo}
		if !start.less(lo) && !hi.less(end) {
			p, _ := a.Prefix(n)
			return p
		}
	}
	return netip.PrefixFrom(a, 128)
}

type uint128 struct{ hi, lo uint64 }

func (u uint128) less(v uint128) bool { return u.hi < v.hi || (u.hi == v.hi && u.lo < v.lo) }

func u128(a netip.Addr) uint128 {
	if a.Is4() {
		b := a.As4()
		return uint128{0, uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])}
	}
	b := a.As16()
	var u uint128
	for i := range 8 {
		u.hi = u.hi<<8 | uint64(b[i])
		u.lo = u.lo<<8 | uint64(b[8+i])
	}
	return u
}

// keepHint drops a low-confidence place that the database country does not confirm (keeping any AS
// number the name carried). A place within borderKm of the database's country is not contradicted by
// it ("sxb1.bb.godaddy.com", Strasbourg, in an address block registered in Germany) and stays.
func keepHint(h *Hint, dbCountry, asnToken string) *Hint {
	if h == nil || h.Confidence != ConfidenceLow || (dbCountry != "" && strings.EqualFold(h.Country, dbCountry)) {
		return h
	}
	if dbCountry != "" && h.HasCoords && nearCountry(h.Lat, h.Lon, strings.ToUpper(dbCountry), borderKm) {
		return h
	}
	if h.ASN == 0 && !h.Interconnect {
		return nil
	}
	return &Hint{Token: asnToken, ASN: h.ASN, Interconnect: h.Interconnect}
}

// applyHint lets a hostname place fill or override the database place (see Lookup).
func applyHint(info *Info) {
	h := info.Hint
	if h == nil || h.City == "" || !h.HasCoords {
		return
	}
	switch {
	case h.Confidence == ConfidenceHigh && (info.City == "" || !strings.EqualFold(info.City, h.City)):
	case h.Confidence != ConfidenceHigh && info.City == "":
	default:
		return
	}
	info.City, info.Region, info.Country = h.City, "", h.Country
	info.Lat, info.Lon, info.HasCoords = h.Lat, h.Lon, true
	info.GeoSource = "hostname"
}
