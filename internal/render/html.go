package render

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"sync"

	"hopscope/internal/report"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageTemplate parses the embedded templates on first use (not at start-up: most commands never render HTML).
var pageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page.html").Funcs(template.FuncMap{
		"f1":         svgFloat,
		"ms":         func(f float64) string { return fmt.Sprintf("%.1f ms", f) },
		"km":         report.GroupDigits,
		"join":       strings.Join,
		"add":        func(a, b int) int { return a + b },
		"asLabel":    asLabel,
		"bytes":      report.BytesLabel,
		"pct":        func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
		"joinAddrs":  joinAny,
		"responders": respondersHTML,
		"mul15":      func(f float64) float64 { return f * 1.5 },
		"addf":       func(a, b float64) float64 { return a + b },
		"subf":       func(a, b float64) float64 { return a - b },
		"halff":      func(f float64) float64 { return f / 2 },
		"mul03":      func(f float64) float64 { return f * 0.3 },
		"addi64":     func(a, b int64) int64 { return a + b },
		"shareTable": func(title, id string, rows []report.Share) map[string]any {
			return map[string]any{"Title": title, "ID": id, "Rows": rows}
		},
	}).ParseFS(templateFS, "templates/*.html"))
})

// htmlPage is the data of one self-contained report page.
type htmlPage struct {
	Title     string
	Tool      string
	Kind      string
	Paths     []htmlPath
	Map       *mapView
	Domains   *report.Domains
	Invest    *htmlInvestigation
	Pre       string // text rendering for kinds without a dedicated HTML view
	Generated string
	// Comparison of the paths to a name's several addresses; nil otherwise.
	Comparison *report.Comparison
	// Vantages compares the paths of one target from several vantage points; nil otherwise.
	Vantages *htmlVantage
}

// htmlPath is one path's view: the report section plus the derived drawings.
type htmlPath struct {
	*report.Path
	Title string
	// Impossible are the places the RTT rules out, worded as the text report's "Impossible" section.
	Impossible []string
	Chart      rttChart
	Chain      []chainBox
	Colors     map[uint32]string
	HopRows    []htmlHopRow
}

type htmlHopRow struct {
	report.PathHop
	Color string
	// Impossible says why the hop's database place is ruled out; "" when it is not.
	Impossible string
}

// chainBox is one AS run in the AS chain diagram.
type chainBox struct {
	ASN      uint32
	Operator string
	Org      string
	Hops     string
	Color    string
	// HandOff describes the hand-off into this AS, if any.
	HandOff string
}

// HTML writes r as one self-contained HTML file (inline CSS and SVG, no scripts, fonts or network access).
func HTML(w io.Writer, r *report.Report) error {
	r = safeReport(r) // html/template escapes markup, not terminal controls or bidi overrides
	page := htmlPage{Tool: r.Tool, Kind: string(r.Kind)}
	if !r.Generated.IsZero() {
		page.Generated = r.Generated.UTC().Format("2006-01-02 15:04 MST")
	}
	colors := newASColors()
	switch r.Kind {
	case report.KindPath:
		ps, err := reportPaths(r)
		if err != nil {
			return fmt.Errorf("render html: %w", err)
		}
		colors.learn(ps)
		for _, p := range ps {
			page.Paths = append(page.Paths, newHTMLPath(p, colors))
		}
		m := buildMap(ps, colors)
		page.Map = &m
		page.Comparison = r.Comparison
		page.Vantages = newHTMLVantage(r.Vantages)
		page.Title = "Path to " + page.Paths[0].Title
	case report.KindDomains:
		if r.Domains == nil {
			return fmt.Errorf("render html: domains report has no domains section")
		}
		page.Domains = r.Domains
		page.Title = "Domains"
		if r.Domains.Origin != "" {
			page.Title += " of " + r.Domains.Origin
		}
	case report.KindInvestigation:
		if r.Investigation == nil {
			return fmt.Errorf("render html: investigation report has no investigation section")
		}
		inv, err := newHTMLInvestigation(r.Investigation, colors)
		if err != nil {
			return fmt.Errorf("render html: %w", err)
		}
		page.Invest = inv
		page.Map = &inv.Map
		page.Domains = r.Investigation.Domains
		page.Title = "Investigation"
		if r.Investigation.Origin != "" {
			page.Title += " of " + r.Investigation.Origin
		}
	default:
		var buf bytes.Buffer
		if err := (TextRenderer{}).Render(&buf, r); err != nil {
			return fmt.Errorf("render html: %w", err)
		}
		page.Pre = buf.String()
		page.Title = strings.ToUpper(string(r.Kind[:1])) + string(r.Kind[1:]) + " report"
	}
	// Written as it is made: the CLI renders into memory and drops what a failed rendering wrote.
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := pageTemplate().Execute(bw, page); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	return bw.Flush()
}

