package enrich

import (
	"net/netip"
	"slices"
)

// prefixIndex maps short lists of prefixes (anycast services, exchange LANs) to values: address ranges
// sorted by start, one slice per family, searched without allocating. IPv6 ranges compare the top 64
// bits only, so IPv6 prefixes longer than /64 count as their /64. Nested prefixes are allowed a few
// deep; the most specific wins.
type prefixIndex[T any] struct {
	v4, v6 []prefixRange[T]
}

// prefixRange is one prefix as its first and last address (IPv4 in the low 32 bits; IPv6's top 64 bits).
type prefixRange[T any] struct {
	lo, hi uint64
	bits   int
	v      T
}

func (ix *prefixIndex[T]) add(p netip.Prefix, v T) {
	p = p.Masked()
	r := prefixRange[T]{bits: p.Bits(), v: v}
	if p.Addr().Is4() {
		r.lo = u128(p.Addr()).lo
		r.hi = r.lo | (1<<(32-p.Bits()) - 1)
		ix.v4 = append(ix.v4, r)
		return
	}
	r.lo = u128(p.Addr()).hi
	r.hi = r.lo | (1<<(64-min(p.Bits(), 64)) - 1)
	ix.v6 = append(ix.v6, r)
}

// sort orders the ranges by start, shorter prefixes first among equal starts; call it after the adds.
func (ix *prefixIndex[T]) sort() {
	for _, rs := range [][]prefixRange[T]{ix.v4, ix.v6} {
		slices.SortFunc(rs, func(a, b prefixRange[T]) int {
			if a.lo != b.lo {
				if a.lo < b.lo {
					return -1
				}
				return 1
			}
			return a.bits - b.bits
		})
	}
}

// lookup returns the value of the most specific prefix holding a (unmapped), or nil. The result points
// into the index: callers must not change it.
func (ix *prefixIndex[T]) lookup(a netip.Addr) *T {
	rs, k := ix.v6, uint64(0)
	if a.Is4() {
		rs, k = ix.v4, u128(a).lo
	} else {
		k = u128(a).hi
	}
	// The last range starting at or before k, then back over the few that may enclose it.
	lo, hi := 0, len(rs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if rs[m].lo <= k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for j := lo - 1; j >= 0 && j >= lo-4; j-- {
		if rs[j].lo <= k && k <= rs[j].hi {
			return &rs[j].v
		}
	}
	return nil
}
