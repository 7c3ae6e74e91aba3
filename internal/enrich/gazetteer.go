package enrich

import (
	"strconv"
	"strings"
)

// The gazetteer (data/cities.tsv, GeoNames via tools/gengazetteer) gives spelled-out city names with
// their population, and the CLLI-style codes derived from US and Canadian city names. Both are turned
// into sorted tables in places_gen.go by TestPlacesGenerated, so nothing is parsed at run time.

// gazetteerRow is one line of data/cities.tsv.
type gazetteerRow struct {
	name, country, admin string
	lat, lon             float64
	pop                  uint32
}

// parseGazetteer reads "name\tCC\tadmin1\tlat\tlon\tpopulation" lines; comments and bad lines are skipped.
func parseGazetteer(tsv string) []gazetteerRow {
	var out []gazetteerRow
	for line := range strings.Lines(tsv) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 6 || len(f[1]) != 2 {
			continue
		}
		lat, err1 := strconv.ParseFloat(f[3], 64)
		lon, err2 := strconv.ParseFloat(f[4], 64)
		pop, err3 := strconv.ParseUint(f[5], 10, 32)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		out = append(out, gazetteerRow{name: f[0], country: f[1], admin: f[2], lat: lat, lon: lon, pop: uint32(pop)})
	}
	return out
}

// caProvinces maps GeoNames' first-level codes for Canada to the postal abbreviations CLLI codes use.
var caProvinces = map[string]string{
	"01": "ab", "02": "bc", "03": "mb", "04": "nb", "05": "nl", "07": "ns", "08": "on", "09": "pe",
	"10": "qc", "11": "sk", "12": "yt", "13": "nt", "14": "nu",
}

// clliRegion returns the two letters a CLLI code ends with for a US or Canadian place ("" elsewhere).
func clliRegion(country, admin string) string {
	switch country {
	case "US":
		if len(admin) == 2 {
			return strings.ToLower(admin)
		}
	case "CA":
		return caProvinces[admin]
	}
	return ""
}

// isVowel reports whether c is a vowel for consonant skeletons (y counts as a consonant).
func isVowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

// skeleton is the first letter of w followed by its consonants ("seattle" → "sttl").
func skeleton(w string) string {
	if w == "" {
		return ""
	}
	b := []byte{w[0]}
	for i := 1; i < len(w); i++ {
		if !isVowel(w[i]) {
			b = append(b, w[i])
		}
	}
	return string(b)
}

// cityAbbrevs returns the four-letter abbreviations a carrier is likely to make of a city name, best
// first: the consonant skeleton ("sttl" Seattle, "sntc" Santa Clara, "chcg" Chicago), the first four
// letters ("miam", "aust"), the first two letters and the consonants after them ("lutn" Luton), the
// first letter and the last three consonants ("mpls" Minneapolis), and for names of several words
// the skeleton of the first word with the start of the next ("lsan" Los Angeles, "plal" Palo Alto),
// the words' first and last letters ("kscy" Kansas City) or the initials ("slkc" Salt Lake City).
// The generated tables pair each with the place; none is derived at run time.
func cityAbbrevs(name string) []string {
	var words []string
	for _, w := range strings.Fields(strings.NewReplacer("-", " ", ".", " ", "'", "").Replace(name)) {
		if f := fold(w); f != "" {
			words = append(words, f)
		}
	}
	joined := strings.Join(words, "")
	if len(joined) < 4 {
		return nil
	}
	var out []string
	add := func(s string) {
		if len(s) >= 4 {
			s = s[:4]
			for _, o := range out {
				if o == s {
					return
				}
			}
			out = append(out, s)
		}
	}
	sk := skeleton(joined)
	add(sk)
	add(joined)
	if len(joined) > 2 {
		add(joined[:2] + strings.Map(func(r rune) rune {
			if isVowel(byte(r)) {
				return -1
			}
			return r
		}, joined[2:]))
	}
	if len(sk) >= 4 {
		add(sk[:1] + sk[len(sk)-3:])
	}
	if len(words) >= 2 {
		w1, w2 := words[0], words[1]
		s1 := skeleton(w1)
		if len(s1) >= 2 && len(w2) >= 2 {
			add(s1[:2] + w2[:2])
		}
		if len(w2) >= 2 {
			add(w1[:1] + w1[len(w1)-1:] + w2[:1] + w2[len(w2)-1:])
		}
		if len(words) >= 3 && len(w2) >= 2 {
			s2 := skeleton(w2)
			if len(s2) >= 2 {
				add(w1[:1] + s2[:2] + words[2][:1])
			}
		}
	}
	return out
}
