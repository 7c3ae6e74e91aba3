package explain

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/net/publicsuffix"
)

// asPath groups the hops into runs of one AS. Hops without an AS (silent, private, unannounced) do not
// break a run, and a single hop whose AS differs from identical neighbours on both sides is a stray.
func (e *explainer) asPath() []ASRun {
	var runs []ASRun
	for _, h := range e.out {
		if h.ASN == 0 {
			continue
		}
		if n := len(runs); n > 0 && runs[n-1].ASN == h.ASN {
			runs[n-1].LastTTL = h.TTL
			runs[n-1].Hops++
			continue
		}
		org := e.orgOf(h.ASN)
		runs = append(runs, ASRun{ASN: h.ASN, Org: org, Operator: h.Operator, FirstTTL: h.TTL, LastTTL: h.TTL, Hops: 1})
	}
	for changed := true; changed; {
		changed = false
		for i := 1; i+1 < len(runs); i++ {
			a, s, b := runs[i-1], runs[i], runs[i+1]
			if s.Hops != 1 || a.ASN != b.ASN {
				continue
			}
			m := a
			m.LastTTL = b.LastTTL
			m.Hops = a.Hops + b.Hops
			m.Strays = slices.Concat(a.Strays, []Stray{{TTL: s.FirstTTL, ASN: s.ASN}}, b.Strays)
			runs = slices.Replace(runs, i-1, i+2, m)
			changed = true
			break
		}
	}
	if runs == nil {
		runs = []ASRun{}
	}
	return runs
}

