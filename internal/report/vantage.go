package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"hopscope/internal/geo"
)

// Meta keys a path report carries when its trace came from a measurement network's probe (the keys
// tracefile's Globalping importer sets; the CLI sets the same ones from RIPE Atlas probe metadata).
const (
	MetaProbeCity      = "probe_city"
	MetaProbeCountry   = "probe_country"
	MetaProbeASN       = "probe_asn"
	MetaProbeNetwork   = "probe_network"
	MetaProbeLatitude  = "probe_latitude"
	MetaProbeLongitude = "probe_longitude"
	// MetaProbeStatus is the probe's test status (Globalping: finished, in-progress, failed, offline).
	MetaProbeStatus = "globalping_status"
	// MetaProbeID is a RIPE Atlas probe's id.
	MetaProbeID = "prb_id"
	// MetaProbeObfuscated is "true" when the probe's coordinates were moved on purpose (RIPE Atlas).
	MetaProbeObfuscated = "probe_coords_obfuscated"
)

// Vantages compares the paths to one target measured from several vantage points (the probes of a
// Globalping or RIPE Atlas measurement): per origin the AS path, where the path leaves the origin's
// country, the RTT against the speed-of-light minimum from there, and the segment every path shares;
// with a summary that says where it is slow and, as far as the data show, why.
type Vantages struct {
	// Target is the name or address measured.
	Target  string   `json:"target"`
	Origins []Origin `json:"origins"`
	// Shared is the segment every measured path crosses; nil when the paths share no router.
	Shared *SharedSegment `json:"shared,omitempty"`
	// SharedASNs are the networks every measured path crosses, in the first path's order.
	SharedASNs []uint32 `json:"shared_asns,omitempty"`
	// Slowest and Fastest index Origins; -1 when fewer than two origins have an RTT.
	Slowest int `json:"slowest"`
	Fastest int `json:"fastest"`
	// Differs is true when the slowest origin is clearly slower (by more than 20 ms and 50%).
	Differs bool `json:"differs"`
	// Reasons are the supported explanations of the difference, each one clause; empty when none.
	Reasons []string `json:"reasons,omitempty"`
	// Summary answers "slow from here, not from there, because ..." with only what the data support.
	Summary string `json:"summary"`
}

// Origin is one vantage point and what its path showed.
type Origin struct {
	// Label names the origin so that a reader can tell origins apart: the probe's place when the
	// network described its probe ("Shenzhen, CN"); with the probe's id and network first when the
	// network gave an id or no place ("probe 426, AS6939, US": the place then comes from the first
	// hops); with the network added, then "#2", when two origins would still read alike.
	Label string `json:"label"`
	// Place is where the probe is; Place.Source says how that is known. Nil when unknown.
	Place *Place `json:"place,omitempty"`
	// Approximate is true when the place is an estimate (inferred from hops, or obfuscated coordinates).
	Approximate bool `json:"approximate,omitempty"`
	// Network and ASN are the probe's own network; "" / 0 when not given.
	Network string `json:"network,omitempty"`
	ASN     uint32 `json:"asn,omitempty"`
	// FirstASN and FirstNetwork are the first AS the path crosses (its first public hops), which stands
	// for the probe's network when the measurement network did not name it; 0 / "" when no hop has an AS.
	FirstASN     uint32 `json:"first_asn,omitempty"`
	FirstNetwork string `json:"first_network,omitempty"`
	// Status is the probe's test status as the network reported it; "" when it did not say.
	Status string `json:"status,omitempty"`
	// Measured is false when the probe returned no hop (offline, failed): the origin is listed, not compared.
	Measured bool `json:"measured"`
	// Dest is the address the probe traced (names resolve per probe); DestPlace where it is.
	Dest      string `json:"dest,omitempty"`
	DestPlace string `json:"dest_place,omitempty"`
	Reached   bool   `json:"reached"`
	// MinRTTMs is the lowest RTT to the destination (or the last responding hop); meaningful when HasRTT.
	MinRTTMs float64 `json:"min_rtt_ms,omitempty"`
	HasRTT   bool    `json:"has_rtt"`
	// DistanceKm is the great-circle distance from the origin to the destination, LightMinMs the least
	// RTT light in fibre needs over it, Stretch MinRTTMs / LightMinMs (0 when the destination did not
	// answer); all meaningful when HasDistance.
	DistanceKm  float64 `json:"distance_km,omitempty"`
	LightMinMs  float64 `json:"light_min_rtt_ms,omitempty"`
	Stretch     float64 `json:"stretch,omitempty"`
	HasDistance bool    `json:"has_distance"`
	// ASPath lists the ASes crossed in order, each once.
	ASPath []uint32 `json:"as_path,omitempty"`
	// Exit is where the path leaves the origin's country; nil when it stays or no hop tells.
	Exit *PathPoint `json:"exit,omitempty"`
	// Stays is true when every located hop and the destination are in the origin's country.
	Stays bool `json:"stays,omitempty"`
	// Detour is the located hop farthest from the origin when it lies well beyond the destination; nil otherwise.
	Detour *PathPoint `json:"detour,omitempty"`
	// Join is where the path enters the shared segment; nil when there is none.
	Join *PathPoint `json:"join,omitempty"`
	// Jump is the path's largest persistent RTT rise; nil when none.
	Jump *Jump `json:"largest_jump,omitempty"`
	// Line is the origin's facts as one line of plain English.
	Line string `json:"line"`
}

