package ipdb

import (
	"net/netip"
	"slices"
)

// FallbackCountry is the country the whois-based source gives IPv6 space it has no better word for in
// the APNIC region: the registry's own seat. Measured on the 2026-06 package: 6,974 IPv6 ranges (split
// by origin AS) say AU, and 5,201 of them are announced by networks whose IPv4 space is elsewhere
// (WIDE's 2001:200::/32 and KDDI's in Japan, CERNET's 2001:250::/32 in China, Google's 2404:6800::/32),
// while IPv4 shows no such excess of AU. A router placed in Australia by it makes the source, the
// destination and the speed-of-light checks all wrong, so such ranges are corrected or dropped here.
const FallbackCountry = "AU"

// nationalShare is the share of an AS's IPv4 space that must lie in one country for that country to
// stand for the AS's IPv6 space the source puts in FallbackCountry.
const nationalShare = 0.95

// apnicRegion lists the economies APNIC serves: a range the source gives APNIC's seat comes from APNIC,
// so an AS's home country can stand for it only there. An AS whose IPv4 space is all in the United
// States (a cloud's) announcing APNIC space runs it in Asia or the Pacific, not at home.
var apnicRegion = map[string]bool{
	"AF": true, "AS": true, "AU": true, "BD": true, "BN": true, "BT": true, "CC": true, "CK": true,
	"CN": true, "CX": true, "FJ": true, "FM": true, "GU": true, "HK": true, "ID": true, "IN": true,
	"IO": true, "JP": true, "KH": true, "KI": true, "KP": true, "KR": true, "LA": true, "LK": true,
	"MH": true, "MM": true, "MN": true, "MO": true, "MP": true, "MV": true, "MY": true, "NC": true,
	"NF": true, "NP": true, "NR": true, "NU": true, "NZ": true, "PF": true, "PG": true, "PH": true,
	"PK": true, "PN": true, "PW": true, "SB": true, "SG": true, "TH": true, "TK": true, "TL": true,
	"TO": true, "TV": true, "TW": true, "VN": true, "VU": true, "WF": true, "WS": true,
}

// FallbackStats counts what FixFallbackCountry changed, in (range, AS) pieces.
type FallbackStats struct {
	Kept, Corrected, Dropped int
}

// FixFallbackCountry returns countries with every IPv6 range in FallbackCountry checked against the
// ASes announcing it: a piece announced by an AS whose IPv4 space is mostly in FallbackCountry stays; one
// announced by an AS with nationalShare of its IPv4 space in another country of apnicRegion takes that
// country; any other announced piece loses its country (unknown is better than wrong). Unannounced space and every
// other range are left as they are. Ranges are matched by address order, so the cost is linear in the
// number of ranges after sorting.
func FixFallbackCountry(asns []ASNRange, countries []CountryRange) ([]CountryRange, FallbackStats) {
	var st FallbackStats
	v4AS, v6AS := splitASN(asns)
	var v4CC []CountryRange
	for _, c := range countries {
		if c.Start.Is4() {
			v4CC = append(v4CC, c)
		}
	}
	home := homeCountries(v4AS, sortedCountries(v4CC))
	out := make([]CountryRange, 0, len(countries))
	j := 0
	for _, c := range sortedCountries(countries) {
		if c.Start.Is4() || c.Country != FallbackCountry {
			out = append(out, c)
			continue
		}
		for j < len(v6AS) && v6AS[j].End.Less(c.Start) {
			j++
		}
		cursor := c.Start
		done := false
		for k := j; k < len(v6AS) && !c.End.Less(v6AS[k].Start); k++ {
			a := v6AS[k]
			lo, hi := maxAddr(c.Start, a.Start), minAddr(c.End, a.End)
			if hi.Less(lo) || lo.Less(cursor) {
				continue
			}
			if cursor.Less(lo) {
				out = append(out, CountryRange{Start: cursor, End: lo.Prev(), Country: c.Country})
			}
			h, ok := home[a.ASN]
			switch {
			case ok && h.country == FallbackCountry:
				st.Kept++
				out = append(out, CountryRange{Start: lo, End: hi, Country: c.Country})
			case ok && h.share >= nationalShare && apnicRegion[h.country]:
				st.Corrected++
				out = append(out, CountryRange{Start: lo, End: hi, Country: h.country})
			default:
				st.Dropped++
			}
			if hi == c.End {
				done = true
				break
			}
			cursor = hi.Next()
		}
		if !done {
			out = append(out, CountryRange{Start: cursor, End: c.End, Country: c.Country})
		}
	}
	return out, st
}

// home is an AS's main country by IPv4 space, and the share of its space there.
type home struct {
	country string
	share   float64
}

// homeCountries weighs, for every AS, the countries of its IPv4 space by address count.
func homeCountries(asns []ASNRange, countries []CountryRange) map[uint32]home {
	weight := map[uint32]map[string]float64{}
	j := 0
	for _, a := range asns {
		for j < len(countries) && countries[j].End.Less(a.Start) {
			j++
		}
		for k := j; k < len(countries) && !a.End.Less(countries[k].Start); k++ {
			c := countries[k]
			lo, hi := maxAddr(a.Start, c.Start), minAddr(a.End, c.End)
			if hi.Less(lo) {
				continue
			}
			w := weight[a.ASN]
			if w == nil {
				w = map[string]float64{}
				weight[a.ASN] = w
			}
			w[c.Country] += float64(v4(hi)-v4(lo)) + 1
		}
	}
	out := make(map[uint32]home, len(weight))
	for asn, w := range weight {
		total, best := 0.0, ""
		for c, n := range w {
			total += n
			if best == "" || n > w[best] || n == w[best] && c < best {
				best = c
			}
		}
		out[asn] = home{country: best, share: w[best] / total}
	}
	return out
}

// splitASN returns the IPv4 and IPv6 ranges of asns, each sorted by start.
func splitASN(asns []ASNRange) (v4s, v6s []ASNRange) {
	for _, a := range asns {
		if a.ASN == 0 {
			continue
		}
		if a.Start.Is4() {
			v4s = append(v4s, a)
		} else {
			v6s = append(v6s, a)
		}
	}
	by := func(a, b ASNRange) int { return a.Start.Compare(b.Start) }
	slices.SortFunc(v4s, by)
	slices.SortFunc(v6s, by)
	return v4s, v6s
}

// sortedCountries returns a copy of cs sorted by start.
func sortedCountries(cs []CountryRange) []CountryRange {
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b CountryRange) int { return a.Start.Compare(b.Start) })
	return out
}

func v4(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func maxAddr(a, b netip.Addr) netip.Addr {
	if a.Less(b) {
		return b
	}
	return a
}

func minAddr(a, b netip.Addr) netip.Addr {
	if a.Less(b) {
		return a
	}
	return b
}
