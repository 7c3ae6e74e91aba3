package capture

import (
	"errors"
	"time"
)

// LiveOptions says what to capture from a network interface.
type LiveOptions struct {
	// Interface is the interface name ("eth0", "lo").
	Interface string
	// Duration stops the capture after this long; 0 means until Count or the context ends.
	Duration time.Duration
	// Count stops after this many packets (after filtering); 0 means no limit.
	Count int64
	// Snaplen is how many bytes of each frame are kept; 0 means 65535.
	Snaplen int
	// Now is the clock for the duration limit; nil means time.Now.
	Now func() time.Time
}

// ErrNeedPrivilege means live capture needs CAP_NET_RAW (or root).
var ErrNeedPrivilege = errors.New("live capture needs root or CAP_NET_RAW")

// ErrLiveUnsupported means live capture is not available on this operating system.
var ErrLiveUnsupported = errors.New("live capture is only supported on Linux (read a pcap file instead)")
