package mda

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"hopscope/internal/path"
	"hopscope/internal/probe"
)

// sent is one probe that left, and its reply.
type sent struct {
	p     probe.Probe
	at    time.Time
	reply *probe.Reply
	late  bool // the reply came after the probe's wait
	dup   bool // more than one reply came
	lost  bool // its wait passed with no reply (so far)
}

// runner is one MDA run over a Conn.
type runner struct {
	cfg      Config
	conn     probe.Conn
	g        *graph
	probes   []sent // index Seq-1
	pending  int
	nextSend time.Time
	maxRTT   time.Duration
	// graced holds the TTLs that had their one long wait: the first round at a TTL that leaves probes
	// unanswered after the adaptive wait waits on until Timeout, so that a slow router (or a loaded
	// host) is not taken for a silent one or for loss.
	graced map[int]bool
}

// Run enumerates the load-balanced paths through conn, hop by hop, with the MDA's stopping rule,
// and returns them in the path model: Hops (every probe, with its flow, and every interface as a
// responder of its TTL) and Multipath (links, confidence, probes, flows, incomplete hops). Target,
// protocol and source are left to the caller. conn's probes carry flow numbers 1..cfg.MaxFlows.
//
// A run ends at MaxTTL, when every branch reached the destination (or an unreachable) or went silent
// for GapLimit hops, or when MaxProbes, MaxTime or ctx ran out (the hop under way is then listed as
// incomplete; what was found is returned without error). Errors are for a Conn that failed.
func Run(ctx context.Context, conn probe.Conn, cfg Config) (*path.Trace, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, conn: conn, g: newGraph(cfg, newStopRule(cfg.Confidence)), graced: map[int]bool{}}
	started := cfg.Now()
	end := started.Add(cfg.MaxTime)
	if d, ok := ctx.Deadline(); ok && d.Before(end) {
		end = d
	}
	r.nextSend = started
	last := cfg.FirstTTL - 1
hops:
	for ttl := cfg.FirstTTL - 1; ttl < cfg.MaxTTL; ttl++ {
		for {
			if ctx.Err() != nil || !cfg.Now().Before(end) {
				r.g.markIncomplete(ttl + 1)
				last = max(last, ttl+1)
				break hops
			}
			p := r.g.plan(ttl)
			for range p.short {
				r.g.markIncomplete(ttl + 1)
			}
			if len(p.probes) == 0 {
				break
			}
			if room := cfg.MaxProbes - len(r.probes); len(p.probes) > room {
				p.probes = p.probes[:room]
			}
			if len(p.probes) == 0 {
				r.g.markIncomplete(ttl + 1)
				last = max(last, ttl+1)
				break hops
			}
			if err := r.round(p.probes, end); err != nil {
				return nil, err
			}
			last = max(last, ttl+1)
		}
		if !r.g.parents(ttl + 1) {
			break
		}
	}
	return r.trace(started, last), nil
}

// asyncSendError reports whether err is an ICMP error the kernel queued on the socket from an earlier
// packet and returned on this send (host or network unreachable, connection refused).
func asyncSendError(err error) bool {
	return errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTDOWN)
}

