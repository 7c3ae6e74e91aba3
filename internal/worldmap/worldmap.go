// Package worldmap draws Natural Earth country shapes as SVG in an equirectangular projection, for route maps.
//
// The shapes come from the world-atlas package (Natural Earth, public domain; TopoJSON by Mike Bostock, ISC)
// and are converted by tools/genmap into countries.txt, embedded here.
package worldmap

import (
	"bufio"
	_ "embed"
	"fmt"
	"math"
	"strings"
	"sync"
)

// Scale is SVG units per degree; the world is 360*Scale wide and 180*Scale high.
const Scale = 10

//go:embed countries.txt
var countriesTxt string

// Country is one country's outline.
type Country struct {
	// ID is the ISO 3166-1 numeric code as a string ("702"); empty for a few disputed areas.
	ID   string
	Name string
	// Path is the outline as SVG path data in map coordinates.
	Path string
}

var (
	once      sync.Once
	countries []Country
	source    string
)

func load() {
	sc := bufio.NewScanner(strings.NewReader(countriesTxt))
	sc.Buffer(make([]byte, 0, 1<<16), 1<<22)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			source = strings.TrimSpace(strings.TrimPrefix(line, "#"))
			continue
		}
		f := strings.SplitN(line, "\t", 3)
		if len(f) != 3 {
			continue
		}
		countries = append(countries, Country{ID: f[0], Name: f[1], Path: f[2]})
	}
}

// Countries returns every country outline. The slice is shared: do not modify it.
func Countries() []Country {
	once.Do(load)
	return countries
}

// Attribution is the data source line to show under a map.
func Attribution() string {
	once.Do(load)
	return source
}

// Project maps latitude and longitude (degrees) to map coordinates.
func Project(lat, lon float64) (x, y float64) {
	return (lon + 180) * Scale, (90 - lat) * Scale
}

// Box is a rectangle in map coordinates.
type Box struct{ X, Y, W, H float64 }

// ViewBox returns the SVG viewBox attribute value.
func (b Box) ViewBox() string { return fmt.Sprintf("%.0f %.0f %.0f %.0f", b.X, b.Y, b.W, b.H) }

// World is the whole map.
var World = Box{0, 0, 360 * Scale, 180 * Scale}

// Fit returns a box around the given points (lat, lon pairs) with a margin, at least minDeg degrees wide,
// with a 2:1 aspect ratio, clamped to the world. No points gives World.
func Fit(points [][2]float64, minDeg float64) Box {
	if len(points) == 0 {
		return World
	}
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range points {
		x, y := Project(p[0], p[1])
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
	}
	w := math.Max(maxX-minX, minDeg*Scale) * 1.3
	h := math.Max(maxY-minY, minDeg*Scale/2) * 1.3
	if w < 2*h {
		w = 2 * h
	} else {
		h = w / 2
	}
	if w > World.W {
		return World
	}
	cx, cy := (minX+maxX)/2, (minY+maxY)/2
	b := Box{cx - w/2, cy - h/2, w, h}
	b.X = math.Max(0, math.Min(b.X, World.W-b.W))
	b.Y = math.Max(0, math.Min(b.Y, World.H-b.H))
	return b
}
