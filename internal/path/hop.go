package path

import (
	"net/netip"
	"slices"
	"time"
)

// AddProbe appends p to the hop and records its responder (with name, if given and not yet known).
func (h *Hop) AddProbe(p Probe, name string) {
	h.Probes = append(h.Probes, p)
	if p.From.IsValid() {
		h.AddResponder(Responder{Addr: p.From, Name: name})
	}
}

// WorkHook, when not nil, is called by every Hop or Trace method that walks probes, responders or hops
// with the number of elements it looked at (1 for an indexed lookup). Tests set it to pin, without timing
// anything, that the work on a hop grows linearly with its size when callers use these methods once per
// probe, responder or input line; such tests must not run in parallel while it is set. Nil, the
// default and the only value outside tests, counts nothing.
var WorkHook func(n int)

// work reports n elements looked at to WorkHook.
func work(n int) {
	if WorkHook != nil {
		WorkHook(n)
	}
}

// indexFrom is the number of responders from which a hop keeps an index by address: below it a scan
// is as fast, and the hop carries no extra state.
const indexFrom = 16

// responderIndex maps each responder address to its first position in Responders[:n], for the
// Responders slice whose first element is base. It is a cache: a hit is checked against the slice, a
// slice that grew is indexed further, one that shrank forgets what went, and one that moved (appended
// to elsewhere, or replaced) or is found reordered (a stale entry) is indexed afresh, so callers may
// append to Responders directly or truncate it. What it cannot always see is a change in place:
// rewriting a listed responder's Addr, truncating and then appending directly over the same positions
// before the next AddResponder, or reordering a slice that lists an address twice; a lookup could then
// miss that address or give a later duplicate. Such code assigns a new slice (slices.Clone) after.
type responderIndex struct {
	pos  map[netip.Addr]int
	base *Responder
	n    int
}

// synced reports whether x describes rs exactly, so a miss in it is a miss in rs.
func (x *responderIndex) synced(rs []Responder) bool {
	return x != nil && len(rs) > 0 && x.base == &rs[0] && x.n == len(rs)
}

// syncIndex brings h.index up to date with h.Responders, building it once the hop has indexFrom
// responders, and returns it (nil on a small hop). Its cost is the number of responders appended or
// removed since the last call, or all of them when the slice moved.
func (h *Hop) syncIndex() *responderIndex {
	rs := h.Responders
	if len(rs) < indexFrom {
		h.index = nil
		return nil
	}
	x := h.index
	switch {
	case x.synced(rs):
		return x
	case x == nil || x.base != &rs[0] || x.n > cap(rs):
		// New, moved (appended to elsewhere) or shared with a copy of the hop: a fresh index, so a copy
		// that shares the old one keeps it intact.
		x = &responderIndex{pos: make(map[netip.Addr]int, len(rs)), base: &rs[0]}
		h.index = x
	case x.n > len(rs):
		// Truncated in place (an importer taking back a line): forget what went.
		gone := rs[len(rs):x.n]
		for k, r := range gone {
			if i, ok := x.pos[r.Addr]; ok && i == len(rs)+k {
				delete(x.pos, r.Addr)
			}
		}
		work(len(gone))
		x.n = len(rs)
	}
	for k := x.n; k < len(rs); k++ {
		a := rs[k].Addr
		i, ok := x.pos[a]
		if !ok {
			x.pos[a] = k
			continue
		}
		if i >= k || rs[i].Addr != a {
			// A stale entry (the slice was reordered or overwritten in place): where a first appears
			// is unknown, so index the whole slice afresh.
			work(len(rs) - x.n)
			h.index = nil
			return h.syncIndex()
		}
	}
	work(len(rs) - x.n)
	x.n = len(rs)
	return x
}

