package probe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"hopscope/internal/path"
)

// Conn sends probes and receives the replies that belong to this trace. Implementations filter out
// everything that is not a reply to one of their probes (Flow.Match); the Tracer handles duplicates,
// stale and late replies.
type Conn interface {
	// Send transmits p now.
	Send(p Probe) error
	// Recv returns the next matched reply, or an error wrapping os.ErrDeadlineExceeded once deadline passes.
	Recv(deadline time.Time) (Reply, error)
}

// Config tunes the Tracer. The zero value works: every field has a default.
type Config struct {
	// ProbesPerHop is the number of probes per TTL; 0 means 3.
	ProbesPerHop int
	// FirstTTL is the first TTL probed; 0 means 1.
	FirstTTL int
	// MaxTTL is the last TTL probed; 0 means 30.
	MaxTTL int
	// Rate is the pacing in probes per second; 0 means 2000 (90 probes leave in 45 ms; each router
	// still sees its three probes about 15 ms apart, since TTLs are sent round by round).
	Rate float64
	// Timeout is the longest wait for any reply; 0 means 1 s.
	Timeout time.Duration
	// MinWait is the shortest wait for a reply once RTTs are known; 0 means 100 ms.
	MinWait time.Duration
	// WaitFactor multiplies the path's RTT (the largest per-TTL median RTT seen) to give the adaptive
	// wait; 0 means 1.5.
	WaitFactor float64
	// SecondChance is how long a hop that has not answered is waited for, counted from its first
	// probe and never beyond Timeout: when the adaptive wait ends sooner, the hop gets one more probe
	// (all such hops at once, paced like the others), and any reply that comes in the meantime counts,
	// marked late when it came after its probe's wait. 0 means 60% of Timeout (600 ms by default):
	// enough for ICMP that comes 500 ms late on a 100 ms path (routers generating ICMP slowly, as
	// many do), at the price of 600 ms for a trace with a router that never answers. Routers slower
	// than that need a longer Timeout.
	SecondChance time.Duration
	// MaxSilent is the run of silent TTLs beyond the last responder after which the trace stops
	// when the target does not answer; 0 means 5.
	MaxSilent int
	// Vary gives each probe of a hop its own flow (flow k is the k-th probe of every hop);
	// false pins one flow for the whole trace (Paris traceroute).
	Vary bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (c Config) withDefaults() (Config, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.ProbesPerHop, 3)
	def(&c.FirstTTL, 1)
	def(&c.MaxTTL, 30)
	def(&c.MaxSilent, 5)
	if c.Rate == 0 {
		c.Rate = 2000
	}
	if c.Timeout == 0 {
		c.Timeout = time.Second
	}
	if c.MinWait == 0 {
		c.MinWait = 100 * time.Millisecond
	}
	if c.MinWait > c.Timeout {
		c.MinWait = c.Timeout
	}
	if c.WaitFactor == 0 {
		c.WaitFactor = 1.5
	}
	if c.SecondChance == 0 {
		c.SecondChance = c.Timeout * 3 / 5
	}
	c.SecondChance = min(c.SecondChance, c.Timeout)
	if c.Now == nil {
		c.Now = time.Now
	}
	switch {
	case c.ProbesPerHop < 1 || c.ProbesPerHop > 100:
		return c, fmt.Errorf("probes per hop %d: want 1..100", c.ProbesPerHop)
	case c.FirstTTL < 1 || c.FirstTTL > 255:
		return c, fmt.Errorf("first ttl %d: want 1..255", c.FirstTTL)
	case c.MaxTTL < c.FirstTTL || c.MaxTTL > 255:
		return c, fmt.Errorf("max ttl %d: want %d..255", c.MaxTTL, c.FirstTTL)
	case (c.MaxTTL-c.FirstTTL+1)*(c.ProbesPerHop+1) > 0xfffe:
		// +1: room for one second-chance probe per TTL.
		return c, fmt.Errorf("%d probes: at most 65534 per trace", (c.MaxTTL-c.FirstTTL+1)*(c.ProbesPerHop+1))
	case c.Rate < 0 || c.Timeout < 0 || c.MinWait < 0 || c.WaitFactor < 0 || c.MaxSilent < 0 || c.SecondChance < 0:
		return c, errors.New("rate, timeout, waits and max-silent must not be negative")
	}
	return c, nil
}

