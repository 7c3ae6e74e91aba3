package rounds

import (
	"math"
	"net/netip"
	"slices"
	"sync"
	"time"

	"hopscope/internal/path"
	"hopscope/internal/probe"
)

// maxResponders bounds the responders tracked per hop (mtr keeps 8): replies from further addresses
// are not counted, so with --vary-flows behind a huge load balancer a hop's loss may be overstated.
// Pinned flows see one responder per hop, two at a path change.
const maxResponders = 64

// maxWarnings bounds the distinct warnings kept from the rounds' traces.
const maxWarnings = 16

// Aggregate folds rounds into per-hop statistics in memory that does not grow with the number of
// rounds. It is safe for concurrent use: Run adds rounds while a live view may Reset it.
type Aggregate struct {
	mu     sync.Mutex
	window int
	// header is the latest round's trace without hops: target, protocol, source, flows.
	header  path.Trace
	started time.Time
	rounds  int
	// dest is the lowest TTL at which the target answered in any round; 0 while it has not.
	dest int
	hops map[int]*hopStats
	// warnings are the distinct warnings of every round, in order of first appearance.
	warnings []string
	nat      *path.NAT
}

// hopStats is what the rounds saw at one TTL.
type hopStats struct {
	sent       int
	responders []*responderStats // in order of first appearance
	recent     ring[path.RoundSample]
}

// responderStats is one responder's replies at one hop.
type responderStats struct {
	addr     netip.Addr
	name     string
	received int
	late     int
	last     time.Duration
	best     time.Duration
	worst    time.Duration
	// Welford's running mean and sum of squared deviations, in nanoseconds.
	mean, m2 float64
	// jitterSum is the sum of the absolute differences between consecutive RTTs.
	jitterSum float64
	samples   ring[time.Duration]
}

// NewAggregate returns an empty aggregate keeping window recent RTTs per responder and rounds per
// hop; window 0 means DefaultWindow.
func NewAggregate(window int) *Aggregate {
	if window <= 0 {
		window = DefaultWindow
	}
	return &Aggregate{window: window, hops: map[int]*hopStats{}}
}

// Reset forgets every round added so far; the next round starts the statistics afresh.
func (a *Aggregate) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.header, a.started, a.rounds, a.dest = path.Trace{}, time.Time{}, 0, 0
	a.hops, a.warnings, a.nat = map[int]*hopStats{}, nil, nil
}

// Add folds one round in: its probes and the late replies it brought to earlier rounds.
func (a *Aggregate) Add(r probe.Round) {
	a.mu.Lock()
	defer a.mu.Unlock()
	tr := r.Trace
	if tr == nil {
		return
	}
	if a.rounds == 0 {
		a.started = tr.Started
	}
	a.rounds++
	a.header = *tr
	a.header.Hops, a.header.Warnings, a.header.PathMTU, a.header.NAT = nil, nil, nil, nil
	for _, w := range tr.Warnings {
		if len(a.warnings) < maxWarnings && !slices.Contains(a.warnings, w) {
			a.warnings = append(a.warnings, w)
		}
	}
	if a.nat == nil && tr.NAT != nil {
		n := *tr.NAT
		n.Changes = slices.Clone(n.Changes)
		a.nat = &n
	}
	if ok, ttl := tr.Reached(); ok && (a.dest == 0 || ttl < a.dest) {
		a.dest = ttl
	}
	for i := range tr.Hops {
		h := &tr.Hops[i]
		if a.dest != 0 && h.TTL > a.dest {
			break // beyond the destination: this round's target reply came from further on
		}
		a.addHop(r.N, h)
	}
	for _, l := range r.Late {
		a.addLate(l)
	}
}

// hop returns the statistics of ttl, created when missing.
func (a *Aggregate) hop(ttl int) *hopStats {
	hs := a.hops[ttl]
	if hs == nil {
		hs = &hopStats{recent: newRing[path.RoundSample](a.window)}
		a.hops[ttl] = hs
	}
	return hs
}

// responder returns the statistics of addr at hs, created when missing; nil beyond maxResponders.
func (a *Aggregate) responder(hs *hopStats, addr netip.Addr, name string) *responderStats {
	for _, r := range hs.responders {
		if r.addr == addr {
			if r.name == "" {
				r.name = name
			}
			return r
		}
	}
	if len(hs.responders) >= maxResponders {
		return nil
	}
	r := &responderStats{addr: addr, name: name, samples: newRing[time.Duration](a.window)}
	hs.responders = append(hs.responders, r)
	return r
}