// find returns the position of the first responder with address a, or -1, and whether the index was
// found stale on the way. With an index in step with Responders it costs one lookup, otherwise (or when
// the entry is stale) a scan.
func (h *Hop) find(a netip.Addr, x *responderIndex) (int, bool) {
	rs := h.Responders
	stale := false
	if x.synced(rs) {
		work(1)
		i, ok := x.pos[a]
		if !ok {
			return -1, false
		}
		if i < len(rs) && rs[i].Addr == a {
			return i, false
		}
		stale = true
	}
	for i := range rs {
		if rs[i].Addr == a {
			work(i + 1)
			return i, stale
		}
	}
	work(len(rs))
	return -1, stale
}

// AddResponder records r unless its address is already listed; a known responder gains a missing name,
// ASN or stats from r. It returns the listed responder. On a hop with many responders it finds r through
// an index kept beside Responders, so adding n responders costs time linear in n. Callers may append to
// Responders or truncate it between calls. Code that changes it in place otherwise (rewrites a listed
// responder's Addr, reorders it, or truncates it and appends directly over the same positions before
// calling AddResponder) assigns a new slice afterwards (slices.Clone), which the index sees.
func (h *Hop) AddResponder(r Responder) *Responder {
	x := h.syncIndex()
	i, stale := h.find(r.Addr, x)
	if stale {
		// Reordered or overwritten in place: index afresh so later lookups are constant again.
		h.index = nil
		x = h.syncIndex()
	}
	if i >= 0 {
		known := &h.Responders[i]
		if known.Name == "" {
			known.Name = r.Name
		}
		if known.ReportedASN == 0 {
			known.ReportedASN = r.ReportedASN
		}
		if known.Stats == nil {
			known.Stats = r.Stats
		}
		return known
	}
	h.Responders = append(h.Responders, r)
	if x != nil {
		x.base = &h.Responders[0] // append may have moved the slice; its first x.n entries are the same
	}
	h.syncIndex()
	return &h.Responders[len(h.Responders)-1]
}

// Responder returns the first responder with address a, or nil. It reads the hop only (it never updates
// the index), so concurrent readers are safe; it is a constant-time lookup after AddResponder built the
// index, a scan otherwise.
func (h *Hop) Responder(a netip.Addr) *Responder {
	if i, _ := h.find(a, h.index); i >= 0 {
		return &h.Responders[i]
	}
	return nil
}

// Silent reports whether nothing answered at this hop.
func (h *Hop) Silent() bool { return len(h.Responders) == 0 }

// Answered counts probes with a reply or unreachable status.
func (h *Hop) Answered() int {
	n := 0
	work(len(h.Probes))
	for _, p := range h.Probes {
		if p.Status == StatusReply || p.Status == StatusUnreachable {
			n++
		}
	}
	return n
}

// RTTs returns the measured RTTs at this hop from responder a (all responders when a is invalid), in probe order.
// For aggregate-only sources it returns the responder's Best, Avg and Worst when something was received.
func (h *Hop) RTTs(a netip.Addr) []time.Duration {
	var out []time.Duration
	if !a.IsValid() {
		out = make([]time.Duration, 0, len(h.Probes)) // every probe may count: sized once
	}
	work(len(h.Probes))
	for _, p := range h.Probes {
		if p.HasRTT && !p.Late && (!a.IsValid() || p.From == a) {
			out = append(out, p.RTT)
		}
	}
	if len(h.Probes) == 0 {
		work(len(h.Responders))
		for _, r := range h.Responders {
			if r.Stats != nil && r.Stats.Received > 0 && (!a.IsValid() || r.Addr == a) {
				out = append(out, r.Stats.Best, r.Stats.Avg, r.Stats.Worst)
			}
		}
	}
	return out
}

// RTTSummary is the minimum, median and maximum of a set of RTTs; OK is false when there were none.
type RTTSummary struct {
	OK               bool
	Min, Median, Max time.Duration
	Count            int
}

