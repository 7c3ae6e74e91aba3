package explain

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"net/netip"
	"slices"
	"sort"

	"hopscope/internal/enrich"
	"hopscope/internal/geo"
	"hopscope/internal/path"
)

// PlaceOf combines an address's database location with its hostname hint. Router addresses are
// registered where the operator has its head office, so a high-confidence hint (a spelled-out city) wins
// over the database, a medium one (an unambiguous code) wins over a database that knows only the country,
// and a low one is used only when it agrees with the database's country (as enrich.Lookup decides). It
// returns nil when nothing is known.
func PlaceOf(in enrich.Info) *Place {
	if p, ok := placeOf(&in); ok {
		return &p
	}
	return nil
}

// placeOf is PlaceOf without allocating: the place and whether there is one.
func placeOf(in *enrich.Info) (Place, bool) {
	if in.GeoSource == "exchange" && in.HasCoords {
		// A port on an exchange's peering LAN is at the exchange (a remote member's router may be far
		// off, which the RTT bounds catch): the exchange's published city, with high confidence.
		return Place{City: in.City, Country: in.Country, Lat: in.Lat, Lon: in.Lon, HasCoords: true, Source: "exchange", Confidence: "high"}, true
	}
	var db, hint Place
	haveDB, haveHint := false, false
	if in.GeoSource != "hostname" && (in.Country != "" || in.City != "" || in.HasCoords) {
		// A database city is where the address is registered or was last seen, often a router's head
		// office: medium at best; a country alone is the registry's word: low.
		conf := "low"
		if in.City != "" {
			conf = "medium"
		}
		db, haveDB = Place{City: in.City, Country: in.Country, Lat: in.Lat, Lon: in.Lon, HasCoords: in.HasCoords, Source: "database", Confidence: conf}, true
	}
	if h := in.Hint; h != nil && (h.City != "" || h.HasCoords) {
		hint, haveHint = Place{City: h.City, Country: h.Country, Lat: h.Lat, Lon: h.Lon, HasCoords: h.HasCoords, Source: "hostname", Confidence: h.Confidence}, true
	} else if in.GeoSource == "hostname" && (in.City != "" || in.HasCoords) {
		hint, haveHint = Place{City: in.City, Country: in.Country, Lat: in.Lat, Lon: in.Lon, HasCoords: in.HasCoords, Source: "hostname"}, true
	}
	switch {
	case haveHint && hint.Confidence != "low" && hint.Confidence != "medium":
		return hint, true
	case haveHint && in.GeoSource == "hostname":
		// The enricher already weighed the hint against the database and took it (a low one only when
		// the database's country agreed): the database's place is gone from Info.
		return hint, true
	case haveHint && hint.Confidence == "medium" && (!haveDB || db.City == ""):
		return hint, true
	case haveHint && haveDB && (db.Country == "" || db.Country == hint.Country):
		return hint, true
	case haveDB:
		return db, true
	}
	return Place{}, false
}

// rank orders places by precision: coordinates beat a city beat a country.
func rank(p *Place) int {
	switch {
	case p == nil:
		return 0
	case p.HasCoords && p.Source == "hostname":
		return 4
	case p.HasCoords:
		return 3
	case p.City != "":
		return 2
	}
	return 1
}

// hopPlace is the most precise place among a hop's responders, and the address of the responder it is
// of (zero for one known only by name).
func (e *explainer) hopPlace(h *path.Hop) (*Place, netip.Addr) {
	var best Place
	var from netip.Addr
	found := false
	for _, r := range h.Responders {
		in := e.responderInfo(r)
		if p, ok := placeOf(&in); ok && (!found || rank(&p) > rank(&best)) {
			best, from, found = p, r.Addr, true
		}
	}
	if !found {
		return nil, from
	}
	return &best, from
}

// km is the distance between two places with coordinates.
func km(a, b *Place) float64 { return geo.DistanceKm(a.Lat, a.Lon, b.Lat, b.Lon) }

// fmtCoords writes a coordinate pair as "48.86,2.35".
func fmtCoords(lat, lon float64) string { return fmt.Sprintf("%.2f,%.2f", lat, lon) }

