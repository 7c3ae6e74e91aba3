package enrich

import (
	_ "embed"
	"net/netip"
	"strconv"
	"strings"
	"sync"
)

// Exchange is an internet exchange point that an address belongs to: a port on its peering LAN (the
// network the address's hop hands traffic to another network through), or an exchange the router's
// name spells. A hop with an Exchange is "at exchange Name in City"; the AS hand-off is there.
type Exchange struct {
	// Name is the exchange ("DE-CIX Frankfurt", "AMS-IX").
	Name string
	// City and Country (ISO 3166-1 alpha-2) are where the exchange's LAN is; Lat/Lon its coordinates.
	City, Country string
	Lat, Lon      float64
	// Prefix is the peering LAN holding the address; the zero Prefix when only the name said so.
	Prefix netip.Prefix
	// Source is where the fact comes from: the peering LAN's source row, or "hostname".
	Source string
}

// ixpTSV is the exchange LAN table (data/ixp.tsv): "prefix\tname\tcity\tCC\tlat\tlon\tsource".
//
//go:embed data/ixp.tsv
var ixpTSV string

// exchangeTable parses data/ixp.tsv once, on first use; malformed rows are skipped (TestIXPTable
// keeps the file clean).
var exchangeTable = sync.OnceValue(func() *prefixIndex[Exchange] {
	ix := &prefixIndex[Exchange]{}
	for _, e := range parseIXP(ixpTSV) {
		ix.add(e.Prefix, e)
	}
	ix.sort()
	return ix
})

// parseIXP reads the exchange LAN table.
func parseIXP(tsv string) []Exchange {
	var out []Exchange
	for line := range strings.Lines(tsv) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 7 {
			continue
		}
		p, err := netip.ParsePrefix(f[0])
		lat, err1 := strconv.ParseFloat(f[4], 64)
		lon, err2 := strconv.ParseFloat(f[5], 64)
		if err != nil || err1 != nil || err2 != nil || len(f[3]) != 2 || f[1] == "" {
			continue
		}
		out = append(out, Exchange{Name: f[1], City: f[2], Country: f[3], Lat: lat, Lon: lon, Prefix: p.Masked(), Source: f[6]})
	}
	return out
}

// exchangeOf returns the exchange whose peering LAN holds a; nil when none. The result points into the
// table: callers must not change it.
func exchangeOf(a netip.Addr) *Exchange { return exchangeTable().lookup(a) }

// exchangeFromHint is the exchange a router name spelled ("as15169-10g-sk1.sthix.net"); nil when none.
func exchangeFromHint(h *Hint) *Exchange {
	if h == nil || h.Exchange == "" {
		return nil
	}
	for _, e := range exchangeNames {
		if e.name == h.Exchange {
			return &Exchange{Name: e.name, City: e.p.city, Country: e.p.country, Lat: e.p.lat, Lon: e.p.lon, Source: "hostname"}
		}
	}
	return nil
}
