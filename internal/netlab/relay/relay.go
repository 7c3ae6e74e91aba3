// Package relay forwards packets between two packet devices after a configured delay, jitter and loss, emulating a long link.
//
// A Relay copies whole packets (one Read is one packet, one Write is one packet, as
// with TUN file descriptors opened with IFF_TUN|IFF_NO_PI) in both directions. Each
// direction has its own Config and its own queue: a reader goroutine stamps every
// packet with a delivery time and a writer goroutine writes it out when that time
// comes. The delivery time is now + Delay + a uniform sample in [-Jitter, +Jitter]
// (clamped at zero). Unless Config.Reorder is set, delivery times never go backwards,
// so jitter delays packets behind a slower one instead of reordering them (like a
// serial line). Loss drops packets independently with the given probability, drawn
// from a seeded generator so runs are repeatable. Config.Hold can hold chosen packets
// longer (a router slow to generate ICMP) without holding up the packets behind them.
// A direction without delay or jitter writes each packet at once from the reader
// goroutine, unless Hold holds it.
package relay

import (
	"container/heap"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultQueueLimit is the number of packets a direction holds in flight when
// Config.QueueLimit is zero; packets beyond it are dropped (tail drop).
const DefaultQueueLimit = 4096

// Config shapes one direction of a relay.
type Config struct {
	// Delay is the one-way delay added to every packet; zero forwards at once.
	Delay time.Duration
	// Jitter spreads the delay uniformly over [Delay-Jitter, Delay+Jitter], never below zero.
	Jitter time.Duration
	// Loss is the probability (0 to 1) that a packet is dropped; zero drops none.
	Loss float64
	// Reorder lets jitter reorder packets; when false packets leave in arrival order.
	Reorder bool
	// Seed seeds jitter and loss; the same seed gives the same drops and jitter samples.
	Seed uint64
	// QueueLimit bounds the packets queued in this direction; zero means DefaultQueueLimit.
	QueueLimit int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Rewrite, when set, may change each packet before it is queued; it gets
	// its own copy and returns the packet to send (nil drops it). Nil means
	// packets pass unchanged.
	Rewrite func(pkt []byte) []byte
	// Hold, when set, returns an extra delay for a packet (after Rewrite), on top of
	// Delay and jitter. A held packet waits apart, as if queued elsewhere: it neither
	// waits behind earlier packets nor delays later ones, so it may leave out of order.
	// Nil, or a zero result, holds nothing.
	Hold func(pkt []byte) time.Duration
}

// Stats counts what one direction did with the packets it read.
type Stats struct {
	Read      uint64 // packets read from the source
	Delivered uint64 // packets written to the destination
	Lost      uint64 // packets dropped by the loss model
	Overflow  uint64 // packets dropped because the queue was full
	WriteErr  uint64 // packets the destination refused
}

// Delivery returns when a packet that arrived at now leaves, given the delivery
// time of the previous packet (last), the configured delay and jitter, whether
// reordering is allowed, and u, a uniform sample in [0, 1) for the jitter.
func Delivery(now, last time.Time, delay, jitter time.Duration, reorder bool, u float64) time.Time {
	d := delay
	if jitter > 0 {
		d += time.Duration((2*u - 1) * float64(jitter))
	}
	if d < 0 {
		d = 0
	}
	at := now.Add(d)
	if !reorder && at.Before(last) {
		at = last
	}
	return at
}

// Relay copies packets between two devices in both directions. Close stops it.
type Relay struct {
	dirs      [2]*direction
	closeOnce sync.Once
	done      chan struct{}
	wg        sync.WaitGroup
	closers   []io.Closer
}

// Start begins relaying: packets read from a are written to b shaped by ab, and
// packets read from b are written to a shaped by ba. Closing the relay closes a and b.
func Start(a, b io.ReadWriteCloser, ab, ba Config) *Relay {
	r := &Relay{done: make(chan struct{}), closers: []io.Closer{a, b}}
	r.dirs[0] = newDirection(a, b, ab, 0)
	r.dirs[1] = newDirection(b, a, ba, 1)
	for _, d := range r.dirs {
		r.wg.Add(2)
		go func() { defer r.wg.Done(); d.readLoop() }()
		go func() { defer r.wg.Done(); d.writeLoop(r.done) }()
	}
	return r
}

// Stats returns the counters of the a→b direction and of the b→a direction.
func (r *Relay) Stats() (ab, ba Stats) {
	return r.dirs[0].stats(), r.dirs[1].stats()
}

// Close stops both directions, closes both devices and waits for the goroutines;
// packets still queued are discarded. It is safe to call more than once.
func (r *Relay) Close() error {
	var errs []error
	r.closeOnce.Do(func() {
		close(r.done)
		for _, c := range r.closers {
			if err := c.Close(); err != nil && !errors.Is(err, io.ErrClosedPipe) {
				errs = append(errs, err)
			}
		}
		r.wg.Wait()
	})
	return errors.Join(errs...)
}

type packet struct {
	at   time.Time
	seq  uint64
	data []byte
}

type packetHeap []packet

func (h packetHeap) Len() int { return len(h) }
func (h packetHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h packetHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *packetHeap) Push(x any)   { *h = append(*h, x.(packet)) }
func (h *packetHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	old[len(old)-1] = packet{}
	*h = old[:len(old)-1]
	return p
}

type direction struct {
	src   io.Reader
	dst   io.Writer
	cfg   Config
	now   func() time.Time
	limit int

	mu   sync.Mutex
	q    packetHeap
	last time.Time
	seq  uint64
	rnd  *rand.Rand
	wake chan struct{}

	read, delivered, lost, overflow, writeErr atomic.Uint64
}

func newDirection(src io.Reader, dst io.Writer, cfg Config, stream uint64) *direction {
	d := &direction{
		src:   src,
		dst:   dst,
		cfg:   cfg,
		now:   cfg.Now,
		limit: cfg.QueueLimit,
		rnd:   rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15^stream)),
		wake:  make(chan struct{}, 1),
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.limit <= 0 {
		d.limit = DefaultQueueLimit
	}
	return d
}

