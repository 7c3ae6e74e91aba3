package explain

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"time"

	"hopscope/internal/enrich"
	"hopscope/internal/path"
)

// Options tune Explain; the zero value infers everything from the trace.
type Options struct {
	// From is the vantage point when the user gave it (--from-location); nil means infer it from the first hops.
	From *Place
}

// Thresholds of the latency analysis, in milliseconds.
const (
	// jumpMinMs is the least rise counted as a jump; a jump must also be jumpMinFrac of the level before it.
	jumpMinMs   = 10.0
	jumpMinFrac = 0.3
	// Near the source a smaller rise is a jump too when it multiplies the level: 1.8 ms to 9.8 ms that
	// later hops keep is a long link, not noise (minimum RTTs of a few ms vary by tenths).
	jumpNearMinMs  = 4.0
	jumpNearFactor = 3.0
	// spikeMinMs is the least excess over later hops counted as a spike; it must also be spikeMinFrac of the
	// later level.
	spikeMinMs   = 10.0
	spikeMinFrac = 0.1
	// Near the source a smaller excess is a spike too when it is a multiple of the later level: a hop
	// at 6 ms before hops at 1.2 ms, or a home gateway at 2.8 ms before hops at 0.6 ms, is its own slow
	// ICMP (minimum RTTs do not fall by 2 ms downstream).
	spikeNearMinMs  = 2.0
	spikeNearFactor = 3.0
	// minLevelMs is the least later level the near-source spike rule compares with: below it the
	// level is a tool's artifact, not an RTT.
	minLevelMs = 0.05
	// contradictionSlackKm absorbs the imprecision of city coordinates in the RTT/location check.
	contradictionSlackKm = 300.0
	// farSideMinKm is the least distance between a hop and a farther one for a far-side RTT.
	farSideMinKm = 2000.0
)

// Explain computes the findings for trace t whose addresses are enriched in infos (missing entries mean
// nothing is known about that address).
func Explain(t *path.Trace, infos map[netip.Addr]enrich.Info, opt Options) Findings {
	e := &explainer{t: t, infos: infos}
	e.hops()
	f := Findings{Hops: e.out}
	// Places that break the hop-to-hop bound go first, so the source is found from places that agree;
	// then every place the hops' RTTs rule out from the source is dropped before anything uses it.
	f.Contradictions = e.hopBound()
	e.dropStrandedRegistry()
	f.Source = e.source(opt.From)
	f.Contradictions = append(f.Contradictions, e.ruleOut(f.Source)...)
	slices.SortStableFunc(f.Contradictions, func(a, b Contradiction) int { return a.TTL - b.TTL })
	contradicted := map[int]bool{}
	for _, c := range f.Contradictions {
		contradicted[c.TTL] = true
	}
	e.placeFromNames(f.Source, contradicted)
	e.placeBetween(f.Source)
	f.ASPath = e.asPath()
	f.Destination = e.destination()
	f.Carriers, f.HandOffs = e.carriers(f.ASPath, f.Destination)
	e.locateDestination(&f.Destination)
	e.checkDestination(&f.Destination, f.Source)
	e.checkDestinationBound(&f.Destination)
	f.ClockStepMs = clockStep(t)
	f.NoRTT = len(e.responding()) == 0 && e.lastResponding() >= 0
	e.step = f.ClockStepMs
	f.FarSide = e.farSide()
	e.farPlace = map[int]*Place{}
	for _, x := range f.FarSide {
		e.farPlace[x.TTL] = x.FarPlace
	}
	f.Jumps, f.Spikes = e.latency(f.Source, f.Destination.Place)
	f.MPLS = e.mpls()
	f.Distance = e.distance(f.Source, f.Destination)
	f.MultiResponders = e.multiResponders()
	f.SilentHops = e.silentHops()
	f.Special = e.special(f.Carriers, f.Destination)
	f.Loss = e.loss(f.Destination)
	f.Jitter = e.jitter(f.Destination)
	f.Markers = e.markers(f.Destination, e.t.Source == "hopscope")
	f.Multipath = Multipath(t)
	f.Impact = impact(&f, e.lastRTT())
	e.mark(&f)
	f.Summary = Summarize(t, &f)
	return f
}