// slot is one probe and its fate.
type slot struct {
	p       Probe
	attempt int  // round: 0..ProbesPerHop-1, ProbesPerHop for a second chance
	retry   bool // a second-chance probe for a hop that had not answered
	sent    time.Time
	isSent  bool
	skipped bool // never sent: beyond the destination or the silent run
	sendErr error
	reply   *Reply
	expired bool // its adaptive wait passed with no reply: a reply now is late
	late    bool
	dup     bool
}

// settled reports whether the probe has its answer or will never be sent.
func (s *slot) settled() bool { return s.skipped || s.sendErr != nil || s.reply != nil }

// Tracer runs one trace over a Conn.
type Tracer struct {
	cfg   Config
	slots []slot // index seq-1; sent in this order: every TTL once, then every TTL again, ...
	next  int    // index of the next slot to send
	// nextSend is when the next probe may leave (pacing).
	nextSend time.Time
	// destTTL is the lowest TTL at which the target (or an unreachable) answered; 0 while unknown.
	destTTL int
	// stopTTL is the last TTL of a silent run that ended the trace; 0 while none.
	stopTTL int
	// pathRTT is the largest per-TTL median RTT seen: the depth of the path, robust to one slow reply.
	pathRTT time.Duration
	// lateFloor is raised by late replies: the wait is never shorter than the RTT of a reply that came late.
	lateFloor time.Duration
	// rtts holds the on-time RTTs per TTL.
	rtts map[int][]time.Duration
	// lastReplied is the highest TTL an on-time reply came from; 0 while none.
	lastReplied int
	// hops holds per TTL when its first probe left, whether anything answered and whether it had its
	// second chance.
	hops map[int]*hopState
	// seqBase is added to every probe's sequence number: a Session gives each round its own range, so
	// that a reply to an earlier round is never taken for one to this round.
	seqBase int
	// due is secondChances' scratch space, per TTL.
	due []int8
	// noRetry turns second chances off: in continuous rounds a silent hop is a loss in that round,
	// as mtr counts it, and an extra probe would bias the loss down.
	noRetry bool
}

// hopState is what the tracer knows of one TTL.
type hopState struct {
	firstSent time.Time
	answered  bool
	retried   bool
}

// NewTracer validates cfg and plans the probes.
func NewTracer(cfg Config) (*Tracer, error) { return newTracer(cfg, 0, false) }

// newTracer is NewTracer with the probes' sequence numbers starting after seqBase, and second chances
// off when noRetry.
func newTracer(cfg Config, seqBase int, noRetry bool) (*Tracer, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	t := &Tracer{cfg: cfg, rtts: map[int][]time.Duration{}, hops: map[int]*hopState{}, seqBase: seqBase, noRetry: noRetry}
	for ttl := cfg.FirstTTL; ttl <= cfg.MaxTTL; ttl++ {
		t.hops[ttl] = &hopState{}
	}
	for a := 0; a < cfg.ProbesPerHop; a++ {
		for ttl := cfg.FirstTTL; ttl <= cfg.MaxTTL; ttl++ {
			flow := 1
			if cfg.Vary {
				flow = a + 1
			}
			t.slots = append(t.slots, slot{p: Probe{Seq: t.seq(len(t.slots)), TTL: ttl, Flow: flow}, attempt: a})
		}
	}
	return t, nil
}

// seq is the sequence number of the probe in slot i.
func (t *Tracer) seq(i int) uint16 { return uint16(t.seqBase + i + 1) }

// span is the number of sequence numbers a trace with cfg may use (one more probe per TTL for second
// chances unless noRetry).
func span(cfg Config, noRetry bool) int {
	per := cfg.ProbesPerHop
	if !noRetry {
		per++
	}
	return (cfg.MaxTTL - cfg.FirstTTL + 1) * per
}

// Flows is the number of flows the trace uses (for Flow.Flows).
func (t *Tracer) Flows() int {
	if t.cfg.Vary {
		return t.cfg.ProbesPerHop
	}
	return 1
}