// round sends the probes, paced, and waits for their replies: until every one is answered, or the
// wait after the last one passes (2 × the largest RTT seen, within MinWait..Timeout), or end.
func (r *runner) round(ws []want, end time.Time) error {
	gap := time.Duration(float64(time.Second) / r.cfg.Rate)
	for _, w := range ws {
		if err := r.receive(r.nextSend, false); err != nil {
			return err
		}
		p := probe.Probe{Seq: uint16(len(r.probes) + 1), TTL: w.ttl, Flow: w.flow}
		now := r.cfg.Now()
		if err := r.conn.Send(p); err != nil {
			// An unreachable an earlier probe drew is reported on the socket's next send (unprivileged
			// UDP and TCP sockets): it is that probe's answer, not this send's failure, so this one is
			// sent again; failing again, it counts as lost rather than ending the enumeration.
			if !asyncSendError(err) {
				return fmt.Errorf("send probe ttl %d flow %d: %w", w.ttl, w.flow, err)
			}
			if err := r.conn.Send(p); err != nil && !asyncSendError(err) {
				return fmt.Errorf("send probe ttl %d flow %d: %w", w.ttl, w.flow, err)
			}
		}
		r.probes = append(r.probes, sent{p: p, at: now})
		r.g.set(w.flow, w.ttl, obs{state: pending})
		r.pending++
		r.nextSend = now.Add(gap)
	}
	wait := r.cfg.Timeout
	if r.maxRTT > 0 {
		wait = min(max(2*r.maxRTT, r.cfg.MinWait), r.cfg.Timeout)
	}
	deadline := r.cfg.Now().Add(wait)
	if end.Before(deadline) {
		deadline = end
	}
	if err := r.receive(deadline, true); err != nil {
		return err
	}
	if r.pending > 0 {
		grace := false
		for _, w := range ws {
			if o := r.g.at(w.flow, w.ttl); o.state == pending && !r.graced[w.ttl] {
				grace = true
				r.graced[w.ttl] = true
			}
		}
		if long := r.nextSend.Add(r.cfg.Timeout); grace && long.After(deadline) {
			if end.Before(long) {
				long = end
			}
			if err := r.receive(long, true); err != nil {
				return err
			}
		}
	}
	// Whatever is still pending is lost (a reply that comes later still counts, marked late).
	for i := range r.probes {
		s := &r.probes[i]
		if s.reply == nil && !s.lost {
			s.lost = true
			r.g.set(s.p.Flow, s.p.TTL, obs{state: lost})
		}
	}
	r.pending = 0
	return nil
}

// receive takes replies until deadline; with settled, also as soon as none is pending.
func (r *runner) receive(deadline time.Time, settled bool) error {
	for !(settled && r.pending == 0) {
		rep, err := r.conn.Recv(deadline)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("receive: %w", err)
		}
		r.take(rep)
	}
	return nil
}

// take records one reply.
func (r *runner) take(rep probe.Reply) {
	i := int(rep.Seq) - 1
	if i < 0 || i >= len(r.probes) {
		return // not a probe of this run (a stale one of another)
	}
	s := &r.probes[i]
	if s.reply != nil {
		s.dup = true
		return
	}
	if rep.At.IsZero() {
		rep.At = r.cfg.Now()
	}
	s.reply = &rep
	if s.lost {
		s.late = true
	} else {
		r.pending--
		r.maxRTT = max(r.maxRTT, rep.At.Sub(s.at))
	}
	from := rep.From
	r.g.set(s.p.Flow, s.p.TTL, obs{state: answered, addr: from, final: rep.Kind != probe.KindTimeExceeded})
}

// trace builds the path model from the probes sent up to TTL last.
func (r *runner) trace(started time.Time, last int) *path.Trace {
	tr := &path.Trace{Source: "hopscope", Started: started, MaxTTL: r.cfg.MaxTTL, FlowsVaried: true}
	for ttl := r.cfg.FirstTTL; ttl <= last; ttl++ {
		tr.HopAt(ttl)
	}
	flows := map[int]bool{}
	for _, s := range r.probes {
		h := tr.HopAt(s.p.TTL)
		flows[s.p.Flow] = true
		pp := path.Probe{Status: path.StatusTimeout, FlowID: s.p.Flow}
		if rep := s.reply; rep != nil {
			pp.Status, pp.From, pp.RTT, pp.HasRTT = path.StatusReply, rep.From, rep.At.Sub(s.at), true
			pp.ReplyTTL, pp.QuotedTTL, pp.MPLS, pp.Late, pp.Dup = rep.ReplyTTL, rep.QuotedTTL, rep.MPLS, s.late, s.dup
			if rep.Kind == probe.KindUnreachable {
				pp.Status, pp.Unreachable = path.StatusUnreachable, rep.Unreachable
			}
		}
		h.AddProbe(pp, "")
	}
	tr.Multipath = &path.Multipath{Confidence: r.cfg.Confidence, Probes: len(r.probes), Flows: len(flows),
		Links: r.g.links(), Incomplete: r.g.incomplete}
	return tr
}