// destination describes the target from the database and whether it answered.
func (e *explainer) destination() Destination {
	d := Destination{Name: e.t.Target.Name}
	if d.Name == "" {
		d.Name = e.t.Target.Canonical
	}
	last := e.lastResponding()
	if last >= 0 {
		d.LastRespondingTTL = e.t.Hops[last].TTL
		d.TrailingSilent = len(e.t.Hops) - 1 - last
	}
	a := e.t.Target.Addr
	if ttl := e.reachedTTL(); ttl > 0 {
		d.Reached, d.ReachedTTL = true, ttl
	}
	if !a.IsValid() && last >= 0 {
		// Without the target's address, the last hop is the destination only when the trace shows it is
		// (its name, or a tool that stops there); otherwise it is just where the answers stop, and calling
		// its address the destination would make an answering hop "the destination that did not answer".
		if !e.lastIsTarget(last) {
			e.silentTarget(&d)
			return d
		}
		d.Reached, d.ReachedTTL = true, d.LastRespondingTTL
		h := &e.t.Hops[last]
		for _, r := range h.Responders {
			if r.Addr.IsValid() && responderAnswered(h, r) {
				a = r.Addr
				break
			}
		}
		if !a.IsValid() {
			// Names only: what the hop's names say is all there is.
			o := e.out[last]
			d.ASN, d.Operator, d.Place = o.ASN, o.Operator, o.Place
			if d.ASN != 0 {
				d.Org = e.orgOf(d.ASN)
			}
			if d.Place != nil {
				d.Country, d.City = d.Place.Country, d.Place.City
				d.PlaceBasis = fmt.Sprintf("hop %d's name", d.LastRespondingTTL)
			}
			return d
		}
		d.FromLastHop = true
		d.PlaceBasis = fmt.Sprintf("the trace does not name its target address; hop %d's is used", d.LastRespondingTTL)
	}
	if !a.IsValid() {
		return d
	}
	in := e.info(a)
	d.Addr = a.String()
	d.ASN, d.Org = in.ASN, in.ASOrg
	if d.ASN == 0 && d.Reached {
		if r := e.t.Hop(d.ReachedTTL).Responder(a); r != nil {
			d.ASN = r.ReportedASN
		}
	}
	if d.ASN != 0 {
		if d.Org == "" {
			d.Org = e.orgOf(d.ASN)
		}
		d.Operator = OperatorName(orgOrAS(d.Org, d.ASN))
	}
	d.Country, d.City = in.Country, in.City
	d.Place = PlaceOf(in)
	if d.Place != nil && d.PlaceBasis == "" {
		d.PlaceBasis = d.Place.Source
	}
	ac := in.Anycast
	if ac == nil {
		// The target's own name may say what the address does not ("ns1.it-mil.k.ripe.net").
		for _, n := range []string{e.t.Target.Name, e.t.Target.Canonical} {
			if ac == nil && n != "" {
				ac = enrich.AnycastFromName(a, n)
			}
		}
	}
	if ac != nil {
		// The registry's place names where the prefix is registered, not the instance that answered
		// (checkDestination bounds that one by the RTT).
		d.Anycast = true
		d.PlaceBasis = fmt.Sprintf("anycast (%s)", ac.Source)
		if ac.Operator != "" || ac.Service != "" {
			d.PlaceBasis = fmt.Sprintf("anycast: %s %s (%s)", ac.Operator, ac.Service, ac.Source)
		}
		if reg := CountryName(d.Country); reg != "" {
			d.PlaceBasis += fmt.Sprintf("; the registry country (%s) says nothing about where the instance that answered is", reg)
		}
		d.Place, d.Country, d.City = nil, "", ""
	} else if d.Place != nil && d.Place.Source == "database" && d.City == "" && !d.Place.HasCoords && contentNetwork(d.ASN) {
		// A content network's registry country is its head office's: its front-ends answer from
		// wherever the nearest site is, so the country says nothing about this address.
		d.PlaceBasis = fmt.Sprintf("the registry says %s, %s's seat; a content network answers from front-ends in many countries, so it says nothing about where this address answered from",
			CountryName(d.Country), cmp.Or(d.Operator, fmt.Sprintf("AS%d", d.ASN)))
		d.Place, d.Country, d.City = nil, "", ""
	}
	return d
}

// silentTarget fills the AS of a target that did not answer from the final row of a tool that stops at
// the destination (mtr and its relatives): mtr stops at a row only when it is the host it aims at, so a
// final row that names a responder but received nothing is the target, silent (its name, such as
// "gw-in-f147.1e100.net", or its address gives the network). Neither reached nor an address is stated:
// the target's own address is still not given.
func (e *explainer) silentTarget(d *Destination) {
	n := len(e.t.Hops) - 1
	if n < 0 || !stopsAtDestination[e.t.Source] || answered(&e.t.Hops[n]) || (e.maxTTL() > 0 && e.t.Hops[n].TTL >= e.maxTTL()) {
		return
	}
	for _, r := range e.t.Hops[n].Responders {
		in := e.responderInfo(r)
		asn := in.ASN
		if asn == 0 && in.Hint != nil {
			asn = in.Hint.ASN
		}
		if asn == 0 || in.Special != nil {
			continue
		}
		d.ASN, d.Org = asn, in.ASOrg
		if d.Org == "" {
			d.Org = e.orgOf(asn)
		}
		d.Operator = OperatorName(orgOrAS(d.Org, asn))
		d.PlaceBasis = fmt.Sprintf("the final row, hop %d, names it %s", e.t.Hops[n].TTL, cmp.Or(r.Name, r.Addr.String()))
		return
	}
}

