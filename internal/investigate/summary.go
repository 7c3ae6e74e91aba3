package investigate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"hopscope/internal/explain"
	"hopscope/internal/report"
)

// fillHost copies what the path says about the server into the host's summary fields.
func fillHost(h *report.InvestigatedHost) {
	p := h.Path
	if p == nil {
		return
	}
	f := &p.Findings
	d := f.Destination
	h.ASN, h.Org, h.Operator, h.Country, h.City, h.Place, h.Reached = d.ASN, d.Org, d.Operator, d.Country, d.City, d.Place, d.Reached
	if h.City == "" && d.Place != nil {
		h.City = d.Place.City
	}
	if h.Country == "" && d.Place != nil {
		h.Country = d.Place.Country
	}
	h.PlaceLabel = placeText(h.Place, h.City, h.Country)
	for _, c := range f.Carriers {
		if c.Observed || c.Destination {
			h.Carriers = append(h.Carriers, c.Name)
		}
	}
	if f.Distance != nil {
		h.DistanceKm, h.LightMinMs = f.Distance.Km, f.Distance.LightMinMs
	}
	h.MinRTTMs, h.HasRTT = p.EndRTT()
	h.Why = why(h)
}

// largestJump returns the path's largest persistent latency jump, if any.
func largestJump(p *report.Path) *report.Jump {
	var best *report.Jump
	for i := range p.Findings.Jumps {
		j := &p.Findings.Jumps[i]
		if !j.Persistent {
			continue
		}
		if best == nil || j.Largest || (!best.Largest && j.DeltaMs > best.DeltaMs) {
			best = j
		}
	}
	return best
}

func why(h *report.InvestigatedHost) string {
	var parts []string
	where := h.PlaceLabel
	switch {
	case h.DistanceKm > 0 && where != "":
		parts = append(parts, fmt.Sprintf("server in %s, %s km away (light in fibre needs ≥ %.0f ms)", where, report.GroupDigits(h.DistanceKm), h.LightMinMs))
	case where != "":
		parts = append(parts, "server in "+where)
	}
	if j := largestJump(h.Path); j != nil && j.DeltaMs >= 20 {
		seg := fmt.Sprintf("hops %d→%d", j.FromTTL, j.ToTTL)
		if j.FromPlace != nil && j.ToPlace != nil && j.FromPlace.Label != j.ToPlace.Label {
			seg += " (" + j.FromPlace.Label + " → " + j.ToPlace.Label + ")"
		}
		parts = append(parts, fmt.Sprintf("+%.0f ms at %s", j.DeltaMs, seg))
	}
	if !h.Reached {
		parts = append(parts, "the server does not answer probes")
	}
	if len(parts) == 0 && h.HasRTT {
		parts = append(parts, fmt.Sprintf("%.0f ms", h.MinRTTMs))
	}
	return strings.Join(parts, "; ")
}

func placeText(p *report.Place, city, country string) string {
	if l := p.LabelOf(); l != "" {
		return l
	}
	switch {
	case city != "" && country != "":
		return city + ", " + country
	case country != "":
		return country
	}
	return city
}