// carriers merges consecutive runs of sibling ASes into operators, appends the destination's operator and
// derives the hand-offs. A single-hop carrier between two others is transit (the interconnect address);
// the hand-off is declared to the next carrier whose hops stay.
func (e *explainer) carriers(runs []ASRun, d Destination) ([]Carrier, []HandOff) {
	type group struct {
		c    Carrier
		orgs []string
	}
	var gs []group
	groupOf := make([]int, len(runs)) // the group each run joined
	for k, r := range runs {
		org := orgOrAS(r.Org, r.ASN)
		groupOf[k] = len(gs)
		if n := len(gs); n > 0 && siblingOfAny(org, gs[n-1].orgs) {
			groupOf[k] = n - 1
			g := &gs[n-1]
			if !slices.Contains(g.c.ASNs, r.ASN) {
				g.c.ASNs = append(g.c.ASNs, r.ASN)
			}
			g.orgs = append(g.orgs, org)
			g.c.LastTTL = r.LastTTL
			g.c.Hops += r.Hops
			continue
		}
		gs = append(gs, group{c: Carrier{ASNs: []uint32{r.ASN}, FirstTTL: r.FirstTTL, LastTTL: r.LastTTL, Hops: r.Hops, Observed: true}, orgs: []string{org}})
	}
	out := make([]Carrier, 0, len(gs)+1)
	for _, g := range gs {
		g.c.Name = CarrierName(g.orgs)
		out = append(out, g.c)
	}
	for i := range out {
		// A single hop between two carriers is usually the interconnect address, numbered from one
		// side's space; not when the next carrier answers from an exchange's LAN right after it: the
		// hand-off to it is over the exchange, and that hop is its own carrier's router.
		// Nor when the hop's router name is in its own carrier's domain ("ix-ae-6-0.tcore1.n75-newyork.as6453.net"
		// for AS6453): that is the carrier's own router, not the far end of a link numbered from its space.
		// Nor when silent hops follow it: the carrier's other routers did not answer (Chinanet's
		// backbone), and the single hop is no interconnect between two answering neighbours.
		out[i].Transit = out[i].Hops == 1 && i > 0 && i < len(out)-1 && e.exchangeHop(out[i].LastTTL, out[i].LastTTL+2) == 0 &&
			!e.namedForOwnAS(out[i].FirstTTL, out[i].ASNs) && (!out[i+1].Observed || out[i+1].FirstTTL == out[i].LastTTL+1)
	}
	if d.ASN != 0 {
		dorg := orgOrAS(d.Org, d.ASN)
		if n := len(out); n > 0 && siblingOfAny(dorg, gs[n-1].orgs) {
			out[n-1].Destination = true
			if !slices.Contains(out[n-1].ASNs, d.ASN) {
				out[n-1].ASNs = append(out[n-1].ASNs, d.ASN)
			}
		} else {
			out = append(out, Carrier{Name: CarrierName([]string{dorg}), ASNs: []uint32{d.ASN}, Destination: true})
		}
	}
	var hs []HandOff
	prev := -1
	var via []string
	for i, c := range out {
		if !c.Observed {
			break
		}
		if c.Transit {
			via = append(via, fmt.Sprintf("%s (%s) at hop %d", c.Name, asList(c.ASNs), c.FirstTTL))
			continue
		}
		if prev >= 0 {
			p := out[prev]
			ho := HandOff{From: p.Name, FromASNs: p.ASNs, To: c.Name, ToASNs: c.ASNs, AfterTTL: out[i-1].LastTTL, AtTTL: c.FirstTTL, Via: via}
			if t := e.firstResponderIn(c.ASNs, p.LastTTL, c.FirstTTL); t > 0 {
				// The next carrier already answers at the previous one's last hop (two routers at one
				// TTL: the paths split at the hand-off): the hand-off is there.
				ho.AtTTL = t
				ho.AfterTTL = e.prevTTL(t)
			} else if x := e.exchangeHop(p.LastTTL, c.FirstTTL); x > 0 {
				// A port on an exchange's LAN answers for the member that received the traffic there:
				// the next carrier's router, so the hand-off is at the exchange hop.
				ho.AtTTL = x
				if x <= ho.AfterTTL {
					ho.AfterTTL = p.LastTTL
				}
			}
			if t := e.namedForNext(p, c); t > 0 {
				// The previous carrier's last hop is named in the next one's domain ("swice1….switch.ch"
				// on a GÉANT address after GÉANT's "….geant.net" hops): the next carrier's router on a
				// link numbered from the previous one's space, so the hand-off is at it.
				ho.AtTTL, ho.AfterTTL = t, e.prevTTL(t)
			}
			ho.Place = e.handOffPlace(ho.AfterTTL, ho.AtTTL)
			ho.InterconnectTTL, ho.Interconnect = e.interconnect(ho)
			hs = append(hs, ho)
		}
		prev, via = i, nil
	}
	if ho, ok := e.entryHandOff(out); ok {
		hs = append(hs, ho)
	}
	hs = append(hs, e.siblingHandOffs(runs, groupOf, out)...)
	slices.SortStableFunc(hs, func(a, b HandOff) int { return a.AtTTL - b.AtTTL })
	if hs == nil {
		hs = []HandOff{}
	}
	return out, hs
}

// entryHandOff is where the path enters its first network seen when hops answered before it from no
// known network (a home or enterprise LAN, an access network's unannounced space): the traffic is handed
// into that network there (private hops, then Google at hop 3), though from whom the data cannot say.
func (e *explainer) entryHandOff(carriers []Carrier) (HandOff, bool) {
	if len(carriers) == 0 || !carriers[0].Observed || carriers[0].Transit {
		return HandOff{}, false
	}
	c := carriers[0]
	before := false
	for i := range e.t.Hops {
		if h := &e.t.Hops[i]; h.TTL < c.FirstTTL && answered(h) {
			before = true
		}
	}
	if !before {
		return HandOff{}, false
	}
	ho := HandOff{To: c.Name, ToASNs: c.ASNs, AfterTTL: e.prevTTL(c.FirstTTL), AtTTL: c.FirstTTL, Entry: true}
	ho.Place = e.handOffPlace(ho.AfterTTL, ho.AtTTL)
	return ho, true
}

