package explain

import (
	"fmt"
	"math"
	"strings"

	"hopscope/internal/path"
)

// maxSentences bounds the summary paragraph.
const maxSentences = 6

// nearKm is the distance under which source and destination count as the same place.
const nearKm = 500.0

// Summarize writes the findings as a short paragraph: where the destination is and whether it answered,
// who carries the traffic, where the latency comes from, what is misleading, and how far the server is.
func Summarize(t *path.Trace, f *Findings) string {
	var s []string
	if x := destinationSentence(t, f); x != "" {
		s = append(s, x)
	}
	if x := unreachableSentence(f); x != "" {
		s = append(s, x)
	}
	if x := carrierSentence(t, f); x != "" {
		s = append(s, x)
	}
	if x := jumpSentence(f); x != "" {
		s = append(s, x)
	}
	if x := spikeSentence(f); x != "" {
		s = append(s, x)
	}
	if x := clockSentence(f); x != "" {
		s = append(s, x)
	}
	if x := distanceSentence(f); x != "" {
		s = append(s, x)
	}
	if x := verdictSentence(f); x != "" {
		s = append(s, x)
	}
	if x := multipathSentence(f); x != "" {
		s = append(s, x)
	}
	for _, more := range []func(*Findings) string{rateLimitSentence, jitteryRouterSentence, mplsSentence, farSideSentence} {
		if len(s) < maxSentences {
			if x := more(f); x != "" {
				s = append(s, x)
			}
		}
	}
	if len(s) > maxSentences {
		s = s[:maxSentences]
	}
	// Real loss and queueing, with what they mean for applications, come right after who carries the
	// traffic, beyond the cap: when the path loses packets that matters more than anything after it.
	var real []string
	for _, x := range []string{pathLossSentence(f), queueingSentence(f), f.Impact} {
		if x != "" {
			real = append(real, x)
		}
	}
	if len(real) > 0 {
		at := min(len(s), 2)
		s = append(s[:at], append(real, s[at:]...)...)
	}
	if len(s) == 0 {
		return "Nothing on this path answered, so there is nothing to explain."
	}
	return strings.Join(s, " ")
}

// where renders a place for a sentence: "Singapore", "Paris, France" for a city in another country.
func where(city, country string) string {
	switch {
	case city != "" && country != "" && !strings.EqualFold(city, CountryName(country)):
		return city + ", " + CountryName(country)
	case city != "":
		return city
	case country != "":
		return CountryName(country)
	}
	return ""
}

// placeName is the city of a place, else its country's name.
func placeName(p *Place) string {
	if p == nil {
		return ""
	}
	if p.City != "" {
		return p.City
	}
	return CountryName(p.Country)
}

// anyAddress reports whether any responder of t carries an address.
func anyAddress(t *path.Trace) bool {
	for i := range t.Hops {
		for _, r := range t.Hops[i].Responders {
			if r.Addr.IsValid() {
				return true
			}
		}
	}
	return false
}

func destinationSentence(t *path.Trace, f *Findings) string {
	d := f.Destination
	if d.Addr == "" {
		if d.LastRespondingTTL == 0 {
			return ""
		}
		addrs := anyAddress(t)
		if d.Reached {
			if addrs {
				return fmt.Sprintf("%s answered at hop %d (the trace does not give its address).", orUnknown(targetName(t)), d.ReachedTTL)
			}
			return fmt.Sprintf("%s answered at hop %d (the trace gives names only, no addresses).", orUnknown(targetName(t)), d.ReachedTTL)
		}
		if n := targetName(t); n != "" && d.ASN != 0 {
			// The final row named the target without answering (silentTarget).
			return fmt.Sprintf("The trace does not give the address of %s; %s, of %s (AS%d), which did not answer; the last responding hop is %d.",
				n, d.PlaceBasis, d.Operator, d.ASN, d.LastRespondingTTL)
		}
		if n := targetName(t); n != "" && !addrs {
			return fmt.Sprintf("The trace does not give the address of %s (its hops are names only); the last responding hop is %d.", n, d.LastRespondingTTL)
		}
		if n := targetName(t); n != "" {
			return fmt.Sprintf("The trace does not give the address of %s; the last responding hop is %d.", n, d.LastRespondingTTL)
		}
		return fmt.Sprintf("The trace does not name its target; the last responding hop is %d.", d.LastRespondingTTL)
	}
	var b strings.Builder
	if d.FromLastHop {
		fmt.Fprintf(&b, "The trace does not give the address of %s; the last responding hop, %s,", orUnknown(targetName(t)), d.Addr)
	} else {
		b.WriteString("The destination ")
		b.WriteString(d.Addr)
		if name := targetName(t); name != "" {
			fmt.Fprintf(&b, " (%s)", name)
		}
	}
	switch {
	case d.Operator != "":
		fmt.Fprintf(&b, " belongs to %s (AS%d)", d.Operator, d.ASN)
	case d.ASN != 0:
		fmt.Fprintf(&b, " is in AS%d", d.ASN)
	default:
		b.WriteString(" has no known AS")
	}
	city := d.City
	if d.Place != nil && city == "" {
		city = d.Place.City
	}
	if w := where(city, d.Country); w != "" {
		fmt.Fprintf(&b, " in %s", w)
	}
	if d.Anycast {
		fmt.Fprintf(&b, " (%s)", d.PlaceBasis)
	}
	switch {
	case d.FromLastHop:
		fmt.Fprintf(&b, " (hop %d, where the trace ends: the destination)", d.LastRespondingTTL)
	case d.Reached:
		fmt.Fprintf(&b, "; it answered at hop %d", d.ReachedTTL)
	case d.LastRespondingTTL > 0:
		fmt.Fprintf(&b, "; it did not answer, the last responding hop is %d", d.LastRespondingTTL)
	default:
		b.WriteString("; nothing answered")
	}
	b.WriteString(".")
	return b.String()
}

