package analysis

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"hopscope/internal/enrich"
)

// ParseLocation reads a vantage point given by the user: "LAT,LON" in degrees or a city name known to
// the hostname-hint table ("Paris", "new-york").
func ParseLocation(s string) (*Place, error) {
	s = strings.TrimSpace(s)
	if lat, lon, ok := strings.Cut(s, ","); ok {
		la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
		lo, err2 := strconv.ParseFloat(strings.TrimSpace(lon), 64)
		if err1 == nil && err2 == nil {
			if !(la >= -90 && la <= 90) || !(lo >= -180 && lo <= 180) { // also rejects NaN
				return nil, fmt.Errorf("%q: latitude must be within ±90 and longitude within ±180", s)
			}
			return &Place{Lat: la, Lon: lo, HasCoords: true, Source: "user"}, nil
		}
	}
	slug := strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ' ' || r == '-' || r == '_' || r == ',' || r == '.' }), "-")
	if slug == "" {
		return nil, errors.New("empty location")
	}
	h := enrich.HintFromName("from-" + slug + ".hopscope.invalid")
	if h == nil || !h.HasCoords || h.Confidence != enrich.ConfidenceHigh || h.Token != "from-"+slug {
		return nil, fmt.Errorf("%q is not a city hopscope knows; give LAT,LON instead (for example 48.86,2.35)", s)
	}
	return &Place{City: h.City, Country: h.Country, Lat: h.Lat, Lon: h.Lon, HasCoords: true, Source: "user"}, nil
}