// Summarize returns the RTT summary of this hop for responder a (all when a is invalid).
// For aggregate-only sources Median is the reported average.
func (h *Hop) Summarize(a netip.Addr) RTTSummary {
	if len(h.Probes) == 0 {
		var s RTTSummary
		work(len(h.Responders))
		for _, r := range h.Responders {
			if !a.IsValid() || r.Addr == a {
				s.add(r.Stats)
			}
		}
		return s
	}
	return summarizeInPlace(h.RTTs(a)) // RTTs returns a slice of its own
}

// add merges an aggregate-only responder's stats into s: the first one received gives the median.
func (s *RTTSummary) add(st *Stats) {
	if st == nil || st.Received == 0 {
		return
	}
	if !s.OK || st.Best < s.Min {
		s.Min = st.Best
	}
	if !s.OK || st.Worst > s.Max {
		s.Max = st.Worst
	}
	if !s.OK {
		s.Median = st.Avg
	}
	s.OK = true
	s.Count += st.Received
}

// SummarizeEach returns the RTT summary of every responder of the hop, indexed like h.Responders: the
// value h.Summarize(r.Addr) gives for each (a responder without an address gets the whole hop's), in one
// pass over the probes, so a hop with many responders costs time linear in its probes and responders.
func (h *Hop) SummarizeEach() []RTTSummary {
	out := make([]RTTSummary, len(h.Responders))
	if len(h.Responders) == 0 {
		return out
	}
	if len(h.Responders) == 1 {
		out[0] = h.Summarize(h.Responders[0].Addr)
		return out
	}
	if len(h.Probes) == 0 {
		// Aggregates: merge each address's stats, and all of them for responders without an address.
		work(2 * len(h.Responders))
		var whole RTTSummary
		by := make(map[netip.Addr]RTTSummary, len(h.Responders))
		for _, r := range h.Responders {
			whole.add(r.Stats)
			if r.Addr.IsValid() {
				s := by[r.Addr]
				s.add(r.Stats)
				by[r.Addr] = s
			}
		}
		for i, r := range h.Responders {
			if r.Addr.IsValid() {
				out[i] = by[r.Addr]
			} else {
				out[i] = whole
			}
		}
		return out
	}
	// Group the RTTs of each responder's probes in one backing array: count, then fill.
	pos := h.positions()
	owner := h.owners(pos)
	count := make([]int, len(h.Responders)+1)
	for k, p := range h.Probes {
		if i := owner[k]; i >= 0 && p.HasRTT && !p.Late {
			count[i+1]++
		}
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1] // count[i] is now where responder i's RTTs start
	}
	rtts := make([]time.Duration, count[len(count)-1])
	next := slices.Clone(count[:len(h.Responders)])
	for k, p := range h.Probes {
		if i := owner[k]; i >= 0 && p.HasRTT && !p.Late {
			rtts[next[i]] = p.RTT
			next[i]++
		}
	}
	var whole RTTSummary // the hop's, for responders known only by name
	haveWhole := false
	for i, r := range h.Responders {
		if !r.Addr.IsValid() {
			if !haveWhole {
				whole, haveWhole = summarizeInPlace(h.RTTs(netip.Addr{})), true
			}
			out[i] = whole
			continue
		}
		j := i
		if count[i] == count[i+1] {
			j = pos(r.Addr) // a second listing of an address shares its first one's probes
		}
		if j >= 0 {
			out[i] = summarizeInPlace(rtts[count[j]:count[j+1]])
		}
	}
	return out
}

// ProbeOwners returns, for each probe of the hop in order, the index in Responders of the first
// responder with the probe's From address; -1 when the probe has no address or no responder lists it.
// It costs one lookup per probe on a hop whose index AddResponder keeps, and one pass over the
// responders more on others, so callers grouping probes by responder stay linear. It only reads the hop.
func (h *Hop) ProbeOwners() []int32 { return h.owners(h.positions()) }

