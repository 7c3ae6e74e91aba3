package enrich

import "strings"

// findPlace looks for a spelled-out city or facility first, then for codes, reading the host labels
// (those before the domain) and their tokens from the right: names go from the interface to the site.
// A site code in a label to the right of a spelled-out city names the site and wins over the word
// ("abilene-1-lo-jmb-706.sttlwa.pacificwave.net": Seattle; "princeton-….nyc8.he.net": New York), and
// a link label "<site>-<router>-<site>-<router>" is read for its first site only (see siteTokens).
func findPlace(n *nameParts, host int, car carrier, pref string, cityKey *string) (place, string, string, bool) {
	ix := places()
	for i := 0; i < host; i++ {
		n.siteLim[i] = siteTokens(n.tokens(i), car)
	}
	campus := car.campus || (car.codes == nil && universityDomain(n))
	// A carrier's customer-port names carry the customer's name ("delta-svc077198-ic366593" under
	// twelve99-cust.net: Delta Air Lines, not Delta, BC): a town's word there says nothing of the site.
	customer := customerDomain(n, host)
	// 0. A town followed by its state or province ("woburn.ma.boston", "lapazbcs"): the town is the
	// site, and a city further right is the operator's region.
	if p, tok, ok := findTownState(n, host); ok {
		return p, tok, ConfidenceHigh, true
	}
	if p, tok, ok := findGluedTownState(n, host); ok {
		return p, tok, ConfidenceHigh, true
	}
	var buf [maxNameLen]byte
	// 1. Spelled-out city and facility names: a token's letters, or two or three adjacent tokens joined
	// ("los-angeles"); facilities may start with digits ("111eighthave").
	for i := host - 1; i >= 0; i-- {
		toks := n.tokens(i)
		for j := len(toks) - 1; j >= 0; j-- {
			if t := toks[j]; t[0] >= '0' && t[0] <= '9' {
				if p, ok := facilities[t]; ok { // "111eighthave"; the others are in the city index
					return p, n.labels[i], ConfidenceHigh, true
				}
			}
			for k := 3; k >= 1; k-- {
				if j-k+1 < 0 {
					continue
				}
				w, ok := buf[:0], true
				for q := j - k + 1; q <= j; q++ {
					l, rest := letters(toks[q])
					if rest != "" && q != j { // only the last token may carry digits ("los-angeles1")
						ok = false
						break
					}
					w = append(w, l...)
				}
				if !ok || len(w) < 4 { // stopwords are left out of the index (parsePlaces)
					continue
				}
				if p, ambiguous, found := ix.city(string(w), pref); found {
					if (campus || customer) && p.pop != curatedPop {
						// A university names buildings and districts after people and places
						// ("anderson--cr00f2.csb1.ucla.net"; "oakland" in pitt.edu is Pittsburgh's
						// campus district), a carrier's customer port its customer: a town's word
						// there gives way to the campus's city or says nothing; only a hand-kept
						// major city stands.
						continue
					}
					if q, tok, ok := siteCode(n, i+1, host, car, true); ok && q.city != p.city {
						// A customer or network named for a city, left of the router's site code.
						return q, tok, ConfidenceMedium, true
					}
					conf := ConfidenceHigh
					if ambiguous {
						conf = ConfidenceLow
					}
					if cityKey != nil {
						*cityKey = string(w)
					}
					return p, n.labels[i], conf, true
				}
			}
		}
	}
	// 2. Cloud region names ("ec2-….ap-northeast-1.compute.amazonaws.com").
	for i := host - 1; i >= 0; i-- {
		if p, ok := cloudRegions[n.labels[i]]; ok {
			return p, n.labels[i], ConfidenceMedium, true
		}
	}
	// 3 and 4a-b. The operator's own codes, CLLI-style codes, metro codes.
	if p, tok, ok := siteCode(n, 0, host, car, false); ok {
		return p, tok, ConfidenceMedium, true
	}
	if car.site.city != "" {
		// A network of one city: its other tokens are building and router names ("csb1").
		return car.site, n.name[n.labelOff[host]:], ConfidenceMedium, true
	}
	// 4. Codes with a site number ("par2", "lon13", "lhr25s31", "sntcca04"), then bare codes ("syd");
	// in each, a CLLI code, a metro code or a certain airport before a medium airport's code anywhere
	// in the name ("lon1-eri1": London, not Erie).
	for _, numbered := range []bool{true, false} {
		var weak place
		weakTok := ""
		for i := host - 1; i >= 0; i-- {
			if weakTok != "" {
				// A code in a label to the right names the site ("ae0.dar02.sr01.dal01": Dallas, and dar02
				// is a router's role); only codes inside the same label compete with it ("lon1-eri1").
				break
			}
			labelCC := countryLabel(n, i+1)
			toks := n.codeTokens(i)
			for j := len(toks) - 1; j >= 0; j-- {
				t := toks[j]
				l, rest := letters(t)
				if numbered != (rest != "") || (rest != "" && !digitsSuffix(rest)) {
					continue
				}
				cc := labelCC
				if cc == "" && len(toks) == 2 && !roleWords[toks[1-j]] {
					// "se-lla": a country token beside the code in a label of two (not a role that
					// spells a country: "cr-sjo" is a core router, not Costa Rica confirming SJO).
					cc = countryToken(toks[1-j])
				}
				if len(l) >= 6 && len(l) <= 9 {
					// A CLLI-style code whose region is the country label after it ("chwahk03.hk"):
					// in a city-state the country names the city. (Known CLLI codes were read in 4a.)
					if p, ok := cityStates[cc]; ok && countryToken(l[4:6]) == cc {
						return p, t, ConfidenceMedium, true
					}
				}
				if len(l) == 3 && cc != "" {
					// A code followed by a country label that agrees ("man7.uk", "fra6.de", "amstnl07.nl"):
					// the country confirms the code, even one that is also a role word (MAN: Manchester).
					if p, ok := metroCodes[l]; ok && p.country == cc {
						return p, t, ConfidenceMedium, true
					}
					if p, ok := ix.code(l); ok && p.country == cc {
						return p, t, ConfidenceMedium, true
					}
				}
				if len(l) != 3 || roleWords[l] {
					continue
				}
				if p, ok := metroCodes[l]; ok && !car.contradicted(labelCC, p) {
					return p, t, ConfidenceMedium, true
				}
				p, ok := ix.code(l)
				if !ok || car.contradicted(labelCC, p) {
					continue
				}
				if car.iata || (p.large && numbered) {
					return p, t, ConfidenceMedium, true
				}
				if weakTok == "" {
					weak, weakTok = p, t
				}
			}
		}
		if weakTok != "" {
			return weak, weakTok, ConfidenceLow, true
		}
	}
	// 5. The operator's four-letter city abbreviations ("lutn-core-2a.network.virginmedia.net").
	if car.abbrev != "" {
		for i := host - 1; i >= 0; i-- {
			for _, t := range n.codeTokens(i) {
				l, rest := letters(t)
				if len(l) != 4 || roleWords[l] || (rest != "" && !digitsSuffix(rest)) {
					continue
				}
				if p, ok := ix.abbrev(car.abbrev, l); ok {
					return p, t, ConfidenceLow, true
				}
			}
		}
	}
	return place{}, "", "", false
}

