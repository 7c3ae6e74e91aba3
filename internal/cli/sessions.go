package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// sessionsDir is where "hopscope proxy" writes its session files when --session is not given.
func (g *globalOptions) sessionsDir() (string, error) {
	dir, err := g.dataPath()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "sessions"), nil
}

// latestSession returns the session file in the sessions directory written last (by modification time,
// then by name: proxy-TIME names sort by start time), and says on standard error which one it read.
// Having none is bad input that says where it looked and what to do.
func (g *globalOptions) latestSession() (string, error) {
	dir, err := g.sessionsDir()
	if err != nil {
		return "", badInput(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", badInput(fmt.Errorf("find the latest session: %w", err))
	}
	best, bestInfo := "", fs.FileInfo(nil)
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".jsonl") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed while listing
		}
		if bestInfo == nil || info.ModTime().After(bestInfo.ModTime()) ||
			info.ModTime().Equal(bestInfo.ModTime()) && e.Name() > best {
			best, bestInfo = e.Name(), info
		}
	}
	if best == "" {
		return "", badInput(fmt.Errorf("no session in %s: record one with \"hopscope proxy\" or give a SESSION or HAR file", dir))
	}
	p := filepath.Join(dir, best)
	if g.streams.Err != nil {
		fmt.Fprintf(g.streams.Err, "hopscope: reading the latest session, %s\n", p)
	}
	return p, nil
}
