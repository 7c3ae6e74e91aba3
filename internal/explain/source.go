package explain

import (
	"fmt"
	"math"
	"strings"

	"hopscope/internal/enrich"
	"hopscope/internal/geo"
	"hopscope/internal/worldmap"
)

// source finds the vantage point: the user's, else a located hop among the first ones (before the RTT
// has risen), else the first located hop in the country of the first public hops.
func (e *explainer) source(user *Place) Source {
	if user != nil {
		p := *user
		if p.Source == "" {
			p.Source = "user"
		}
		if p.Confidence == "" {
			p.Confidence = "high"
		}
		basis := "--from-location"
		if p.Source != "user" {
			basis = p.Source // a measurement network's probe ("globalping probe"), not the user's word
		}
		return Source{Known: true, Place: &p, Basis: basis}
	}
	resp := e.responding()
	if len(resp) == 0 {
		if e.lastResponding() >= 0 {
			return Source{Basis: "no hop carries an RTT (the input lists the route without times); give --from-location"}
		}
		return Source{Basis: "no hop answered"}
	}
	// The evidence is the public hops before the destination: a private hop has no place, and the
	// destination or an anycast address is where the trace went, not where it came from. The first of
	// them starts the window: a home or access link's delay before it (a DSL line's 20 ms) is no distance.
	var ev []int
	reached := e.reachedTTL()
	for _, i := range resp {
		if e.sourceEvidence(i, reached) {
			ev = append(ev, i)
		}
	}
	if len(ev) == 0 {
		return Source{Basis: "no public hop answered before the destination; give --from-location"}
	}
	// A hop's distance from the source is bounded by its own RTT and by every later hop's, since the
	// path to those passes through it: a router slow to answer (50 ms) before one answering in 4 ms is
	// within 400 km.
	bound := make(map[int]float64, len(ev))
	for k, m := len(ev)-1, math.Inf(1); k >= 0; k-- {
		m = math.Min(m, e.mins[ev[k]])
		bound[ev[k]] = m
	}
	first := bound[ev[0]]
	if first > maxSourceMs {
		if s, ok := e.accessDomainSource(resp, ev[0], first); ok {
			return s
		}
		return Source{Basis: fmt.Sprintf("the first public hop answers in %s ms, so the source may be anywhere within %s km of it; give --from-location",
			approx(first), GroupDigits(math.Round(first*geo.FibreKmPerMs)))}
	}
	country, countryTTL, nearest, nearestTTL := "", 0, "", 0
	// Among the first hops (before the RTT has risen), a hop placed by its name beats one placed by a
	// database city (routers are registered at head offices), and the fastest of a kind wins: a hop
	// answering in t ms puts the source within t × 100 km of it.
	best := -1
	// named is the country of the first national domain (".edu.cn") among the first hops' names.
	named, namedTTL, namedAs := "", 0, ""
	// domain is the country of the first national top-level domain (".ru") among the first hops' names:
	// the source's when nothing else places the first hops (a trace of names only).
	domain, domainTTL, domainAs := "", 0, ""
	for _, i := range ev {
		if bound[i] > first+jumpMinMs {
			break
		}
		p := e.out[i].Place
		if p != nil && p.HasCoords && (p.Source == "hostname" || p.City != "") {
			if b := e.out[max(best, 0)].Place; best < 0 || (p.Source == "hostname" && b.Source != "hostname") ||
				(p.Source == b.Source && bound[i] < bound[best]) {
				best = i
			}
		}
		// A registry country counts only for a network that serves one country: a global carrier's or
		// cloud's registration is its head office's.
		if country == "" && p != nil && p.Country != "" && (p.Source == "hostname" || !globalNetwork(e.out[i].ASN)) {
			country, countryTTL = p.Country, e.out[i].TTL
		}
		// Any country, a global network's registry included, can contradict a name further on.
		if nearest == "" && p != nil && p.Country != "" {
			nearest, nearestTTL = p.Country, e.out[i].TTL
		}
		for _, r := range e.t.Hops[i].Responders {
			if named == "" {
				if c := nameCountry(r.Name); c != "" {
					named, namedTTL, namedAs = c, e.out[i].TTL, r.Name
				}
			}
			if domain == "" {
				if c := enrich.NationalDomain(r.Name); c != "" {
					domain, domainTTL, domainAs = c, e.out[i].TTL, r.Name
				}
			}
		}
	}
	if best >= 0 {
		b := e.out[best]
		if nearest != "" && nearest != b.Place.Country && nearestTTL < b.TTL {
			// A nearer hop says another country: two countries within the RTT, and nothing to pick one.
			return Source{Basis: fmt.Sprintf("hop %d is in %s but hop %d (%s) is in %s, both within the first hops' RTT; give --from-location",
				nearestTTL, CountryName(nearest), b.TTL, b.Place.Label(), CountryName(b.Place.Country))}
		}
		why := fmt.Sprintf("hop %d (%s) answers in %s ms", b.TTL, b.Place.Source, approx(e.mins[best]))
		if bound[best] < e.mins[best] {
			why += fmt.Sprintf(" and a later hop in %s ms", approx(bound[best]))
		}
		if r := math.Round(bound[best] * geo.FibreKmPerMs); r > maxSourceCityKm && !smallCountry(b.Place.Country) {
			// Too slow to name a city in a large country: only the country of the hop, which a network
			// serving its customers there (a home line's first routers) makes the source's.
			if b.Place.Source != "hostname" && globalNetwork(b.ASN) || b.Place.Country == "" {
				return Source{Basis: fmt.Sprintf("%s, too slow to place the source; give --from-location", why)}
			}
			return Source{Known: true, Approximate: true, RadiusKm: r,
				Place: &Place{Country: b.Place.Country, Source: "inferred", Confidence: "low"},
				Basis: fmt.Sprintf("in %s: %s, too slow to name a city", CountryName(b.Place.Country), why)}
		}
		return e.sourceNear(best, bound[best], why)
	}
	if country == "" && domain != "" {
		return Source{Known: true, Approximate: true, Place: &Place{Country: domain, Source: "inferred", Confidence: "low"},
			Basis: fmt.Sprintf("in %s: hop %d's name %s is under its national domain, %s ms from the source",
				CountryName(domain), domainTTL, domainAs, approx(first))}
	}
	if country == "" {
		return Source{Basis: "the first hops carry no location; give --from-location"}
	}
	if nearest != "" && nearest != country && nearestTTL < countryTTL {
		// A nearer hop is in another country, if only by a global network's registry (China Unicom
		// Global's Hong Kong hops before its mainland ones): the first hops do not agree on one.
		return Source{Basis: fmt.Sprintf("hop %d is registered in %s but hop %d in %s, both within the first hops' RTT; give --from-location",
			nearestTTL, CountryName(nearest), countryTTL, CountryName(country))}
	}
	if named != "" && named != country {
		// The registry's country and a first hop's own domain disagree; neither is a router's place.
		return Source{Basis: fmt.Sprintf("the registry puts the first hops in %s, but hop %d's name %s is %s's; give --from-location",
			CountryName(country), namedTTL, namedAs, CountryName(named))}
	}
	for _, i := range ev {
		h := e.out[i]
		p := h.Place
		if p == nil || !p.HasCoords {
			continue
		}
		if p.Country != country {
			break
		}
		// That hop may answer from far (the end of a tunnel), but light still bounds it: the source is
		// within its minimum RTT × 100 km of it, however large that is.
		q := *p
		q.Source, q.Confidence = "inferred", "low"
		s := Source{Known: true, Place: &q, Approximate: true,
			Basis: fmt.Sprintf("the first hops are in %s; hop %d (%s) is the first located hop there", CountryName(country), h.TTL, p.Label())}
		if !math.IsNaN(e.placeMs[i]) {
			s.RadiusKm = math.Round(e.placeMs[i] * geo.FibreKmPerMs)
		}
		if s.RadiusKm > maxSourceCityKm && !smallCountry(country) {
			// Too far to name its city: the country is what the first hops say.
			s.Place = &Place{Country: country, Source: "inferred", Confidence: "low"}
			s.Basis = fmt.Sprintf("the first hops are in %s; the first located hop there, hop %d (%s), answers in %s ms, too slow to name a city",
				CountryName(country), h.TTL, p.Label(), approx(e.placeMs[i]))
		}
		return s
	}
	return Source{Known: true, Place: &Place{Country: country, Source: "database", Confidence: "low"}, Approximate: true,
		Basis: fmt.Sprintf("the first hops are in %s; no city is known", CountryName(country))}
}

