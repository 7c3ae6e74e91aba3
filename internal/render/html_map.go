package render

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"math"
	"slices"
	"strings"
	"sync"

	"hopscope/internal/enrich"
	"hopscope/internal/explain"
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

// routePoint is a located hop (or the source/destination) along a path.
type routePoint struct {
	lat, lon float64
	ttl      int
	asn      uint32
	label    string
	kind     string
	minMs    float64
	hasMs    bool
	// via are the ASes of answering hops without a location between the previous point and this one.
	via []uint32
}

// pathPoints returns the located points of a path in order: source, hops, destination.
func pathPoints(p *report.Path) (pts []routePoint, unlocated int) {
	f := &p.Findings
	if f.Source.Known && f.Source.Place != nil && f.Source.Place.HasCoords {
		pl := f.Source.Place
		pts = append(pts, routePoint{lat: pl.Lat, lon: pl.Lon, kind: "source", label: "you: " + pl.Label(), hasMs: true})
	}
	var via []uint32
	for _, h := range p.Hops {
		if h.Silent {
			continue
		}
		if h.Place == nil || !h.Place.HasCoords {
			unlocated++
			if h.ASN != 0 && (len(via) == 0 || via[len(via)-1] != h.ASN) {
				via = append(via, h.ASN)
			}
			continue
		}
		rp := routePoint{lat: h.Place.Lat, lon: h.Place.Lon, ttl: h.TTL, asn: h.ASN, kind: "hop",
			label: fmt.Sprintf("hop %d: %s", h.TTL, h.Place.Label()), via: via}
		via = nil
		if h.RTT != nil {
			rp.minMs, rp.hasMs = h.RTT.MinMs, true
		}
		if slices.Contains(h.Marks, "destination") {
			rp.kind = "destination"
		}
		pts = append(pts, rp)
	}
	d := f.Destination
	if !d.Reached && d.Place != nil && d.Place.HasCoords {
		pts = append(pts, routePoint{lat: d.Place.Lat, lon: d.Place.Lon, asn: d.ASN, kind: "destination",
			label: "destination " + d.Addr + ": " + d.Place.Label() + " (did not answer)", via: via})
	} else if d.Reached && len(pts) > 0 {
		pts[len(pts)-1].kind = "destination"
	}
	return pts, unlocated
}