// siteCode looks in host labels lo..hi-1 for a site code that needs no confirmation: 3. the operator's
// own codes ("nyk-bb1-link.telia.net", "sd2ca21crs.ip.att.net") and Equinix metro codes in a name that
// says Equinix ("eqix-ld5"); 4a. CLLI-style codes ("srp5-0.rlghnca-rtr1": Raleigh, not the airport
// SRP); 4b. metro codes ("vi-xx-0092.brc2.spb.obit.ru": Saint Petersburg, not the airport BRC). Each
// kind is looked for in every label, from the right, before the next. With right set (the labels to
// the right of a spelled-out city), a numbered airport code that the operator's IATA naming or the
// airport's size makes certain counts too ("….core1.akl1.he.net").
func siteCode(n *nameParts, lo, hi int, car carrier, right bool) (place, string, bool) {
	ix := places()
	equinix := false
	for i := 0; i < n.nt && !equinix; i++ {
		equinix = n.toks[i] == "eqix" || n.toks[i] == "equinix"
	}
	if car.codes != nil || equinix {
		for i := hi - 1; i >= lo; i-- {
			labelCC := countryLabel(n, i+1)
			if car.regionLabels {
				labelCC = ""
			}
			for _, t := range n.codeTokens(i) {
				l, rest := letters(t)
				if equinix && len(l) == 2 && rest != "" && len(rest) <= 2 && rest[0] >= '0' && rest[0] <= '9' {
					if p, ok := equinixMetros[l]; ok {
						return p, t, true
					}
				}
				if p, ok := car.code(t); ok && (labelCC == "" || labelCC == p.country) && !siblingCountryDiffers(n.codeTokens(i), t, p) {
					return p, t, true
				}
			}
		}
	}
	for i := hi - 1; i >= lo; i-- {
		toks := n.codeTokens(i)
		for j := len(toks) - 1; j >= 0; j-- {
			l, rest := letters(toks[j])
			if len(l) < 6 || len(l) > 9 || (rest != "" && !digitsSuffix(rest)) {
				continue
			}
			if p, ok := ix.clliCode(l[:6]); ok {
				return p, toks[j], true
			}
		}
	}
	for i := hi - 1; i >= lo; i-- {
		labelCC := countryLabel(n, i+1)
		toks := n.codeTokens(i)
		for j := len(toks) - 1; j >= 0; j-- {
			l, rest := letters(toks[j])
			if len(l) != 3 || roleWords[l] || (rest != "" && !digitsSuffix(rest)) {
				continue
			}
			if p, ok := metroCodes[l]; ok && !car.contradicted(labelCC, p) {
				return p, toks[j], true
			}
		}
	}
	if !right {
		return place{}, "", false
	}
	for i := hi - 1; i >= lo; i-- {
		toks := n.codeTokens(i)
		for j := len(toks) - 1; j >= 0; j-- {
			l, rest := letters(toks[j])
			if len(l) != 3 || roleWords[l] || rest == "" || !digitsSuffix(rest) {
				continue
			}
			if p, ok := ix.code(l); ok && (car.iata || p.large) {
				return p, toks[j], true
			}
		}
	}
	return place{}, "", false
}