func (d *direction) stats() Stats {
	return Stats{
		Read:      d.read.Load(),
		Delivered: d.delivered.Load(),
		Lost:      d.lost.Load(),
		Overflow:  d.overflow.Load(),
		WriteErr:  d.writeErr.Load(),
	}
}

// drop draws the loss decision for a packet forwarded without delay.
func (d *direction) drop() bool {
	if d.cfg.Loss <= 0 {
		return false
	}
	d.mu.Lock()
	u := d.rnd.Float64()
	d.mu.Unlock()
	if u < d.cfg.Loss {
		d.lost.Add(1)
		return true
	}
	return false
}

// admit decides the fate of one packet that arrived at now: it returns false when
// the packet is dropped, otherwise queues it.
func (d *direction) admit(now time.Time, data []byte) bool {
	return d.admitHeld(now, data, 0)
}

// admitHeld is admit for a packet held hold longer than the others (Config.Hold):
// its delivery time neither respects nor moves the in-order floor.
func (d *direction) admitHeld(now time.Time, data []byte, hold time.Duration) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	// Always draw both samples so that the loss pattern does not depend on jitter.
	uLoss, uJitter := d.rnd.Float64(), d.rnd.Float64()
	if d.cfg.Loss > 0 && uLoss < d.cfg.Loss {
		d.lost.Add(1)
		return false
	}
	if len(d.q) >= d.limit {
		d.overflow.Add(1)
		return false
	}
	if hold > 0 {
		at := Delivery(now, time.Time{}, d.cfg.Delay, d.cfg.Jitter, true, uJitter).Add(hold)
		d.seq++
		heap.Push(&d.q, packet{at: at, seq: d.seq, data: data})
		return true
	}
	at := Delivery(now, d.last, d.cfg.Delay, d.cfg.Jitter, d.cfg.Reorder, uJitter)
	if at.After(d.last) {
		d.last = at
	}
	d.seq++
	heap.Push(&d.q, packet{at: at, seq: d.seq, data: data})
	return true
}

func (d *direction) readLoop() {
	buf := make([]byte, 65536)
	for {
		n, err := d.src.Read(buf)
		if err != nil {
			// A closed or failed device ends this direction; os.File already
			// retries EINTR and EAGAIN.
			return
		}
		if n == 0 {
			continue
		}
		d.read.Add(1)
		data := make([]byte, n)
		copy(data, buf[:n])
		if d.cfg.Rewrite != nil {
			if data = d.cfg.Rewrite(data); data == nil {
				continue
			}
		}
		var hold time.Duration
		if d.cfg.Hold != nil {
			hold = d.cfg.Hold(data)
		}
		if d.cfg.Delay == 0 && d.cfg.Jitter == 0 && hold <= 0 {
			// Nothing to wait for: skip the queue and the writer goroutine.
			if d.drop() {
				continue
			}
			if _, err := d.dst.Write(data); err != nil {
				d.writeErr.Add(1)
			} else {
				d.delivered.Add(1)
			}
			continue
		}
		if d.admitHeld(d.now(), data, hold) {
			select {
			case d.wake <- struct{}{}:
			default:
			}
		}
	}
}

func (d *direction) writeLoop(done <-chan struct{}) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		d.mu.Lock()
		if len(d.q) == 0 {
			d.mu.Unlock()
			select {
			case <-done:
				return
			case <-d.wake:
			}
			continue
		}
		wait := d.q[0].at.Sub(d.now())
		if wait <= 0 {
			p := heap.Pop(&d.q).(packet)
			d.mu.Unlock()
			if _, err := d.dst.Write(p.data); err != nil {
				d.writeErr.Add(1)
			} else {
				d.delivered.Add(1)
			}
			continue
		}
		d.mu.Unlock()
		timer.Reset(wait)
		select {
		case <-done:
			return
		case <-timer.C:
		case <-d.wake:
			timer.Stop()
		}
	}
}