// Summarize fills the app-wide parts of inv from its hosts: shares per country, operator and AS,
// the slowest hosts, shared slow segments and the summary paragraph. It is pure.
func Summarize(inv *report.Investigation) {
	var totalReq int
	var totalBytes int64
	ok := 0
	for _, h := range inv.Hosts {
		totalReq += h.Requests
		totalBytes += h.Bytes
		if h.Error == "" {
			ok++
		}
		if inv.Vantage == nil && h.Path != nil && h.Vantages == nil && h.Path.Findings.Source.Known {
			inv.Vantage = h.Path.Findings.Source.Place
		}
		if h.Error != "" {
			inv.Warnings = append(inv.Warnings, h.Host+": "+h.Error)
		}
	}
	group := func(key func(h *report.InvestigatedHost) (string, string)) []report.Share {
		m := map[string]*report.Share{}
		var order []string
		for i := range inv.Hosts {
			h := &inv.Hosts[i]
			if h.Error != "" {
				continue
			}
			k, label := key(h)
			if k == "" {
				k, label = "?", "unknown"
			}
			s := m[k]
			if s == nil {
				s = &report.Share{Key: k, Label: label}
				m[k] = s
				order = append(order, k)
			}
			s.Hosts++
			s.Requests += h.Requests
			s.Bytes += h.Bytes
		}
		out := make([]report.Share, 0, len(order))
		for _, k := range order {
			s := m[k]
			s.HostShare = frac(float64(s.Hosts), float64(ok))
			s.RequestShare = frac(float64(s.Requests), float64(totalReq))
			s.ByteShare = frac(float64(s.Bytes), float64(totalBytes))
			out = append(out, *s)
		}
		slices.SortStableFunc(out, func(a, b report.Share) int {
			if c := cmp.Compare(b.Bytes, a.Bytes); c != 0 {
				return c
			}
			if c := cmp.Compare(b.Requests, a.Requests); c != 0 {
				return c
			}
			return cmp.Compare(b.Hosts, a.Hosts)
		})
		return out
	}
	inv.ByCountry = group(func(h *report.InvestigatedHost) (string, string) {
		if h.Country == "" {
			return "", ""
		}
		return h.Country, explain.CountryName(h.Country)
	})
	inv.ByOperator = group(func(h *report.InvestigatedHost) (string, string) {
		op := h.Operator
		if op == "" {
			op = h.Org
		}
		return op, op
	})
	inv.ByAS = group(func(h *report.InvestigatedHost) (string, string) {
		if h.ASN == 0 {
			return "", ""
		}
		return fmt.Sprintf("AS%d", h.ASN), strings.TrimSpace(fmt.Sprintf("AS%d %s", h.ASN, h.Operator))
	})
	// Slowest hosts.
	var slow []report.SlowHost
	for _, h := range inv.Hosts {
		if h.Error == "" && h.HasRTT {
			slow = append(slow, report.SlowHost{Host: h.Host, MinRTTMs: h.MinRTTMs, Why: h.Why})
		}
	}
	slices.SortStableFunc(slow, func(a, b report.SlowHost) int { return cmp.Compare(b.MinRTTMs, a.MinRTTMs) })
	if len(slow) > 5 {
		slow = slow[:5]
	}
	inv.Slowest = slow
	inv.Bottlenecks = bottlenecks(inv.Hosts)
	inv.Summary = summaryText(inv, ok)
}