// orUnknown is s, or "the target" when empty.
func orUnknown(s string) string {
	if s == "" {
		return "the target"
	}
	return s
}

// targetName is the name to show next to the target address.
func targetName(t *path.Trace) string {
	if t.Target.Name != "" && t.Target.Name != t.Target.Addr.String() {
		return t.Target.Name
	}
	return t.Target.Canonical
}

func carrierSentence(t *path.Trace, f *Findings) string {
	var observed []Carrier
	for _, c := range f.Carriers {
		if c.Observed && !c.Transit {
			observed = append(observed, c)
		}
	}
	if len(observed) == 0 {
		return ""
	}
	// Hand-offs between one carrier's sibling networks are for the Hand-offs section, not the summary.
	hos := make([]HandOff, 0, len(f.HandOffs))
	for _, h := range f.HandOffs {
		if h.Within == "" && !h.Entry {
			hos = append(hos, h)
		}
	}
	if len(hos) == 0 {
		c := observed[0]
		if c.Hops < 2 {
			// One answering hop of one network says nothing of the path's networks: the rest did
			// not answer or was private.
			return ""
		}
		if unknownNetworkHops(t, f) > 0 {
			// Hops known by name only (or not in the database) may be anyone's: only the known ones
			// are said to be inside the carrier.
			return fmt.Sprintf("Every hop whose network is known is inside %s (%s); the others' networks are unknown.", c.Name, asList(c.ASNs))
		}
		return fmt.Sprintf("The whole path seen is inside %s (%s).", c.Name, asList(c.ASNs))
	}
	var b strings.Builder
	for i, h := range hos {
		at := fmt.Sprintf(" at hop %d", h.AtTTL)
		if h.Place != nil && h.Place.City != "" {
			at = fmt.Sprintf(" in %s (hop %d)", h.Place.City, h.AtTTL)
		}
		if i == 0 {
			fmt.Fprintf(&b, "%s (%s) hands the traffic to %s (%s)%s", h.From, asList(h.FromASNs), h.To, asList(h.ToASNs), at)
		} else {
			fmt.Fprintf(&b, ", then to %s (%s)%s", h.To, asList(h.ToASNs), at)
		}
		if len(h.Via) > 0 {
			fmt.Fprintf(&b, " via %s", strings.Join(h.Via, ", "))
		}
		if h.Interconnect != "" && len(hos) == 1 {
			fmt.Fprintf(&b, "; hop %d's name %s marks the link between them", h.InterconnectTTL, h.Interconnect)
		}
	}
	b.WriteString(".")
	return b.String()
}

// unknownNetworkHops counts the hops that answered with no network known, from no special-purpose
// space: names without addresses, public addresses missing from the database.
func unknownNetworkHops(t *path.Trace, f *Findings) int {
	special := map[int]bool{}
	for _, sp := range f.Special {
		special[sp.TTL] = true
	}
	n := 0
	for _, h := range f.Hops {
		if h.Silent || h.ASN != 0 || special[h.TTL] {
			continue
		}
		if th := t.Hop(h.TTL); th != nil && len(th.Responders) > 0 && th.Responders[0].Addr.IsValid() && !th.Responders[0].Addr.IsGlobalUnicast() {
			continue
		}
		if th := t.Hop(h.TTL); th != nil && len(th.Responders) > 0 && th.Responders[0].Addr.IsPrivate() {
			continue
		}
		n++
	}
	return n
}

