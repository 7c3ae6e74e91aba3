package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"hopscope/internal/analysis"
	"hopscope/internal/enrich"
	"hopscope/internal/live"
	"hopscope/internal/path"
	"hopscope/internal/probe"
	"hopscope/internal/report"
	"hopscope/internal/rounds"
)

// liveFlags choose whether trace -c draws the live view.
type liveFlags struct {
	noLive bool
}

func addLiveFlags(f *pflag.FlagSet, l *liveFlags) {
	f.BoolVar(&l.noLive, "no-live", false, "with -c on a terminal, print only the final report instead of the live view (as mtr -r)")
}

// use reports whether this trace draws the live view: rounds (-c) on one address, to a terminal on
// both ends, with the report going to -o or being the text one that follows the view on the terminal.
func (l liveFlags) use(g *globalOptions, o *traceOptions, format string) bool {
	return !l.noLive && o.count > 0 && !o.allAddrs && (o.out.output != "" || format == "text") &&
		live.IsTerminal(g.streams.Out) && isTTYReader(g.streams.In)
}

// runTraceLive runs the rounds of trace -c with the live view on the terminal: after each round the
// engine's snapshot goes through the analysis stage to the view; p holds the rounds, r resets their
// statistics, q (or the last round) ends them, and the final report is written as trace writes it.
func runTraceLive(ctx context.Context, g *globalOptions, o *traceOptions, format string, t path.Target,
	warnings []string, po probe.Options, e *enrich.Enricher, from *analysis.Place) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s, err := probe.OpenSession(t, po)
	if err != nil {
		if errors.Is(err, probe.ErrNeedPrivilege) {
			return &ExitError{Code: ExitFailure, Err: err}
		}
		return fmt.Errorf("trace %s: %w", o.host, err)
	}
	defer s.Close()
	build := func(tr *path.Trace) *report.Path {
		tr.Warnings = append(slices.Clone(warnings), tr.Warnings...)
		return analysis.Path(tr, e, analysis.Options{From: from})
	}
	agg := rounds.NewAggregate(0)
	gate := newPauseGate()
	snaps := make(chan *path.Trace)
	type result struct {
		tr  *path.Trace
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer close(snaps)
		tr, err := rounds.Run(ctx, s.Round, rounds.Config{Rounds: o.count, Interval: o.interval, Aggregate: agg,
			OnRound: func(tr *path.Trace) {
				select {
				case snaps <- tr:
				case <-ctx.Done():
				}
				gate.wait(ctx) // the next round waits while the view is paused
			}})
		done <- result{tr, err}
	}()
	_, verr := live.Run(ctx, live.Config{Updates: live.Reports(ctx, snaps, build), In: g.streams.In, Out: g.streams.Out,
		NoNames: o.noResolve, OnPause: gate.set, OnReset: agg.Reset})
	cancel() // q: stop the rounds; the statistics so far are the report
	r := <-done
	if verr != nil && !errors.Is(verr, context.Canceled) {
		return verr
	}
	if r.tr == nil {
		if r.err == nil {
			r.err = errors.New("no round finished")
		}
		return fmt.Errorf("trace %s: %w", o.host, r.err)
	}
	rep := report.New(report.KindPath, r.tr.Started)
	rep.Path = build(r.tr)
	if err := o.out.write(g, format, rep); err != nil {
		return err
	}
	if !reached(r.tr) && len(r.tr.Addrs()) <= 1 {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("trace %s: nothing answered", o.host)}
	}
	return nil
}

// pauseGate holds the rounds while the live view is paused.
type pauseGate struct {
	mu     sync.Mutex
	paused bool
	resume chan struct{} // closed on resume; replaced on each pause
}

func newPauseGate() *pauseGate { return &pauseGate{resume: make(chan struct{})} }

func (p *pauseGate) set(paused bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case paused && !p.paused:
		p.resume = make(chan struct{})
	case !paused && p.paused:
		close(p.resume)
	}
	p.paused = paused
}

// wait returns at once unless paused, then when resumed or ctx ends.
func (p *pauseGate) wait(ctx context.Context) {
	p.mu.Lock()
	paused, resume := p.paused, p.resume
	p.mu.Unlock()
	if !paused {
		return
	}
	select {
	case <-resume:
	case <-ctx.Done():
	}
}

// isTTYReader reports whether r is a terminal (the live view reads its keys there).
func isTTYReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
