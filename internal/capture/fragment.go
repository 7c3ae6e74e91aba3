package capture

// Later IP fragments carry no transport header, so they are matched to the flow of their datagram's
// first fragment by addresses, protocol and fragment identification (RFC 791, RFC 8200 section 4.5).
// Their bytes and packets count for that flow; their contents are not reassembled (recognition reads
// the first fragment, which holds the transport header and the start of the payload).

// fragKey identifies one fragmented datagram.
type fragKey struct {
	src, dst [16]byte
	id       uint32
	proto    uint8
	v6       bool
}

func fragKeyOf(p *packet) fragKey {
	return fragKey{src: p.src, dst: p.dst, id: p.fragID, proto: p.proto, v6: p.v6}
}

// fragTimeout is how long after its first fragment a datagram's later fragments are matched (Linux's
// ipfrag_time).
const fragTimeout = 30e9

// maxFragDatagrams bounds a fragment table; past it, datagrams older than fragTimeout are forgotten,
// and all of them if that is not enough.
const maxFragDatagrams = 1 << 16

type fragEntry[V any] struct {
	v  V
	at int64
}

// fragTable remembers, per fragmented datagram, what its first fragment was attributed to.
type fragTable[V any] struct {
	m map[fragKey]fragEntry[V]
}

func (t *fragTable[V]) add(k fragKey, v V, ts int64) {
	if t.m == nil {
		t.m = map[fragKey]fragEntry[V]{}
	}
	if len(t.m) >= maxFragDatagrams {
		for key, e := range t.m {
			if ts-e.at > fragTimeout {
				delete(t.m, key)
			}
		}
		if len(t.m) >= maxFragDatagrams {
			clear(t.m)
		}
	}
	t.m[k] = fragEntry[V]{v, ts}
}

func (t *fragTable[V]) get(k fragKey, ts int64) (V, bool) {
	e, ok := t.m[k]
	if !ok || ts-e.at > fragTimeout || ts < e.at {
		var zero V
		return zero, false
	}
	return e.v, true
}

// flowDir is a flow and the direction of a datagram within it.
type flowDir struct {
	f   *flow
	dir int
}

// laterFragment adds a later fragment to its datagram's flow; a fragment whose first fragment was not
// seen (or not tracked) counts as other IP.
func (a *Analyzer) laterFragment(ts int64, p *packet, wire int64) {
	fd, ok := a.frags.get(fragKeyOf(p), ts)
	if !ok {
		a.stats.OtherIP++
		return
	}
	a.stats.Fragments++
	f := fd.f
	f.bytes[fd.dir] += wire
	f.pkts[fd.dir]++
	if ts > f.last {
		f.last = ts
	}
}