// locateDestination gives a destination known only by country the coordinates of the last located hop in
// that country.
func (e *explainer) locateDestination(d *Destination) {
	if d.Anycast || d.Place != nil && d.Place.HasCoords {
		return
	}
	country := d.Country
	if country == "" && d.Place != nil {
		country = d.Place.Country
	}
	if country == "" {
		return
	}
	for i := len(e.out) - 1; i >= 0; i-- {
		p := e.out[i].Place
		// Only a hop next to the end, or one inside the destination's own network, says where it is;
		// next to an end that did not answer, only in a country small enough that any city stands
		// for it (Singapore), since the silent rest of the path may go anywhere in a large one.
		near := e.out[i].TTL >= d.LastRespondingTTL-1 && (d.Reached || smallCountry(country)) || (d.ASN != 0 && e.out[i].ASN == d.ASN)
		if p != nil && p.HasCoords && p.Country == country && near {
			q := *p
			q.Source, q.Confidence = "inferred", "low"
			d.Place = &q
			if d.City == "" {
				d.City = p.City
			}
			d.PlaceBasis = fmt.Sprintf("the database gives only the country; hop %d (%s) is the last located hop there", e.out[i].TTL, p.Label())
			return
		}
	}
}

// distance compares the great-circle distance between source and destination with the measured RTT.
func (e *explainer) distance(s Source, d Destination) *Distance {
	if !s.Known || s.Place == nil || !s.Place.HasCoords || d.Place == nil || !d.Place.HasCoords {
		return nil
	}
	k := km(s.Place, d.Place)
	// A source placed near a hop by its RTT is anywhere within that radius; one placed in the first
	// hops' country keeps the country's spread, not the radius of the hop that gave it coordinates.
	if s.Place.Source == "rtt" && !distanceStatable(k, s.RadiusKm) {
		return nil
	}
	dist := &Distance{From: s.Place, To: d.Place, Km: math.Round(k), LightMinMs: round1(k / geo.FibreKmPerMs),
		Approximate: s.Approximate || d.Place.Source == "inferred"}
	ttl, m := e.measuredToDestination(d)
	if ttl > 0 {
		dist.MeasuredTTL, dist.MeasuredMs = ttl, m
		if dist.LightMinMs > 0 {
			dist.Stretch = round1(m / (k / geo.FibreKmPerMs))
		}
	}
	return dist
}

// distanceStatable reports whether a distance of km from a source known within radiusKm (0: exactly)
// says anything: "both around X" only when the source's whole radius stays near, and a longer distance
// only when the radius is at most half of it (the light-speed minimum is then off by at most half).
func distanceStatable(km, radiusKm float64) bool {
	if km < nearKm {
		return km+radiusKm < nearKm
	}
	return radiusKm <= km/2
}

// measuredToDestination is the lowest RTT to the destination, or when it did not answer, the lowest RTT of
// a hop placed in the destination's country at or after the last located hop before it.
func (e *explainer) measuredToDestination(d Destination) (int, float64) {
	if d.Reached {
		for i, h := range e.out {
			if h.TTL == d.ReachedTTL && !math.IsNaN(e.mins[i]) {
				a, _ := netip.ParseAddr(d.Addr)
				if s := e.t.Hops[i].Summarize(a); s.OK {
					return h.TTL, ms(s.Min)
				}
				return h.TTL, e.mins[i]
			}
		}
	}
	if d.Place == nil {
		return 0, 0
	}
	ttl, best := 0, math.Inf(1)
	for i, h := range e.out {
		if h.Place == nil || h.Place.Country != d.Place.Country || math.IsNaN(e.mins[i]) {
			continue
		}
		if e.mins[i] < best {
			ttl, best = h.TTL, e.mins[i]
		}
	}
	if ttl == 0 {
		return 0, 0
	}
	return ttl, best
}

