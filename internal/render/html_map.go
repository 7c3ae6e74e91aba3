package render

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"hopscope/internal/report"
	"hopscope/internal/worldmap"
)

// asPalette colours operators in order of first appearance; distinguishable on a light map and for most
// colour-vision deficiencies (Okabe–Ito, then Tableau).
var asPalette = []string{
	"#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442",
	"#4E79A7", "#F28E2B", "#59A14F", "#B07AA1", "#9C755F", "#76B7B2", "#EDC948",
}

// unknownColor marks hops without an AS (private, unannounced, silent, unknown).
const unknownColor = "#8c8c8c"

// asColors assigns palette colours to operators in order of first appearance across paths, so the sibling
// ASes of one operator (Optus's AS4804 and AS7474) share a colour; an AS whose operator is unknown is
// coloured on its own. Beyond the palette a stable hash picks one.
type asColors struct {
	idx map[string]string
	// operator names each AS's operator, learnt from the paths' carriers and networks.
	operator map[uint32]string
	n        int
}

func newASColors() *asColors {
	return &asColors{idx: map[string]string{}, operator: map[uint32]string{}}
}

// learn records the operator of every AS the paths name: a carrier's sibling ASes first (the report
// merges them under one name), then each network's own operator.
func (c *asColors) learn(paths []*report.Path) {
	for _, p := range paths {
		for _, cr := range p.Findings.Carriers {
			for _, a := range cr.ASNs {
				if c.operator[a] == "" && cr.Name != "" {
					c.operator[a] = cr.Name
				}
			}
		}
		for _, n := range p.Networks {
			if c.operator[n.ASN] == "" && n.Operator != "" {
				c.operator[n.ASN] = n.Operator
			}
		}
	}
}

// key is what shares a colour and a legend entry: the operator's name, else the AS.
func (c *asColors) key(asn uint32) string {
	if op := c.operator[asn]; op != "" {
		return "op:" + strings.ToLower(op)
	}
	return fmt.Sprintf("as:%d", asn)
}

func (c *asColors) color(asn uint32) string {
	if asn == 0 {
		return unknownColor
	}
	k := c.key(asn)
	if s, ok := c.idx[k]; ok {
		return s
	}
	var s string
	if c.n < len(asPalette) {
		s = asPalette[c.n]
	} else {
		h := fnv.New32a()
		fmt.Fprint(h, k)
		s = fmt.Sprintf("hsl(%d,65%%,45%%)", h.Sum32()%360)
	}
	c.n++
	c.idx[k] = s
	return s
}

// mapView is everything the map template draws, in map coordinates.
type mapView struct {
	ViewBox string
	// Countries is the pre-rendered <g id="world"> of country outlines (the same for every map); Copies
	// are the offsets where a map wrapping past ±180 draws it again.
	Countries template.HTML
	Copies    []float64
	Segments  []mapSegment
	Markers   []mapMarker
	// Rings mark networks crossed at one place (hops located together, or unlocated hops between them).
	Rings []mapRing
	// Areas are the uncertainty of points known only by their country.
	Areas []mapArea
	// Labels name each place drawn: the place, and who is there (you, hop numbers, the server).
	Labels      []mapLabel
	Legend      []legendItem
	Attribution string
	// Unit scales strokes, text and markers to the zoom (map units per ~1/150 of the view width).
	Unit float64
	// Missing says why some hops are not on the map; empty when all are.
	Missing string
	// NotLocated names the destinations drawn nowhere because nothing places them.
	NotLocated []string
}

type mapSegment struct {
	// Points is the polyline along the leg's great circle.
	Points         [][2]float64
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
	// DistanceKm is the report's leg (RoutePoint.LegKm), as the text states it.
	DistanceKm float64
	Dashed     bool
}

// PointsAttr is the SVG points attribute of the polyline.
func (s mapSegment) PointsAttr() string {
	var b strings.Builder
	for i, p := range s.Points {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", p[0], p[1])
	}
	return b.String()
}

type mapMarker struct {
	X, Y  float64
	Kind  string // "source", "hop", "destination"
	Color string
	TTL   int
	Label string
	Title string
	// Approx is "country" for a destination drawn at its country's centre.
	Approx string
	// Lat and Lon are the point's place as the report gives it (data attributes for tests and tools).
	Lat, Lon float64
}

type mapRing struct {
	X, Y, R float64
	Color   string
	ASN     uint32
	Title   string
}