// siblingHandOffs are the hand-offs between sibling ASes inside one carrier (China Unicom's AS10099 in
// Hong Kong to its mainland AS9929): the carrier is one, but the border between its networks is where
// the path changes hands as much as between carriers. Each names its carrier in Within.
func (e *explainer) siblingHandOffs(runs []ASRun, groupOf []int, carriers []Carrier) []HandOff {
	var hs []HandOff
	for k := 1; k < len(runs); k++ {
		a, b := runs[k-1], runs[k]
		if groupOf[k] != groupOf[k-1] || a.ASN == b.ASN || groupOf[k] >= len(carriers) {
			continue
		}
		c := carriers[groupOf[k]]
		ho := HandOff{From: operatorOf(a), FromASNs: []uint32{a.ASN}, To: operatorOf(b), ToASNs: []uint32{b.ASN},
			AfterTTL: a.LastTTL, AtTTL: b.FirstTTL, Within: c.Name}
		ho.Place = e.handOffPlace(ho.AfterTTL, ho.AtTTL)
		hs = append(hs, ho)
	}
	return hs
}

// operatorOf is a run's operator name, its organisation's, or its AS number.
func operatorOf(r ASRun) string {
	if r.Operator != "" {
		return r.Operator
	}
	return orgOrAS(r.Org, r.ASN)
}

// namedForNext returns the last hop of carrier p when its router's name is under the registered domain
// of the names at carrier c's first hop and under none of p's other hops' domains; 0 otherwise.
func (e *explainer) namedForNext(p, c Carrier) int {
	if p.LastTTL <= p.FirstTTL || c.FirstTTL == 0 {
		return 0
	}
	domains := func(ttl int) []string {
		var out []string
		if h := e.t.Hop(ttl); h != nil {
			for _, r := range h.Responders {
				if d := registeredDomain(r.Name); d != "" && !slices.Contains(out, d) {
					out = append(out, d)
				}
			}
		}
		return out
	}
	last, next := domains(p.LastTTL), domains(c.FirstTTL)
	if len(last) != 1 || !slices.Contains(next, last[0]) {
		return 0
	}
	for ttl := p.FirstTTL; ttl < p.LastTTL; ttl++ {
		if slices.Contains(domains(ttl), last[0]) {
			return 0 // the previous carrier names its own routers so too
		}
	}
	return p.LastTTL
}