// htmlText escapes text as html/template escapes a string printed in HTML text.
var htmlText = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// respondersHTML is a hop's responders as the hop table lists them, one a line, each address followed
// by its name: what the template's range over them wrote, made in few calls for a hop of any size. The
// text comes in pieces of htmlChunk responders, each small enough for fmt's buffers to be reused.
func respondersHTML(rs []report.PathResponder) []template.HTML {
	out := make([]template.HTML, 0, (len(rs)+htmlChunk-1)/htmlChunk)
	var b strings.Builder
	for start := 0; start < len(rs); start += htmlChunk {
		chunk := rs[start:min(start+htmlChunk, len(rs))]
		n := 0
		for i := range chunk {
			n += len("<br>") + len(chunk[i].Addr) + len(` <span class="muted"></span>`) + len(chunk[i].Name)
		}
		b.Grow(n) // once: the text needs more only for escapes
		for i := range chunk {
			if start+i > 0 {
				b.WriteString("<br>")
			}
			htmlText.WriteString(&b, chunk[i].Addr)
			if chunk[i].Name != "" {
				b.WriteString(` <span class="muted">`)
				htmlText.WriteString(&b, chunk[i].Name)
				b.WriteString("</span>")
			}
		}
		out = append(out, template.HTML(b.String()))
		b.Reset()
	}
	return out
}

// htmlChunk is how many responders one piece of respondersHTML holds.
const htmlChunk = 256

func newHTMLPath(p *report.Path, colors *asColors) htmlPath {
	hp := htmlPath{Path: p, Colors: map[uint32]string{}}
	hp.Title = p.Target.Name
	if hp.Title == "" {
		hp.Title = p.Target.Addr
	} else if p.Target.Addr != "" {
		hp.Title += " (" + p.Target.Addr + ")"
	}
	for _, run := range p.Findings.ASPath {
		c := colors.color(run.ASN)
		hp.Colors[run.ASN] = c
		b := chainBox{ASN: run.ASN, Operator: run.Operator, Org: run.Org, Color: c}
		if run.FirstTTL == run.LastTTL {
			b.Hops = fmt.Sprintf("hop %d", run.FirstTTL)
		} else {
			b.Hops = fmt.Sprintf("hops %d–%d", run.FirstTTL, run.LastTTL)
		}
		for _, h := range p.Findings.HandOffs {
			if h.AtTTL == run.FirstTTL {
				b.HandOff = "hand-off"
				if l := h.Place.LabelOf(); l != "" {
					b.HandOff += " in " + l
				}
			}
		}
		hp.Chain = append(hp.Chain, b)
	}
	if d := p.Findings.Destination; !d.Reached && d.ASN != 0 {
		last := uint32(0)
		if n := len(hp.Chain); n > 0 {
			last = hp.Chain[n-1].ASN
		}
		if last != d.ASN {
			hp.Chain = append(hp.Chain, chainBox{ASN: d.ASN, Operator: d.Operator, Org: d.Org, Color: colors.color(d.ASN),
				Hops: "destination (silent)"})
		}
	}
	hp.Impossible = sectionLines(p, "Impossible")
	byTTL := map[int]string{}
	if len(hp.Impossible) == len(p.Findings.Contradictions) { // one line per contradiction, in order
		for i, c := range p.Findings.Contradictions {
			byTTL[c.TTL] = strings.TrimPrefix(hp.Impossible[i], fmt.Sprintf("hop %d: ", c.TTL))
		}
	}
	for _, h := range p.Hops {
		hp.HopRows = append(hp.HopRows, htmlHopRow{PathHop: h, Color: colors.color(h.ASN), Impossible: byTTL[h.TTL]})
	}
	hp.Chart = buildRTTChart(p, colors)
	return hp
}

// sectionLines are the lines of the path's findings section with that label; nil when it has none.
func sectionLines(p *report.Path, label string) []string {
	for _, sec := range p.Sections {
		if sec.Label == label {
			return sec.Lines
		}
	}
	return nil
}

func asLabel(asn uint32) string {
	if asn == 0 {
		return "no AS"
	}
	return fmt.Sprintf("AS%d", asn)
}

func joinAny(v any) string {
	switch x := v.(type) {
	case []string:
		return strings.Join(x, ", ")
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}