// mapArea is a dashed ellipse around a point known only by its country: a circle of the country's size
// on the ground, widened by the projection away from the equator.
type mapArea struct {
	X, Y, RX, RY float64
	RadiusKm     float64
	Title        string
}

// mapLabel names one drawn place.
type mapLabel struct {
	X, Y float64
	Text string
	// Kinds lists who is at the place ("source hop destination"), for styling and tests.
	Kinds string
	// End anchors the text at its end: the label sits left of its place.
	End bool
}

type legendItem struct {
	Color    string
	ASN      uint32
	ASNs     []uint32
	Operator string
}

// ASList is "AS4804, AS7474".
func (l legendItem) ASList() string {
	var parts []string
	for _, a := range l.ASNs {
		parts = append(parts, asLabel(a))
	}
	return strings.Join(parts, ", ")
}

// ASNAttr is the ASes as a data attribute ("4804 7474").
func (l legendItem) ASNAttr() string {
	var parts []string
	for _, a := range l.ASNs {
		parts = append(parts, fmt.Sprint(a))
	}
	return strings.Join(parts, " ")
}

// mapPoint is a route point with where the map draws it: its longitude continued along the route (past
// ±180 across the antimeridian) and shifted with the whole map, its leg's arc likewise, and every hop
// number merged into it.
type mapPoint struct {
	report.RoutePoint
	lon  float64
	arc  [][2]float64
	ttls []int
}

// unwrapRoute places each point where its leg's arc ends, so the route is one line across ±180.
func unwrapRoute(pts []report.RoutePoint) []mapPoint {
	out := make([]mapPoint, len(pts))
	for i, p := range pts {
		out[i] = mapPoint{RoutePoint: p, lon: p.Lon, arc: p.Arc}
		if i > 0 && len(p.Arc) > 0 {
			out[i].lon = p.Arc[len(p.Arc)-1][1]
		}
		if p.TTL > 0 && p.Kind != "source" {
			out[i].ttls = []int{p.TTL}
		}
	}
	return out
}