// largestJump returns the biggest persistent jump, or nil.
func largestJump(f *Findings) *Jump {
	for i := range f.Jumps {
		if f.Jumps[i].Largest {
			return &f.Jumps[i]
		}
	}
	return nil
}

// bigJumps are the persistent jumps worth a sentence: at least a quarter of the largest, at most three,
// in path order.
func bigJumps(f *Findings) []Jump {
	l := largestJump(f)
	if l == nil {
		return nil
	}
	var out []Jump
	for _, j := range f.Jumps {
		if j.Persistent && j.LevelMs-j.FromMs >= 0.25*(l.LevelMs-l.FromMs) && len(out) < 3 {
			out = append(out, j)
		}
	}
	return out
}

// jumpClause describes one jump: "from ~6 ms to ~240 ms between hops 8 and 9, where ...".
func jumpClause(j Jump) string {
	s := fmt.Sprintf("from ~%s ms to ~%s ms between hops %d and %d", approx(j.FromMs), approx(j.ToMs), j.FromTTL, j.ToTTL)
	if j.Persistent && j.LevelMs > j.FromMs && j.ToMs-j.LevelMs >= math.Max(5, 0.2*j.LevelMs) {
		// Later hops keep less than hop b shows (its few samples came out high): say what is kept.
		s = fmt.Sprintf("from ~%s ms to ~%s ms between hops %d and %d (hop %d itself answers in ~%s ms)",
			approx(j.FromMs), approx(j.LevelMs), j.FromTTL, j.ToTTL, j.ToTTL, approx(j.ToMs))
	}
	switch {
	case j.FromPlace != nil && j.ToPlace != nil && j.FromPlace.Country != "" && j.FromPlace.Country != j.ToPlace.Country:
		s += fmt.Sprintf(", where the path leaves %s (%s) for %s", CountryName(j.FromPlace.Country), placeName(j.FromPlace), placeName(j.ToPlace))
	case j.FromPlace != nil && j.ToPlace != nil:
		s += fmt.Sprintf(", on the way from %s to %s", placeName(j.FromPlace), placeName(j.ToPlace))
	case j.FromPlace != nil:
		s += fmt.Sprintf(", after %s", placeName(j.FromPlace))
	case j.ToPlace != nil:
		s += fmt.Sprintf(", arriving in %s", placeName(j.ToPlace))
	}
	return s
}

func jumpSentence(f *Findings) string {
	js := bigJumps(f)
	if len(js) == 0 {
		return ""
	}
	parts := make([]string, len(js))
	for i, j := range js {
		parts[i] = jumpClause(j)
	}
	keep := "every later hop keeps it, so it is real path latency"
	if len(js) > 1 {
		keep = "later hops keep each rise, so they are real path latency"
	}
	return "Latency rises " + strings.Join(parts, ", then ") + "; " + keep + "."
}

func spikeSentence(f *Findings) string {
	if len(f.Spikes) == 0 {
		return ""
	}
	big := f.Spikes[0]
	for _, s := range f.Spikes[1:] {
		if s.ExcessMs > big.ExcessMs {
			big = s
		}
	}
	where := ""
	if big.Place != nil && big.Place.City != "" {
		where = " (" + big.Place.City + ")"
	}
	rng := approx(big.MinMs) + " ms"
	if big.MaxMs > big.MinMs+1 {
		rng = approx(big.MinMs) + "–" + approx(big.MaxMs) + " ms"
	}
	more := ""
	if n := len(f.Spikes) - 1; n > 0 {
		more = fmt.Sprintf(" (%d more such hop%s)", n, plural(n))
	}
	if big.Bypassed {
		return fmt.Sprintf("Hop %d%s answers in %s, as its distance needs, while hop %d later shows %s ms: the later hops were reached another way (a path that differs per flow, an anycast destination), not through it%s.",
			big.TTL, where, rng, big.LaterTTL, approx(big.LaterMs), more)
	}
	return fmt.Sprintf("Hop %d%s answers in %s while hop %d later shows %s ms: that is slow ICMP generation on the router, not path latency%s.",
		big.TTL, where, rng, big.LaterTTL, approx(big.LaterMs), more)
}