// siblingCountryDiffers reports whether a label of two tokens pairs code token t with a country token
// of a country other than p's ("uk-man": not NORDUnet's "us-man", New York).
func siblingCountryDiffers(toks []string, t string, p place) bool {
	if len(toks) != 2 {
		return false
	}
	other := toks[0]
	if other == t {
		other = toks[1]
	}
	cc := countryToken(other)
	return cc != "" && cc != p.country
}

// customerDomain reports whether the name's domain labels (from host on) mark a carrier's customer
// ports: a "cust" or "customer" word ("twelve99-cust.net", "customer.alter.net").
func customerDomain(n *nameParts, host int) bool {
	for i := host; i < n.nl; i++ {
		for _, t := range n.tokens(i) {
			if t == "cust" || t == "customer" || t == "customers" {
				return true
			}
		}
	}
	return false
}

// universityDomain reports whether a name's registered domain is a university's: under "edu", or
// "ac.<cc>" or "edu.<cc>" ("lancs.ac.uk", "unsw.edu.au").
func universityDomain(n *nameParts) bool {
	last := n.labels[n.nl-1]
	if last == "edu" {
		return true
	}
	if n.nl >= 3 && len(last) == 2 {
		switch n.labels[n.nl-2] {
		case "ac", "edu":
			return true
		}
	}
	return false
}

