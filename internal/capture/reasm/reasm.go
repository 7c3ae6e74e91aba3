// Package reasm reassembles the first bytes of a byte stream from pieces that arrive out of order,
// overlap or repeat (TCP segments, QUIC CRYPTO frames), within a fixed memory bound.
package reasm

// maxRanges bounds how many disjoint pieces are tracked; a stream fragmented further is cut short.
const maxRanges = 32

// Buffer holds bytes [0, Max) of one stream. The zero value is unusable; set Max. Memory is allocated on
// the first Write and freed by Release.
type Buffer struct {
	// Max is the number of leading stream bytes kept; later bytes are dropped.
	Max int
	// data grows as bytes arrive; unwritten gaps read as zero.
	data   []byte
	ranges [maxRanges][2]int // sorted, disjoint, non-adjacent [start, end)
	n      int
}

// Write stores p at stream offset off. Bytes at or beyond Max are dropped; when the stream is already
// split into too many pieces, the write is ignored and Write returns false.
func (b *Buffer) Write(off int64, p []byte) bool {
	if off < 0 || off >= int64(b.Max) || len(p) == 0 {
		return true
	}
	start := int(off)
	if len(p) > b.Max-start {
		p = p[:b.Max-start]
	}
	end := start + len(p)
	// Find insertion point and merge overlapping or adjacent ranges.
	i := 0
	for i < b.n && b.ranges[i][1] < start {
		i++
	}
	j := i
	ns, ne := start, end
	for j < b.n && b.ranges[j][0] <= end {
		ns = min(ns, b.ranges[j][0])
		ne = max(ne, b.ranges[j][1])
		j++
	}
	if i == j && b.n == maxRanges {
		return false
	}
	if end > len(b.data) {
		b.grow(end)
	}
	copy(b.data[start:end], p)
	// Replace ranges[i:j] with the merged one.
	if j-i != 1 {
		shift := 1 - (j - i)
		copy(b.ranges[j+shift:b.n+shift], b.ranges[j:b.n])
		b.n += shift
	}
	b.ranges[i] = [2]int{ns, ne}
	return true
}

// grow makes data at least n bytes long, doubling from 2 KiB up to Max so that short streams stay small.
func (b *Buffer) grow(n int) {
	c := max(cap(b.data), 2048)
	for c < n {
		c *= 2
	}
	c = min(c, b.Max)
	if c <= cap(b.data) {
		b.data = b.data[:n]
		return
	}
	nd := make([]byte, n, c)
	copy(nd, b.data)
	b.data = nd
}

// Contiguous returns the bytes from offset 0 up to the first gap. The slice is valid until the next
// Write or Release.
func (b *Buffer) Contiguous() []byte {
	if b.n == 0 || b.ranges[0][0] != 0 {
		return nil
	}
	return b.data[:b.ranges[0][1]]
}

// Full reports whether all Max bytes from offset 0 are present.
func (b *Buffer) Full() bool {
	return b.n > 0 && b.ranges[0][0] == 0 && b.ranges[0][1] == b.Max
}

// Buffered is the memory the buffer holds.
func (b *Buffer) Buffered() int { return cap(b.data) }

// Release frees the memory; the buffer reads as empty afterwards.
func (b *Buffer) Release() {
	b.data = nil
	b.n = 0
}
