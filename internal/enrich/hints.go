package enrich

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Confidence levels of a Hint.
const (
	ConfidenceHigh   = "high"   // a spelled-out city name ("svw-singapore")
	ConfidenceMedium = "medium" // an unambiguous code: a metro, a large airport with a site number, an operator's own code
	ConfidenceLow    = "low"    // an ambiguous code; Lookup keeps it only when the database country agrees
)

// maxNameLen bounds the work done on one name (DNS names are at most 253 bytes).
const maxNameLen = 255

// HintFromName reads a router's reverse DNS name for a place and an operator AS number:
// spelled-out cities ("if-ae-2-2.tcore2.svw-singapore.as6453.net" → Singapore, high confidence),
// IATA-style and operator site codes ("ae-1.par2.he.net" → Paris), CLLI-style codes ("sntcca"),
// AS numbers ("as6453") and well-known operator domains (he.net → AS6939). It returns nil when the
// name says nothing. Exchange names ("sthix", "de-cix") set Exchange, and interconnect words, exchanges
// and peers' AS numbers set Interconnect. Interface and role words ("ae", "xe", "bar", "gw", "lag", "core") never match,
// a code never overrides a spelled-out city, and the registered domain is not read for places.
func HintFromName(name string) *Hint {
	h, _ := hintFromName(name, "")
	return h
}

// hintFromName is HintFromName that also returns the token that gave the AS number; pref is the
// address database's country, which picks between namesakes of similar size ("" when unknown).
func hintFromName(name, pref string) (*Hint, string) { return hintFromNameKey(name, pref, nil) }

// hintFromNameKey is hintFromName that also stores in *cityKey, when cityKey is not nil, the folded
// spelled-out city name the place came from ("" for a code).
func hintFromNameKey(name, pref string, cityKey *string) (*Hint, string) {
	name = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
	if name == "" || len(name) > maxNameLen {
		return nil, ""
	}
	name = trimArpa(foldName(name))
	var n nameParts
	if !n.parse(name) || n.nl < 2 {
		return nil, ""
	}
	car, domainLabels := n.carrier()
	host := n.nl - domainLabels

	asn, asnToken := uint32(0), ""
	// AS numbers anywhere in the name, domain included ("as6453.net").
	for i := n.nl - 1; i >= 0 && asn == 0; i-- {
		for _, t := range n.tokens(i) {
			if v, ok := asNumber(t); ok {
				asn, asnToken = v, t
				break
			}
		}
	}
	if asn == 0 && car.asn != 0 {
		asn, asnToken = car.asn, name[n.labelOff[host]:]
	}
	ex, exTok := findExchange(&n)
	icTok := interconnect(&n, host)
	inter := ex.name != "" || icTok != "" || (asnToken != "" && asn != car.asn && !strings.Contains(asnToken, "."))
	if p, tok, conf, ok := findPlace(&n, host, car, pref, cityKey); ok && !demarcName(&n) {
		if conf == ConfidenceMedium && contradictsTLD(&n, p.country) && !car.owns(tok, p) {
			// A code of another country's city under a national domain ("bgw01.nsk.ertelecom.ru": a
			// border gateway in Novosibirsk, not Baghdad's airport BGW) stands only where the address
			// database's country confirms it; an operator's own curated codes for its foreign sites
			// stand ("pe1.a.hnl.aarnet.net.au": Honolulu).
			conf = ConfidenceLow
		}
		return &Hint{Token: tok, City: p.city, Country: p.country, Lat: p.lat, Lon: p.lon, HasCoords: true,
			ASN: asn, Confidence: conf, Exchange: ex.name, Interconnect: inter}, asnToken
	}
	if ex.name != "" {
		p := ex.p
		return &Hint{Token: exTok, City: p.city, Country: p.country, Lat: p.lat, Lon: p.lon, HasCoords: true,
			ASN: asn, Confidence: ConfidenceMedium, Exchange: ex.name, Interconnect: true}, asnToken
	}
	if asn == 0 && !inter {
		return nil, ""
	}
	tok := asnToken
	if tok == "" {
		tok = icTok // an interconnect word alone: the link to another network is the clue
	}
	return &Hint{Token: tok, ASN: asn, Interconnect: inter}, asnToken
}

// owns reports whether token tok is one of the operator's own site codes for place p.
func (c carrier) owns(tok string, p place) bool {
	q, ok := c.code(tok)
	return ok && q == p
}