// buildMap draws the routes of paths over the world, zoomed to fit them.
func buildMap(paths []*report.Path, colors *asColors) mapView {
	type route struct {
		host string
		pts  []mapPoint
	}
	var routes []route
	unlocated := 0
	var notLocated []string
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range paths {
		unlocated += p.Unlocated
		host := p.Target.Name
		if host == "" {
			host = p.Target.Addr
		}
		pts := unwrapRoute(p.Route)
		routes = append(routes, route{host, pts})
		for _, pt := range pts {
			for _, a := range pt.arc {
				lo, hi = math.Min(lo, a[1]), math.Max(hi, a[1])
			}
			lo, hi = math.Min(lo, pt.lon), math.Max(hi, pt.lon)
		}
		if !slices.ContainsFunc(p.Route, func(r report.RoutePoint) bool { return r.Kind == "destination" }) {
			name := p.Findings.Destination.Addr
			if name == "" {
				name = p.Target.Addr
			}
			if host != "" && host != name {
				name += " (" + host + ")"
			}
			notLocated = append(notLocated, name)
		}
	}
	// One shift for the whole map: the routes' middle longitude inside the world, so a route across the
	// Pacific needs at most one copy of the world beside it.
	shift := 0.0
	if !math.IsInf(lo, 0) {
		shift = -360 * math.Round((lo+hi)/2/360)
	}
	var all [][2]float64
	for ri := range routes {
		for i := range routes[ri].pts {
			pt := &routes[ri].pts[i]
			pt.lon += shift
			if len(pt.arc) > 0 {
				arc := make([][2]float64, len(pt.arc))
				for k, a := range pt.arc {
					arc[k] = [2]float64{a[0], a[1] + shift}
				}
				pt.arc = arc
			}
			all = append(all, [2]float64{pt.Lat, pt.lon})
			if pt.RadiusKm > 0 {
				dLat := math.Min(pt.RadiusKm/111.32, 30)
				all = append(all, [2]float64{math.Min(pt.Lat+dLat, 85), pt.lon}, [2]float64{math.Max(pt.Lat-dLat, -85), pt.lon})
			}
		}
	}
	box := worldmap.FitWrapped(all, 12)
	v := mapView{ViewBox: box.ViewBox(), Countries: countriesSVG(), Copies: worldmap.Copies(box), Attribution: worldmap.Attribution(), Unit: box.W / 150}
	if unlocated > 0 {
		v.Missing = fmt.Sprintf("%d answering hop(s) have no known location and are not drawn.", unlocated)
	}
	v.NotLocated = summarizeNotLocated(notLocated)
	seenLegend := map[string]int{}
	addLegend := func(asn uint32) {
		k := colors.key(asn)
		if i, ok := seenLegend[k]; ok {
			if !slices.Contains(v.Legend[i].ASNs, asn) {
				v.Legend[i].ASNs = append(v.Legend[i].ASNs, asn)
			}
			return
		}
		seenLegend[k] = len(v.Legend)
		v.Legend = append(v.Legend, legendItem{Color: colors.color(asn), ASN: asn, ASNs: []uint32{asn}, Operator: colors.operator[asn]})
	}
	project := func(lat, lon float64) [2]float64 {
		x, y := worldmap.Project(lat, lon)
		return [2]float64{x, y}
	}
	labels := newLabeller()
	for _, rt := range routes {
		pts := dedupePoints(rt.pts)
		for i, pt := range pts {
			for _, a := range pt.Via {
				addLegend(a) // the legend follows the path: networks crossed before reaching pt first
			}
			x, y := worldmap.Project(pt.Lat, pt.lon)
			color := colors.color(pt.ASN)
			if pt.Kind == "source" {
				color = "#222"
			} else {
				addLegend(pt.ASN)
			}
			v.Markers = append(v.Markers, mapMarker{X: x, Y: y, Kind: pt.Kind, Color: color, TTL: pt.TTL, Label: shortLabel(pt.RoutePoint),
				Title: pt.Label, Approx: pt.Approx, Lat: pt.Lat, Lon: pt.Lon})
			labels.add(x, y, pt)
			if pt.Approx == "country" && pt.RadiusKm > 0 {
				ry := pt.RadiusKm / 111.32 * worldmap.Scale
				rx := ry / math.Max(math.Cos(pt.Lat*math.Pi/180), 0.2)
				ry, rx = math.Max(ry, v.Unit*3), math.Max(rx, v.Unit*3)
				v.Areas = append(v.Areas, mapArea{X: x, Y: y, RX: rx, RY: ry, RadiusKm: pt.RadiusKm,
					Title: fmt.Sprintf("%s: within about %s km of this point", pt.Label, report.GroupDigits(pt.RadiusKm))})
			}
			if i == 0 {
				continue
			}
			prev := pts[i-1]
			px, py := worldmap.Project(prev.Lat, prev.lon)
			if math.Abs(px-x) < 0.05 && math.Abs(py-y) < 0.05 {
				// Networks crossed without moving on the map: ring the point in their colours.
				for k, a := range pt.Via {
					addLegend(a)
					v.Rings = append(v.Rings, mapRing{X: x, Y: y, R: v.Unit * (1.8 + 0.7*float64(k)), Color: colors.color(a), ASN: a,
						Title: fmt.Sprintf("%s also crosses %s %s here", pt.Label, asLabel(a), colors.operator[a])})
				}
				continue
			}
			line := make([][2]float64, 0, len(pt.arc))
			for _, a := range pt.arc {
				line = append(line, project(a[0], a[1]))
			}
			if len(line) < 2 {
				line = [][2]float64{{px, py}, {x, y}}
			}
			km := pt.LegKm
			dashed := pt.Kind == "destination" && (pt.Approx != "" || (!pt.HasMs && pt.TTL == 0))
			// The line crosses the networks of unlocated hops first, then reaches pt's network.
			asns := append(append([]uint32(nil), pt.Via...), pt.ASN)
			for k, a := range asns[:len(asns)-1] {
				addLegend(a)
				f0, f1 := float64(k)/float64(len(asns)), float64(k+1)/float64(len(asns))
				v.Segments = append(v.Segments, mapSegment{Points: subLine(line, f0, f1),
					Color: colors.color(a), ASN: a, FromTTL: prev.TTL, ToTTL: pt.TTL, Hosts: []string{rt.host}, DistanceKm: km, Dashed: dashed,
					Title: fmt.Sprintf("%s → %s via %s", prev.Label, pt.Label, asLabel(a))})
			}
			f0 := float64(len(asns)-1) / float64(len(asns))
			seg := mapSegment{Points: subLine(line, f0, 1), Color: color, ASN: pt.ASN, FromTTL: prev.TTL, ToTTL: pt.TTL,
				Hosts: []string{rt.host}, DistanceKm: km, Dashed: dashed}
			approx := ""
			if pt.Approx == "country" {
				approx = "≈"
			}
			seg.Title = fmt.Sprintf("%s → %s: %s%s km", prev.Label, pt.Label, approx, report.GroupDigits(km))
			if km >= 1000 {
				seg.Points = line // the label and the long-haul class belong to the whole span
				seg.LongHaul = true
				mid := line[len(line)/2]
				seg.LabelX, seg.LabelY = mid[0], mid[1]-v.Unit
				seg.Label = approx + report.GroupDigits(km) + " km"
				if pt.Approx == "country" {
					seg.Label += " to the centre of " + pt.Place
				} else {
					if prev.HasMs && pt.HasMs && pt.MinMs > prev.MinMs {
						seg.Label += fmt.Sprintf(" · +%.0f ms", pt.MinMs-prev.MinMs)
					}
					seg.Label += fmt.Sprintf(" (light ≥ %.0f ms)", pt.LegLightMs)
				}
			}
			v.Segments = append(v.Segments, seg)
		}
	}
	v.Segments = dedupeSegments(v.Segments)
	v.Markers = dedupeMarkers(v.Markers)
	v.Labels = labels.labels(v.Unit, box, v.Segments)
	return v
}

