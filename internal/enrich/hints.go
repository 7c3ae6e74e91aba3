package enrich

import (
	"strconv"
	"strings"
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
// name says nothing. Interface and role words ("ae", "xe", "bar", "gw", "lag", "core") never match,
// a code never overrides a spelled-out city, and the registered domain is not read for places.
func HintFromName(name string) *Hint {
	h, _ := hintFromName(name)
	return h
}

// hintFromName is HintFromName that also returns the token that gave the AS number.
func hintFromName(name string) (*Hint, string) {
	name = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
	if name == "" || len(name) > maxNameLen {
		return nil, ""
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return nil, ""
	}
	car, domainLabels := carrierOf(labels)
	host := labels[:len(labels)-domainLabels]

	h := &Hint{}
	asnToken := ""
	// AS numbers anywhere in the name, domain included ("as6453.net").
	for i := len(labels) - 1; i >= 0 && h.ASN == 0; i-- {
		for _, t := range splitTokens(labels[i]) {
			if n, ok := asNumber(t); ok {
				h.ASN, asnToken = n, t
				break
			}
		}
	}
	if h.ASN == 0 && car.asn != 0 {
		h.ASN, asnToken = car.asn, strings.Join(labels[len(labels)-domainLabels:], ".")
	}

	if p, tok, conf, ok := findPlace(host, car); ok {
		h.Token, h.City, h.Country = tok, p.city, p.country
		h.Lat, h.Lon, h.HasCoords = p.lat, p.lon, true
		h.Confidence = conf
		return h, asnToken
	}
	if h.ASN == 0 {
		return nil, ""
	}
	h.Token = asnToken
	return h, asnToken
}

// carrierOf finds the operator whose domain ends the name, and how many labels the domain has
// (the registered domain when no operator matches: "example.net", "example.co.uk").
func carrierOf(labels []string) (carrier, int) {
	for n := min(len(labels)-1, 3); n >= 2; n-- {
		if c, ok := carriers[strings.Join(labels[len(labels)-n:], ".")]; ok {
			return c, n
		}
	}
	n := 2
	if len(labels) >= 3 && len(labels[len(labels)-1]) == 2 {
		switch labels[len(labels)-2] {
		case "co", "com", "net", "org", "ac", "ne", "or", "gov", "edu", "ad":
			n = 3
		}
	}
	return carrier{}, min(n, len(labels))
}

// splitTokens splits a label on '-' and '_'.
func splitTokens(label string) []string {
	return strings.FieldsFunc(label, func(r rune) bool { return r == '-' || r == '_' })
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
// more digits (Google's "lhr25s31").
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
	if rest[i] < 'a' || rest[i] > 'z' {
		return false
	}
	j := i + 1
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	return j > i+1 && j == len(rest)
}

// findPlace looks for a spelled-out city first, then for codes, reading labels and tokens from the
// right (names go from the interface to the site to the domain).
func findPlace(host []string, car carrier) (place, string, string, bool) {
	ix := places()
	// 1. Spelled-out city names: a token's letters, or two or three adjacent tokens joined ("los-angeles").
	for i := len(host) - 1; i >= 0; i-- {
		toks := splitTokens(host[i])
		for j := len(toks) - 1; j >= 0; j-- {
			for n := 3; n >= 1; n-- {
				if j-n+1 < 0 {
					continue
				}
				var b strings.Builder
				for _, t := range toks[j-n+1 : j+1] {
					l, _ := letters(t)
					if l != t && t != toks[j] {
						b.Reset()
						break
					}
					b.WriteString(l)
				}
				w := b.String()
				if len(w) < 4 || cityStopwords[w] {
					continue
				}
				if p, ok := ix.cities[w]; ok {
					return p, host[i], ConfidenceHigh, true
				}
			}
		}
	}
	// 2. Cloud region names ("ec2-….ap-northeast-1.compute.amazonaws.com").
	for i := len(host) - 1; i >= 0; i-- {
		if p, ok := cloudRegions[host[i]]; ok {
			return p, host[i], ConfidenceMedium, true
		}
	}
	// 3. The operator's own site codes ("nyk-bb1-link.telia.net").
	if car.codes != nil {
		for i := len(host) - 1; i >= 0; i-- {
			for _, t := range splitTokens(host[i]) {
				l, rest := letters(t)
				if rest != "" && !digitsSuffix(rest) {
					continue
				}
				if p, ok := car.codes[l]; ok {
					return p, t, ConfidenceMedium, true
				}
			}
		}
	}
	// 4. Codes with a site number ("par2", "lon13", "lhr25s31", "sntcca04"), then bare codes ("syd").
	for _, numbered := range []bool{true, false} {
		for i := len(host) - 1; i >= 0; i-- {
			toks := splitTokens(host[i])
			for j := len(toks) - 1; j >= 0; j-- {
				t := toks[j]
				l, rest := letters(t)
				if numbered != (rest != "") || (rest != "" && !digitsSuffix(rest)) {
					continue
				}
				if p, ok := clliCodes[l]; ok && len(l) == 6 {
					return p, t, ConfidenceMedium, true
				}
				if len(l) != 3 || roleWords[l] {
					continue
				}
				if p, ok := metroCodes[l]; ok {
					return p, t, ConfidenceMedium, true
				}
				p, ok := ix.codes[l]
				if !ok {
					continue
				}
				conf := ConfidenceLow
				if car.iata || (p.large && numbered) {
					conf = ConfidenceMedium
				}
				return p, t, conf, true
			}
		}
	}
	return place{}, "", "", false
}