// demarcName reports whether the name is a carrier's customer demarcation point
// ("cogeco-cable-canada.demarc.cogentco.com", "euroaccess-ltd.demarc.cogentco.com"): the labels
// before "demarc" are the customer's name, which says nothing of where the port is ("canada" is no
// town, "ltd" no airport).
func demarcName(n *nameParts) bool {
	for i := 0; i < n.nl; i++ {
		if n.labels[i] == "demarc" {
			return true
		}
	}
	return false
}

// vanityTLDs are country-code domains sold worldwide for their letters (".io", ".tv", ".me"): they say
// nothing of where a router is.
var vanityTLDs = map[string]bool{
	"ac": true, "ag": true, "ai": true, "am": true, "bz": true, "cc": true, "cd": true, "cf": true,
	"co": true, "cx": true, "fm": true, "ga": true, "gd": true, "gg": true, "gl": true, "gq": true,
	"im": true, "io": true, "la": true, "ly": true, "me": true, "ml": true, "ms": true, "mu": true,
	"nu": true, "pw": true, "sc": true, "sh": true, "st": true, "tk": true, "to": true, "tv": true,
	"vc": true, "vg": true, "ws": true,
}

// contradictsTLD reports whether the name ends in a national domain of a country other than cc
// (".ru" for a code read as Baghdad). Generic and vanity domains contradict nothing.
func contradictsTLD(n *nameParts, cc string) bool {
	tld := n.labels[n.nl-1]
	if vanityTLDs[tld] {
		return false
	}
	c := countryToken(tld)
	return c != "" && cc != "" && c != cc
}

// NationalDomain returns the country (ISO code) whose national top-level domain ends name
// ("asr-1002-b2.yarnet.ru": RU), or "" for a generic or vanity domain (".net", ".io") or no name.
func NationalDomain(name string) string {
	name = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
	i := strings.LastIndexByte(name, '.')
	if i < 0 || vanityTLDs[name[i+1:]] {
		return ""
	}
	return countryToken(name[i+1:])
}

// countryLabel returns the country label i names as an ISO code ("uk" → "GB", "de" → "DE"): any label
// but the top-level domain, since operators put the country after the site ("man7.uk.eth.zayo.com",
// OVH's "bru-1-6k.be.eu"); "" when it is the last label or no country code.
func countryLabel(n *nameParts, i int) string {
	if i >= n.nl-1 || roleLabels[n.labels[i]] {
		return ""
	}
	return countryToken(n.labels[i])
}

// roleLabels are two-letter labels that router names use for a role, not a country: "bb" backbone
// ("fkoBBAR001-1.bb.kddi.ne.jp" is no Barbados), "cr" core, "ar" access, "pe"/"ce" provider and
// customer edge.
var roleLabels = map[string]bool{"bb": true, "cr": true, "ar": true, "pe": true, "ce": true}

// countryToken returns the country a two-letter token names as an ISO code, "uk" read as "GB"; "" when
// it is none.
func countryToken(l string) string {
	if len(l) != 2 {
		return ""
	}
	if l == "uk" {
		return "GB"
	}
	if !places().isCountry(l) {
		return ""
	}
	return strings.ToUpper(l)
}

// interconnectWord reports whether a host token's letters mark a link to another network.
func interconnectWord(l string) bool {
	switch l {
	case "ic", "pni", "peer", "peering", "nap", "ix", "ixp", "interconnect", "xconnect":
		return true
	}
	return false
}

// interconnect returns the token of a host label that carries an interconnect word, alone or ending a
// label ("eislou2-ic-4", "peer7-et-0-1-1", "…-nap.example.net"); "" when none does.
func interconnect(n *nameParts, host int) string {
	for i := 0; i < host; i++ {
		for _, t := range n.tokens(i) {
			if l, _ := letters(t); interconnectWord(l) {
				return t
			}
		}
	}
	return ""
}