// limit is the highest TTL that still matters.
func (t *Tracer) limit() int {
	switch {
	case t.destTTL > 0:
		return t.destTTL
	case t.stopTTL > 0:
		return t.stopTTL
	}
	return t.cfg.MaxTTL
}

// wait is how long a probe at ttl is given. Once something at or beyond ttl answered, the path's
// depth is known: K × the path RTT (at least MinWait). Beyond every reply so far the RTT could be much
// larger than anything seen (a long haul behind silent routers): half the timeout, or 2K × the path
// RTT when that is longer. Before any reply, the full timeout.
func (t *Tracer) wait(ttl int) time.Duration {
	if t.pathRTT == 0 {
		return t.cfg.Timeout
	}
	known := t.destTTL > 0 || ttl <= t.lastReplied
	k := t.cfg.WaitFactor
	w := max(time.Duration(k*float64(t.pathRTT)), t.cfg.MinWait, t.lateFloor)
	if !known {
		w = max(w, time.Duration(2*k*float64(t.pathRTT)), t.cfg.Timeout/2)
	}
	return min(w, t.cfg.Timeout)
}

// hold is how long a TTL that has not answered is waited for, from its first probe: the adaptive
// wait, or the second chance when that is longer, never beyond the timeout (without second chances,
// the adaptive wait).
func (t *Tracer) hold(ttl int) time.Duration {
	if t.noRetry {
		return t.wait(ttl) // no second chance to wait for: a reply after that counts late, in its own round
	}
	return min(max(t.wait(ttl), t.cfg.SecondChance), t.cfg.Timeout)
}

// giveUp is when the tracer stops waiting for the reply to s (sent, unanswered). At a hop that
// answered, each probe gets the adaptive wait (which late replies lengthen) and a second chance is
// no longer needed; at a hop that did not, every probe is waited for until the hop's hold ends (a
// probe of a later round at least for its adaptive wait).
func (t *Tracer) giveUp(s *slot) time.Time {
	h := t.hops[s.p.TTL]
	if h.answered {
		if s.retry {
			return s.sent
		}
		return s.sent.Add(t.wait(s.p.TTL))
	}
	end := h.firstSent.Add(t.hold(s.p.TTL))
	if e := s.sent.Add(t.wait(s.p.TTL)); e.After(end) && !s.retry {
		end = e // a later round still gets its whole adaptive wait
	}
	return end
}

// pending reports whether s is still worth waiting for (or sending) at now.
func (t *Tracer) pending(s *slot, now time.Time) bool {
	if s.settled() {
		return false
	}
	return !s.isSent || now.Before(t.giveUp(s))
}

// secondChances queues one more probe for every TTL within the limit that has not answered, whose
// probes have all outlived their adaptive wait, and whose hold leaves at least MinWait for a reply.
func (t *Tracer) secondChances(now time.Time) {
	if t.noRetry {
		return
	}
	lim := t.limit()
	// due[ttl] is whether every first-pass probe of ttl has outlived its wait (or failed to send); the
	// slice is the tracer's, reused on every pass of the loop.
	if cap(t.due) < lim+1 {
		t.due = make([]int8, lim+1)
	}
	due := t.due[:lim+1]
	clear(due) // 0 unseen, 1 due, -1 not due
	for i := range t.slots {
		s := &t.slots[i]
		if s.p.TTL > lim || s.retry {
			continue
		}
		switch {
		case !(s.expired || s.sendErr != nil):
			due[s.p.TTL] = -1
		case due[s.p.TTL] == 0:
			due[s.p.TTL] = 1
		}
	}
	for ttl := t.cfg.FirstTTL; ttl <= lim; ttl++ {
		h := t.hops[ttl]
		if due[ttl] != 1 || h.answered || h.retried || h.firstSent.Add(t.hold(ttl)).Sub(now) < t.cfg.MinWait {
			continue
		}
		h.retried = true
		t.slots = append(t.slots, slot{p: Probe{Seq: t.seq(len(t.slots)), TTL: ttl, Flow: 1},
			attempt: t.cfg.ProbesPerHop, retry: true})
	}
}