// addHop folds in one round's probes at one hop.
func (a *Aggregate) addHop(round int, h *path.Hop) {
	hs := a.hop(h.TTL)
	rs := path.RoundSample{Round: round}
	var sum time.Duration
	for _, p := range h.Probes {
		if p.Status == path.StatusError {
			continue // never sent
		}
		hs.sent++
		rs.Sent++
		if !p.HasRTT || !p.From.IsValid() {
			continue
		}
		rs.Received++
		sum += p.RTT
		name := ""
		if r := h.Responder(p.From); r != nil {
			name = r.Name
		}
		if r := a.responder(hs, p.From, name); r != nil {
			r.add(p.RTT, p.Late)
		}
	}
	if rs.Received > 0 {
		rs.RTT = sum / time.Duration(rs.Received)
	}
	hs.recent.push(rs)
}

// addLate folds in a reply that came after its round: it counts in the round that sent the probe.
func (a *Aggregate) addLate(l probe.LateReply) {
	if a.dest != 0 && l.TTL > a.dest {
		return
	}
	hs := a.hops[l.TTL]
	if hs == nil || !l.Probe.HasRTT || !l.Probe.From.IsValid() {
		return // the round it belongs to was never added (or was reset away)
	}
	if r := a.responder(hs, l.Probe.From, ""); r != nil {
		r.add(l.Probe.RTT, true)
	}
	hs.recent.update(func(s *path.RoundSample) bool {
		if s.Round != l.Round || s.Received >= s.Sent {
			return false
		}
		s.RTT = (s.RTT*time.Duration(s.Received) + l.Probe.RTT) / time.Duration(s.Received+1)
		s.Received++
		return true
	})
}

// add counts one reply with its RTT.
func (r *responderStats) add(rtt time.Duration, late bool) {
	r.received++
	if late {
		r.late++
	}
	if r.received == 1 {
		r.best, r.worst = rtt, rtt
	} else {
		r.best, r.worst = min(r.best, rtt), max(r.worst, rtt)
		r.jitterSum += math.Abs(float64(rtt - r.last))
	}
	r.last = rtt
	x := float64(rtt)
	d := x - r.mean
	r.mean += d / float64(r.received)
	r.m2 += d * (x - r.mean)
	r.samples.push(rtt)
}

// stats returns the responder's statistics with sent probes at its hop.
func (r *responderStats) stats(sent int) *path.Stats {
	s := &path.Stats{Sent: sent, Received: r.received, Late: r.late}
	if r.received == 0 {
		return s
	}
	s.Last, s.Best, s.Worst = r.last, r.best, r.worst
	s.Avg = time.Duration(math.Round(r.mean))
	if r.received > 1 {
		// The sample standard deviation, as mtr reports StDev.
		s.StdDev = time.Duration(math.Round(math.Sqrt(r.m2 / float64(r.received-1))))
		s.Jitter = time.Duration(math.Round(r.jitterSum / float64(r.received-1)))
	}
	s.Samples = r.samples.slice()
	return s
}

// Rounds is the number of rounds added since the aggregate was made or reset.
func (a *Aggregate) Rounds() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.rounds
}

// Snapshot returns the statistics so far as a trace (nil before any round): every hop up to the
// destination (or the last hop probed), each responder with Stats (Sent is the hop's probes, so its
// loss is the hop's when it is the only responder), a hop where nothing ever answered with Stats
// alone, as mtr's "???" imports. The trace is a fresh copy: nothing in it is shared with the
// aggregate or with another snapshot.
func (a *Aggregate) Snapshot() *path.Trace {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.rounds == 0 {
		return nil
	}
	tr := a.header
	tr.Target.Aliases = slices.Clone(tr.Target.Aliases)
	tr.Target.OtherAddrs = slices.Clone(tr.Target.OtherAddrs)
	if tr.Meta != nil {
		m := make(map[string]string, len(tr.Meta))
		for k, v := range tr.Meta {
			m[k] = v
		}
		tr.Meta = m
	}
	tr.Started = a.started
	tr.Rounds = a.rounds
	tr.Warnings = slices.Clone(a.warnings)
	if a.nat != nil {
		n := *a.nat
		n.Changes = slices.Clone(n.Changes)
		tr.NAT = &n
	}
	ttls := make([]int, 0, len(a.hops))
	for ttl := range a.hops {
		if a.dest == 0 || ttl <= a.dest {
			ttls = append(ttls, ttl)
		}
	}
	slices.Sort(ttls)
	tr.Hops = make([]path.Hop, 0, len(ttls))
	for _, ttl := range ttls {
		hs := a.hops[ttl]
		h := path.Hop{TTL: ttl, Rounds: hs.recent.slice()}
		if len(hs.responders) == 0 {
			h.Stats = &path.Stats{Sent: hs.sent}
		}
		for _, r := range hs.responders {
			h.Responders = append(h.Responders, path.Responder{Addr: r.addr, Name: r.name, Stats: r.stats(hs.sent)})
		}
		tr.Hops = append(tr.Hops, h)
	}
	return &tr
}