// summarizeNotLocated lists up to five unlocated destinations, then how many more.
func summarizeNotLocated(names []string) []string {
	if len(names) <= 5 {
		return names
	}
	return append(names[:5:5], fmt.Sprintf("and %d more", len(names)-5))
}

// subLine returns the part of a polyline between fractions f0 and f1 of its length.
func subLine(line [][2]float64, f0, f1 float64) [][2]float64 {
	if f0 <= 0 && f1 >= 1 {
		return line
	}
	cum := make([]float64, len(line))
	for i := 1; i < len(line); i++ {
		cum[i] = cum[i-1] + math.Hypot(line[i][0]-line[i-1][0], line[i][1]-line[i-1][1])
	}
	total := cum[len(cum)-1]
	at := func(d float64) [2]float64 {
		for i := 1; i < len(line); i++ {
			if d <= cum[i] || i == len(line)-1 {
				seg := cum[i] - cum[i-1]
				f := 0.0
				if seg > 0 {
					f = math.Max(0, math.Min(1, (d-cum[i-1])/seg))
				}
				return [2]float64{line[i-1][0] + (line[i][0]-line[i-1][0])*f, line[i-1][1] + (line[i][1]-line[i-1][1])*f}
			}
		}
		return line[0]
	}
	d0, d1 := f0*total, f1*total
	out := [][2]float64{at(d0)}
	for i := 1; i < len(line)-1; i++ {
		if cum[i] > d0 && cum[i] < d1 {
			out = append(out, line[i])
		}
	}
	return append(out, at(d1))
}

// labeller gathers who is at each drawn place, for one label per place.
type labeller struct {
	order []string
	at    map[string]*placeLabel
}

type placeLabel struct {
	x, y   float64
	place  string
	you    bool
	server string // "server", or "server (country only)"
	ttls   []int
}

func newLabeller() *labeller { return &labeller{at: map[string]*placeLabel{}} }

func (l *labeller) add(x, y float64, pt mapPoint) {
	k := fmt.Sprintf("%.1f,%.1f", x, y)
	pl, ok := l.at[k]
	if !ok {
		pl = &placeLabel{x: x, y: y, place: pt.Place}
		l.at[k] = pl
		l.order = append(l.order, k)
	}
	switch pt.Kind {
	case "source":
		pl.you = true
	case "destination":
		pl.server = "server"
		if pt.Approx == "country" {
			pl.server = "server (somewhere in " + pt.Place + ")"
		}
	}
	for _, t := range pt.ttls {
		if !slices.Contains(pl.ttls, t) {
			pl.ttls = append(pl.ttls, t)
		}
	}
}