// PathPoint is one hop of an origin's path named for the comparison.
type PathPoint struct {
	TTL   int    `json:"ttl"`
	Addr  string `json:"addr,omitempty"`
	Name  string `json:"name,omitempty"`
	Place string `json:"place,omitempty"`
	ASN   uint32 `json:"asn,omitempty"`
	// MinMs is the hop's lowest RTT; meaningful when HasMs.
	MinMs float64 `json:"min_ms,omitempty"`
	HasMs bool    `json:"has_ms"`
	// Km is the distance from the origin; 0 when not computed.
	Km float64 `json:"km,omitempty"`
}

// SharedSegment is the routers every measured path crosses, from the first of them (in the first
// path's order) on.
type SharedSegment struct {
	Addrs []string `json:"addrs"`
	// First names the first shared router: "core24.fra.hetzner.com (213.239.252.34, Frankfurt, DE)",
	// "202.147.51.46 (US)".
	First string   `json:"first"`
	ASNs  []uint32 `json:"asns,omitempty"`
	// ToDestination is true when the destination address is part of the segment.
	ToDestination bool `json:"to_destination"`
}

// NewVantages compares path reports of one target taken from different vantage points; nil for fewer
// than two. The origin of each is read from its Meta (the probe's place and network) and its Source.
func NewVantages(ps []*Path) *Vantages {
	if len(ps) < 2 {
		return nil
	}
	v := &Vantages{Slowest: -1, Fastest: -1}
	for _, p := range ps {
		if v.Target == "" {
			v.Target = p.Target.Name
			if v.Target == "" {
				v.Target = p.Target.Addr
			}
		}
		v.Origins = append(v.Origins, newOrigin(p))
	}
	uniqueLabels(v.Origins)
	destPlaces(v.Origins, ps)
	var measured []*Path
	var idx []int
	for i, p := range ps {
		if v.Origins[i].Measured {
			measured = append(measured, p)
			idx = append(idx, i)
		}
	}
	v.Shared, v.SharedASNs = sharedSegment(measured)
	if v.Shared != nil {
		for k, p := range measured {
			v.Origins[idx[k]].Join = joinPoint(p, v.Shared.Addrs[0])
		}
	}
	for i := range v.Origins {
		o := &v.Origins[i]
		o.Line = originLine(o, v.Shared != nil)
		if !o.HasRTT {
			continue
		}
		if v.Slowest < 0 || o.MinRTTMs > v.Origins[v.Slowest].MinRTTMs {
			v.Slowest = i
		}
		if v.Fastest < 0 || o.MinRTTMs < v.Origins[v.Fastest].MinRTTMs {
			v.Fastest = i
		}
	}
	if v.Slowest == v.Fastest {
		v.Slowest, v.Fastest = -1, -1
	}
	v.Summary = v.summary()
	return v
}