// Run sends every probe, collects replies until each probe that matters is answered or given up,
// and returns the trace (Target, names and warnings are the caller's to fill).
func (t *Tracer) Run(ctx context.Context, c Conn) (*path.Trace, error) {
	interval := time.Duration(float64(time.Second) / t.cfg.Rate)
	started := t.cfg.Now()
	t.nextSend = started
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		now := t.cfg.Now()
		t.expire(now)
		t.checkSilentRun(now)
		t.secondChances(now)
		if t.finished(now) {
			break
		}
		if t.next < len(t.slots) && !now.Before(t.nextSend) {
			s := &t.slots[t.next]
			t.next++
			if s.p.TTL > t.limit() {
				s.skipped = true
				continue
			}
			s.sent, s.isSent = now, true
			if h := t.hops[s.p.TTL]; h.firstSent.IsZero() {
				h.firstSent = now
			}
			if err := c.Send(s.p); err != nil {
				s.sendErr = err
			}
			t.nextSend = now.Add(interval)
			continue
		}
		deadline := t.deadline(now)
		r, err := c.Recv(deadline)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			return nil, fmt.Errorf("receive replies: %w", err)
		}
		t.record(r)
	}
	return t.trace(started), nil
}

// deadline is when the loop must wake up: the next send, the earliest adaptive wait to pass, or the
// earliest give-up.
func (t *Tracer) deadline(now time.Time) time.Time {
	d := now.Add(100 * time.Millisecond) // wake up regularly to notice cancellation
	if t.next < len(t.slots) && t.nextSend.Before(d) {
		d = t.nextSend
	}
	lim := t.limit()
	for i := range t.slots {
		s := &t.slots[i]
		if !s.isSent || s.settled() || s.p.TTL > lim {
			continue
		}
		if e := s.sent.Add(t.wait(s.p.TTL)); !s.expired && e.Before(d) {
			d = e
		}
		if e := t.giveUp(s); e.After(now) && e.Before(d) {
			d = e
		}
	}
	return d
}

// expire marks the probes whose adaptive wait has passed with no reply: a reply from now on is
// late, and the hop may get its second chance.
func (t *Tracer) expire(now time.Time) {
	for i := range t.slots {
		s := &t.slots[i]
		if s.isSent && !s.settled() && !s.expired && !now.Before(s.sent.Add(t.wait(s.p.TTL))) {
			s.expired = true
		}
	}
}

// checkSilentRun stops the trace after MaxSilent silent TTLs beyond the last responder, once no probe
// that could still change that is outstanding.
func (t *Tracer) checkSilentRun(now time.Time) {
	if t.destTTL > 0 || t.stopTTL > 0 || t.cfg.MaxSilent == 0 {
		return
	}
	end := max(t.lastReplied, t.cfg.FirstTTL-1) + t.cfg.MaxSilent
	if end >= t.cfg.MaxTTL {
		return
	}
	for i := range t.slots {
		s := &t.slots[i]
		// Wait for every probe of the run, and for every probe already out beyond it: one of those
		// may still answer and move the last responder (they left in the same burst, so this costs
		// little). Probes beyond the run that are not sent yet will not be.
		if t.pending(s, now) && (s.p.TTL <= end || s.isSent) {
			return
		}
	}
	t.stopTTL = end
}

// finished reports whether no probe at or below the limit is still worth sending or waiting for.
func (t *Tracer) finished(now time.Time) bool {
	lim := t.limit()
	for i := range t.slots {
		s := &t.slots[i]
		if s.p.TTL <= lim && t.pending(s, now) {
			return false
		}
	}
	return true
}