// findExchange looks for an exchange's name in any label, domain included: the label or one of its
// tokens, hyphens dropped ("sthix.net", "de-cix.net", "linx-1.example.net").
func findExchange(n *nameParts) (exchangeName, string) {
	if e, t := cutExchange(n); t != "" {
		return e, t
	}
	if !strings.Contains(n.name, "ix") && !strings.Contains(n.name, "nx") && !strings.Contains(n.name, "nap") && !strings.Contains(n.name, "netnod") && !strings.Contains(n.name, "xchange") {
		return exchangeName{}, ""
	}
	var buf [maxNameLen]byte
	for i := n.nl - 1; i >= 0; i-- {
		w := buf[:0]
		for _, t := range n.tokens(i) {
			if e, ok := exchangeNames[t]; ok {
				return e, t
			}
			l, _ := letters(t)
			if e, ok := exchangeNames[l]; ok && len(l) >= 4 {
				return e, t
			}
			w = append(w, t...)
		}
		if e, ok := exchangeNames[string(w)]; ok {
			return e, n.labels[i]
		}
	}
	return exchangeName{}, ""
}

// minCutExchange is the shortest cut-short last label read as the start of a spelled-out exchange name.
const minCutExchange = 10

// cutExchange returns the exchange whose spelled-out name starts with the last label of a name cut
// short by mtr's report column ("akamai.ip4.torontointerne": TorIX); no top-level domain is that long.
func cutExchange(n *nameParts) (exchangeName, string) {
	last := n.labels[n.nl-1]
	if len(last) < minCutExchange {
		return exchangeName{}, ""
	}
	for k, e := range exchangeNames {
		if len(k) > len(last) && k[:len(last)] == last {
			return e, last
		}
	}
	return exchangeName{}, ""
}

// foldName spells a name's Latin letters with diacritics in ASCII ("münchen" → "munchen"), as pastes
// and some resolvers show them; an ASCII name is returned as it is, without allocating.
func foldName(name string) string {
	ascii := true
	for i := 0; i < len(name) && ascii; i++ {
		ascii = name[i] < utf8.RuneSelf
	}
	if ascii {
		return name
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case foldMap[r] != "":
			b.WriteString(foldMap[r])
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

// Limits of nameParts; longer names give no hint.
const (
	maxLabels = 40
	maxTokens = 128
)

// nameParts splits a name into labels (on '.') and tokens (on every other byte that is not a-z or 0-9:
// '-', '_', and the "http://" some pastes put before a name) without allocating: every part is a
// substring of the name.
type nameParts struct {
	name     string
	labels   [maxLabels]string
	labelOff [maxLabels + 1]int // byte offset of each label in name
	tokStart [maxLabels + 1]int // first token of each label
	toks     [maxTokens]string
	nl, nt   int
	// siteLim is how many of each host label's tokens are read for site codes (see siteTokens); set by
	// findPlace.
	siteLim [maxLabels]int
}

func (n *nameParts) parse(name string) bool {
	n.name = name
	start := 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) && name[i] != '.' {
			continue
		}
		if n.nl == maxLabels {
			return false
		}
		label := name[start:i]
		n.labels[n.nl], n.labelOff[n.nl], n.tokStart[n.nl] = label, start, n.nt
		n.nl++
		ts := 0
		for j := 0; j <= len(label); j++ {
			if j < len(label) && (label[j] >= 'a' && label[j] <= 'z' || label[j] >= '0' && label[j] <= '9') {
				continue
			}
			if j > ts {
				if n.nt == maxTokens {
					return false
				}
				n.toks[n.nt] = label[ts:j]
				n.nt++
			}
			ts = j + 1
		}
		start = i + 1
	}
	n.labelOff[n.nl], n.tokStart[n.nl] = len(name)+1, n.nt
	return true
}

// tokens returns label i's tokens.
func (n *nameParts) tokens(i int) []string { return n.toks[n.tokStart[i]:n.tokStart[i+1]] }

// codeTokens returns the tokens of host label i that are read for site codes (findPlace sets siteLim).
func (n *nameParts) codeTokens(i int) []string { return n.tokens(i)[:n.siteLim[i]] }

// carrier finds the operator whose domain ends the name, and how many labels the domain has
// (the registered domain when no operator matches: "example.net", "example.co.uk").
func (n *nameParts) carrier() (carrier, int) {
	if !isTLD(n.labels[n.nl-1]) || (n.nl >= 3 && cutShort(n.labels[n.nl-2], n.labels[n.nl-1])) {
		// A name cut short (mtr's report column: "pos-0-6-0-0-cr01.newyork.ny") has no domain: every
		// label is read.
		return carrier{}, 0
	}
	for k := min(n.nl-1, 3); k >= 2; k-- {
		if c, ok := carriers[n.name[n.labelOff[n.nl-k]:]]; ok {
			return c, k
		}
	}
	if c, ok := cutCarrier(n.labels[n.nl-1]); ok && n.nl >= 2 {
		return c, 1
	}
	k := 2
	if n.nl >= 3 && len(n.labels[n.nl-1]) == 2 {
		switch n.labels[n.nl-2] {
		case "co", "com", "net", "org", "ac", "ne", "or", "gov", "edu", "ad":
			k = 3
		}
	}
	return carrier{}, min(k, n.nl)
}