// accessDomainSource places the source in the country of the first public hop when its RTT is too slow
// to bound anything (a congested line: 284 ms) but its router's name is under that country's national
// domain and its registry agrees: the user's own provider's first router
// ("ipdsl-bcs-lapazbcs-23-l0.uninet.net.mx", registered in Mexico).
// The hops read are those answering up to the first public one, its provider's unannounced space
// included (private space has no registry).
func (e *explainer) accessDomainSource(resp []int, firstPublic int, firstMs float64) (Source, bool) {
	for _, i := range resp {
		if i > firstPublic {
			break
		}
		p := e.out[i].Place
		if p == nil || p.Country == "" || globalNetwork(e.out[i].ASN) {
			continue
		}
		for _, r := range e.t.Hops[i].Responders {
			if enrich.NationalDomain(r.Name) == p.Country && !homeName(r.Name) {
				return Source{Known: true, Approximate: true, Place: &Place{Country: p.Country, Source: "inferred", Confidence: "low"},
					Basis: fmt.Sprintf("in %s: hop %d's name %s is under its national domain and its registry agrees; its %s ms are too slow to say more",
						CountryName(p.Country), e.out[i].TTL, r.Name, approx(math.Max(firstMs, e.mins[i])))}, true
			}
		}
	}
	return Source{}, false
}

