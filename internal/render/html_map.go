package render

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"math"
	"strings"
	"sync"

	"hopscope/internal/report"
	"hopscope/internal/worldmap"
)

// asPalette colours ASes in order of first appearance; distinguishable on a light map and for most
// colour-vision deficiencies (Okabe–Ito, then Tableau).
var asPalette = []string{
	"#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442",
	"#4E79A7", "#F28E2B", "#59A14F", "#B07AA1", "#9C755F", "#76B7B2", "#EDC948",
}

// unknownColor marks hops without an AS (private, unannounced, silent, unknown).
const unknownColor = "#8c8c8c"

// asColors assigns palette colours to ASNs in order of first appearance across paths; beyond the palette
// a stable hash picks one.
type asColors struct {
	idx map[uint32]string
	n   int
}

func newASColors() *asColors { return &asColors{idx: map[uint32]string{}} }

func (c *asColors) color(asn uint32) string {
	if asn == 0 {
		return unknownColor
	}
	if s, ok := c.idx[asn]; ok {
		return s
	}
	var s string
	if c.n < len(asPalette) {
		s = asPalette[c.n]
	} else {
		h := fnv.New32a()
		fmt.Fprint(h, asn)
		s = fmt.Sprintf("hsl(%d,65%%,45%%)", h.Sum32()%360)
	}
	c.n++
	c.idx[asn] = s
	return s
}

// mapView is everything the map template draws, in map coordinates.
type mapView struct {
	ViewBox string
	// Countries is the pre-rendered <g> of country outlines (the same for every map).
	Countries template.HTML
	Segments  []mapSegment
	Markers   []mapMarker
	// Rings mark networks crossed at one place (hops located together, or unlocated hops between them).
	Rings       []mapRing
	Legend      []legendItem
	Attribution string
	// Unit scales strokes, text and markers to the zoom (map units per ~1/150 of the view width).
	Unit float64
	// Missing says why some hops are not on the map; empty when all are.
	Missing string
}

type mapSegment struct {
	X1, Y1, X2, Y2 float64
	Color          string
	ASN            uint32
	FromTTL, ToTTL int
	// Hosts are the targets whose paths use this segment (investigations draw several routes).
	Hosts []string
	// LongHaul segments carry a label with distance and RTT.
	LongHaul       bool
	LabelX, LabelY float64
	Label          string
	Title          string
	DistanceKm     float64
	Dashed         bool
}

type mapMarker struct {
	X, Y  float64
	Kind  string // "source", "hop", "destination"
	Color string
	TTL   int
	Label string
	Title string
}

type mapRing struct {
	X, Y, R float64
	Color   string
	ASN     uint32
	Title   string
}

type legendItem struct {
	Color    string
	ASN      uint32
	Operator string
}

// buildMap draws the routes of paths over the world, zoomed to fit them.
func buildMap(paths []*report.Path, colors *asColors) mapView {
	var all [][2]float64
	type route struct {
		host string
		pts  []report.RoutePoint
	}
	var routes []route
	unlocated := 0
	for _, p := range paths {
		pts := p.Route
		unlocated += p.Unlocated
		host := p.Target.Name
		if host == "" {
			host = p.Target.Addr
		}
		routes = append(routes, route{host, pts})
		for _, pt := range pts {
			all = append(all, [2]float64{pt.Lat, pt.Lon})
		}
	}
	box := worldmap.Fit(all, 12)
	v := mapView{ViewBox: box.ViewBox(), Countries: countriesSVG(), Attribution: worldmap.Attribution(), Unit: box.W / 150}
	if unlocated > 0 {
		v.Missing = fmt.Sprintf("%d answering hop(s) have no known location and are not drawn.", unlocated)
	}
	seenLegend := map[uint32]bool{}
	operators := map[uint32]string{}
	for _, p := range paths {
		for _, n := range p.Networks {
			if operators[n.ASN] == "" {
				operators[n.ASN] = n.Operator
			}
		}
	}
	addLegend := func(asn uint32) {
		if seenLegend[asn] {
			return
		}
		seenLegend[asn] = true
		v.Legend = append(v.Legend, legendItem{Color: colors.color(asn), ASN: asn, Operator: operators[asn]})
	}
	for _, rt := range routes {
		pts := dedupePoints(rt.pts)
		for i, pt := range pts {
			for _, a := range pt.Via {
				addLegend(a) // the legend follows the path: networks crossed before reaching pt first
			}
			x, y := worldmap.Project(pt.Lat, pt.Lon)
			color := colors.color(pt.ASN)
			if pt.Kind == "source" {
				color = "#222"
			} else {
				addLegend(pt.ASN)
			}
			v.Markers = append(v.Markers, mapMarker{X: x, Y: y, Kind: pt.Kind, Color: color, TTL: pt.TTL, Label: shortLabel(pt), Title: pt.Label})
			if i == 0 {
				continue
			}
			prev := pts[i-1]
			px, py := worldmap.Project(prev.Lat, prev.Lon)
			if px == x && py == y {
				// Networks crossed without moving on the map: ring the point in their colours.
				for k, a := range pt.Via {
					addLegend(a)
					v.Rings = append(v.Rings, mapRing{X: x, Y: y, R: v.Unit * (1.8 + 0.7*float64(k)), Color: colors.color(a), ASN: a,
						Title: fmt.Sprintf("%s also crosses %s %s here", pt.Label, asLabel(a), operators[a])})
				}
				continue
			}
			km := pt.LegKm
			// The line crosses the networks of unlocated hops first, then reaches pt's network.
			asns := append(append([]uint32(nil), pt.Via...), pt.ASN)
			for k, a := range asns[:len(asns)-1] {
				addLegend(a)
				f0, f1 := float64(k)/float64(len(asns)), float64(k+1)/float64(len(asns))
				v.Segments = append(v.Segments, mapSegment{X1: px + (x-px)*f0, Y1: py + (y-py)*f0, X2: px + (x-px)*f1, Y2: py + (y-py)*f1,
					Color: colors.color(a), ASN: a, FromTTL: prev.TTL, ToTTL: pt.TTL, Hosts: []string{rt.host}, DistanceKm: km,
					Title: fmt.Sprintf("%s → %s via %s", prev.Label, pt.Label, asLabel(a))})
			}
			f0 := float64(len(asns)-1) / float64(len(asns))
			seg := mapSegment{X1: px + (x-px)*f0, Y1: py + (y-py)*f0, X2: x, Y2: y, Color: color, ASN: pt.ASN, FromTTL: prev.TTL, ToTTL: pt.TTL,
				Hosts: []string{rt.host}, DistanceKm: km, Dashed: pt.Kind == "destination" && !pt.HasMs && pt.TTL == 0}
			seg.Title = fmt.Sprintf("%s → %s: %s km", prev.Label, pt.Label, report.GroupDigits(km))
			if km >= 1000 {
				seg.X1, seg.Y1 = px, py // the label and the long-haul class belong to the whole span
				seg.LongHaul = true
				seg.LabelX, seg.LabelY = (px+x)/2, (py+y)/2-v.Unit
				seg.Label = report.GroupDigits(km) + " km"
				if prev.HasMs && pt.HasMs && pt.MinMs > prev.MinMs {
					seg.Label += fmt.Sprintf(" · +%.0f ms", pt.MinMs-prev.MinMs)
				}
				seg.Label += fmt.Sprintf(" (light ≥ %.0f ms)", pt.LegLightMs)
			}
			v.Segments = append(v.Segments, seg)
		}
	}
	v.Segments = dedupeSegments(v.Segments)
	v.Markers = dedupeMarkers(v.Markers)
	return v
}

