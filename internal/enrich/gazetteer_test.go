package enrich

import (
	"slices"
	"testing"
)

func TestCityAbbrevs(t *testing.T) {
	tests := []struct {
		name string
		want []string // each must be among the abbreviations
	}{
		{"Seattle", []string{"sttl"}},
		{"Chicago", []string{"chcg"}},
		{"Santa Clara", []string{"sntc"}},
		{"Los Angeles", []string{"lsan"}},
		{"Palo Alto", []string{"plal"}},
		{"Kansas City", []string{"kscy"}},
		{"Salt Lake City", []string{"slkc"}},
		{"Minneapolis", []string{"mpls"}},
		{"Miami", []string{"miam"}},
		{"Luton", []string{"lutn"}},
		{"Nottingham", []string{"nott"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cityAbbrevs(tt.name)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("cityAbbrevs(%q) = %v, want %q among them", tt.name, got, w)
				}
			}
		})
	}
	if got := cityAbbrevs("Ely"); got != nil {
		t.Errorf("a three-letter name gave %v", got)
	}
}

// TestDerivedCLLI checks the CLLI-style codes the gazetteer gives alone, without the hand-kept table:
// codes seen in carriers' router names, each derived from the city's name and its state or province.
// Namesakes of one abbreviation go to the larger place ("sntc" + "ca" is Santa Clarita here; clliCodes
// pins Santa Clara, and TestHintFromName checks that the name gives it).
func TestDerivedCLLI(t *testing.T) {
	rows := parseGazetteer(citiesTSV)
	clli, abbrevs := derivedCodes(rows, canonicalNames(rows))
	for code, want := range map[string]string{
		"sntcca": "Santa Clarita", "sttlwa": "Seattle", "chcgil": "Chicago", "dllstx": "Dallas",
		"hstntx": "Houston", "dnvrco": "Denver", "bstnma": "Boston", "phnxaz": "Phoenix", "lsanca": "Los Angeles",
		"plalca": "Palo Alto", "snjsca": "San Jose", "sndgca": "San Diego", "lsvgnv": "Las Vegas",
		"prtlor": "Portland", "dtrtmi": "Detroit", "atlnga": "Atlanta", "miamfl": "Miami", "kscymo": "Kansas City",
		"slkcut": "Salt Lake City", "mplsmn": "Minneapolis", "trnton": "Toronto", "vancbc": "Vancouver",
		"nwrknj": "Newark", "austtx": "Austin", "clmboh": "Columbus", "rlghnc": "Raleigh",
	} {
		if p, ok := clli[code]; !ok || p.city != want {
			t.Errorf("%s = %q (found %v), want %s", code, p.city, ok, want)
		}
	}
	for code, want := range map[string]string{"GB:lutn": "Luton", "GB:manc": "Manchester", "GB:leed": "Leeds",
		"GB:nott": "Nottingham", "DE:hamb": "Hamburg"} {
		if p, ok := abbrevs[code]; !ok || p.city != want {
			t.Errorf("%s = %q (found %v), want %s", code, p.city, ok, want)
		}
	}
	// Six letters ending in a state code that are words in router names are no places.
	for _, w := range []string{"direct", "region", "online", "domain", "origin", "vendor", "sensor", "public",
		"static", "telnet", "access", "border", "uplink", "mentor", "office"} {
		if p, ok := clli[w]; ok {
			t.Errorf("%s gave %s, %s", w, p.city, p.country)
		}
	}
}