// maxSourceMs is the slowest first public hop that still says something of where the source is: past
// it (4,000 km by fibre) a continent's worth of countries fits in the RTT.
const maxSourceMs = 40.0

// maxSourceCityKm is the widest radius within which the source is said to be "near" a hop's city;
// past it only the hop's country is given.
const maxSourceCityKm = 1000.0

// homeNames are the domains home routers and gateways call themselves by ("fritz.box",
// "dsldevice.attlocal.net"): a hop named so is the user's own network, not a public router.
var homeNames = []string{".local", ".lan", ".home", ".localdomain", ".home.arpa", ".box", ".ip", ".router",
	"attlocal.net", "mynetworksettings.com", "routerlogin.net", "tplinkwifi.net", "myfritz.net"}

// homeName reports whether a responder's name is a home network's: one label ("gateway") or a
// domain of homeNames.
func homeName(name string) bool {
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	if !strings.Contains(n, ".") {
		return true
	}
	for _, d := range homeNames {
		if strings.HasSuffix(n, d) {
			return true
		}
	}
	return false
}

// smallCountry reports whether every point of country cc is within maxSourceCityKm of any other, so
// that one of its cities stands for a source known only to be in it (France, not the United States).
func smallCountry(cc string) bool {
	c, ok := worldmap.Centre(cc)
	return ok && 2*c.RadiusKm <= maxSourceCityKm
}

// sourceEvidence reports whether hop index i can say where the source is: it answered before the
// destination did, from a public address that is not anycast (or from a name alone).
// reached is the TTL where the destination answered, 0 when it did not.
func (e *explainer) sourceEvidence(i, reached int) bool {
	h := &e.t.Hops[i]
	if reached > 0 && h.TTL >= reached {
		return false
	}
	for _, r := range h.Responders {
		if !r.Addr.IsValid() {
			if r.Name != "" && !homeName(r.Name) {
				return true
			}
			continue
		}
		if in := e.info(r.Addr); in.Special == nil && in.Anycast == nil && r.Addr != e.t.Target.Addr {
			return true
		}
	}
	return false
}

// sourceNear is the source as known from hop index i: near its place, within ms (its minimum RTT, or a
// later hop's when smaller) × 100 km.
func (e *explainer) sourceNear(i int, ms float64, why string) Source {
	p := *e.out[i].Place
	r := math.Round(ms * geo.FibreKmPerMs)
	p.Source, p.Confidence = "rtt", rttConfidence(r)
	s := Source{Known: true, Place: &p, Approximate: true, RadiusKm: r}
	s.Basis = fmt.Sprintf("near %s (within %s km by RTT): %s", placeName(&p), GroupDigits(r), why)
	return s
}
