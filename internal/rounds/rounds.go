// Package rounds runs a trace again and again and keeps per-hop statistics.
//
// Run calls a one-round function (probe.Session.Round in hopscope trace -c; a fake in tests) every
// Interval and folds each round into an Aggregate: per hop the probes sent and per responder the
// replies received, the last, best, average and worst RTT, the standard deviation (Welford's
// streaming algorithm) and the jitter (the mean absolute difference between consecutive RTTs, mtr's
// Javg), with a bounded window of recent RTTs per responder and of recent rounds per hop. A reply
// that came after its round had ended counts in that round (probe.Round.Late). Memory does not grow
// with the number of rounds, so a run can last hours.
//
// The result is a *path.Trace whose hops carry the aggregates as path.Stats, the shape imported mtr
// reports have, so analysis, reports, renderers and analyze read it as they read mtr's. After every
// round Config.OnRound receives a snapshot: an immutable copy (the live view renders those).
package rounds

import (
	"context"
	"time"

	"hopscope/internal/path"
	"hopscope/internal/probe"
)

// RoundFunc runs one round and returns what it saw. probe.Session.Round is one; its rounds number
// from 0 and keep one flow.
type RoundFunc func(ctx context.Context) (probe.Round, error)

// Config tunes Run. The zero value works: rounds every second until ctx ends.
type Config struct {
	// Rounds is the number of rounds to run; 0 means until ctx ends.
	Rounds int
	// Interval is the time from the start of one round to the start of the next; 0 means 1 s. A
	// round that lasts longer is followed at once.
	Interval time.Duration
	// Window is how many recent RTTs each responder keeps (path.Stats.Samples) and how many recent
	// rounds each hop keeps (path.Hop.Rounds); 0 means DefaultWindow.
	Window int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits for d or until ctx ends, returning ctx's error then; nil means a timer. A test's
	// fake clock advances itself here.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnRound, when set, is called after every round with a snapshot of the statistics so far: a
	// copy nobody else writes to, which the callee may keep and read from any goroutine. It runs on
	// Run's goroutine, so the next round waits for it to return (a live view can pause the rounds by
	// not returning). Nil means no snapshots.
	OnRound func(*path.Trace)
	// Aggregate, when set, is where the rounds are folded in, so that its owner can Reset it while
	// Run goes on (a live view's "reset statistics" key); nil means a new one.
	Aggregate *Aggregate
}

// DefaultWindow is the number of recent RTTs and rounds kept when Config.Window is 0.
const DefaultWindow = 100

// Run runs rounds until cfg.Rounds are done or ctx ends, and returns the statistics as a trace.
// When ctx ends (Ctrl-C) after at least one round, Run returns the statistics so far and no error;
// before any round, ctx's error. When a round fails otherwise, Run returns the statistics so far (nil
// when there are none) and the error.
func Run(ctx context.Context, round RoundFunc, cfg Config) (*path.Trace, error) {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	sleep := cfg.Sleep
	if sleep == nil {
		sleep = sleepTimer
	}
	interval := cfg.Interval
	if interval <= 0 {
		interval = time.Second
	}
	agg := cfg.Aggregate
	if agg == nil {
		agg = NewAggregate(cfg.Window)
	}
	done := 0
	for cfg.Rounds == 0 || done < cfg.Rounds {
		start := now()
		r, err := round(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if done == 0 {
				return nil, err
			}
			return agg.Snapshot(), err
		}
		agg.Add(r)
		done++
		if cfg.OnRound != nil {
			cfg.OnRound(agg.Snapshot())
		}
		if cfg.Rounds != 0 && done == cfg.Rounds {
			break
		}
		if wait := start.Add(interval).Sub(now()); wait > 0 {
			if sleep(ctx, wait) != nil {
				break
			}
		} else if ctx.Err() != nil {
			break
		}
	}
	if done == 0 {
		return nil, ctx.Err()
	}
	return agg.Snapshot(), nil
}

// sleepTimer waits for d or until ctx ends.
func sleepTimer(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
