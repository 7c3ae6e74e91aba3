package report

import (
	"fmt"
	"slices"
	"strings"
)

// Comparison sets side by side the paths to the several addresses of one name (trace --all-addresses):
// where they part, whether they end in the same network and place, and how their latency differs.
type Comparison struct {
	Addrs []ComparedPath `json:"addrs"`
	// SharedHops is the number of leading TTLs at which every path met the same responder (silent hops
	// count as shared); PartAt is the first TTL where they differ, 0 when they never do.
	SharedHops int `json:"shared_hops"`
	PartAt     int `json:"part_at,omitempty"`
	// SameNetwork and SamePlace say whether every destination has one AS and one place.
	SameNetwork bool   `json:"same_network"`
	SamePlace   bool   `json:"same_place"`
	Text        string `json:"text"`
}

// ComparedPath is one address's path in a comparison.
type ComparedPath struct {
	Addr  string `json:"addr"`
	ASN   uint32 `json:"asn,omitempty"`
	Org   string `json:"org,omitempty"`
	Place string `json:"place,omitempty"`
	// MinRTTMs is the lowest RTT to the destination or the last responding hop; meaningful when HasRTT.
	MinRTTMs float64  `json:"min_rtt_ms,omitempty"`
	HasRTT   bool     `json:"has_rtt"`
	Reached  bool     `json:"reached"`
	ASPath   []uint32 `json:"as_path,omitempty"`
}

// ComparePaths compares two or more paths; nil for fewer.
func ComparePaths(ps []*Path) *Comparison {
	if len(ps) < 2 {
		return nil
	}
	c := &Comparison{SameNetwork: true, SamePlace: true}
	for _, p := range ps {
		d := p.Findings.Destination
		cp := ComparedPath{Addr: p.Target.Addr, ASN: d.ASN, Org: d.Operator, Reached: d.Reached}
		if cp.Org == "" {
			cp.Org = d.Org
		}
		switch {
		case d.Place.LabelOf() != "":
			cp.Place = d.Place.Label
		case d.City != "":
			cp.Place = d.City + ", " + d.Country
		default:
			cp.Place = d.Country
		}
		cp.MinRTTMs, cp.HasRTT = p.EndRTT()
		for _, r := range p.Findings.ASPath {
			if r.ASN != 0 && (len(cp.ASPath) == 0 || cp.ASPath[len(cp.ASPath)-1] != r.ASN) {
				cp.ASPath = append(cp.ASPath, r.ASN)
			}
		}
		c.Addrs = append(c.Addrs, cp)
	}
	first := c.Addrs[0]
	for _, a := range c.Addrs[1:] {
		c.SameNetwork = c.SameNetwork && a.ASN == first.ASN
		c.SamePlace = c.SamePlace && a.Place == first.Place
	}
	// Shared prefix: same responder set at each TTL.
	for ttl := 1; ; ttl++ {
		var key string
		same, any := true, false
		for i, p := range ps {
			h := hopAt(p, ttl)
			if h == nil {
				same = false
				break
			}
			any = true
			k := hopKey(h)
			if i == 0 {
				key = k
			} else if k != key && k != "*" && key != "*" {
				same = false
				break
			}
			if key == "*" {
				key = k
			}
		}
		if !any || !same {
			if any || ttl <= maxTTL(ps) {
				c.PartAt = ttl
			}
			break
		}
		c.SharedHops = ttl
	}
	if c.PartAt > maxTTL(ps) {
		c.PartAt = 0
	}
	c.Text = comparisonText(c)
	return c
}

// EndRTT is the lowest RTT (ms) to the destination when it answered, else to the last responding hop;
// ok is false when no hop carried a time.
func (p *Path) EndRTT() (ms float64, ok bool) {
	d := p.Findings.Destination
	want := d.ReachedTTL
	if !d.Reached {
		want = d.LastRespondingTTL
	}
	if h := hopAt(p, want); h != nil && h.RTT != nil {
		return h.RTT.MinMs, true
	}
	// The chosen hop answered without a time (an aggregate-only or name-only source): the last timed hop.
	for i := len(p.Hops) - 1; i >= 0; i-- {
		if p.Hops[i].RTT != nil {
			return p.Hops[i].RTT.MinMs, true
		}
	}
	return 0, false
}

func hopAt(p *Path, ttl int) *PathHop {
	for i := range p.Hops {
		if p.Hops[i].TTL == ttl {
			return &p.Hops[i]
		}
	}
	return nil
}

func maxTTL(ps []*Path) int {
	m := 0
	for _, p := range ps {
		if n := len(p.Hops); n > 0 && p.Hops[n-1].TTL > m {
			m = p.Hops[n-1].TTL
		}
	}
	return m
}

// hopKey identifies a hop by its responders; "*" for a silent hop (it matches anything).
func hopKey(h *PathHop) string {
	if h.Silent || len(h.Responders) == 0 {
		return "*"
	}
	var as []string
	for _, r := range h.Responders {
		as = append(as, r.Addr)
	}
	slices.Sort(as)
	return strings.Join(as, ",")
}

func comparisonText(c *Comparison) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d addresses: ", len(c.Addrs))
	switch {
	case c.PartAt == 0:
		sb.WriteString("the paths are identical hop by hop")
	case c.SharedHops > 0:
		fmt.Fprintf(&sb, "the paths share hops 1–%d and part at hop %d", c.SharedHops, c.PartAt)
	default:
		sb.WriteString("the paths differ from the first hop")
	}
	first := c.Addrs[0]
	switch {
	case c.SameNetwork && c.SamePlace && first.ASN != 0:
		fmt.Fprintf(&sb, "; every address is in AS%d %s", first.ASN, first.Org)
		if first.Place != "" {
			fmt.Fprintf(&sb, " (%s)", first.Place)
		}
	case c.SameNetwork && first.ASN != 0:
		fmt.Fprintf(&sb, "; every address is in AS%d %s, in different places", first.ASN, first.Org)
	default:
		var ds []string
		for _, a := range c.Addrs {
			ds = append(ds, fmt.Sprintf("%s: AS%d %s %s", a.Addr, a.ASN, a.Org, a.Place))
		}
		fmt.Fprintf(&sb, "; the destinations differ (%s)", strings.Join(ds, "; "))
	}
	lo, hi := -1.0, -1.0
	for _, a := range c.Addrs {
		if !a.HasRTT {
			continue
		}
		if lo < 0 || a.MinRTTMs < lo {
			lo = a.MinRTTMs
		}
		if a.MinRTTMs > hi {
			hi = a.MinRTTMs
		}
	}
	if lo >= 0 {
		fmt.Fprintf(&sb, "; RTT %.0f–%.0f ms", lo, hi)
		if hi-lo > 20 && hi > 1.2*lo {
			var fast string
			for _, a := range c.Addrs {
				if a.HasRTT && a.MinRTTMs == lo {
					fast = a.Addr
				}
			}
			fmt.Fprintf(&sb, ": which address the name resolves to matters, %s is the fastest from here", fast)
		} else {
			sb.WriteString(": which address the name resolves to makes little difference from here")
		}
	}
	sb.WriteString(".")
	return sb.String()
}
