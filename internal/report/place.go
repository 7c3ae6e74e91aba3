package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"hopscope/internal/explain"
)

// Place is a location as the report states it, with where it came from and how sure that is.
type Place struct {
	City    string `json:"city,omitempty"`
	Country string `json:"country,omitempty"`
	// Lat and Lon are meaningful only when HasCoords.
	Lat       float64 `json:"lat,omitempty"`
	Lon       float64 `json:"lon,omitempty"`
	HasCoords bool    `json:"has_coords"`
	// Source is "hostname", "database", "user", "inferred" (from a neighbouring hop) or "rtt" (from the
	// speed-of-light bound of an RTT: near the source).
	Source string `json:"source"`
	// Confidence is how sure the place is ("high", "medium", "low"): a hostname hint's own, an RTT
	// inference's by its radius, "medium" for a database city, "low" for a database country or a place
	// borrowed from a neighbouring hop, "high" for the user's.
	Confidence string `json:"confidence,omitempty"`
	// Label is the place as text: "Paris, FR", "FR", or "48.86,2.35"; empty when nothing is known.
	Label string `json:"label,omitempty"`
}

// newPlace converts a stage's place; nil stays nil.
func newPlace(p *explain.Place) *Place {
	if p == nil {
		return nil
	}
	return &Place{City: p.City, Country: p.Country, Lat: p.Lat, Lon: p.Lon, HasCoords: p.HasCoords,
		Source: p.Source, Confidence: p.Confidence, Label: p.Label()}
}

// LabelOf is p's label, or "" for nil.
func (p *Place) LabelOf() string {
	if p == nil {
		return ""
	}
	return p.Label
}

// Located reports whether p has coordinates.
func (p *Place) Located() bool { return p != nil && p.HasCoords }

// RTT summarises the probes of one hop or responder in milliseconds.
type RTT struct {
	MinMs    float64 `json:"min_ms"`
	MedianMs float64 `json:"median_ms"`
	MaxMs    float64 `json:"max_ms"`
	// Count is how many RTTs the summary is built from.
	Count int `json:"count"`
}

// newRTT converts a stage's RTT summary; nil stays nil.
func newRTT(r *explain.RTT) *RTT {
	if r == nil {
		return nil
	}
	return &RTT{MinMs: r.MinMs, MedianMs: r.MedianMs, MaxMs: r.MaxMs, Count: r.Count}
}

// coordsLabel writes a coordinate pair as "48.86,2.35".
func coordsLabel(lat, lon float64) string { return fmt.Sprintf("%.2f,%.2f", lat, lon) }

// GroupDigits formats v rounded to an integer with thousands separators: 10737 → "10,737".
func GroupDigits(v float64) string {
	n := int64(math.Round(v))
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
