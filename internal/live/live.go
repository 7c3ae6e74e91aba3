// Package live draws a path report as a full-screen terminal view that updates each round, as mtr's
// interactive screen and Trippy's TUI do, from the same view-model every static renderer reads.
//
// The view knows nothing of the engine: it receives *report.Path values (built by the analysis stage
// from the engine's snapshots; Reports adapts a snapshot channel) and calls the caller's hooks when
// the user pauses, resets the statistics or quits. It runs on Bubble Tea (charm.land/bubbletea/v2)
// and draws only on a terminal: a caller whose output is not one (IsTerminal) writes the static
// report instead.
//
// Keys: q or Ctrl-C quit, p or space pause and resume, r resets the statistics, d shows every
// responder of a hop, n switches between names and addresses, a the AS and operator columns, l the
// place column, j/k or the arrows scroll a table taller than the screen.
package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/term"

	"hopscope/internal/path"
	"hopscope/internal/report"
)

// DefaultHistorySize is how many samples each hop's latency history keeps when Config.HistorySize is 0.
const DefaultHistorySize = 60

// ErrNotTerminal is returned by Run when Config.Out is not a terminal (and Config.AnyWriter is not
// set): the caller should write the static report instead.
var ErrNotTerminal = errors.New("live view needs a terminal")

// Config configures Run. Updates is required; the zero value of every other field works.
type Config struct {
	// Updates delivers a report after each round, the newest last. Closing it says the measurement
	// has finished: the view stays, marked finished, until the user quits.
	Updates <-chan *report.Path

	// In is where keys are read from; nil means os.Stdin.
	In io.Reader
	// Out is the terminal drawn on; nil means os.Stdout.
	Out io.Writer
	// Width and Height fix the screen size; 0 means the terminal's (following its resizes).
	Width, Height int
	// AnyWriter draws even when Out is not a terminal (tests, recordings); false makes Run return
	// ErrNotTerminal for such an Out.
	AnyWriter bool
	// NoNames starts the view showing addresses rather than host names (n switches).
	NoNames bool
	// HistorySize is how many samples each hop's latency history keeps; 0 means DefaultHistorySize.
	HistorySize int

	// The hooks run on the view's goroutine and must not block. OnPause is called with true when the
	// user pauses and false when they resume (the engine should stop and restart its rounds); nil
	// means pausing only freezes the screen, and the newest report is shown on resume.
	OnPause func(paused bool)
	// OnReset is called when the user asks for the statistics to be reset (the engine should start
	// its counts afresh); nil means only the view's latency history is cleared.
	OnReset func()
	// OnQuit is called once when the user quits, before Run returns; nil means Run's return is the
	// only signal.
	OnQuit func()
}

// Run draws the view until the user quits (nil error) or ctx is done (ctx's error), and returns the
// newest report it received (nil when none came), so the caller can write the final report.
func Run(ctx context.Context, cfg Config) (*report.Path, error) {
	if cfg.Updates == nil {
		return nil, errors.New("live view: no channel of updates")
	}
	in, out := cfg.In, cfg.Out
	if in == nil {
		in = os.Stdin
	}
	if out == nil {
		out = os.Stdout
	}
	if !cfg.AnyWriter && !IsTerminal(out) {
		return nil, ErrNotTerminal
	}
	m := newModel(cfg)
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out)}
	if cfg.Width > 0 && cfg.Height > 0 {
		opts = append(opts, tea.WithWindowSize(cfg.Width, cfg.Height))
	}
	_, err := tea.NewProgram(m, opts...).Run()
	switch {
	case errors.Is(err, tea.ErrInterrupted): // SIGINT while the terminal was not in raw mode
		if !m.quitting && m.hooks.quit != nil {
			m.hooks.quit()
		}
		return m.last(), nil
	case err != nil && ctx.Err() != nil:
		return m.last(), ctx.Err()
	case err != nil:
		return m.last(), fmt.Errorf("live view: %w", err)
	}
	return m.last(), nil
}

// IsTerminal reports whether w is a terminal the view can draw on.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Reports turns an engine's snapshots into reports for the view: build (the analysis stage) runs on
// its own goroutine, so a slow enrichment never stalls the screen, and when snapshots come faster than
// build, the older waiting ones are skipped for the newest. The returned channel closes after the
// report of the last snapshot once snaps closes, or when ctx is done.
func Reports(ctx context.Context, snaps <-chan *path.Trace, build func(*path.Trace) *report.Path) <-chan *report.Path {
	out := make(chan *report.Path)
	go func() {
		defer close(out)
		for {
			var t *path.Trace
			select {
			case <-ctx.Done():
				return
			case s, ok := <-snaps:
				if !ok {
					return
				}
				t = s
			}
			for drained := false; !drained; { // skip to the newest snapshot already waiting
				select {
				case s, ok := <-snaps:
					if !ok {
						drained = true
						break
					}
					t = s
				default:
					drained = true
				}
			}
			select {
			case out <- build(t):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
