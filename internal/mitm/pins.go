package mitm

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"time"
)

// PinFile is the name of the file, in the data directory, listing hosts whose clients refused our certificate.
const PinFile = "pinned-hosts.txt"

// Pins remembers hosts whose clients refused the interception certificate (certificate pinning, or a
// CA the client does not trust) so that later connections to them pass through untouched. With a
// path, detections are appended to the file ("host<TAB>time<TAB>reason") and survive restarts.
// Safe for concurrent use.
type Pins struct {
	mu    sync.Mutex
	hosts map[string]string
	path  string
}

// LoadPins reads the pin file at p (a missing file is an empty set); p == "" keeps pins in memory only.
func LoadPins(p string) (*Pins, error) {
	ps := &Pins{hosts: map[string]string{}, path: p}
	if p == "" {
		return ps, nil
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return ps, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read pins: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		host, reason, _ := strings.Cut(line, "\t")
		if _, r, ok := strings.Cut(reason, "\t"); ok {
			reason = r
		}
		ps.hosts[NormalizeHost(host)] = reason
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	return ps, nil
}

// Pinned reports whether host is pinned, and why.
func (p *Pins) Pinned(host string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.hosts[NormalizeHost(host)]
	return r, ok
}

// Add pins host and appends it to the file; adding a pinned host again does nothing.
func (p *Pins) Add(host, reason string, now time.Time) error {
	host = NormalizeHost(host)
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.hosts[host]; ok {
		return nil
	}
	p.hosts[host] = reason
	if p.path == "" {
		return nil
	}
	f, err := os.OpenFile(p.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("record pin: %w", err)
	}
	defer f.Close()
	reason = strings.NewReplacer("\t", " ", "\n", " ").Replace(reason)
	if _, err := fmt.Fprintf(f, "%s\t%s\t%s\n", host, now.UTC().Format(time.RFC3339), reason); err != nil {
		return fmt.Errorf("record pin: %w", err)
	}
	return f.Sync()
}

// Hosts lists the pinned hosts (unordered).
func (p *Pins) Hosts() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.hosts))
	for h := range p.hosts {
		out = append(out, h)
	}
	return out
}

// HostPatterns is a list of host patterns: "example.com" matches that name only, "*.example.com" any
// name under it (not the apex), and other shell globs (path.Match syntax) match the whole name.
type HostPatterns []string

// ParseHostPatterns splits a comma-separated list and validates each pattern.
func ParseHostPatterns(list []string) (HostPatterns, error) {
	var out HostPatterns
	for _, item := range list {
		for _, p := range strings.Split(item, ",") {
			p = NormalizeHost(strings.TrimSpace(p))
			if p == "" {
				continue
			}
			if _, err := path.Match(p, p); err != nil || strings.Count(p, "[") != strings.Count(p, "]") {
				return nil, fmt.Errorf("host pattern %q: %w", p, path.ErrBadPattern)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// Match reports whether host matches any pattern.
func (hp HostPatterns) Match(host string) bool {
	host = NormalizeHost(host)
	for _, p := range hp {
		if p == host {
			return true
		}
		if strings.HasPrefix(p, "*.") && !strings.ContainsAny(p[2:], "*?[") {
			if strings.HasSuffix(host, p[1:]) {
				return true
			}
			continue
		}
		if ok, _ := path.Match(p, host); ok {
			return true
		}
	}
	return false
}