// countriesSVG renders the country outlines once per process; every map reuses the markup.
var countriesSVG = sync.OnceValue(func() template.HTML {
	var sb strings.Builder
	sb.WriteString(`<g class="countries">`)
	for _, c := range worldmap.Countries() {
		sb.WriteString(`<path class="country" data-id="`)
		sb.WriteString(template.HTMLEscapeString(c.ID))
		sb.WriteString(`" d="`)
		sb.WriteString(template.HTMLEscapeString(c.Path))
		sb.WriteString(`"><title>`)
		sb.WriteString(template.HTMLEscapeString(c.Name))
		sb.WriteString(`</title></path>`)
	}
	sb.WriteString(`</g>`)
	return template.HTML(sb.String())
})

// dedupeSegments merges segments drawn identically for several hosts (shared paths) into one line that
// lists every host, so an app of many hosts on one path draws that path once.
func dedupeSegments(segs []mapSegment) []mapSegment {
	type key struct {
		x1, y1, x2, y2 float64
		asn            uint32
		label          string
	}
	idx := map[key]int{}
	var out []mapSegment
	for _, s := range segs {
		k := key{s.X1, s.Y1, s.X2, s.Y2, s.ASN, s.Label}
		if i, ok := idx[k]; ok {
			out[i].Hosts = append(out[i].Hosts, s.Hosts...)
			continue
		}
		idx[k] = len(out)
		out = append(out, s)
	}
	return out
}

// dedupeMarkers drops markers drawn at the same place with the same look.
func dedupeMarkers(ms []mapMarker) []mapMarker {
	type key struct {
		x, y        float64
		kind, color string
	}
	seen := map[key]bool{}
	var out []mapMarker
	for _, m := range ms {
		k := key{m.X, m.Y, m.Kind, m.Color}
		if !seen[k] {
			seen[k] = true
			out = append(out, m)
		}
	}
	return out
}

// dedupePoints merges consecutive points at the same place, keeping the later hop (its AS colours the
// segment that reaches the place) but remembering the earliest RTT there.
func dedupePoints(pts []report.RoutePoint) []report.RoutePoint {
	var out []report.RoutePoint
	for _, p := range pts {
		if n := len(out); n > 0 && math.Abs(out[n-1].Lat-p.Lat) < 0.01 && math.Abs(out[n-1].Lon-p.Lon) < 0.01 {
			prev := out[n-1]
			if prev.Kind == "source" || p.Kind == "destination" {
				// Keep both markers; the zero-length segment between them is skipped.
				out = append(out, p)
				continue
			}
			p.Via = append(append([]uint32(nil), prev.Via...), p.Via...)
			// The leg into the place is the one that reached the earlier point there.
			p.LegKm, p.LegLightMs = prev.LegKm, prev.LegLightMs
			if prev.HasMs && (!p.HasMs || prev.MinMs < p.MinMs) {
				p.MinMs, p.HasMs = prev.MinMs, true
			}
			if p.ASN == 0 {
				p.ASN = prev.ASN
			}
			out[n-1] = p
			continue
		}
		out = append(out, p)
	}
	return out
}

func shortLabel(p report.RoutePoint) string {
	switch p.Kind {
	case "source":
		return "you"
	case "destination":
		return "server"
	}
	return fmt.Sprint(p.TTL)
}

// svgFloat keeps SVG attribute output short.
func svgFloat(f float64) template.HTMLAttr {
	return template.HTMLAttr(fmt.Sprintf("%.1f", f))
}
