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

// AddResponder records r unless its address is already listed; a known responder gains a missing name,
// ASN or stats from r.
func (h *Hop) AddResponder(r Responder) *Responder {
	for i := range h.Responders {
		x := &h.Responders[i]
		if x.Addr == r.Addr {
			if x.Name == "" {
				x.Name = r.Name
			}
			if x.ReportedASN == 0 {
				x.ReportedASN = r.ReportedASN
			}
			if x.Stats == nil {
				x.Stats = r.Stats
			}
			return x
		}
	}
	h.Responders = append(h.Responders, r)
	return &h.Responders[len(h.Responders)-1]
}

// Responder returns the responder with address a, or nil.
func (h *Hop) Responder(a netip.Addr) *Responder {
	for i := range h.Responders {
		if h.Responders[i].Addr == a {
			return &h.Responders[i]
		}
	}
	return nil
}

// Silent reports whether nothing answered at this hop.
func (h *Hop) Silent() bool { return len(h.Responders) == 0 }

// Answered counts probes with a reply or unreachable status.
func (h *Hop) Answered() int {
	n := 0
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
	for _, p := range h.Probes {
		if p.HasRTT && !p.Late && (!a.IsValid() || p.From == a) {
			out = append(out, p.RTT)
		}
	}
	if len(h.Probes) == 0 {
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
		for _, r := range h.Responders {
			if r.Stats == nil || r.Stats.Received == 0 || (a.IsValid() && r.Addr != a) {
				continue
			}
			if !s.OK || r.Stats.Best < s.Min {
				s.Min = r.Stats.Best
			}
			if !s.OK || r.Stats.Worst > s.Max {
				s.Max = r.Stats.Worst
			}
			if !s.OK {
				s.Median = r.Stats.Avg
			}
			s.OK = true
			s.Count += r.Stats.Received
		}
		return s
	}
	return SummarizeRTTs(h.RTTs(a))
}

// SummarizeEach returns the RTT summary of every responder of the hop, indexed like h.Responders: the
// value h.Summarize(r.Addr) gives for each (a responder without an address gets the whole hop's), in one
// pass over the probes, so a hop with many responders costs time linear in its probes and responders.
func (h *Hop) SummarizeEach() []RTTSummary {
	out := make([]RTTSummary, len(h.Responders))
	if len(h.Responders) == 0 {
		return out
	}
	if len(h.Probes) == 0 || len(h.Responders) == 1 {
		for i, r := range h.Responders {
			out[i] = h.Summarize(r.Addr)
		}
		return out
	}
	// Group the RTTs of each responder's probes in one backing array: count, then fill.
	idx := make(map[netip.Addr]int, len(h.Responders))
	var whole []time.Duration // the hop's RTTs, for responders known only by name
	for i, r := range h.Responders {
		if !r.Addr.IsValid() {
			whole = h.RTTs(netip.Addr{})
			continue
		}
		if _, dup := idx[r.Addr]; !dup {
			idx[r.Addr] = i
		}
	}
	// owner[k] is the index of probe k's responder, -1 when the probe carries no RTT to count; a
	// responder's probes usually come in a row, so the last lookup is reused.
	owner := make([]int32, len(h.Probes))
	count := make([]int, len(h.Responders)+1)
	last, lastIdx := netip.Addr{}, -1
	for k, p := range h.Probes {
		owner[k] = -1
		if !p.HasRTT || p.Late || !p.From.IsValid() {
			continue
		}
		if p.From != last {
			last, lastIdx = p.From, -1
			if i, ok := idx[p.From]; ok {
				lastIdx = i
			}
		}
		if lastIdx >= 0 {
			owner[k] = int32(lastIdx)
			count[lastIdx+1]++
		}
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1] // count[i] is now where responder i's RTTs start
	}
	rtts := make([]time.Duration, count[len(count)-1])
	next := slices.Clone(count[:len(h.Responders)])
	for k, i := range owner {
		if i >= 0 {
			rtts[next[i]] = h.Probes[k].RTT
			next[i]++
		}
	}
	for i, r := range h.Responders {
		switch j, ok := idx[r.Addr]; {
		case !r.Addr.IsValid():
			out[i] = SummarizeRTTs(whole)
		case ok:
			out[i] = summarizeInPlace(rtts[count[j]:count[j+1]])
		}
	}
	return out
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
			return &t.Hops[i]
		}
	}
	return nil
}

// HopAt returns the hop with the given TTL, adding it (empty) when missing; Hops stays ordered by TTL.
// It does not fill gaps: importers add silent hops for TTLs their source skipped.
func (t *Trace) HopAt(ttl int) *Hop {
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