// newOrigin reads one path's vantage point and its facts.
func newOrigin(p *Path) Origin {
	o := Origin{Status: p.Meta[MetaProbeStatus], Network: p.Meta[MetaProbeNetwork], Measured: len(p.Hops) > 0}
	if n, err := strconv.ParseUint(p.Meta[MetaProbeASN], 10, 32); err == nil {
		o.ASN = uint32(n)
	}
	if s := p.Findings.Source; s.Known && s.Place != nil {
		q := *s.Place
		o.Place, o.Approximate = &q, s.Approximate
	} else if p.Meta[MetaProbeCity] != "" || p.Meta[MetaProbeCountry] != "" {
		o.Place = &Place{City: p.Meta[MetaProbeCity], Country: p.Meta[MetaProbeCountry], Source: "probe"}
		o.Place.Label = strings.Trim(o.Place.City+", "+o.Place.Country, ", ")
	}
	if p.Meta[MetaProbeObfuscated] == "true" {
		o.Approximate = true
	}
	for _, r := range p.Findings.ASPath {
		if r.ASN != 0 {
			o.FirstASN, o.FirstNetwork = r.ASN, r.Operator
			break
		}
	}
	o.Label = originLabel(&o, p.Meta[MetaProbeID], p.Meta[MetaProbeLatitude] != "" || p.Meta[MetaProbeCity] != "" || p.Meta[MetaProbeCountry] != "")
	d := p.Findings.Destination
	o.Dest, o.Reached = d.Addr, d.Reached
	if d.Place != nil {
		o.DestPlace = d.Place.Label
	} else {
		o.DestPlace = d.Country
	}
	if o.Measured {
		o.MinRTTMs, o.HasRTT = p.EndRTT()
	}
	for _, r := range p.Findings.ASPath {
		if r.ASN != 0 && !slices.Contains(o.ASPath, r.ASN) {
			o.ASPath = append(o.ASPath, r.ASN)
		}
	}
	for _, j := range p.Findings.Jumps {
		if j.Largest {
			// The places are the hops' own: the stage may name the nearest located point instead.
			j := j
			j.FromPlace, j.ToPlace = nil, nil
			if h := hopAt(p, j.FromTTL); h != nil {
				j.FromPlace = h.Place
			}
			if h := hopAt(p, j.ToTTL); h != nil {
				j.ToPlace = h.Place
			}
			o.Jump = &j
		}
	}
	o.Exit, o.Stays = exitPoint(p, o.Place)
	return o
}

// destPlaces fills in distances: an origin whose destination has no coordinates borrows them from
// another origin that reached the same address with a located destination.
func destPlaces(origins []Origin, ps []*Path) {
	located := map[string]*Place{}
	for _, p := range ps {
		d := p.Findings.Destination
		if d.Addr != "" && d.Place.Located() && located[d.Addr] == nil {
			located[d.Addr] = d.Place
		}
	}
	for i := range origins {
		o := &origins[i]
		to := located[o.Dest]
		if !o.Measured || !o.Place.Located() || to == nil {
			continue
		}
		if o.DestPlace == "" || o.DestPlace == to.Country {
			o.DestPlace = to.Label
		}
		o.HasDistance = true
		o.DistanceKm = math.Round(geo.DistanceKm(o.Place.Lat, o.Place.Lon, to.Lat, to.Lon))
		o.LightMinMs = round1(geo.LightMinRTTMs(o.DistanceKm))
		if o.Reached && o.HasRTT && o.LightMinMs > 0 {
			o.Stretch = round1(o.MinRTTMs / o.LightMinMs)
		}
		// The farthest located hop, when it lies well beyond the destination, is a detour.
		var far *PathPoint
		for _, h := range ps[i].Hops {
			if !h.Place.Located() {
				continue
			}
			km := geo.DistanceKm(o.Place.Lat, o.Place.Lon, h.Place.Lat, h.Place.Lon)
			if far == nil || km > far.Km {
				far = hopPoint(h)
				far.Km = math.Round(km)
			}
		}
		if far != nil && far.Km > 1.2*o.DistanceKm && far.Km > o.DistanceKm+1000 {
			o.Detour = far
		}
	}
}

// exitPoint is the first hop located outside the origin's country; stays is true when every located hop
// and the destination are inside it.
func exitPoint(p *Path, from *Place) (*PathPoint, bool) {
	if from == nil || from.Country == "" || len(p.Hops) == 0 {
		return nil, false
	}
	for _, h := range p.Hops {
		if h.Place == nil || h.Place.Country == "" || h.Place.Country == from.Country {
			continue
		}
		return hopPoint(h), false
	}
	d := p.Findings.Destination
	c := d.Country
	if d.Place != nil && d.Place.Country != "" {
		c = d.Place.Country
	}
	return nil, c == from.Country
}

// hopPoint names a hop by its first responder.
func hopPoint(h PathHop) *PathPoint {
	pt := &PathPoint{TTL: h.TTL, Place: h.Place.LabelOf(), ASN: h.ASN}
	if len(h.Responders) > 0 {
		pt.Addr, pt.Name = h.Responders[0].Addr, h.Responders[0].Name
	}
	if h.RTT != nil {
		pt.MinMs, pt.HasMs = h.RTT.MinMs, true
	}
	return pt
}

