package live

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"hopscope/internal/report"
	"hopscope/internal/safetext"
)

// colID names a column of the hop table.
type colID int

const (
	colHop colID = iota
	colHost
	colAS
	colOperator
	colPlace
	colLoss
	colSent
	colLast
	colAvg
	colBest
	colWorst
	colStdDev
	colJitter
	colHistory
)

// colSpec is a column's title and width: width is fixed unless max is larger, in which case width is
// the least the column needs and it grows towards max with room to spare.
type colSpec struct {
	title      string
	width, max int
	right      bool
}

var specs = [...]colSpec{
	colHop:      {title: "Hop", width: 4, right: true},
	colHost:     {title: "Host", width: 16, max: 40},
	colAS:       {title: "AS", width: 9},
	colOperator: {title: "Operator", width: 10, max: 24},
	colPlace:    {title: "Place", width: 10, max: 22},
	colLoss:     {title: "Loss%", width: 6, right: true},
	colSent:     {title: "Snt", width: 4, right: true},
	colLast:     {title: "Last", width: 6, right: true},
	colAvg:      {title: "Avg", width: 6, right: true},
	colBest:     {title: "Best", width: 6, right: true},
	colWorst:    {title: "Wrst", width: 6, right: true},
	colStdDev:   {title: "StDev", width: 6, right: true},
	colJitter:   {title: "Jttr", width: 6, right: true},
	colHistory:  {title: "History", width: 8, max: 24},
}

// displayOrder is the left-to-right order of the columns: who and where, then mtr's statistics, then
// the latency history.
var displayOrder = []colID{colHop, colHost, colAS, colOperator, colPlace,
	colLoss, colSent, colLast, colAvg, colBest, colWorst, colStdDev, colJitter, colHistory}

// fitSteps is the order columns claim width in; a column that does not fit is left out and the next
// is tried, so a narrow terminal keeps the hop, host, loss and recent latency, and shows the AS and
// place a user switched on before the rarer statistics. A step naming a column already placed grows it
// to width first (host names get room before the operator and jitter columns).
var fitSteps = []struct {
	id    colID
	width int // 0: the column's least width
}{
	{colHop, 0}, {colHost, 0}, {colLoss, 0}, {colSent, 0}, {colLast, 0}, {colAvg, 0}, {colAS, 0}, {colPlace, 0},
	{colHistory, 0}, {colBest, 0}, {colWorst, 0}, {colStdDev, 0}, {colHost, 26}, {colOperator, 0}, {colJitter, 0},
}

// growOrder is the order flexible columns take the width left over, in stages: first each to a
// comfortable width, then each to its most.
var growOrder = []colID{colHost, colOperator, colPlace, colHistory}

var growStages = []map[colID]int{
	{colHost: 26, colOperator: 16, colPlace: 14, colHistory: 12},
	{colHost: specs[colHost].max, colOperator: specs[colOperator].max, colPlace: specs[colPlace].max, colHistory: specs[colHistory].max},
}

// toggles are what the user switched on or off.
type toggles struct {
	names  bool // host names rather than addresses (n)
	as     bool // AS and operator columns (a)
	places bool // place column (l)
	all    bool // every responder of a hop on its own row (d)
}

// placed is a column with the width it got.
type placed struct {
	id    colID
	width int
}

// layout chooses the columns that fit in width cells (one space between columns) and their widths,
// in display order; hidden lists the columns switched on that did not fit, in display order.
func layout(width int, t toggles) (cols []placed, hidden []colID) {
	on := func(id colID) bool {
		switch id {
		case colAS, colOperator:
			return t.as
		case colPlace:
			return t.places
		}
		return true
	}
	got := map[colID]int{}
	used := -1 // no gap before the first column
	for _, st := range fitSteps {
		if !on(st.id) {
			continue
		}
		if w, ok := got[st.id]; ok {
			add := min(max(st.width-w, 0), width-used)
			got[st.id] += add
			used += add
		} else if w := specs[st.id].width; used+1+w <= width {
			got[st.id] = w
			used += 1 + w
		}
	}
	for _, stage := range growStages {
		for _, id := range growOrder {
			if w, ok := got[id]; ok && stage[id] > w {
				add := min(stage[id]-w, width-used)
				got[id] += add
				used += add
			}
		}
	}
	for _, id := range displayOrder {
		if w, ok := got[id]; ok {
			cols = append(cols, placed{id, w})
		} else if on(id) {
			hidden = append(hidden, id)
		}
	}
	return cols, hidden
}

// row is one line of the hop table: a hop, or (when every responder shows) one more responder of it.
type row struct {
	hop                     string // "3." on a hop's row; "" on a responder's sub-row or a note
	host                    string
	as, operator, place     string
	fig                     figures
	spark                   []float64
	alert, sub, note, lossy bool
}

// maxSubRows bounds the responders listed under one hop (a load balancer can show thousands).
const maxSubRows = 8

