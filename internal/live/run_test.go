package live

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"hopscope/internal/report"
)

// screenBuffer collects what Run draws, safely across goroutines.
type screenBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *screenBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *screenBuffer) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ansi.Strip(s.b.String())
}

// waitFor polls until the drawn output contains want, failing after a bounded wait.
func waitFor(t *testing.T, out *screenBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.text(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the view never drew %q; it drew:\n%s", want, out.text())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type runResult struct {
	last *report.Path
	err  error
}

func startRun(ctx context.Context, cfg Config) <-chan runResult {
	done := make(chan runResult, 1)
	go func() {
		last, err := Run(ctx, cfg)
		done <- runResult{last, err}
	}()
	return done
}

func awaitRun(t *testing.T, done <-chan runResult) runResult {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	return runResult{}
}

func TestRunQuitReturnsNewest(t *testing.T) {
	keys, typist := io.Pipe()
	defer typist.Close()
	out := &screenBuffer{}
	updates := make(chan *report.Path)
	quits := 0
	done := startRun(context.Background(), Config{Updates: updates, In: keys, Out: out, AnyWriter: true,
		Width: 80, Height: 24, OnQuit: func() { quits++ }})
	rounds := fixture()
	updates <- rounds[0]
	waitFor(t, out, "round 1")
	updates <- rounds[1]
	// The view asks for the next report only after applying the last one (the renderer draws only
	// what changed, so the screen text cannot say when round 2 is applied): a second send of the same
	// report returns once round 2 is on screen.
	updates <- rounds[1]
	if _, err := typist.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	r := awaitRun(t, done)
	if r.err != nil || r.last != rounds[1] || quits != 1 {
		t.Errorf("Run returned (%v, %v) after %d quit calls; want round 2, nil and one call", r.last, r.err, quits)
	}
}

func TestRunStaysWhenEngineFinishes(t *testing.T) {
	keys, typist := io.Pipe()
	defer typist.Close()
	out := &screenBuffer{}
	updates := make(chan *report.Path, 1)
	updates <- fixture()[0]
	close(updates)
	done := startRun(context.Background(), Config{Updates: updates, In: keys, Out: out, AnyWriter: true, Width: 80, Height: 24})
	waitFor(t, out, "finished")
	select {
	case r := <-done:
		t.Fatalf("Run returned (%v) when the engine finished; it should wait for q", r.err)
	default:
	}
	typist.Write([]byte("q"))
	if r := awaitRun(t, done); r.err != nil || r.last == nil {
		t.Errorf("Run returned (%v, %v), want the report and nil", r.last, r.err)
	}
}

func TestRunContextCancelled(t *testing.T) {
	keys, typist := io.Pipe()
	defer typist.Close()
	out := &screenBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := startRun(ctx, Config{Updates: make(chan *report.Path), In: keys, Out: out, AnyWriter: true, Width: 80, Height: 24})
	waitFor(t, out, "waiting for the first round")
	cancel()
	if r := awaitRun(t, done); !errors.Is(r.err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", r.err)
	}
}

func TestRunRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want error
	}{
		{"not a terminal", Config{Updates: make(chan *report.Path), Out: &bytes.Buffer{}, In: strings.NewReader("")}, ErrNotTerminal},
		{"no updates", Config{Out: &bytes.Buffer{}, AnyWriter: true}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), tc.cfg)
			if err == nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Run = %v, want %v", err, tc.want)
			}
		})
	}
	if IsTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is not a terminal")
	}
}