// sharedSegment finds the ordinary (not special-purpose) addresses every path has a responder at, in
// the first path's order, and the ASes every path crosses.
func sharedSegment(ps []*Path) (*SharedSegment, []uint32) {
	if len(ps) < 2 {
		return nil, nil
	}
	count := map[string]int{}
	for _, p := range ps {
		seen := map[string]bool{}
		for _, h := range p.Hops {
			for _, r := range h.Responders {
				if r.Addr != "" && r.Info.Special == nil && !seen[r.Addr] {
					seen[r.Addr] = true
					count[r.Addr]++
				}
			}
		}
	}
	var seg *SharedSegment
	for _, h := range ps[0].Hops {
		for _, r := range h.Responders {
			if count[r.Addr] != len(ps) || seg != nil && slices.Contains(seg.Addrs, r.Addr) {
				continue
			}
			if seg == nil {
				seg = &SharedSegment{First: r.Addr}
				l := h.Place.LabelOf()
				switch {
				case r.Name != "" && l != "":
					seg.First = r.Name + " (" + r.Addr + ", " + l + ")"
				case r.Name != "":
					seg.First = r.Name + " (" + r.Addr + ")"
				case l != "":
					seg.First = r.Addr + " (" + l + ")"
				}
			}
			seg.Addrs = append(seg.Addrs, r.Addr)
			if h.ASN != 0 && !slices.Contains(seg.ASNs, h.ASN) {
				seg.ASNs = append(seg.ASNs, h.ASN)
			}
			if r.Addr == ps[0].Findings.Destination.Addr {
				seg.ToDestination = true
			}
		}
	}
	var asns []uint32
	for _, r := range ps[0].Findings.ASPath {
		if r.ASN == 0 || slices.Contains(asns, r.ASN) {
			continue
		}
		all := true
		for _, p := range ps[1:] {
			all = all && slices.ContainsFunc(p.Findings.ASPath, func(x ASRun) bool { return x.ASN == r.ASN })
		}
		if all {
			asns = append(asns, r.ASN)
		}
	}
	return seg, asns
}

// joinPoint is the first hop of p where addr answered.
func joinPoint(p *Path, addr string) *PathPoint {
	for _, h := range p.Hops {
		for _, r := range h.Responders {
			if r.Addr == addr {
				pt := hopPoint(h)
				pt.Addr, pt.Name = r.Addr, r.Name
				if r.RTT != nil {
					pt.MinMs, pt.HasMs = r.RTT.MinMs, true
				}
				return pt
			}
		}
	}
	return nil
}

// originLabel names an origin: its place when the measurement network described the probe (described),
// otherwise "probe 426, AS6939, US": the probe's id (when known), its network (the probe's, else the
// path's first AS) and the place inferred from the first hops ("near Seattle, US" for an estimated
// city); "unknown place" when nothing is known.
func originLabel(o *Origin, id string, described bool) string {
	var parts []string
	if id != "" {
		parts = append(parts, "probe "+id)
	}
	if id != "" || !described {
		if asn := o.originASN(); asn != 0 {
			parts = append(parts, "AS"+strconv.FormatUint(uint64(asn), 10))
		}
	}
	if l := o.Place.LabelOf(); l != "" {
		if o.Approximate && o.Place.City != "" {
			l = "near " + l // a city estimated (from the first hops) or moved on purpose (Atlas)
		}
		parts = append(parts, l)
	} else if len(parts) == 0 {
		parts = append(parts, "unknown place")
	}
	return strings.Join(parts, ", ")
}

// originASN is the probe's network, else the first AS of its path; 0 when neither is known.
func (o *Origin) originASN() uint32 {
	if o.ASN != 0 {
		return o.ASN
	}
	return o.FirstASN
}

// uniqueLabels tells apart origins that share a label: first by their network ("Paris, FR, AS12876"),
// then by number ("Paris, FR #2").
func uniqueLabels(origins []Origin) {
	count := func() map[string]int {
		n := map[string]int{}
		for i := range origins {
			n[origins[i].Label]++
		}
		return n
	}
	n := count()
	for i := range origins {
		o := &origins[i]
		as := "AS" + strconv.FormatUint(uint64(o.originASN()), 10)
		if n[o.Label] > 1 && o.originASN() != 0 && !strings.Contains(o.Label, as) {
			o.Label += ", " + as
		}
	}
	n, seen := count(), map[string]int{}
	for i := range origins {
		o := &origins[i]
		seen[o.Label]++
		if k := seen[o.Label]; n[o.Label] > 1 && k > 1 {
			o.Label += " #" + strconv.Itoa(k)
		}
	}
}