// registeredDomain is the domain a router name is registered under ("switch.ch" for
// "swice1-100ge-0-3-0-1.switch.ch"); "" for no name or an address written as a name.
func registeredDomain(name string) string {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if name == "" || !strings.Contains(name, ".") {
		return ""
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return ""
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(name)
	if err != nil {
		return ""
	}
	return d
}

// namedForOwnAS reports whether a responder of hop ttl whose database AS is one of asns has a name that
// gives that same AS (the carrier's own domain or AS number in the name).
func (e *explainer) namedForOwnAS(ttl int, asns []uint32) bool {
	h := e.t.Hop(ttl)
	if h == nil {
		return false
	}
	for _, r := range h.Responders {
		in := e.responderInfo(r)
		if in.Hint != nil && in.Hint.ASN != 0 && in.ASSource != "hostname" && slices.Contains(asns, in.ASN) && slices.Contains(asns, in.Hint.ASN) {
			return true
		}
	}
	return false
}

// firstResponderIn is the first TTL from lo up to (not including) hi where a responder's database AS is
// one of asns; 0 when none is.
func (e *explainer) firstResponderIn(asns []uint32, lo, hi int) int {
	for i := range e.t.Hops {
		h := &e.t.Hops[i]
		if h.TTL < lo || h.TTL >= hi || len(h.Responders) < 2 {
			continue
		}
		for _, r := range h.Responders {
			if in := e.info(r.Addr); in.ASN != 0 && in.ASSource != "hostname" && in.Special == nil && slices.Contains(asns, in.ASN) {
				return h.TTL
			}
		}
	}
	return 0
}

// prevTTL is the TTL of the last hop before ttl where anything answered; ttl-1 when none did.
func (e *explainer) prevTTL(ttl int) int {
	for i := len(e.t.Hops) - 1; i >= 0; i-- {
		if h := &e.t.Hops[i]; h.TTL < ttl && !h.Silent() {
			return h.TTL
		}
	}
	return ttl - 1
}

// exchangeHop is the last hop strictly between TTLs after and at that answered from an exchange's
// peering LAN (by the LAN's prefix or the router's name); 0 when none did.
func (e *explainer) exchangeHop(after, at int) int {
	for i := len(e.t.Hops) - 1; i >= 0; i-- {
		h := &e.t.Hops[i]
		if h.TTL <= after || h.TTL >= at {
			continue
		}
		for _, r := range h.Responders {
			if in := e.responderInfo(r); in.Exchange != nil || (in.Hint != nil && in.Hint.Exchange != "") {
				return h.TTL
			}
		}
	}
	return 0
}

// handOffPlace is the location of the first hop of the new carrier, or else of the last hop before it.
func (e *explainer) handOffPlace(after, at int) *Place {
	atMs := math.NaN()
	for i, h := range e.out {
		if h.TTL == at {
			atMs = e.placeMs[i]
		}
	}
	for _, ttl := range []int{at, after} {
		for i, h := range e.out {
			if h.TTL != ttl || h.Place == nil || h.Place.City == "" {
				continue
			}
			// The hop before the hand-off stands for its place only when the hop after it is no
			// nearer: a destination answering in 9 ms after a router in Seattle at 83 ms was reached
			// another way, not handed over in Seattle.
			if ttl == after && !math.IsNaN(atMs) && !math.IsNaN(e.placeMs[i]) && atMs < 0.8*e.placeMs[i]-crossSlackMs {
				return nil
			}
			return h.Place
		}
	}
	return nil
}

// interconnect finds, on the last hop before a hand-off or the first after it, a router name that names
// the carrier on the other side ("tatateleglobe-8.gw.opentransit.net" before Tata; "orange-ic.tata.net"
// after Orange): the two ends of the link between the carriers.
func (e *explainer) interconnect(h HandOff) (int, string) {
	check := func(ttl int, other string) (int, string) {
		hop := e.t.Hop(ttl)
		if hop == nil {
			return 0, ""
		}
		words := significant(other)
		for _, r := range hop.Responders {
			host := strings.ToLower(r.Name)
			if i := strings.IndexByte(host, '.'); i > 0 {
				host = host[:i] // the router's own label, not its operator's domain
			}
			for _, w := range words {
				if len(w) >= 4 && strings.Contains(host, w) {
					return ttl, r.Name
				}
			}
		}
		return 0, ""
	}
	if ttl, name := check(h.AfterTTL, h.To); name != "" {
		return ttl, name
	}
	return check(h.AtTTL, h.From)
}

// asList formats ASNs as "AS3215/AS5511".
func asList(asns []uint32) string {
	parts := make([]string, len(asns))
	for i, a := range asns {
		parts[i] = fmt.Sprintf("AS%d", a)
	}
	return strings.Join(parts, "/")
}

// genericWords never identify an operator on their own: shared by unrelated organisations or legal forms.
var genericWords = map[string]bool{
	"sa": true, "inc": true, "ltd": true, "llc": true, "gmbh": true, "ag": true, "corp": true, "corporation": true,
	"co": true, "company": true, "limited": true, "plc": true, "bv": true, "nv": true, "spa": true, "srl": true,
	"pte": true, "pty": true, "as": true, "ab": true, "oy": true, "kk": true, "sas": true, "sarl": true, "the": true,
	"pjsc": true, "ojsc": true, "jsc": true, "cjsc": true, "ooo": true, "sl": true,
	// More legal forms: Latvian SIA and Lithuanian UAB (Tet's "SIA Tet" and "SIA BITE Latvija" are no
	// siblings), Estonian OÜ, Czech and Slovak s.r.o., Balkan d.o.o., Hungarian Kft. and Zrt., Polish
	// sp. z o.o., Malaysian Sdn Bhd, Indonesian Tbk, Indian Pvt, Latin American Ltda, S.A.C., C.A.
	"sia": true, "uab": true, "ou": true, "sro": true, "doo": true, "kft": true, "zrt": true, "zoo": true,
	"sdn": true, "bhd": true, "tbk": true, "pvt": true, "ltda": true, "sac": true, "llp": true, "eirl": true,
	"of": true, "and": true, "de": true, "china": true, "telecom": true, "telecommunications": true,
	"communications": true, "communication": true, "network": true, "networks": true, "net": true,
	"internet": true, "global": true, "international": true, "services": true, "service": true, "systems": true,
	"computer": true, "technology": true, "technologies": true, "group": true, "holdings": true, "data": true,
	"cloud": true, "online": true, "broadband": true, "cable": true, "mobile": true, "backbone": true,
	"transit": true, "hosting": true, "digital": true, "america": true, "americas": true, "europe": true,
	"asia": true, "pacific": true, "national": true, "building": true, "avenue": true, "street": true,
	"road": true, "tower": true, "floor": true, "beijing": true, "shanghai": true, "shenzhen": true,
	"guangzhou": true, "hong": true, "kong": true, "korea": true, "japan": true, "united": true, "states": true,
	"new": true, "york": true, "british": true, "deutsche": true, "ap": true, "eu": true, "us": true,
	"level": true, "ip": true, "isp": true, "tel": true, "com": true, "infrastructure": true, "media": true,
	// Words of research, public and regional networks' names: AARNet's "Australian Academic and
	// Research Network" and REANNZ's "Research and Education Advanced Network New Zealand" are no
	// siblings.
	"research": true, "education": true, "educational": true, "academic": true, "advanced": true,
	"university": true, "science": true, "scientific": true, "institute": true, "foundation": true,
	"association": true, "government": true, "ministry": true, "regional": true, "state": true,
	"federal": true, "public": true, "solutions": true, "access": true, "fiber": true, "fibre": true,
	"wireless": true, "exchange": true, "information": true, "zealand": true, "australian": true,
	"australia": true, "canada": true, "india": true, "brasil": true, "brazil": true,
}

// addressWords end an operator's name: what follows is a postal address.
var addressWords = map[string]bool{"building": true, "avenue": true, "street": true, "road": true, "tower": true, "floor": true}

// tokens splits an organisation name into lowercase alphanumeric words.
func tokens(org string) []string {
	return strings.FieldsFunc(strings.ToLower(org), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// significant returns the words of org that can identify an operator.
func significant(org string) []string {
	var out []string
	for _, t := range tokens(org) {
		if len(t) >= 3 && !genericWords[t] && !isDigits(t) {
			out = append(out, t)
		}
	}
	return out
}

func isDigits(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) }) < 0
}

