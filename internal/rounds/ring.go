package rounds

// ring keeps the last n values pushed, in a fixed array.
type ring[T any] struct {
	buf   []T
	start int // index of the oldest value once full
	full  bool
}

func newRing[T any](n int) ring[T] { return ring[T]{buf: make([]T, 0, n)} }

// push appends v, dropping the oldest value when the ring is full.
func (r *ring[T]) push(v T) {
	if !r.full {
		r.buf = append(r.buf, v)
		r.full = len(r.buf) == cap(r.buf)
		return
	}
	r.buf[r.start] = v
	r.start = (r.start + 1) % len(r.buf)
}

// slice returns a copy of the values, oldest first; nil when empty.
func (r *ring[T]) slice() []T {
	if len(r.buf) == 0 {
		return nil
	}
	out := make([]T, 0, len(r.buf))
	out = append(out, r.buf[r.start:]...)
	return append(out, r.buf[:r.start]...)
}

// update calls f on the values, newest first, until it returns true.
func (r *ring[T]) update(f func(*T) bool) {
	for i := len(r.buf) - 1; i >= 0; i-- {
		if f(&r.buf[(r.start+i)%len(r.buf)]) {
			return
		}
	}
}