// explainer carries the inputs and per-hop working values of one Explain call.
type explainer struct {
	t     *path.Trace
	infos map[netip.Addr]enrich.Info
	out   []Hop
	// mins holds each hop's minimum RTT in ms, NaN when silent or unmeasured (indexed like t.Hops).
	mins []float64
	// placeMs holds, for each hop index, the minimum RTT in ms of the responder whose place the hop
	// carries (the physics bounds hold for that responder's own answers); NaN like mins.
	placeMs []float64
	// farPlace maps the TTL of each far-side hop (FarSide) to the place whose RTT it answers with; nil
	// until the far-side findings are made.
	farPlace map[int]*Place
	// prev holds, for each hop index, the index of the last earlier hop where anything answered; -1 when
	// none did.
	prev []int
	// orgs maps ASNs to organisation names, built on first use.
	orgs map[uint32]string
	// named caches what the names of responders without an address say (responderInfo).
	named map[string]enrich.Info
	// step is the trace's clock step in ms (clockStep); 0 when its RTTs are not quantised.
	step float64
}

// info returns the enrichment of a, with Addr set even when unknown.
func (e *explainer) info(a netip.Addr) enrich.Info {
	if in, ok := e.infos[a]; ok {
		return in
	}
	return enrich.Info{Addr: a}
}

// hops fills the per-hop view: RTT, AS, operator and place.
func (e *explainer) hops() {
	e.out = make([]Hop, len(e.t.Hops))
	e.mins = make([]float64, len(e.t.Hops))
	e.prev = make([]int, len(e.t.Hops))
	e.placeMs = make([]float64, len(e.t.Hops))
	own := e.t.Source == "hopscope"
	last := -1
	for i := range e.t.Hops {
		h := &e.t.Hops[i]
		o := Hop{TTL: h.TTL, Silent: h.Silent(), Measure: MeasureHop(h, own)}
		e.prev[i] = last
		if !o.Silent {
			last = i
		}
		e.mins[i] = math.NaN()
		if s := h.Summarize(netip.Addr{}); s.OK {
			o.RTT = rttOf(s)
			e.mins[i] = o.RTT.MinMs
		}
		o.ASN, o.ASSource = e.hopAS(h)
		if o.ASN != 0 {
			o.Operator = OperatorName(e.orgOf(o.ASN))
			if o.Operator == "" {
				o.Operator = fmt.Sprintf("AS%d", o.ASN)
			}
		}
		var from netip.Addr
		o.Place, from = e.hopPlace(h)
		if p := o.Place; p != nil && p.Source == "database" && p.City == "" && !p.HasCoords && e.contentHop(h, o.ASN) {
			// A content network's registry country names its head office, never the cache that
			// answered (Akamai's US for a node inside Telkom Indonesia).
			o.Place = nil
		}
		e.placeMs[i] = e.mins[i]
		if from.IsValid() && len(h.Responders) > 1 {
			if m := e.placedMs(h, o.Place, from); !math.IsNaN(m) {
				e.placeMs[i] = m
			}
		}
		e.out[i] = o
	}
	e.confirmNameHints()
	e.dropRemotePeers()
}

// dropRemotePeers drops the exchange place of a hop whose port on an exchange's LAN answers much faster
// than the next hop's port on the same LAN: two ports of one LAN are at one site, so the faster one's
// router is elsewhere, reaching the exchange over a long link (remote peering: TE Data's Cairo router on
// DE-CIX Frankfurt answers in 7 ms, OVH's port after it in 78 ms).
func (e *explainer) dropRemotePeers() {
	prev := -1
	for i := range e.out {
		if math.IsNaN(e.placeMs[i]) {
			continue
		}
		if prev >= 0 {
			p, q := e.out[prev].Place, e.out[i].Place
			if p != nil && q != nil && p.Source == "exchange" && q.Source == "exchange" && p.Label() == q.Label() &&
				e.placeMs[i]-e.placeMs[prev] > math.Max(crossSlackMs, 0.25*e.placeMs[i]) {
				e.out[prev].Place = nil
			}
		}
		prev = i
	}
}

