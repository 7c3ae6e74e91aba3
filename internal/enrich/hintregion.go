package enrich

import "strings"

// North American router names often spell the town and then its state or province as a label of its
// own ("be-7922-ar01.woburn.ma.boston.comcast.net": Woburn, Massachusetts, in Comcast's Boston region),
// and Telmex glues the state to the town ("ipdsl-bcs-lapazbcs-23-l0.uninet.net.mx": La Paz, Baja
// California Sur). The town and state pair is certain where the gazetteer has that town in that state.

// mxStates maps GeoNames' first-level codes for Mexico to the state abbreviations Telmex (uninet.net.mx)
// writes in its router names ("ags" Aguascalientes, "qro" Querétaro, "bcs" Baja California Sur). The
// two-letter ones (BC, NL, DF) are left out: they are US states or words too.
var mxStates = map[string]string{
	"01": "ags", "03": "bcs", "04": "camp", "05": "chis", "06": "chih", "07": "coah", "08": "col",
	"10": "dgo", "11": "gto", "12": "gro", "13": "hgo", "14": "jal", "15": "mex", "16": "mich", "17": "mor",
	"18": "nay", "20": "oax", "21": "pue", "22": "qro", "23": "qroo", "24": "slp", "25": "sin", "26": "son",
	"27": "tab", "28": "tamps", "29": "tlax", "30": "ver", "31": "yuc", "32": "zac",
}

// regionOf returns the abbreviation routers write for a place's state or province: US states and
// Canadian provinces by their postal codes, Mexican states by mxStates; "" elsewhere.
func regionOf(country, admin string) string {
	if country == "MX" {
		return mxStates[admin]
	}
	return clliRegion(country, admin)
}

// regionalTowns are towns below the gazetteer's population threshold that operators name with their
// state, each seen in a real router name whose place the trace confirms: key "<town>.<state>".
var regionalTowns = map[string]place{
	// "be-6-ar01.berlin.ct.hartford.comcast.net": Berlin, Connecticut, in Comcast's Hartford region.
	"berlin.ct": {city: "Berlin", country: "US", lat: 41.62, lon: -72.75},
}

// regionalPlace returns the town a folded name means in a state or province ("woburn", "ma").
func (ix *placeIndex) regionalPlace(town, region string) (place, bool) {
	if len(town) < 4 || len(region) < 2 || len(region) > 5 {
		return place{}, false
	}
	var b [maxNameLen + 8]byte
	k := append(append(append(b[:0], town...), '.'), region...)
	return ix.findRef(ix.regional, string(k))
}

// findTownState looks, from the right, for a host label that is a state or province whose label to the
// left ends in a town of that state: "woburn.ma" in "be-7922-ar01.woburn.ma.boston.comcast.net" (the
// label after it is the operator's region), "ar01.naugatuck.ct.hartford". The town's name may be
// spelled over two or three tokens ("north-haven.ct").
func findTownState(n *nameParts, host int) (place, string, bool) {
	ix := places()
	var buf [maxNameLen]byte
	for i := host - 1; i >= 1; i-- {
		region := n.labels[i]
		if len(region) < 2 || len(region) > 5 {
			continue
		}
		toks := n.tokens(i - 1)
		for k := 1; k <= 3 && k <= len(toks); k++ {
			w := buf[:0]
			ok := true
			for _, t := range toks[len(toks)-k:] {
				l, rest := letters(t)
				if rest != "" && !digitsSuffix(rest) {
					ok = false
					break
				}
				w = append(w, l...)
			}
			if !ok {
				break
			}
			if p, found := ix.regionalPlace(string(w), region); found {
				return p, n.labels[i-1], true
			}
		}
	}
	return place{}, "", false
}

// findGluedTownState looks in a name under Mexico's national domain for a token that is a town with
// its state glued after it ("lapazbcs": La Paz, Baja California Sur), Telmex's way.
func findGluedTownState(n *nameParts, host int) (place, string, bool) {
	if n.labels[n.nl-1] != "mx" {
		return place{}, "", false
	}
	ix := places()
	for i := host - 1; i >= 0; i-- {
		for _, t := range n.tokens(i) {
			l, _ := letters(t)
			for _, st := range mxStates {
				if len(l) >= len(st)+4 && strings.HasSuffix(l, st) {
					if p, ok := ix.regionalPlace(l[:len(l)-len(st)], st); ok {
						return p, t, true
					}
				}
			}
		}
	}
	return place{}, "", false
}

// trimArpa returns the host name a broken reverse zone glued in front of its own arpa suffix
// ("xe6-1-2-0-grtmiabr8.red.telefonica-wholesale.net.121.142.94.in-addr.arpa"), or name as it is.
func trimArpa(name string) string {
	rest, ok := strings.CutSuffix(name, ".in-addr.arpa")
	if !ok {
		return name
	}
	for {
		i := strings.LastIndexByte(rest, '.')
		if i < 0 {
			return name
		}
		last := rest[i+1:]
		digits := last != ""
		for j := 0; j < len(last); j++ {
			digits = digits && last[j] >= '0' && last[j] <= '9'
		}
		if !digits {
			if isTLD(last) && strings.Contains(rest, ".") {
				return rest
			}
			return name
		}
		rest = rest[:i]
	}
}