// buildRows turns a path report into table rows. hist gives each TTL's latency history.
func buildRows(p *report.Path, t toggles, hist map[int]*history) []row {
	if p == nil {
		return nil
	}
	var rows []row
	for _, h := range p.Hops {
		r := row{hop: fmt.Sprintf("%d.", h.TTL), fig: hopFigures(h), alert: h.Severity == "alert"}
		// The view's own history marks lost rounds; the report's window of RTTs stands in before the
		// view has seen a round (a saved continuous run).
		r.spark = r.fig.samples
		if hs := hist[h.TTL]; hs != nil && len(hs.samples) > 0 {
			r.spark = hs.samples
		}
		r.as, r.operator, r.place = hopIdentity(h)
		switch {
		case len(h.Responders) == 0:
			r.host = "???"
		default:
			first := h.Responders[0]
			r.host = hostLabel(first, t.names)
			if as, op, pl := responderIdentity(first, h); as != "" || op != "" || pl != "" {
				r.as, r.operator, r.place = as, op, pl
			}
			if n := len(h.Responders) - 1; n > 0 && !t.all {
				r.host += fmt.Sprintf(" (+%d)", n)
			}
		}
		r.lossy = r.fig.lossPct > 0
		rows = append(rows, r)
		if !t.all || len(h.Responders) < 2 {
			continue
		}
		more := h.Responders[1:]
		for i, x := range more {
			if i == maxSubRows {
				rows = append(rows, row{sub: true, note: true, host: fmt.Sprintf("… %d more responders", len(more)-i), fig: noFigures()})
				break
			}
			s := row{sub: true, host: hostLabel(x, t.names), fig: responderFigures(x)}
			s.as, s.operator, s.place = responderIdentity(x, h)
			s.lossy = s.fig.lossPct > 0
			rows = append(rows, s)
		}
	}
	return rows
}

// hostLabel is a responder's name or address, whichever the user asked for, falling back to the
// other when it is unknown; untrusted text is made safe for the terminal.
func hostLabel(r report.PathResponder, names bool) string {
	s := r.Addr
	if names && r.Name != "" || s == "" {
		s = r.Name
	}
	if s == "" {
		s = "?"
	}
	return safetext.Line(s)
}

// responderIdentity is a responder's AS, operator and place as the report labelled them.
func responderIdentity(r report.PathResponder, h report.PathHop) (as, operator, place string) {
	as, operator, place = r.AS, r.Operator, r.PlaceLabel
	if operator == "" {
		operator = h.Operator
	}
	return safetext.Line(as), safetext.Line(operator), safetext.Line(place)
}

// hopIdentity is the hop's own AS, operator and place, for a hop whose responders say nothing.
func hopIdentity(h report.PathHop) (as, operator, place string) {
	if h.ASN != 0 {
		as = fmt.Sprintf("AS%d", h.ASN)
	}
	if h.Place != nil {
		place = h.Place.Label
		if h.Place.Source == "hostname" {
			place += "*"
		}
	}
	return as, safetext.Line(h.Operator), safetext.Line(place)
}

// cell is the text of column id in r (unstyled, untruncated).
func (r row) cell(id colID) string {
	switch id {
	case colHop:
		return r.hop
	case colHost:
		if r.sub && !r.note {
			return "  " + r.host
		}
		return r.host
	case colAS:
		return dash(r.as, r.note)
	case colOperator:
		return dash(r.operator, r.note)
	case colPlace:
		return dash(r.place, r.note)
	}
	if r.note {
		return ""
	}
	switch id {
	case colLoss:
		return r.fig.lossCell()
	case colSent:
		return sentText(r.fig.sent)
	case colLast:
		return msText(r.fig.last)
	case colAvg:
		return msText(r.fig.avg)
	case colBest:
		return msText(r.fig.best)
	case colWorst:
		return msText(r.fig.worst)
	case colStdDev:
		return msText(r.fig.stddev)
	case colJitter:
		return msText(r.fig.jitter)
	}
	return ""
}

func dash(s string, note bool) string {
	if s == "" && !note {
		return "-"
	}
	return s
}

// fit truncates s to w cells (in the middle when middle is set, keeping both ends of a host name) and
// pads it to exactly w cells, on the left when right is set.
func fit(s string, w int, right, middle bool) string {
	if ansi.StringWidth(s) > w {
		if middle {
			s = truncMiddle(s, w)
		} else {
			s = ansi.Truncate(s, w, "…")
		}
	}
	pad := strings.Repeat(" ", max(w-ansi.StringWidth(s), 0))
	if right {
		return pad + s
	}
	return s + pad
}

// truncMiddle shortens s to at most w cells by replacing its middle with "…":
// "ae-5.r21.frnkge08.de.bb.gin.ntt.net" at 20 cells is "ae-5.r21.f…gin.ntt.net".
func truncMiddle(s string, w int) string {
	n := ansi.StringWidth(s)
	if n <= w {
		return s
	}
	if w < 3 {
		return ansi.Truncate(s, w, "")
	}
	keep := w - 1
	head := (keep + 1) / 2
	tail := keep - head
	return ansi.Truncate(s, head, "") + "…" + ansi.TruncateLeft(s, n-tail, "")
}