// SameOperator reports whether two AS organisation names belong to one operator: equal once normalised,
// or sharing a distinctive word ("Orange S.A." and "ORANGE", "Tencent Building" and "Shenzhen Tencent
// Computer Systems"). Generic words ("China", "Telecom", "Communications") never match on their own.
func SameOperator(a, b string) bool {
	if strings.EqualFold(strings.Join(tokens(a), " "), strings.Join(tokens(b), " ")) {
		return true
	}
	sa := significant(a)
	for _, t := range significant(b) {
		if slices.Contains(sa, t) {
			return true
		}
	}
	return false
}

// siblingOfAny reports whether org belongs to the operator of any of orgs.
func siblingOfAny(org string, orgs []string) bool {
	for _, o := range orgs {
		if SameOperator(org, o) {
			return true
		}
	}
	return false
}

// CarrierName is a short display name for an operator known by one or more AS organisation names: the
// shared distinctive word of siblings ("Orange"), or the first name without its legal form, parenthesis
// and postal address ("TATA COMMUNICATIONS(AMERICA) INC" → "Tata Communications").
func CarrierName(orgs []string) string {
	if len(orgs) == 0 {
		return ""
	}
	distinct := []string{}
	for _, o := range orgs {
		if !slices.Contains(distinct, o) {
			distinct = append(distinct, o)
		}
	}
	if len(distinct) > 1 {
		// The words the display names start with in common ("China Unicom Backbone", "China Unicom
		// Beijing Province Network" → "China Unicom"), when they include a distinctive one.
		common := strings.Fields(OperatorName(distinct[0]))
		for _, o := range distinct[1:] {
			w := strings.Fields(OperatorName(o))
			n := 0
			for n < len(common) && n < len(w) && strings.EqualFold(common[n], w[n]) {
				n++
			}
			common = common[:n]
		}
		if len(significant(strings.Join(common, " "))) > 0 {
			return strings.Join(common, " ")
		}
		first := significant(distinct[0])
		for _, t := range first {
			all := true
			for _, o := range distinct[1:] {
				if !slices.Contains(significant(o), t) {
					all = false
				}
			}
			if all {
				return titleWord(t)
			}
		}
	}
	return OperatorName(distinct[0])
}