// owners is ProbeOwners with a given lookup of responder positions.
func (h *Hop) owners(pos func(netip.Addr) int) []int32 {
	owner := make([]int32, len(h.Probes))
	last, lastIdx := netip.Addr{}, int32(-1)
	for k, p := range h.Probes {
		if !p.From.IsValid() {
			owner[k] = -1
			continue
		}
		if p.From != last || lastIdx < 0 {
			// A responder's probes usually come in a row: the last lookup is reused.
			last, lastIdx = p.From, int32(pos(p.From))
		}
		owner[k] = lastIdx
	}
	return owner
}

// positions returns a lookup of the first position of an address in Responders (-1 when absent) that
// costs one map access: the hop's own index when it is in step, a scan on a small hop, and otherwise an
// index built here once. It never changes the hop.
func (h *Hop) positions() func(netip.Addr) int {
	rs := h.Responders
	if x := h.index; x.synced(rs) || len(rs) < indexFrom {
		return func(a netip.Addr) int {
			i, _ := h.find(a, x)
			return i
		}
	}
	work(len(rs))
	pos := make(map[netip.Addr]int, len(rs))
	for i := len(rs) - 1; i >= 0; i-- {
		pos[rs[i].Addr] = i
	}
	return func(a netip.Addr) int {
		work(1)
		if i, ok := pos[a]; ok {
			return i
		}
		return -1
	}
}

// SummarizeRTTs returns min, median and max of rtts.
func SummarizeRTTs(rtts []time.Duration) RTTSummary {
	if len(rtts) == 0 {
		return RTTSummary{}
	}
	return summarizeInPlace(slices.Clone(rtts))
}

// summarizeInPlace is SummarizeRTTs on a slice it may reorder.
func summarizeInPlace(s []time.Duration) RTTSummary {
	work(len(s))
	if len(s) == 0 {
		return RTTSummary{}
	}
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return RTTSummary{OK: true, Min: s[0], Median: med, Max: s[len(s)-1], Count: len(s)}
}

// Hop returns the hop with the given TTL, or nil.
func (t *Trace) Hop(ttl int) *Hop {
	for i := range t.Hops {
		if t.Hops[i].TTL == ttl {
			work(i + 1)
			return &t.Hops[i]
		}
	}
	work(len(t.Hops))
	return nil
}

// HopAt returns the hop with the given TTL, adding it (empty) when missing; Hops stays ordered by TTL.
// It does not fill gaps: importers add silent hops for TTLs their source skipped.
func (t *Trace) HopAt(ttl int) *Hop {
	if n := len(t.Hops); n == 0 || t.Hops[n-1].TTL < ttl {
		// Past the last hop of hops in TTL order (the usual case for an importer): append, still in order.
		work(1)
		t.Hops = append(t.Hops, Hop{TTL: ttl})
		return &t.Hops[len(t.Hops)-1]
	}
	if h := t.Hop(ttl); h != nil {
		return h
	}
	t.Hops = append(t.Hops, Hop{TTL: ttl})
	slices.SortFunc(t.Hops, func(a, b Hop) int { return a.TTL - b.TTL })
	return t.Hop(ttl)
}

// Reached reports whether the target address answered at some hop, and the first such hop's TTL.
func (t *Trace) Reached() (bool, int) {
	if !t.Target.Addr.IsValid() {
		return false, 0
	}
	for _, h := range t.Hops {
		if h.Responder(t.Target.Addr) != nil {
			return true, h.TTL
		}
	}
	return false, 0
}

// Addrs returns every distinct responder address in hop order, then the target address if not already seen.
func (t *Trace) Addrs() []netip.Addr {
	seen := map[netip.Addr]bool{}
	var out []netip.Addr
	for _, h := range t.Hops {
		for _, r := range h.Responders {
			if !seen[r.Addr] {
				seen[r.Addr] = true
				out = append(out, r.Addr)
			}
		}
	}
	if t.Target.Addr.IsValid() && !seen[t.Target.Addr] {
		out = append(out, t.Target.Addr)
	}
	return out
}
