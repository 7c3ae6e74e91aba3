package probe

import (
	"context"
	"time"

	"hopscope/internal/path"
)

// Session traces one target again and again over one socket, so that every round keeps the same
// flow (the same ICMP identifier and checksum, or the same ports): Paris traceroute across rounds, as
// mtr keeps one flow for a run. Each round sends its probes with sequence numbers of its own, so a
// reply that comes after its round ended is still matched to its probe and handed back, with the
// round it belongs to, by the round during which it came (Round.Late).
//
// A round has no second chances: a hop silent in one round is a loss in that round, as mtr counts
// it. A Session is not safe for concurrent use.
type Session struct {
	opts     Options
	target   path.Target
	conn     Conn
	flow     Flow
	mode     Mode
	close    func() error
	warnings []string
	// span is the number of sequence numbers a round uses, ranges how many rounds fit in 1..65534.
	span, ranges int
	next         int         // the number of the next round
	past         []pastRound // the most recent finished rounds, oldest first
	late         []LateReply // late replies to past rounds collected during the current round
}

// pastRound is a finished round whose late replies are still taken.
type pastRound struct {
	n       int
	started time.Time
	tracer  *Tracer
}

// lateWindow is how long after a round started its late replies are still taken: 5 s, or 3 × the
// timeout when that is longer. A reply later than that (or one to a round so far back that its
// sequence numbers are in use again, or beyond maxPastRounds) counts as lost.
func lateWindow(timeout time.Duration) time.Duration { return max(5*time.Second, 3*timeout) }

// maxPastRounds bounds the finished rounds kept for late replies, whatever the interval.
const maxPastRounds = 1000

// Round is what one round of a Session saw.
type Round struct {
	// N numbers the round, from 0.
	N int
	// Trace is the round's trace, as Run returns it (without path MTU discovery).
	Trace *path.Trace
	// Late are replies to probes of earlier rounds that came during this one (after their own round
	// had given them up): each counts in its own round, not this one. Nil when none came.
	Late []LateReply
}

// LateReply is a reply to a probe of an earlier round.
type LateReply struct {
	// Round is the number of the round that sent the probe.
	Round int
	// TTL is the probe's TTL.
	TTL int
	// Probe is the probe's outcome, Late set.
	Probe path.Probe
}

// OpenSession opens the socket that every round of the session will use. opts.PathMTU is ignored.
func OpenSession(target path.Target, opts Options) (*Session, error) {
	if opts.Method == path.ProtoUnknown {
		opts.Method = path.ProtoICMP
	}
	tracer, err := NewTracer(opts.Config)
	if err != nil {
		return nil, err
	}
	sock, err := OpenSocket(SocketConfig{Method: opts.Method, Dst: target.Addr, Port: opts.Port, Vary: opts.Vary,
		Flows: tracer.Flows(), Mode: opts.Mode, Rand: opts.Rand})
	if err != nil {
		return nil, err
	}
	var conn Conn = sock
	if opts.Names != nil {
		conn = prefetchConn{Conn: sock, names: opts.Names}
	}
	s, err := newSession(conn, sock.Flow(), sock.Mode(), target, opts)
	if err != nil {
		sock.Close()
		return nil, err
	}
	s.close = sock.Close
	return s, nil
}

// newSession runs rounds over conn, whose probes go out with flow.
func newSession(conn Conn, flow Flow, mode Mode, target path.Target, opts Options) (*Session, error) {
	cfg, err := opts.Config.withDefaults()
	if err != nil {
		return nil, err
	}
	sp := span(cfg, true)
	return &Session{opts: opts, target: target, conn: conn, flow: flow, mode: mode,
		warnings: flowWarnings(flow, opts), span: sp, ranges: 0xfffe / sp}, nil
}

// Flow is the flow every round's probes use.
func (s *Session) Flow() Flow { return s.flow }

// Round runs the next round and returns it. When ctx ends during the round, it returns ctx's error
// and the round is lost (earlier rounds are not).
func (s *Session) Round(ctx context.Context) (Round, error) {
	n := s.next
	s.next++
	base := (n % s.ranges) * s.span
	t, err := newTracer(s.opts.Config, base, true)
	if err != nil {
		return Round{}, err
	}
	tr, err := t.Run(ctx, roundConn{s: s, lo: base + 1, hi: base + s.span})
	if err != nil {
		s.late = nil
		return Round{}, err
	}
	describe(tr, s.target, s.flow, s.opts, s.mode, s.warnings)
	nameAll(ctx, tr, s.opts)
	s.past = append(s.past, pastRound{n: n, started: tr.Started, tracer: t})
	s.forget(t.cfg.Now(), t.cfg.Timeout)
	r := Round{N: n, Trace: tr, Late: s.late}
	s.late = nil
	return r, nil
}

// Close closes the session's socket.
func (s *Session) Close() error {
	if s.close == nil {
		return nil
	}
	return s.close()
}

// forget drops the past rounds that no longer take late replies at now.
func (s *Session) forget(now time.Time, timeout time.Duration) {
	keep := min(maxPastRounds, s.ranges-1)
	drop := max(len(s.past)-keep, 0)
	for drop < len(s.past) && now.Sub(s.past[drop].started) > lateWindow(timeout) {
		drop++
	}
	s.past = append(s.past[:0], s.past[drop:]...)
}

// takeLate files r under the past round whose sequence range holds it; a reply no past round takes
// (stale, duplicate, or from a round too long ago) is dropped.
func (s *Session) takeLate(r Reply) {
	for i := len(s.past) - 1; i >= 0; i-- {
		p := s.past[i]
		if int(r.Seq) <= p.tracer.seqBase || int(r.Seq) > p.tracer.seqBase+s.span {
			continue
		}
		if ttl, pr, ok := p.tracer.lateReply(r); ok {
			s.late = append(s.late, LateReply{Round: p.n, TTL: ttl, Probe: pr})
		}
		return
	}
}

// roundConn is the session's Conn as one round sees it: replies to the round's own sequence range
// come through, replies to earlier rounds are filed as late replies and not returned.
type roundConn struct {
	s      *Session
	lo, hi int
}

func (c roundConn) Send(p Probe) error { return c.s.conn.Send(p) }

func (c roundConn) Recv(deadline time.Time) (Reply, error) {
	for {
		r, err := c.s.conn.Recv(deadline)
		if err != nil {
			return r, err
		}
		if int(r.Seq) >= c.lo && int(r.Seq) <= c.hi {
			return r, nil
		}
		c.s.takeLate(r)
	}
}