// contentHop reports whether hop h belongs to a content network (contentNetworks): its AS, or a
// responder's name in such a network's domain ("a104-93-98-193.deploy.static.akamaitechnologies.com").
func (e *explainer) contentHop(h *path.Hop, asn uint32) bool {
	if contentNetwork(asn) {
		return true
	}
	for k, r := range h.Responders {
		if k >= placedRespondersMax {
			break
		}
		if in := e.responderInfo(r); in.Hint != nil && contentNetwork(in.Hint.ASN) {
			return true
		}
	}
	return false
}

// placedRespondersMax bounds how many responders of one hop placedMs reads (a load balancer's fan-out
// of thousands is not read whole: the first placed responder's RTT stands).
const placedRespondersMax = 16

// placedMs is the fastest minimum RTT among hop h's responders at place p (the responder from first):
// two routers of one site at one TTL both bound it, and the faster bounds it better.
func (e *explainer) placedMs(h *path.Hop, p *Place, from netip.Addr) float64 {
	best := math.NaN()
	if s := h.Summarize(from); s.OK {
		best = ms(s.Min)
	}
	if p == nil || len(h.Responders) > placedRespondersMax {
		return best
	}
	for _, r := range h.Responders {
		if r.Addr == from || !r.Addr.IsValid() {
			continue
		}
		in := e.responderInfo(r)
		q, ok := placeOf(&in)
		if !ok || q.Country != p.Country || q.City != p.City || q.HasCoords != p.HasCoords || q.Lat != p.Lat || q.Lon != p.Lon {
			continue
		}
		if s := h.Summarize(r.Addr); s.OK && !(ms(s.Min) >= best) {
			best = ms(s.Min)
		}
	}
	return best
}

// rttOf converts a path summary to milliseconds.
func rttOf(s path.RTTSummary) *RTT {
	return &RTT{MinMs: ms(s.Min), MedianMs: ms(s.Median), MaxMs: ms(s.Max), Count: s.Count}
}

// ms converts d to milliseconds rounded to microseconds.
func ms(d time.Duration) float64 { return round3(float64(d) / float64(time.Millisecond)) }

// round3 rounds to three decimals.
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// round1 rounds to one decimal.
func round1(v float64) float64 { return math.Round(v*10) / 10 }

// hopAS picks the AS of a hop from its responders: the database's ASN, else the one the trace tool
// printed, else an AS number in the hostname (weak evidence). A special-purpose address (private,
// unannounced) votes only with an AS the enricher found for it (from its hostname), never with the
// trace tool's, which for such space is the tool's own guess.
func (e *explainer) hopAS(h *path.Hop) (uint32, string) {
	type vote struct {
		w   int
		src string
	}
	votes := map[uint32]*vote{}
	var order []uint32
	for _, r := range h.Responders {
		in := e.responderInfo(r)
		var asn uint32
		var src string
		var w int
		onLAN := in.Exchange != nil && in.Exchange.Prefix.IsValid()
		switch {
		case onLAN && in.Hint != nil && in.Hint.ASN != 0:
			// A port on an exchange's LAN belongs to the member that answered, which the name may
			// give ("r22.amstnl02.nl.bb.gin.ntt.net"): that beats the LAN's own AS (the exchange's),
			// which otherwise stands for the hop.
			asn, src, w = in.Hint.ASN, "hostname", 2
		case in.ASN != 0 && in.ASSource != "hostname" && in.Special == nil:
			asn, src, w = in.ASN, "database", 3
		case r.ReportedASN != 0 && in.Special == nil:
			asn, src, w = r.ReportedASN, "reported", 2
		case in.ASN != 0:
			asn, src, w = in.ASN, "hostname", 1
		case in.Hint != nil && in.Hint.ASN != 0:
			asn, src, w = in.Hint.ASN, "hostname", 1
		default:
			continue
		}
		v := votes[asn]
		if v == nil {
			v = &vote{src: src}
			votes[asn] = v
			order = append(order, asn)
		}
		v.w += w
		if w == 3 || (w == 2 && v.src == "hostname") {
			v.src = src
		}
	}
	var best uint32
	for _, a := range order {
		if best == 0 || votes[a].w > votes[best].w {
			best = a
		}
	}
	if best == 0 {
		return 0, ""
	}
	return best, votes[best].src
}