// farSide finds located hops whose minimum RTT is already (within 20%) that of the last located hop placed
// at least farSideMinKm away: their replies most likely come back through the far end.
//
// For each hop it wants the last later hop that qualifies. Scanning every later hop would make the work
// quadratic in the hops; instead the candidates (hops placed by their hostname with a measured RTT) are
// grouped by place, where the distance is fixed, each group sorted by RTT, so the qualifying RTTs are one
// range of it, and the last hop of that range is a range-maximum query.
func (e *explainer) farSide() []FarSide {
	out := []FarSide{}
	groups := e.farSideGroups()
	if len(groups) == 0 {
		return out
	}
	for i, h := range e.out {
		p := h.Place
		if !farSideCandidate(p, e.placeMs[i]) || e.fasterLaterHere(i) {
			continue
		}
		best := -1
		for _, g := range groups {
			d := km(p, g.place)
			need := d / geo.FibreKmPerMs
			if d < farSideMinKm || e.placeMs[i] < need {
				continue
			}
			// The group's hops j with e.placeMs[j] >= need, e.placeMs[i] >= 0.8*e.placeMs[j], and a
			// difference less than half what light needs between the two places (a path rising from
			// Chicago at 156 ms to Seattle at 194, 28 ms of light apart, is no tunnel: each hop is
			// where its RTT says): a range of the RTT order since every bound is monotone in e.placeMs[j].
			ceil := math.Min(e.placeMs[i]/0.8, e.placeMs[i]+0.5*need)
			lo := sort.Search(len(g.hops), func(k int) bool { return e.placeMs[g.hops[k]] >= need })
			hi := sort.Search(len(g.hops), func(k int) bool { return e.placeMs[g.hops[k]] > ceil })
			if j := g.last.max(lo, hi); j > i && j > best {
				best = j
			}
		}
		if best >= 0 {
			q := e.out[best].Place
			out = append(out, FarSide{TTL: h.TTL, Place: p, MinMs: e.placeMs[i], FarTTL: e.out[best].TTL, FarPlace: q, FarMs: e.placeMs[best], DistanceKm: math.Round(km(p, q))})
		}
	}
	return out
}

// fasterLaterHere reports whether a later hop placed near hop i (within samePlaceKm) answers much faster
// (under 80% of its RTT): hop i's own RTT is then its noise, not a far end's (a New York hop at 142 ms
// before another New York hop at 106).
func (e *explainer) fasterLaterHere(i int) bool {
	p := e.out[i].Place
	for j := i + 1; j < len(e.out); j++ {
		q := e.out[j].Place
		if q != nil && q.HasCoords && !math.IsNaN(e.placeMs[j]) && km(p, q) <= samePlaceKm && e.placeMs[j] < 0.8*e.placeMs[i] {
			return true
		}
	}
	return false
}

// farSideCandidate reports whether a hop at place p with minimum RTT m can take part in a far-side finding.
func farSideCandidate(p *Place, m float64) bool {
	return p != nil && p.HasCoords && p.Source == "hostname" && !math.IsNaN(m)
}

// farSideGroup is the far-side candidates at one place: hop indexes sorted by minimum RTT, and a
// range-maximum table over them.
type farSideGroup struct {
	place *Place
	hops  []int
	last  rangeMax
}

// farSideGroups groups the far-side candidates by coordinates, in order of first appearance.
func (e *explainer) farSideGroups() []farSideGroup {
	var groups []farSideGroup
	byPlace := map[[2]float64]int{}
	for i, h := range e.out {
		if !farSideCandidate(h.Place, e.placeMs[i]) {
			continue
		}
		k := [2]float64{h.Place.Lat, h.Place.Lon}
		g, ok := byPlace[k]
		if !ok {
			g = len(groups)
			byPlace[k] = g
			groups = append(groups, farSideGroup{place: h.Place})
		}
		groups[g].hops = append(groups[g].hops, i)
	}
	for gi := range groups {
		g := &groups[gi]
		sort.SliceStable(g.hops, func(a, b int) bool { return e.placeMs[g.hops[a]] < e.placeMs[g.hops[b]] })
		g.last = newRangeMax(g.hops)
	}
	return groups
}

// rangeMax answers "the largest value in v[lo:hi]" in constant time after O(n log n) preparation (a
// sparse table: level k holds the maximum of each run of 2^k values).
type rangeMax [][]int

func newRangeMax(v []int) rangeMax {
	t := rangeMax{slices.Clone(v)}
	for w := 2; w <= len(v); w *= 2 {
		prev := t[len(t)-1]
		cur := make([]int, len(v)-w+1)
		for i := range cur {
			cur[i] = max(prev[i], prev[i+w/2])
		}
		t = append(t, cur)
	}
	return t
}

// max returns the largest of v[lo:hi], or -1 when the range is empty.
func (t rangeMax) max(lo, hi int) int {
	if lo >= hi {
		return -1
	}
	k := bits.Len(uint(hi-lo)) - 1
	return max(t[k][lo], t[k][hi-(1<<k)])
}
