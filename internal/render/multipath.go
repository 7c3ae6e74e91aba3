package render

import (
	"fmt"
	"strconv"
	"strings"

	"hopscope/internal/report"
)

// mpFacts is what the enumeration spent: "95% confidence, 51 probes, 16 flows, 12 links".
func mpFacts(m *report.Multipath) string {
	var parts []string
	if m.Confidence > 0 {
		parts = append(parts, strconv.FormatFloat(m.Confidence*100, 'f', -1, 64)+"% confidence")
	}
	if m.Probes > 0 {
		parts = append(parts, strconv.Itoa(m.Probes)+" probes")
	}
	if m.Flows > 0 {
		parts = append(parts, strconv.Itoa(m.Flows)+" flows")
	}
	parts = append(parts, strconv.Itoa(len(m.Links))+" links")
	return strings.Join(parts, ", ")
}

// mpEnd is "hop 3 192.0.2.1", "the source" or "hop 3".
func mpEnd(e report.DiamondEnd) string {
	if e.TTL == 0 {
		return "the source"
	}
	if e.Addr == "" {
		return "hop " + strconv.Itoa(e.TTL)
	}
	return "hop " + strconv.Itoa(e.TTL) + " " + e.Addr
}

// mpHead is one diamond in a line: "hop 1 10.0.0.1 => hop 4 10.0.0.9: 4 paths over 3 hops, nested".
func mpHead(d report.Diamond) string {
	s := mpEnd(d.Divergence) + " => "
	if d.Convergence != nil {
		s += mpEnd(*d.Convergence)
	} else {
		s += "(no merge before the end)"
	}
	s += fmt.Sprintf(": %d paths over %d hops", d.Width, d.Length)
	return s + mpShape(d)
}

// mpShape is ", nested, meshed" or ", links unknown"; "" for plain parallel paths.
func mpShape(d report.Diamond) string {
	var s string
	if !d.LinksKnown {
		return ", links unknown"
	}
	if d.Nested {
		s += ", nested"
	}
	if d.Meshed {
		s += ", meshed"
	}
	return s
}

// mpStep is one interface of a diamond with where its flows went next.
type mpStep struct {
	ttl  int
	from string
	to   []string
}

// mpSteps lists, hop by hop from the divergence to the hop before the convergence, each interface
// with the interfaces it leads to (a silent gap written "+N silent").
func mpSteps(m *report.Multipath, d report.Diamond) []mpStep {
	end := 1 << 30
	if d.Convergence != nil {
		end = d.Convergence.TTL
	}
	var out []mpStep
	idx := map[[2]string]int{}
	for _, l := range m.Links {
		if l.TTL < d.Divergence.TTL || l.TTL >= end {
			continue
		}
		k := [2]string{strconv.Itoa(l.TTL), l.From}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, mpStep{ttl: l.TTL, from: l.From})
		}
		to := l.To
		if l.Gap > 0 {
			to = fmt.Sprintf("(+%d silent) %s", l.Gap, l.To)
		}
		out[i].to = append(out[i].to, to)
	}
	return out
}

// writeTextMultipath lists the diamonds under the hop table: each with its ends, width and length,
// then hop by hop where each interface's flows went, wrapped within the width.
func writeTextMultipath(t *textOut, p *report.Path) {
	m := p.Multipath
	if m == nil || len(m.Diamonds) == 0 {
		return
	}
	t.line("")
	t.para(t.style(ansiBold, "Diamonds")+" ", "  ", "("+mpFacts(m)+")")
	for _, d := range m.Diamonds {
		t.para("  ", "      ", mpHead(d))
		steps := mpSteps(m, d)
		for i, s := range steps {
			first := fmt.Sprintf("    %3d ", s.ttl)
			if i > 0 && steps[i-1].ttl == s.ttl {
				first = strings.Repeat(" ", len(first)) // one hop number per hop
			}
			t.para(first, strings.Repeat(" ", len(first)+2), s.from+" -> "+strings.Join(s.to, ", "))
		}
		if len(steps) == 0 {
			t.para("    ", "    ", "which interface leads to which is not in the input")
		}
		for _, in := range d.Inner {
			t.para("    nested ", "      ", mpHead(in))
		}
	}
}

// writeMarkdownMultipath writes the diamonds as a table and, per diamond, where each interface led.
func writeMarkdownMultipath(t *textOut, p *report.Path) {
	m := p.Multipath
	if m == nil || len(m.Diamonds) == 0 {
		return
	}
	t.line("")
	t.line("### Load balancing")
	t.line("")
	t.line(mdCell(mpFacts(m)) + ".")
	t.line("")
	t.line("| Diverges at | Converges at | Paths | Hops | Shape |")
	t.line("|---|---|---:|---:|---|")
	for _, d := range m.Diamonds {
		conv := "no merge before the end"
		if d.Convergence != nil {
			conv = mpEnd(*d.Convergence)
		}
		shape := strings.TrimPrefix(mpShape(d), ", ")
		if shape == "" {
			shape = "parallel"
		}
		t.line(fmt.Sprintf("| %s | %s | %d | %d | %s |", mdCell(mpEnd(d.Divergence)), mdCell(conv), d.Width, d.Length, mdCell(shape)))
	}
	for i, d := range m.Diamonds {
		steps := mpSteps(m, d)
		if len(steps) == 0 {
			continue
		}
		t.line("")
		t.line(fmt.Sprintf("Diamond %d, hop by hop:", i+1))
		t.line("")
		for _, s := range steps {
			t.line(fmt.Sprintf("- hop %d: %s → %s", s.ttl, mdCell(s.from), mdCell(strings.Join(s.to, ", "))))
		}
	}
}