// orgOf returns the organisation name of asn from any enriched address that carries it (the smallest
// name when sources disagree, so the result is deterministic).
func (e *explainer) orgOf(asn uint32) string {
	if e.orgs == nil {
		e.orgs = map[uint32]string{}
		for _, in := range e.infos {
			if best, ok := e.orgs[in.ASN]; in.ASN != 0 && in.ASOrg != "" && (!ok || in.ASOrg < best) {
				e.orgs[in.ASN] = in.ASOrg
			}
		}
	}
	return e.orgs[asn]
}

// responding returns the indexes of hops with a measured RTT, in order.
func (e *explainer) responding() []int {
	var idx []int
	for i, m := range e.mins {
		if !math.IsNaN(m) {
			idx = append(idx, i)
		}
	}
	return idx
}

// lastResponding returns the index of the last hop where anything answered, or -1.
func (e *explainer) lastResponding() int {
	for i := len(e.t.Hops) - 1; i >= 0; i-- {
		if answered(&e.t.Hops[i]) {
			return i
		}
	}
	return -1
}

// multiResponders lists hops with more than one responder.
func (e *explainer) multiResponders() []MultiResponder {
	out := []MultiResponder{}
	for _, h := range e.t.Hops {
		if len(h.Responders) < 2 {
			continue
		}
		m := MultiResponder{TTL: h.TTL, SameOperator: true}
		var orgs []string // distinct, in order of first appearance
		seen := map[string]bool{}
		known := 0
		for _, r := range h.Responders {
			if r.Addr.IsValid() {
				m.Addrs = append(m.Addrs, r.Addr.String())
			} else {
				m.Addrs = append(m.Addrs, r.Name)
			}
			if r.Name != "" {
				m.Names = append(m.Names, r.Name)
			}
			in := e.info(r.Addr)
			if in.ASN != 0 {
				known++
				if o := orgOrAS(in.ASOrg, in.ASN); !seen[o] {
					seen[o] = true
					orgs = append(orgs, o)
				}
			}
		}
		if known < len(h.Responders) {
			m.SameOperator = false
		}
		for _, o := range orgs[min(1, len(orgs)):] {
			if !SameOperator(orgs[0], o) {
				m.SameOperator = false
			}
		}
		out = append(out, m)
	}
	return out
}

// orgOrAS is org, or "ASnnn" when the organisation is unknown.
func orgOrAS(org string, asn uint32) string {
	if org != "" {
		return org
	}
	return fmt.Sprintf("AS%d", asn)
}

// mpls lists the hops whose replies quoted an MPLS label stack.
func (e *explainer) mpls() []MPLSHop {
	out := []MPLSHop{}
	for _, h := range e.t.Hops {
		for _, p := range h.Probes {
			if len(p.MPLS) == 0 {
				continue
			}
			m := MPLSHop{TTL: h.TTL}
			for _, l := range p.MPLS {
				m.Labels = append(m.Labels, l.Label)
			}
			out = append(out, m)
			break
		}
	}
	return out
}

