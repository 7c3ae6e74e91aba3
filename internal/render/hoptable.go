package render

import (
	"iter"
	"math"
	"strconv"
	"strings"
	"sync"

	"hopscope/internal/report"
)

// noteStyle colours a hop's notes by their severity.
func noteStyle(h report.PathHop) string {
	switch h.Severity {
	case "alert":
		return ansiRed
	case "note":
		return ansiYellow
	}
	return ""
}

// hopTable is the layout of a path's hop table: which optional columns were measured.
type hopTable struct {
	// loss shows LOSS%: an aggregate source or rounds measured it, or a hop's loss means something.
	loss bool
	// rounds shows mtr's columns (SNT, LAST, AVG, BEST, WRST, STDEV) and jitter in place of MIN and MED:
	// the path was measured over rounds (ours, or an imported mtr report).
	rounds bool
	// filled marks the columns some row has a value in: a rounds column nothing filled (mtr's report
	// has no jitter) is left out. Worked out only when rounds is set: nothing else reads it.
	filled [numHopCols]bool
}

// newHopTable looks at every hop once to decide the optional columns; when the path was measured over
// rounds it lays out every row once more to see which rounds columns have a value.
func newHopTable(p *report.Path) hopTable {
	var t hopTable
	for _, h := range p.Hops {
		if len(h.Rounds) > 0 {
			t.rounds = true
		}
		switch h.LossVerdict {
		case "path", "carried", "rate-limit", "destination":
			t.loss = true
		}
		if h.Stats != nil && h.Stats.Sent >= 10 {
			t.loss = true
		}
		for _, r := range h.Responders {
			if r.Loss != nil {
				t.loss, t.rounds = true, true
			}
		}
	}
	t.loss = t.loss || t.rounds
	if !t.rounds {
		return t // filled only decides the rounds columns
	}
	for row := range hopRows(p) {
		for i, c := range row {
			t.filled[i] = t.filled[i] || c.text != ""
		}
	}
	return t
}

// Hop table column indexes.
const (
	colHop = iota
	colAddr
	colName
	colAS
	colOperator
	colPlace
	colLoss
	colSnt
	colLast
	colAvg
	colBest
	colWrst
	colStDev
	colJitter
	colMin
	colMed
	colNotes
	numHopCols
)

// columns is the hop table's header and how each column fits a narrow terminal: operator and place are
// cut first (the AS still names the network) and mtr's SNT and LAST go, then the router's name is cut (in
// the middle: both ends carry meaning) and the median or STDEV goes, then IPv6 addresses are cut, then
// WRST, BEST and last JTTR go; LOSS% and AVG stay; the notes go under the row.
func (ht hopTable) columns() []column {
	return []column{
		colHop:      {head: "HOP", right: true},
		colAddr:     {head: "ADDRESS", min: 15, order: 3},
		colName:     {head: "NAME", min: 14, order: 2},
		colAS:       {head: "AS"},
		colOperator: {head: "OPERATOR", min: 10, order: 1, cutEnd: true},
		colPlace:    {head: "LOCATION", min: 10, order: 1},
		colLoss:     {head: "LOSS%", right: true},
		colSnt:      {head: "SNT", right: true, order: 1, drop: true},
		colLast:     {head: "LAST", right: true, order: 1, drop: true},
		colAvg:      {head: "AVG", right: true},
		colBest:     {head: "BEST", right: true, order: 5, drop: true},
		colWrst:     {head: "WRST", right: true, order: 4, drop: true},
		colStDev:    {head: "STDEV", right: true, order: 2, drop: true},
		colJitter:   {head: "JTTR", right: true, order: 6, drop: true},
		colMin:      {head: "MIN ms", right: true},
		colMed:      {head: "MED ms", right: true, order: 2, drop: true},
		colNotes:    {head: "NOTES", below: 24},
	}
}

// kept lists the columns the layout shows, in order.
func (ht hopTable) kept() []int {
	var out []int
	for i := range numHopCols {
		switch {
		case i == colLoss && !ht.loss,
			i >= colSnt && i <= colJitter && (!ht.rounds || !ht.filled[i]),
			(i == colMin || i == colMed) && ht.rounds:
			continue
		}
		out = append(out, i)
	}
	return out
}

// pick appends the shown columns (kept) of a full row (cells, columns or headers) to dst.
func pick[T any](dst []T, kept []int, row []T) []T {
	for _, i := range kept {
		dst = append(dst, row[i])
	}
	return dst
}

// hopRowCount is how many table rows hop h has: one per responder, one for a silent hop.
func hopRowCount(h report.PathHop) int {
	if h.Silent {
		return 1
	}
	return len(h.Responders)
}

// hopRows yields the hop table's rows, one per responder (one for a silent hop), in full column order.
// The row yielded is reused: it is valid until the next.
func hopRows(p *report.Path) iter.Seq[[]cell] {
	return func(yield func([]cell) bool) {
		row := make([]cell, numHopCols)
		for i := range p.Hops {
			h := &p.Hops[i]
			for k := range hopRowCount(*h) {
				hopRow(row, h, k)
				if !yield(row) {
					return
				}
			}
		}
	}
}

// shownRows is hopRows with only the kept columns.
func shownRows(p *report.Path, kept []int) iter.Seq[[]cell] {
	return func(yield func([]cell) bool) {
		shown := make([]cell, 0, len(kept))
		for row := range hopRows(p) {
			if !yield(pick(shown[:0], kept, row)) {
				return
			}
		}
	}
}

// hopRow lays out row k of hop h (responder k, or a silent hop's one row) in row, numHopCols cells in
// the hop table's full column order.
func hopRow(row []cell, h *report.PathHop, k int) {
	clear(row)
	if k == 0 {
		row[colHop] = cell{text: strconv.Itoa(h.TTL)}
	}
	if h.Silent {
		row[colAddr] = cell{text: "*", style: ansiDim}
		statCells(row, *h, nil, true)
		return
	}
	r := &h.Responders[k]
	row[colAddr], row[colName], row[colAS] = cell{text: r.Addr}, cell{text: r.Name}, cell{text: r.AS}
	row[colOperator], row[colPlace] = cell{text: r.Operator}, cell{text: r.PlaceLabel}
	if r.RTT != nil {
		row[colMin], row[colMed] = cell{text: fmtMs(r.RTT.MinMs)}, cell{text: fmtMs(r.RTT.MedianMs)}
	}
	statCells(row, *h, r, k == 0)
	if r.Info.Special != nil && r.Info.ASN == 0 {
		row[colOperator].style = ansiYellow
	}
	if k == 0 {
		row[colNotes] = cell{text: strings.Join(h.Notes, ", "), style: noteStyle(*h)}
	}
}

// fmtMs formats milliseconds for a table: one decimal, as fmt's %.1f writes it. Values from 0.0 to
// 999.9 that are not within a hair of a rounding tie come from a table, without formatting or allocating.
func fmtMs(v float64) string {
	if v >= 0 && v < 1000 && !math.Signbit(v) {
		t := v * 10
		n := math.Floor(t)
		if f := t - n; f < 0.5-1e-6 || f > 0.5+1e-6 {
			if f > 0.5 {
				n++
			}
			if n < 10000 {
				return tenths()[int(n)]
			}
		}
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// tenths holds "0.0" to "999.9", built on first use.
var tenths = sync.OnceValue(func() []string {
	out := make([]string, 10000)
	for i := range out {
		out[i] = strconv.Itoa(i/10) + "." + strconv.Itoa(i%10)
	}
	return out
})