// record files a matched reply under its probe: duplicates and late replies are marked, replies to
// unknown or unsent probes (stale, from an earlier trace with the same identifiers) are dropped.
func (t *Tracer) record(r Reply) {
	i := int(r.Seq) - 1 - t.seqBase
	if i < 0 || i >= len(t.slots) {
		return
	}
	s := &t.slots[i]
	if !s.isSent || r.At.Before(s.sent) {
		return
	}
	if s.reply != nil {
		if s.reply.From == r.From {
			s.dup = true
		}
		return
	}
	if s.sendErr != nil || s.skipped {
		return
	}
	if lim := t.limit(); s.p.TTL > lim {
		return
	}
	rr := r
	s.reply = &rr
	t.hops[s.p.TTL].answered = true
	if s.expired {
		s.late = true
		rtt := r.At.Sub(s.sent)
		t.lateFloor = max(t.lateFloor, rtt+rtt/4)
		return
	}
	t.rtts[s.p.TTL] = append(t.rtts[s.p.TTL], r.At.Sub(s.sent))
	t.pathRTT = max(t.pathRTT, path.SummarizeRTTs(t.rtts[s.p.TTL]).Median)
	t.lastReplied = max(t.lastReplied, s.p.TTL)
	if r.Kind == KindReached || r.Kind == KindUnreachable {
		if t.destTTL == 0 || s.p.TTL < t.destTTL {
			t.destTTL = s.p.TTL
		}
	}
}

// lateReply files r, a reply that came after the trace had finished, under its probe, marked late;
// ok is false when r answers no probe of this trace that was sent, within the limit and still
// unanswered (the trace's result said it timed out). It returns the probe's TTL and outcome.
func (t *Tracer) lateReply(r Reply) (ttl int, p path.Probe, ok bool) {
	i := int(r.Seq) - 1 - t.seqBase
	if i < 0 || i >= len(t.slots) {
		return 0, p, false
	}
	s := &t.slots[i]
	if !s.isSent || r.At.Before(s.sent) || s.settled() || s.p.TTL > t.limit() {
		return 0, p, false
	}
	rr := r
	s.reply, s.late = &rr, true
	return s.p.TTL, t.outcome(s), true
}

// trace assembles the path model: hops from FirstTTL to the limit, probes in the order sent.
func (t *Tracer) trace(started time.Time) *path.Trace {
	tr := &path.Trace{
		Source:       "hopscope",
		Started:      started,
		MaxTTL:       t.cfg.MaxTTL,
		ProbesPerHop: t.cfg.ProbesPerHop,
		FlowsVaried:  t.cfg.Vary,
	}
	lim := t.limit()
	for ttl := t.cfg.FirstTTL; ttl <= lim; ttl++ {
		tr.HopAt(ttl)
	}
	// Rounds in order, then the second chances that were answered (one that was not, or came after
	// the hop had answered, added nothing: the hop keeps ProbesPerHop probes).
	for a := 0; a <= t.cfg.ProbesPerHop; a++ {
		for i := range t.slots {
			s := &t.slots[i]
			if s.attempt != a || s.p.TTL > lim || s.retry && s.reply == nil {
				continue
			}
			h := tr.HopAt(s.p.TTL)
			h.AddProbe(t.outcome(s), "")
		}
	}
	tr.NAT = t.nat(lim)
	return tr
}

// nat returns the first hop whose replies quote the probe rewritten (Reply.Rewrites); nil when none did.
func (t *Tracer) nat(lim int) *path.NAT {
	var first *path.NAT
	for i := range t.slots {
		s := &t.slots[i]
		if s.reply == nil || len(s.reply.Rewrites) == 0 || s.p.TTL > lim {
			continue
		}
		if first == nil || s.p.TTL < first.TTL {
			first = &path.NAT{TTL: s.p.TTL, From: s.reply.From, Changes: slices.Clone(s.reply.Rewrites)}
		}
	}
	return first
}

func (t *Tracer) outcome(s *slot) path.Probe {
	p := path.Probe{Status: path.StatusTimeout}
	if t.cfg.Vary {
		p.FlowID = s.p.Flow
	}
	switch {
	case s.sendErr != nil:
		p.Status = path.StatusError
	case s.reply != nil:
		r := s.reply
		p.Status = path.StatusReply
		if r.Kind == KindUnreachable {
			p.Status, p.Unreachable = path.StatusUnreachable, r.Unreachable
		}
		p.From, p.RTT, p.HasRTT = r.From, r.At.Sub(s.sent), true
		p.ReplyTTL, p.QuotedTTL, p.MPLS = r.ReplyTTL, r.QuotedTTL, r.MPLS
		p.Late, p.Dup = s.late, s.dup
	}
	return p
}