// OperatorName shortens one AS organisation name for display: it drops parentheses, anything after a
// comma, legal forms and postal-address words, and title-cases names written in capitals.
func OperatorName(org string) string {
	if i := strings.IndexAny(org, ",("); i > 0 {
		org = org[:i]
	}
	if strings.HasPrefix(org, "AS") && isDigits(org[2:]) && len(org) > 2 {
		return org
	}
	words := strings.Fields(org)
	upper := org == strings.ToUpper(org)
	var keep, low []string
	for _, w := range words {
		t := strings.ToLower(strings.Trim(w, ".-"))
		clean := strings.ReplaceAll(t, ".", "")
		if clean == "" {
			continue // a lone "-" or "."
		}
		if addressWords[clean] {
			break
		}
		if legalForm[clean] && len(keep) > 0 {
			continue
		}
		if upper {
			w = titleWord(t)
		}
		keep = append(keep, strings.TrimRight(w, ","))
		low = append(low, clean)
	}
	if len(keep) == 0 {
		return strings.TrimSpace(org)
	}
	// "Shenzhen Tencent Computer Systems Company" → "Tencent": a leading city and trailing company words go
	// when a distinctive word remains.
	for len(keep) > 1 && leadingPlaces[low[0]] {
		keep, low = keep[1:], low[1:]
	}
	for len(keep) > 1 && trailingWords[low[len(low)-1]] {
		keep, low = keep[:len(keep)-1], low[:len(low)-1]
	}
	return strings.Join(keep, " ")
}

// leadingPlaces are city names that some registrations put before the company name.
var leadingPlaces = map[string]bool{"shenzhen": true, "beijing": true, "shanghai": true, "guangzhou": true, "hangzhou": true}

// trailingWords describe a company's business rather than name it.
var trailingWords = map[string]bool{
	"company": true, "computer": true, "systems": true, "technology": true, "technologies": true, "group": true,
	"holdings": true, "services": true, "science": true, "and": true, "of": true, "the": true, "&": true,
}

// legalForm are company-form words dropped from display names.
var legalForm = map[string]bool{
	"sa": true, "inc": true, "ltd": true, "llc": true, "gmbh": true, "ag": true, "corp": true, "corporation": true,
	"co": true, "limited": true, "plc": true, "bv": true, "nv": true, "spa": true, "srl": true, "pte": true,
	"pty": true, "ab": true, "oy": true, "kk": true, "sas": true, "sarl": true, "pjsc": true, "ojsc": true,
	"jsc": true, "cjsc": true, "ooo": true, "zao": true, "oao": true, "pao": true, "sl": true, "sro": true,
	"as": true, "asa": true, "aps": true, "spzoo": true, "sp": true,
}

// titleWord capitalises the first letter of a lowercase word.
func titleWord(w string) string {
	if w == "" {
		return w
	}
	r := []rune(w)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
