package analysis

import (
	"math"
	"strconv"

	"hopscope/internal/path"
	"hopscope/internal/report"
)

// Vantage sources: how an origin's place is known.
const (
	SourceGlobalping = "globalping probe"
	SourceAtlas      = "RIPE Atlas probe (coordinates obfuscated)"
)

// ProbePlace is the vantage point a measurement network's probe reported for t (its Meta keys
// report.MetaProbe*), for Options.From; nil when t carries no probe coordinates.
func ProbePlace(t *path.Trace) *Place {
	lat, err1 := strconv.ParseFloat(t.Meta[report.MetaProbeLatitude], 64)
	lon, err2 := strconv.ParseFloat(t.Meta[report.MetaProbeLongitude], 64)
	if err1 != nil || err2 != nil || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return nil
	}
	src := SourceGlobalping
	if t.Meta[report.MetaProbeObfuscated] == "true" {
		src = SourceAtlas
	}
	return &Place{City: t.Meta[report.MetaProbeCity], Country: t.Meta[report.MetaProbeCountry],
		Lat: lat, Lon: lon, HasCoords: true, Source: src}
}

// Vantages analyses traces of one target taken from several probes, each from its own vantage point
// (ProbePlace, else inferred from its first hops), and compares them. It returns the path reports in
// order and the comparison (nil for fewer than two traces).
func Vantages(traces []*path.Trace, e Lookuper) ([]*report.Path, *report.Vantages) {
	ps := make([]*report.Path, len(traces))
	for i, t := range traces {
		ps[i] = Path(t, e, Options{From: ProbePlace(t)})
	}
	return ps, report.NewVantages(ps)
}

// FromProbes reports whether traces came from a measurement network's probes (at least one carries a
// probe's place or id), so that they compare vantage points rather than addresses.
func FromProbes(traces []*path.Trace) bool {
	for _, t := range traces {
		if t.Meta[report.MetaProbeLatitude] != "" || t.Meta[report.MetaProbeCountry] != "" || t.Meta[report.MetaProbeID] != "" {
			return true
		}
	}
	return false
}
