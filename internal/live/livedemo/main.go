// Command livedemo replays a scripted sequence of path reports through the live view, one per interval,
// as the rounds engine would deliver them: for trying the view by hand and for its tmux test.
//
//	go run ./internal/live/livedemo -rounds internal/live/testdata/rounds.json -o /tmp/final.json
//
// p pauses the replay as it would pause the engine, r starts it again from the first round (the
// engine resetting its statistics), q quits and writes the newest report to -o.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sync"
	"time"

	"hopscope/internal/live"
	"hopscope/internal/report"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "livedemo:", err)
		os.Exit(1)
	}
}

func run() error {
	roundsFile := flag.String("rounds", "internal/live/testdata/rounds.json", "JSON array of path reports, one per round")
	interval := flag.Duration("interval", 700*time.Millisecond, "time between rounds")
	out := flag.String("o", "", "write the newest report here as JSON when the view quits")
	flag.Parse()

	data, err := os.ReadFile(*roundsFile)
	if err != nil {
		return err
	}
	var rounds []*report.Path
	if err := json.Unmarshal(data, &rounds); err != nil {
		return fmt.Errorf("%s: %w", *roundsFile, err)
	}
	if !live.IsTerminal(os.Stdout) {
		return fmt.Errorf("stdout is not a terminal: hopscope would write the static report here")
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &replay{rounds: rounds}
	updates := make(chan *report.Path)
	go r.feed(ctx, updates, *interval)

	last, err := live.Run(ctx, live.Config{Updates: updates, OnPause: r.pause, OnReset: r.reset, OnQuit: cancel})
	if err != nil && ctx.Err() == nil {
		return err
	}
	if *out != "" && last != nil {
		rep := report.New(report.KindPath, time.Now())
		rep.Path = last
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(*out, append(b, '\n'), 0o644)
	}
	return nil
}

// replay stands in for the rounds engine: it sends the next report each tick unless paused.
type replay struct {
	mu     sync.Mutex
	rounds []*report.Path
	next   int
	paused bool
}

func (r *replay) pause(p bool) { r.mu.Lock(); r.paused = p; r.mu.Unlock() }
func (r *replay) reset()       { r.mu.Lock(); r.next = 0; r.mu.Unlock() }

func (r *replay) feed(ctx context.Context, updates chan<- *report.Path, interval time.Duration) {
	defer close(updates)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		r.mu.Lock()
		var p *report.Path
		if !r.paused && r.next < len(r.rounds) {
			p = r.rounds[r.next]
			r.next++
		}
		finished := r.next == len(r.rounds)
		r.mu.Unlock()
		if p != nil {
			select {
			case updates <- p:
			case <-ctx.Done():
				return
			}
		}
		if finished && p != nil {
			return
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return
		}
	}
}