func distanceSentence(f *Findings) string {
	d := f.Distance
	if d == nil {
		switch {
		case !f.Source.Known:
			return "Where the trace was run from is unknown (give --from-location), so the distance and the speed-of-light minimum cannot be stated."
		case f.Source.Place == nil || !f.Source.Place.HasCoords:
			return fmt.Sprintf("The trace was run from somewhere in %s; give --from-location to get the distance and the speed-of-light minimum.", placeName(f.Source.Place))
		case f.Destination.Addr != "" && (f.Destination.Place == nil || !f.Destination.Place.HasCoords):
			return "The destination's city is unknown (a city database given with --mmdb would place it), so the distance cannot be stated."
		case f.Source.Place.Source == "rtt" && f.Source.RadiusKm > 0 && f.Destination.Place != nil && f.Destination.Place.HasCoords:
			return fmt.Sprintf("The trace was run from within ~%s km of %s (by RTT), too loose to state the distance (give --from-location).", thousands(f.Source.RadiusKm), placeName(f.Source.Place))
		}
		return ""
	}
	if d.Km < nearKm {
		s := fmt.Sprintf("The source and the destination are both around %s (~%s km apart), so distance adds almost nothing", placeName(d.To), thousands(d.Km))
		if d.MeasuredTTL > 0 {
			s += fmt.Sprintf(": the measured %s ms is equipment, queueing and routing", approx(d.MeasuredMs))
		}
		return s + "."
	}
	s := fmt.Sprintf("%s to %s is ~%s km, so light in fibre needs at least ~%s ms round trip", placeName(d.From), placeName(d.To), thousands(d.Km), approx(d.LightMinMs))
	if d.MeasuredTTL > 0 {
		s += fmt.Sprintf("; the measured %s ms (hop %d) is %.1f× that", approx(d.MeasuredMs), d.MeasuredTTL, d.Stretch)
	}
	return s + "."
}

func verdictSentence(f *Findings) string {
	d := f.Distance
	if d == nil || d.MeasuredTTL == 0 || d.Km < nearKm {
		return ""
	}
	switch {
	case d.LightMinMs >= 50 && d.Stretch <= 3:
		return fmt.Sprintf("It is slow from here because the server is in %s, far away: distance, not congestion, sets the floor.", placeName(d.To))
	case d.Stretch > 3 && d.MeasuredMs >= 20:
		return fmt.Sprintf("The RTT is %.1f× the light-speed minimum: the route takes a detour or queues somewhere, which is where to look.", d.Stretch)
	case d.MeasuredMs < 20:
		return "The server is close and the latency is low."
	}
	return ""
}

func farSideSentence(f *Findings) string {
	if len(f.FarSide) == 0 {
		return ""
	}
	var ttls []int
	var places []string
	for _, x := range f.FarSide {
		ttls = append(ttls, x.TTL)
		if n := placeName(x.Place); n != "" && !contains(places, n) {
			places = append(places, n)
		}
	}
	if len(places) > 3 {
		places = []string{places[0], "…", places[len(places)-1]}
	}
	far := f.FarSide[len(f.FarSide)-1].FarPlace
	hops := fmt.Sprintf("Hop %d", ttls[0])
	verb := "answers"
	if len(ttls) > 1 {
		hops = fmt.Sprintf("Hops %d to %d", ttls[0], ttls[len(ttls)-1])
		verb = "answer"
	}
	return fmt.Sprintf("%s (%s by name) already %s with the RTT of %s: replies most likely return through the far end (an MPLS tunnel), so the long crossing starts there.",
		hops, strings.Join(places, ", "), verb, placeName(far))
}

func mplsSentence(f *Findings) string {
	if len(f.MPLS) == 0 {
		return ""
	}
	ttls := make([]int, len(f.MPLS))
	for i, m := range f.MPLS {
		ttls[i] = m.TTL
	}
	hops := fmt.Sprintf("Hop %d quotes", ttls[0])
	if len(ttls) > 1 {
		hops = fmt.Sprintf("Hops %d to %d quote", ttls[0], ttls[len(ttls)-1])
	}
	return hops + " MPLS labels: inside the tunnel, time-exceeded replies usually travel to its end before coming back, so those RTTs are the far end's."
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// joinAnd joins "a", "a and b", "a, b and c".
func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// approx rounds a millisecond value for prose: one decimal under 5 ms, whole numbers above.
func approx(v float64) string {
	if v < 5 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// thousands rounds km to the nearest hundred above 1,000 and groups digits: 10,700.
func thousands(v float64) string {
	if v >= 1000 {
		v = math.Round(v/100) * 100
	}
	return GroupDigits(v)
}

// GroupDigits rounds v to an integer and groups its digits in threes: 10737 → "10,737".
func GroupDigits(v float64) string {
	n := int64(math.Round(v))
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