// labels are "Sydney, AU — you, hops 5–7", "Los Angeles, US — hop 8", "CN — server (somewhere in CN)".
func (l *labeller) labels(unit float64, box worldmap.Box, segs []mapSegment) []mapLabel {
	// The distance labels on long legs are placed already: place labels keep off them too.
	var out []mapLabel
	font := unit * 1.5
	for _, sg := range segs {
		if sg.LongHaul {
			w := float64(utf8.RuneCountInString(sg.Label)) * font * 0.55
			out = append(out, mapLabel{X: sg.LabelX - w/2, Y: sg.LabelY, Text: sg.Label})
		}
	}
	obstacles := len(out)
	for _, k := range l.order {
		pl := l.at[k]
		var who, kinds []string
		if pl.you {
			who, kinds = append(who, "you"), append(kinds, "source")
		}
		if len(pl.ttls) > 0 {
			slices.Sort(pl.ttls)
			who, kinds = append(who, hopRange(pl.ttls)), append(kinds, "hop")
		}
		if pl.server != "" {
			who, kinds = append(who, pl.server), append(kinds, "destination")
		}
		text := strings.Join(who, ", ")
		if pl.place != "" && pl.server != "server (somewhere in "+pl.place+")" {
			text = pl.place + " — " + text
		}
		out = append(out, placeLabelAt(pl.x, pl.y, text, strings.Join(kinds, " "), unit, box, out))
	}
	return out[obstacles:]
}

// placeLabelAt puts a label beside its place where it overlaps no label placed before and stays inside
// the box: right of the place, else left, else a line lower or higher, and so on.
func placeLabelAt(x, y float64, text, kinds string, unit float64, box worldmap.Box, placed []mapLabel) mapLabel {
	font := unit * 1.5
	w := float64(utf8.RuneCountInString(text)) * font * 0.55
	rect := func(l mapLabel) (x0, y0, x1, y1 float64) {
		lw := float64(utf8.RuneCountInString(l.Text)) * font * 0.55
		if l.End {
			return l.X - lw, l.Y - font, l.X, l.Y + font*0.3
		}
		return l.X, l.Y - font, l.X + lw, l.Y + font*0.3
	}
	free := func(c mapLabel) bool {
		ax0, ay0, ax1, ay1 := rect(c)
		if ax0 < box.X || ax1 > box.X+box.W {
			return false
		}
		for _, o := range placed {
			bx0, by0, bx1, by1 := rect(o)
			if ax0 < bx1 && bx0 < ax1 && ay0 < by1 && by0 < ay1 {
				return false
			}
		}
		return true
	}
	right := mapLabel{X: x + unit*1.8, Y: y + font*0.35, Text: text, Kinds: kinds}
	left := mapLabel{X: x - unit*1.8, Y: y + font*0.35, Text: text, Kinds: kinds, End: true}
	if x+unit*1.8+w > box.X+box.W {
		right, left = left, right
	}
	for k := 0; k < 8; k++ {
		dy := float64((k+1)/2) * font * 1.2
		if k%2 == 1 {
			dy = -dy
		}
		for _, c := range []mapLabel{right, left} {
			c.Y += dy
			if free(c) {
				return c
			}
		}
	}
	return right
}

// hopRange is "hop 8", "hops 5–7" or "hops 3, 5–7".
func hopRange(ttls []int) string {
	if len(ttls) == 1 {
		return fmt.Sprintf("hop %d", ttls[0])
	}
	var parts []string
	for i := 0; i < len(ttls); {
		j := i
		for j+1 < len(ttls) && ttls[j+1] == ttls[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d–%d", ttls[i], ttls[j]))
		} else {
			parts = append(parts, fmt.Sprint(ttls[i]))
		}
		i = j + 1
	}
	return "hops " + strings.Join(parts, ", ")
}

// countriesSVG renders the country outlines once per process; every map reuses the markup.
var countriesSVG = sync.OnceValue(func() template.HTML {
	var sb strings.Builder
	sb.WriteString(`<g class="countries" id="world">`)
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
		points string
		asn    uint32
		label  string
	}
	idx := map[key]int{}
	var out []mapSegment
	for _, s := range segs {
		k := key{s.PointsAttr(), s.ASN, s.Label}
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
// segment that reaches the place) but remembering the earliest RTT there, the leg that reached it and
// every hop number.
func dedupePoints(pts []mapPoint) []mapPoint {
	var out []mapPoint
	for _, p := range pts {
		if n := len(out); n > 0 && math.Abs(out[n-1].Lat-p.Lat) < 0.01 && math.Abs(out[n-1].lon-p.lon) < 0.01 {
			prev := out[n-1]
			if prev.Kind == "source" || p.Kind == "destination" {
				// Keep both markers; the zero-length segment between them is skipped.
				out = append(out, p)
				continue
			}
			p.Via = append(append([]uint32(nil), prev.Via...), p.Via...)
			// The leg into the place is the one that reached the earlier point there.
			p.LegKm, p.LegLightMs, p.arc = prev.LegKm, prev.LegLightMs, prev.arc
			p.ttls = append(append([]int(nil), prev.ttls...), p.ttls...)
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