// silentHops lists the TTLs where nothing answered.
func (e *explainer) silentHops() []int {
	out := []int{}
	for _, h := range e.t.Hops {
		if h.Silent() {
			out = append(out, h.TTL)
		}
	}
	return out
}

// special lists responders in special-purpose space with what they mean here.
func (e *explainer) special(carriers []Carrier, d Destination) []SpecialAddr {
	out := []SpecialAddr{}
	var before, after []string // the operators around each hop, found once for the path
	for i, h := range e.t.Hops {
		for _, r := range h.Responders {
			in := e.info(r.Addr)
			if in.Special == nil {
				continue
			}
			if before == nil {
				before, after = e.around(d)
			}
			s := SpecialAddr{TTL: h.TTL, Addr: r.Addr.String(), Prefix: in.Special.Prefix.String(),
				Kind: in.Special.Kind, Name: in.Special.Name}
			s.Note = specialNote(i, in.Special, before[i], after[i])
			out = append(out, s)
		}
	}
	return out
}

// around returns, for every hop index, the operator of the nearest hop before it that has one, and of
// the nearest after it (the destination's, marked, when no later hop has one).
func (e *explainer) around(d Destination) (before, after []string) {
	before, after = make([]string, len(e.out)), make([]string, len(e.out))
	for i := 1; i < len(e.out); i++ {
		before[i] = cmp.Or(e.out[i-1].Operator, before[i-1])
	}
	last := ""
	if d.Operator != "" {
		last = d.Operator + " (destination)"
	}
	for i := len(e.out) - 1; i >= 0; i-- {
		after[i] = last
		last = cmp.Or(e.out[i].Operator, last)
	}
	return before, after
}

// specialNote explains a special address at hop index i between hops operated by before and after.
func specialNote(i int, sp *enrich.Special, before, after string) string {
	switch sp.Kind {
	case "private", "cgnat", "loopback", "link-local", "unique-local":
		if i <= 2 && before == "" {
			return "the local network or the access provider's equipment; normal near the source"
		}
		fallthrough
	case "unannounced":
		where := "inside a provider's network"
		switch {
		case before != "" && after != "" && before != after:
			where = fmt.Sprintf("between %s and %s", before, after)
		case before != "":
			where = fmt.Sprintf("inside %s's network", before)
		case after != "":
			where = fmt.Sprintf("inside %s's network", after)
		}
		return fmt.Sprintf("internal address space %s, not locatable from routing data", where)
	}
	return "special-purpose address space, not locatable from routing data"
}

// mark tags hops for renderers.
func (e *explainer) mark(f *Findings) {
	byTTL := map[int]*Hop{}
	for i := range f.Hops {
		byTTL[f.Hops[i].TTL] = &f.Hops[i]
	}
	add := func(ttl int, m string) {
		if h := byTTL[ttl]; h != nil && m != "" && !slices.Contains(h.Marks, m) {
			h.Marks = append(h.Marks, m)
		}
	}
	for _, j := range f.Jumps {
		add(j.ToTTL, "jump")
	}
	for _, s := range f.Spikes {
		add(s.TTL, "spike")
	}
	for _, s := range f.FarSide {
		add(s.TTL, "far-side")
	}
	for _, m := range f.MultiResponders {
		add(m.TTL, "multi")
	}
	for _, s := range f.Special {
		add(s.TTL, "special")
	}
	for _, c := range f.Contradictions {
		add(c.TTL, "contradiction")
	}
	for _, m := range f.MPLS {
		add(m.TTL, "mpls")
	}
	for _, r := range f.ASPath {
		for _, s := range r.Strays {
			add(s.TTL, "stray")
		}
	}
	if f.Destination.Reached {
		add(f.Destination.ReachedTTL, "destination")
	}
	for _, l := range f.Loss {
		add(l.TTL, lossMark(l))
	}
	for _, j := range f.Jitter {
		add(j.TTL, jitterMark(j))
	}
	for _, m := range f.Markers {
		add(m.TTL, m.Kind)
	}
}