// buildMap draws the routes of paths over the world, zoomed to fit them.
func buildMap(paths []*report.Path, colors *asColors) mapView {
	var all [][2]float64
	type route struct {
		host string
		pts  []routePoint
	}
	var routes []route
	unlocated := 0
	for _, p := range paths {
		pts, un := pathPoints(p)
		unlocated += un
		host := p.Target.Name
		if host == "" {
			host = p.Target.Addr
		}
		routes = append(routes, route{host, pts})
		for _, pt := range pts {
			all = append(all, [2]float64{pt.lat, pt.lon})
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
		for _, h := range p.Hops {
			if h.ASN != 0 && h.Operator != "" {
				operators[h.ASN] = h.Operator
			}
		}
		for _, r := range p.Findings.ASPath {
			if r.ASN != 0 && operators[r.ASN] == "" {
				operators[r.ASN] = r.Operator
			}
		}
		if d := p.Findings.Destination; d.ASN != 0 && operators[d.ASN] == "" {
			operators[d.ASN] = d.Operator
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
			for _, a := range pt.via {
				addLegend(a) // the legend follows the path: networks crossed before reaching pt first
			}
			x, y := worldmap.Project(pt.lat, pt.lon)
			color := colors.color(pt.asn)
			if pt.kind == "source" {
				color = "#222"
			} else {
				addLegend(pt.asn)
			}
			v.Markers = append(v.Markers, mapMarker{X: x, Y: y, Kind: pt.kind, Color: color, TTL: pt.ttl, Label: shortLabel(pt), Title: pt.label})
			if i == 0 {
				continue
			}
			prev := pts[i-1]
			px, py := worldmap.Project(prev.lat, prev.lon)
			if px == x && py == y {
				// Networks crossed without moving on the map: ring the point in their colours.
				for k, a := range pt.via {
					addLegend(a)
					v.Rings = append(v.Rings, mapRing{X: x, Y: y, R: v.Unit * (1.8 + 0.7*float64(k)), Color: colors.color(a), ASN: a,
						Title: fmt.Sprintf("%s also crosses %s %s here", pt.label, asLabel(a), operators[a])})
				}
				continue
			}
			km := enrich.Distance(prev.lat, prev.lon, pt.lat, pt.lon)
			// The line crosses the networks of unlocated hops first, then reaches pt's network.
			asns := append(append([]uint32(nil), pt.via...), pt.asn)
			for k, a := range asns[:len(asns)-1] {
				addLegend(a)
				f0, f1 := float64(k)/float64(len(asns)), float64(k+1)/float64(len(asns))
				v.Segments = append(v.Segments, mapSegment{X1: px + (x-px)*f0, Y1: py + (y-py)*f0, X2: px + (x-px)*f1, Y2: py + (y-py)*f1,
					Color: colors.color(a), ASN: a, FromTTL: prev.ttl, ToTTL: pt.ttl, Hosts: []string{rt.host}, DistanceKm: km,
					Title: fmt.Sprintf("%s → %s via %s", prev.label, pt.label, asLabel(a))})
			}
			f0 := float64(len(asns)-1) / float64(len(asns))
			seg := mapSegment{X1: px + (x-px)*f0, Y1: py + (y-py)*f0, X2: x, Y2: y, Color: color, ASN: pt.asn, FromTTL: prev.ttl, ToTTL: pt.ttl,
				Hosts: []string{rt.host}, DistanceKm: km, Dashed: pt.kind == "destination" && !pt.hasMs && pt.ttl == 0}
			seg.Title = fmt.Sprintf("%s → %s: %s km", prev.label, pt.label, explain.GroupDigits(km))
			if km >= 1000 {
				seg.X1, seg.Y1 = px, py // the label and the long-haul class belong to the whole span
				seg.LongHaul = true
				seg.LabelX, seg.LabelY = (px+x)/2, (py+y)/2-v.Unit
				seg.Label = explain.GroupDigits(km) + " km"
				if prev.hasMs && pt.hasMs && pt.minMs > prev.minMs {
					seg.Label += fmt.Sprintf(" · +%.0f ms", pt.minMs-prev.minMs)
				}
				seg.Label += fmt.Sprintf(" (light ≥ %.0f ms)", km/explain.FibreKmPerMs)
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
func dedupePoints(pts []routePoint) []routePoint {
	var out []routePoint
	for _, p := range pts {
		if n := len(out); n > 0 && math.Abs(out[n-1].lat-p.lat) < 0.01 && math.Abs(out[n-1].lon-p.lon) < 0.01 {
			prev := out[n-1]
			if prev.kind == "source" || p.kind == "destination" {
				// Keep both markers; the zero-length segment between them is skipped.
				out = append(out, p)
				continue
			}
			p.via = append(append([]uint32(nil), prev.via...), p.via...)
			if prev.hasMs && (!p.hasMs || prev.minMs < p.minMs) {
				p.minMs, p.hasMs = prev.minMs, true
			}
			if p.asn == 0 {
				p.asn = prev.asn
			}
			out[n-1] = p
			continue
		}
		out = append(out, p)
	}
	return out
}

func shortLabel(p routePoint) string {
	switch p.kind {
	case "source":
		return "you"
	case "destination":
		return "server"
	}
	return fmt.Sprint(p.ttl)
}

// svgFloat keeps SVG attribute output short.
func svgFloat(f float64) template.HTMLAttr {
	return template.HTMLAttr(fmt.Sprintf("%.1f", f))
}