// minCutCarrier is the shortest last label read as an operator's domain cut short.
const minCutCarrier = 6

// cutCarrier returns the operator whose name a name's last label is: an operator's own network name
// that tools print in place of a domain ("CN.HKG.CTGNet", NextTrace), or the start of its domain's
// first label where mtr's report column cut the name ("ae3-119-agg01-tor.teksavv"). No top-level
// domain of that length is an operator's name.
func cutCarrier(last string) (carrier, bool) {
	if c, ok := carriers[last]; ok {
		return c, true
	}
	if len(last) < minCutCarrier {
		return carrier{}, false
	}
	for k, c := range carriers {
		first, _, _ := strings.Cut(k, ".")
		if len(first) >= len(last) && first[:len(last)] == last {
			return c, true
		}
	}
	return carrier{}, false
}

// isTLD reports whether a name's last label can be a top-level domain: a country code of the
// tables, a common generic or special-use one, or any label of four letters or more that is not
// known to be a city or a word cut short (new generic TLDs are many).
func isTLD(l string) bool {
	switch l {
	case "com", "net", "org", "edu", "gov", "mil", "int", "arpa", "uk", "eu", "su", "ac", "biz", "pro", "tel",
		"cat", "xxx", "app", "dev", "xyz", "top", "one", "moe", "ovh", "tv", "me", "io", "co", "cc",
		"ad", "li", "sm", "va", "tk", // countries too small for the gazetteer's threshold
		"invalid", "local", "localdomain", "lan", "home", "internal", "test", "example", "localhost":
		return true
	}
	if len(l) == 2 {
		return places().isCountry(l)
	}
	if len(l) < 4 {
		return false
	}
	for i := 0; i < len(l); i++ {
		if l[i] < 'a' || l[i] > 'z' {
			return false
		}
	}
	_, _, city := places().city(l, "")
	return !city
}

// cutShort reports whether a name whose last two labels are prev and last was cut short rather than
// ending in a domain: last passes as a top-level domain only by the generic rule (four letters or more)
// and prev is a city, which no registered domain's first label is ("as33891.dusseldorf.megapo",
// the 25 columns of mtr's report).
func cutShort(prev, last string) bool {
	if len(last) < 4 || len(last) > 8 {
		return false
	}
	switch last {
	case "arpa", "info", "name", "mobi", "asia", "aero", "coop", "jobs", "travel", "museum", "local", "localdomain",
		"home", "internal", "test", "example", "localhost", "invalid", "cloud", "online", "network", "systems":
		return false
	}
	_, _, city := places().city(prev, "")
	return city && len(prev) >= 5
}

// asNumber reads "as6453" (also "as6453" followed by nothing else); private and reserved ASNs are ignored.
func asNumber(t string) (uint32, bool) {
	if len(t) < 3 || len(t) > 12 || t[:2] != "as" {
		return 0, false
	}
	n, err := strconv.ParseUint(t[2:], 10, 32)
	if err != nil || n == 0 || n == 23456 || (n >= 64496 && n <= 131071) || n >= 4200000000 {
		return 0, false
	}
	return uint32(n), true
}

// letters returns the leading a-z run of t and what follows it ("par2" → "par", "2").
func letters(t string) (string, string) {
	i := 0
	for i < len(t) && t[i] >= 'a' && t[i] <= 'z' {
		i++
	}
	return t[:i], t[i:]
}

// digitsSuffix reports whether rest is a site number: digits, optionally followed by one letter and
// more digits (Google's "lhr25s31"), or by a router role of two to four letters (AT&T's "sffca22crs").
func digitsSuffix(rest string) bool {
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i == 0 {
		return false
	}
	if i == len(rest) {
		return true
	}
	j := i
	for j < len(rest) && rest[j] >= 'a' && rest[j] <= 'z' {
		j++
	}
	if j == len(rest) {
		return j-i >= 1 && j-i <= 4 // a role ("22crs") or a unit letter ("67w")
	}
	if j != i+1 {
		return false
	}
	k := j
	for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
		k++
	}
	return k > j && k == len(rest)
}