func frac(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

// bottlenecks groups the hosts' largest persistent jumps by the segment where they happen.
func bottlenecks(hosts []report.InvestigatedHost) []report.Bottleneck {
	type acc struct {
		b      report.Bottleneck
		deltas []float64
	}
	m := map[string]*acc{}
	var order []string
	for _, h := range hosts {
		if h.Path == nil {
			continue
		}
		j := largestJump(h.Path)
		if j == nil || j.DeltaMs < 20 {
			continue
		}
		from, to := hopAddr(h.Path, j.FromTTL), hopAddr(h.Path, j.ToTTL)
		fromASN, toASN := hopASN(h.Path, j.FromTTL), hopASN(h.Path, j.ToTTL)
		key := from + ">" + to
		if j.FromPlace != nil && j.ToPlace != nil && j.FromPlace.LabelOf() != "" && j.ToPlace.LabelOf() != "" {
			key = fmt.Sprintf("%s>%s>%d>%d", j.FromPlace.LabelOf(), j.ToPlace.LabelOf(), fromASN, toASN)
		}
		a := m[key]
		if a == nil {
			a = &acc{b: report.Bottleneck{From: from, To: to, FromPlace: j.FromPlace, ToPlace: j.ToPlace, FromASN: fromASN, ToASN: toASN}}
			m[key] = a
			order = append(order, key)
		}
		a.b.Hosts = append(a.b.Hosts, h.Host)
		a.deltas = append(a.deltas, j.DeltaMs)
	}
	var out []report.Bottleneck
	for _, k := range order {
		a := m[k]
		if len(a.b.Hosts) < 2 {
			continue
		}
		slices.Sort(a.deltas)
		a.b.DeltaMs = a.deltas[len(a.deltas)/2]
		seg := a.b.From + " → " + a.b.To
		if a.b.FromPlace != nil && a.b.ToPlace != nil {
			seg = a.b.FromPlace.LabelOf() + " → " + a.b.ToPlace.LabelOf()
		}
		nets := ""
		if a.b.FromASN != 0 && a.b.ToASN != 0 && a.b.FromASN != a.b.ToASN {
			nets = fmt.Sprintf(", from AS%d into AS%d", a.b.FromASN, a.b.ToASN)
		} else if a.b.ToASN != 0 {
			nets = fmt.Sprintf(", inside AS%d", a.b.ToASN)
		}
		a.b.Text = fmt.Sprintf("%d hosts (%s) gain ~%.0f ms on the same segment %s%s.", len(a.b.Hosts), strings.Join(a.b.Hosts, ", "), a.b.DeltaMs, seg, nets)
		out = append(out, a.b)
	}
	slices.SortStableFunc(out, func(a, b report.Bottleneck) int { return cmp.Compare(len(b.Hosts), len(a.Hosts)) })
	return out
}

func hopAddr(p *report.Path, ttl int) string {
	for _, h := range p.Hops {
		if h.TTL == ttl && len(h.Responders) > 0 {
			return h.Responders[0].Addr
		}
	}
	return fmt.Sprintf("hop %d", ttl)
}

func hopASN(p *report.Path, ttl int) uint32 {
	for _, h := range p.Hops {
		if h.TTL == ttl {
			return h.ASN
		}
	}
	return 0
}

func summaryText(inv *report.Investigation, ok int) string {
	var sb strings.Builder
	n := len(inv.Hosts)
	fmt.Fprintf(&sb, "Investigated %d host(s)", n)
	if ok < n {
		fmt.Fprintf(&sb, " (%d could not be measured)", n-ok)
	}
	sb.WriteString(".")
	if len(inv.ByCountry) > 0 {
		top := inv.ByCountry[0]
		share := top.ByteShare
		what := "of the traffic"
		if share == 0 {
			share, what = top.HostShare, "of the hosts"
		}
		fmt.Fprintf(&sb, " %.0f%% %s goes to servers in %s", share*100, what, top.Label)
		if len(inv.ByOperator) > 0 && inv.ByOperator[0].Key != "?" {
			fmt.Fprintf(&sb, " (mostly %s)", inv.ByOperator[0].Label)
		}
		sb.WriteString(".")
		if len(inv.ByCountry) > 1 {
			var others []string
			for _, s := range inv.ByCountry[1:] {
				others = append(others, s.Label)
			}
			fmt.Fprintf(&sb, " Others are in %s.", strings.Join(others, ", "))
		}
	}
	if len(inv.Slowest) > 0 {
		s := inv.Slowest[0]
		fmt.Fprintf(&sb, " The slowest is %s at %.0f ms", s.Host, s.MinRTTMs)
		if s.Why != "" {
			fmt.Fprintf(&sb, ": %s", s.Why)
		}
		sb.WriteString(".")
	}
	if len(inv.Bottlenecks) > 0 {
		sb.WriteString(" " + inv.Bottlenecks[0].Text)
	}
	carriers := map[string]bool{}
	var cs []string
	for _, h := range inv.Hosts {
		for _, c := range h.Carriers {
			if !carriers[c] {
				carriers[c] = true
				cs = append(cs, c)
			}
		}
	}
	if len(cs) > 0 {
		fmt.Fprintf(&sb, " Networks involved: %s.", strings.Join(cs, ", "))
	}
	return sb.String()
}