// ASPathLabel is the origin's AS path: "AS4134 → AS2914 → AS24940"; "unknown" when empty.
func (o *Origin) ASPathLabel() string {
	if len(o.ASPath) == 0 {
		return "unknown"
	}
	var s []string
	for _, a := range o.ASPath {
		s = append(s, "AS"+strconv.FormatUint(uint64(a), 10))
	}
	return strings.Join(s, " → ")
}

// NetworkLabel is "China Telecom (AS4134)", "" when nothing is known.
func (o *Origin) NetworkLabel() string {
	switch {
	case o.Network != "" && o.ASN != 0:
		return fmt.Sprintf("%s (AS%d)", o.Network, o.ASN)
	case o.ASN != 0:
		return fmt.Sprintf("AS%d", o.ASN)
	}
	return o.Network
}

// RTTLabel is "264.9 ms" to the destination, "≥ 40.2 ms (hop 8, no answer from the destination)", or
// the probe's state when it measured nothing.
func (o *Origin) RTTLabel() string {
	switch {
	case !o.Measured && o.Status != "":
		return "not measured (probe " + o.Status + ")"
	case !o.Measured, !o.HasRTT:
		return "not measured"
	case o.Reached:
		return fmt.Sprintf("%.1f ms", o.MinRTTMs)
	}
	return fmt.Sprintf("≥ %.1f ms (the destination did not answer)", o.MinRTTMs)
}

// DistanceLabel is "9,171 km, light ≥ 91.7 ms, 2.9× that", or "unknown".
func (o *Origin) DistanceLabel() string {
	if !o.HasDistance {
		return "unknown"
	}
	s := fmt.Sprintf("%s km, light ≥ %.1f ms", GroupDigits(o.DistanceKm), o.LightMinMs)
	if o.Stretch > 0 {
		s += fmt.Sprintf(", %.1f× that", o.Stretch)
	}
	return s
}

// ExitLabel says where the path leaves the origin's country: "hop 7, Los Angeles, US (AS2914)",
// "stays in CN", or "unknown".
func (o *Origin) ExitLabel() string {
	switch {
	case o.Exit != nil:
		s := fmt.Sprintf("hop %d, %s", o.Exit.TTL, o.Exit.Place)
		if o.Exit.ASN != 0 {
			s += fmt.Sprintf(" (AS%d)", o.Exit.ASN)
		}
		return s
	case o.Stays:
		return "stays in " + o.Place.Country
	}
	return "unknown"
}

// JoinLabel says where the path enters the shared segment: "hop 10 at 263.0 ms", or "-".
func (o *Origin) JoinLabel() string {
	switch {
	case o.Join == nil:
		return "-"
	case o.Join.HasMs:
		return fmt.Sprintf("hop %d at %.1f ms", o.Join.TTL, o.Join.MinMs)
	}
	return fmt.Sprintf("hop %d", o.Join.TTL)
}

func originLine(o *Origin, shared bool) string {
	var sb strings.Builder
	sb.WriteString(o.Label)
	if n := o.NetworkLabel(); n != "" {
		sb.WriteString(" (" + n + ")")
	}
	if o.Approximate {
		sb.WriteString(" [approximate place]")
	}
	sb.WriteString(": " + o.RTTLabel())
	if !o.Measured {
		return sb.String()
	}
	if o.Dest != "" {
		sb.WriteString(" to " + o.Dest)
		if o.DestPlace != "" {
			sb.WriteString(" (" + o.DestPlace + ")")
		}
	}
	if o.HasDistance {
		sb.WriteString("; " + o.DistanceLabel())
	} else {
		sb.WriteString("; distance unknown")
	}
	sb.WriteString("; " + o.ASPathLabel())
	switch {
	case o.Exit != nil:
		sb.WriteString("; leaves " + o.Place.Country + " at " + o.ExitLabel())
	case o.Stays:
		sb.WriteString("; " + o.ExitLabel())
	}
	if o.Detour != nil {
		fmt.Fprintf(&sb, "; detours through %s (hop %d, %s km away)", o.Detour.Place, o.Detour.TTL, GroupDigits(o.Detour.Km))
	}
	if shared && o.Join != nil {
		sb.WriteString("; joins the shared segment at " + o.JoinLabel())
	}
	return sb.String()
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