// code returns the place of one of the operator's own site codes in token t: its first five characters
// (AT&T's "sffca22crs"), its letters before a site number ("nyk", "losa", "miss2"), or the site
// between a router number and a site number ("r2lon2", "r1zrh10": Init7).
func (c carrier) code(t string) (place, bool) {
	if c.codes == nil {
		return place{}, false
	}
	if pre := c.routerPrefix; pre != "" {
		l, rest := letters(t)
		if len(l) == len(pre)+6 && strings.HasPrefix(l, pre) && digitsSuffix(rest) {
			p, ok := c.codes[l[len(pre)+1:len(pre)+4]]
			return p, ok
		}
	}
	if len(t) >= 5 {
		if p, ok := c.codes[t[:5]]; ok {
			return p, true
		}
	}
	l, rest := letters(t)
	if rest == "" || digitsSuffix(rest) || (len(l) >= 3 && rest[0] >= '0' && rest[0] <= '9') {
		// An operator's own code of three letters or more may be followed by any router number
		// ("osk004ip57.IIJ.Net").
		if p, ok := c.codes[l]; ok {
			return p, true
		}
	}
	if len(l) == 2 && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		// A role, a router number, then the site ("rc4sj": Shaw's router 4 in San Jose).
		k := 0
		for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
			k++
		}
		if site, more := letters(rest[k:]); len(site) >= 2 && more == "" {
			if p, ok := c.codes[site]; ok {
				return p, true
			}
		}
	}
	if c.codePrefix && len(l) > 3 && (rest == "" || digitsSuffix(rest)) {
		if p, ok := c.codes[l[:3]]; ok {
			return p, true
		}
	}
	if l == "r" && rest != "" {
		k := 0
		for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
			k++
		}
		if site, num := letters(rest[k:]); k > 0 && len(site) >= 2 && num != "" && digitsSuffix(num) {
			p, ok := c.codes[site]
			return p, ok
		}
	}
	return place{}, false
}

// contradicted reports whether a country label after a code (labelCC, "" when none) rules out place p
// for an operator that writes its sites' country there ("ae9.mx1.fra.dk.geant.net" is not Frankfurt,
// "mx1.rig.lv.geant.net" not Rio Grande's airport).
func (c carrier) contradicted(labelCC string, p place) bool {
	return c.countryLabels && labelCC != "" && labelCC != p.country
}

// tokenShape classifies a token for siteTokens: 'd' digits, 'l' letters, 'n' letters then a site
// number ("lon1"), 'x' anything else.
func tokenShape(t string) byte {
	l, rest := letters(t)
	switch {
	case l == "":
		// A router number, possibly with a letter in it ("9208", "55a1": NYSERNet's
		// "syr-55a1-buf-9208" is router 55a1 in Syracuse facing router 9208 in Buffalo).
		if t[0] >= '0' && t[0] <= '9' {
			return 'd'
		}
		return 'x'
	case rest == "":
		return 'l'
	case digitsSuffix(rest):
		return 'n'
	}
	return 'x'
}

// siteTokens returns how many of a label's tokens name this router's site: all of them, or the first
// half of a link label "<site>-<router>-<site>-<router>" whose halves have the same shape, carry a
// number and each start with a site code ("syr-9208-buf-9208.nysernet.net": the Syracuse router's end
// of the link to Buffalo; "lon1-eri1").
func siteTokens(toks []string, car carrier) int {
	k := len(toks)
	if k < 2 || k%2 != 0 {
		return k
	}
	h, number := k/2, false
	for j := 0; j < h; j++ {
		s := tokenShape(toks[j])
		if s == 'x' || s != tokenShape(toks[j+h]) {
			return k
		}
		number = number || s != 'l'
	}
	if !number || !isSiteCode(toks[0], car) || !isSiteCode(toks[h], car) {
		return k
	}
	return h
}

// isSiteCode reports whether token t starts with a site code: the operator's own, a metro or IATA
// code that is no role word, or a known CLLI-style code.
func isSiteCode(t string, car carrier) bool {
	if _, ok := car.code(t); ok {
		return true
	}
	l, _ := letters(t)
	switch {
	case len(l) == 3 && !roleWords[l]:
		if _, ok := metroCodes[l]; ok {
			return true
		}
		_, ok := places().code(l)
		return ok
	case len(l) >= 6 && len(l) <= 9:
		_, ok := places().clliCode(l[:6])
		return ok
	}
	return false
}
