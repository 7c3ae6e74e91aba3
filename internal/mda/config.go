package mda

import (
	"errors"
	"fmt"
	"time"
)

// Config tunes Run. The zero value works: every field has a default.
type Config struct {
	// Confidence is the probability, per interface and hop, that no next hop was missed: 0.95 or 0.99
	// (95 and 99 are read as percentages); 0 means 0.95.
	Confidence float64
	// FirstTTL is the first TTL probed; 0 means 1.
	FirstTTL int
	// MaxTTL is the last TTL probed; 0 means 30.
	MaxTTL int
	// MaxProbes bounds the probes sent in all; 0 means 3000 (scamper's tracelb default). When it is
	// spent the hop under way is listed as incomplete and the run ends.
	MaxProbes int
	// MaxFlows bounds the distinct flow identifiers (1..MaxFlows); 0 means 256. When they are spent,
	// hops that needed more are listed as incomplete.
	MaxFlows int
	// GapLimit is the number of consecutive silent hops after which a branch is given up; 0 means 3
	// (scamper's default).
	GapLimit int
	// Rate is the pacing in probes per second; 0 means 1000.
	Rate float64
	// Timeout is the longest wait for a reply; 0 means 1 s.
	Timeout time.Duration
	// MinWait is the shortest wait for replies once RTTs are known; 0 means 100 ms. The wait after a
	// batch of probes is 2 × the largest RTT seen, within MinWait..Timeout.
	MinWait time.Duration
	// MaxTime bounds the whole run; 0 means 2 minutes. When it passes, the hop under way is listed as
	// incomplete and what was found so far is returned.
	MaxTime time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// withDefaults validates c and fills its defaults.
func (c Config) withDefaults() (Config, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Confidence == 0 {
		c.Confidence = 0.95
	}
	c.Confidence = roundConfidence(c.Confidence)
	def(&c.FirstTTL, 1)
	def(&c.MaxTTL, 30)
	def(&c.MaxProbes, 3000)
	def(&c.MaxFlows, 256)
	def(&c.GapLimit, 3)
	if c.Rate == 0 {
		c.Rate = 1000
	}
	if c.Timeout == 0 {
		c.Timeout = time.Second
	}
	if c.MinWait == 0 {
		c.MinWait = 100 * time.Millisecond
	}
	c.MinWait = min(c.MinWait, c.Timeout)
	if c.MaxTime == 0 {
		c.MaxTime = 2 * time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	switch {
	case !(c.Confidence >= 0.5 && c.Confidence < 1):
		return c, fmt.Errorf("confidence %v: want 95 or 99 (percent), at least 50 and below 100", c.Confidence)
	case c.FirstTTL < 1 || c.FirstTTL > 255:
		return c, fmt.Errorf("first ttl %d: want 1..255", c.FirstTTL)
	case c.MaxTTL < c.FirstTTL || c.MaxTTL > 255:
		return c, fmt.Errorf("max ttl %d: want %d..255", c.MaxTTL, c.FirstTTL)
	case c.MaxProbes < 1 || c.MaxProbes > 0xfffe:
		return c, fmt.Errorf("max probes %d: want 1..65534", c.MaxProbes)
	case c.MaxFlows < 2 || c.MaxFlows > 0x8000:
		return c, fmt.Errorf("max flows %d: want 2..32768", c.MaxFlows)
	case c.GapLimit < 1:
		return c, fmt.Errorf("gap limit %d: want at least 1", c.GapLimit)
	case c.Rate < 0 || c.Timeout < 0 || c.MinWait < 0 || c.MaxTime < 0:
		return c, errors.New("rate, timeout, waits and max time must not be negative")
	}
	return c, nil
}
