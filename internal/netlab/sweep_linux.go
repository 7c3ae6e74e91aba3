//go:build linux

package netlab

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Sweep removes the namespaces (and their processes and /etc/netns files) left
// by labs whose process has died, e.g. a test binary that crashed or was
// killed. It touches only names of the form hs-<pid>-<n>-<node> whose pid is
// not running. Start runs it once per process. It returns the removed names.
func Sweep() ([]string, error) {
	entries, err := os.ReadDir(netnsDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var stale []string
	for _, e := range entries {
		pid, ok := staleOwner(e.Name())
		if !ok || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		stale = append(stale, e.Name())
	}
	err = removeNetns(stale...)
	var removed []string
	for _, ns := range stale {
		if _, statErr := os.Stat(filepath.Join(netnsDir, ns)); statErr == nil {
			continue
		}
		removed = append(removed, ns)
	}
	// /etc/netns entries of dead labs, including any whose namespace is gone.
	if etc, _ := os.ReadDir(etcNetnsDir); len(etc) > 0 {
		for _, e := range etc {
			pid, ok := staleOwner(e.Name())
			if !ok || pid == os.Getpid() || processAlive(pid) {
				continue
			}
			if _, statErr := os.Stat(filepath.Join(netnsDir, e.Name())); statErr == nil {
				continue // its namespace could not be removed; keep them together
			}
			_ = os.RemoveAll(filepath.Join(etcNetnsDir, e.Name()))
		}
	}
	return removed, err
}

// processAlive reports whether pid runs; a zombie (dead, not yet reaped) does not.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	// The state follows the parenthesised command name, which may hold spaces.
	if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}
