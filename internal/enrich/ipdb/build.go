package ipdb

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"unicode/utf8"
)

// ASNRange maps an inclusive address range to an autonomous system.
type ASNRange struct {
	Start, End netip.Addr
	ASN        uint32
	Org        string
}

// CountryRange maps an inclusive address range to an ISO 3166-1 alpha-2 country code.
type CountryRange struct {
	Start, End netip.Addr
	Country    string
}

// Stats reports what Build produced.
type Stats struct {
	V4Records, V6Records int
	ASNs, Countries      int
	StringBytes          int
	Bytes                int
}

// seg is an inclusive range in a family's key space with a layer value.
type seg struct {
	s, e uint64
	v    uint32
}

type rec struct {
	start uint64
	v     uint32
}

// Build merges the ASN and country layers into one database. Ranges may come in any order; where ranges
// of one layer overlap, the earlier start wins. Adjacent ranges with equal values are merged.
func Build(meta Meta, asns []ASNRange, countries []CountryRange) ([]byte, Stats, error) {
	var st Stats
	// ASN table: index 0 means none. Strings: offset 0 is the empty string.
	asnIdx := map[uint32]int{}
	orgOf := map[uint32]string{}
	for _, r := range asns {
		if r.ASN == 0 {
			continue
		}
		if _, ok := orgOf[r.ASN]; !ok || orgOf[r.ASN] == "" {
			orgOf[r.ASN] = r.Org
		}
	}
	numbers := make([]uint32, 0, len(orgOf))
	for n := range orgOf {
		numbers = append(numbers, n)
	}
	slices.Sort(numbers)
	if len(numbers)+1 >= 1<<24 {
		return nil, st, fmt.Errorf("too many ASNs (%d): the format holds %d", len(numbers), 1<<24-1)
	}
	var strs bytes.Buffer
	strs.WriteByte(0)
	strOff := map[string]int{"": 0}
	asnTable := make([]byte, 8, 8*(len(numbers)+1))
	for i, n := range numbers {
		asnIdx[n] = i + 1
		org := clip(orgOf[n], 255)
		off, ok := strOff[org]
		if !ok {
			off = strs.Len()
			strOff[org] = off
			strs.WriteByte(byte(len(org)))
			strs.WriteString(org)
		}
		asnTable = binary.LittleEndian.AppendUint32(asnTable, n)
		asnTable = binary.LittleEndian.AppendUint32(asnTable, uint32(off))
	}
	ccIdx := map[string]int{}
	ccTable := []byte{0, 0}
	for _, r := range countries {
		if r.Country == "" {
			continue
		}
		if len(r.Country) != 2 {
			return nil, st, fmt.Errorf("country %q for %s-%s: want a two-letter code", r.Country, r.Start, r.End)
		}
		if _, ok := ccIdx[r.Country]; !ok {
			if len(ccIdx)+1 > 255 {
				return nil, st, fmt.Errorf("more than 255 distinct country codes")
			}
			ccIdx[r.Country] = len(ccIdx) + 1
			ccTable = append(ccTable, r.Country...)
		}
	}

	var a4, a6, c4, c6 []seg
	for _, r := range asns {
		if r.ASN == 0 {
			continue
		}
		s, err := keys(r.Start, r.End)
		if err != nil {
			return nil, st, fmt.Errorf("AS%d range: %w", r.ASN, err)
		}
		if s.e < s.s {
			continue // below IPv6 /64 resolution
		}
		s.v = uint32(asnIdx[r.ASN])
		if r.Start.Is4() {
			a4 = append(a4, s)
		} else {
			a6 = append(a6, s)
		}
	}
	for _, r := range countries {
		if r.Country == "" {
			continue
		}
		s, err := keys(r.Start, r.End)
		if err != nil {
			return nil, st, fmt.Errorf("country %s range: %w", r.Country, err)
		}
		if s.e < s.s {
			continue
		}
		s.v = uint32(ccIdx[r.Country])
		if r.Start.Is4() {
			c4 = append(c4, s)
		} else {
			c6 = append(c6, s)
		}
	}
	v4 := merge(a4, c4, 1<<32-1)
	v6 := merge(a6, c6, 1<<48-1)

	var out bytes.Buffer
	out.WriteString(Magic)
	mj, err := json.Marshal(meta)
	if err != nil {
		return nil, st, err
	}
	out.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(mj))))
	out.Write(mj)
	for _, c := range []int{len(v4), len(v6), len(numbers) + 1, len(ccIdx) + 1, strs.Len(), indexBits, indexBits} {
		out.Write(binary.LittleEndian.AppendUint32(nil, uint32(c)))
	}
	writeFamily(&out, v4, 32, 2)
	writeFamily(&out, v6, 48, 4)
	out.Write(asnTable)
	out.Write(ccTable)
	out.Write(strs.Bytes())
	st = Stats{V4Records: len(v4), V6Records: len(v6), ASNs: len(numbers), Countries: len(ccIdx),
		StringBytes: strs.Len(), Bytes: out.Len()}
	return out.Bytes(), st, nil
}

// writeFamily writes the bucket index and the records (low bits of the start, value) of one family.
func writeFamily(out *bytes.Buffer, recs []rec, width uint, low int) {
	shift := width - indexBits
	idx := make([]byte, 0, (1<<indexBits+1)*4)
	i := 0
	for k := uint64(0); k <= 1<<indexBits; k++ {
		for i < len(recs) && recs[i].start>>shift < k {
			i++
		}
		idx = binary.LittleEndian.AppendUint32(idx, uint32(i))
	}
	out.Write(idx)
	var b [8]byte
	for _, r := range recs {
		binary.LittleEndian.PutUint64(b[:], r.start)
		out.Write(b[:low])
		out.Write(binary.LittleEndian.AppendUint32(nil, r.v))
	}
}

// keys converts an address range into a family's key space: the IPv4 address, or the IPv6 /48 blocks
// whose first address the range covers (e < s when it covers none).
func keys(start, end netip.Addr) (seg, error) {
	start, end = start.Unmap(), end.Unmap()
	if !start.IsValid() || !end.IsValid() || start.Is4() != end.Is4() {
		return seg{}, fmt.Errorf("%s-%s: start and end must be addresses of one family", start, end)
	}
	if end.Less(start) {
		return seg{}, fmt.Errorf("%s-%s: end before start", start, end)
	}
	if start.Is4() {
		a, b := start.As4(), end.As4()
		return seg{s: uint64(binary.BigEndian.Uint32(a[:])), e: uint64(binary.BigEndian.Uint32(b[:]))}, nil
	}
	a, b := start.As16(), end.As16()
	hi := binary.BigEndian.Uint64(a[:8])
	s := hi >> 16
	if hi&0xffff != 0 || binary.BigEndian.Uint64(a[8:]) != 0 {
		if s == 1<<48-1 {
			return seg{s: 1, e: 0}, nil
		}
		s++
	}
	e := binary.BigEndian.Uint64(b[:8]) >> 16
	if e < s {
		return seg{s: 1, e: 0}, nil
	}
	return seg{s: s, e: e}, nil
}

// merge overlays two layers (ASN index, country index) into records starting at key 0.
func merge(asn, cc []seg, maxKey uint64) []rec {
	asn, cc = normalise(asn), normalise(cc)
	points := []uint64{0}
	for _, l := range [][]seg{asn, cc} {
		for _, s := range l {
			points = append(points, s.s)
			if s.e < maxKey {
				points = append(points, s.e+1)
			}
		}
	}
	slices.Sort(points)
	points = slices.Compact(points)
	var out []rec
	ia, ic := 0, 0
	for _, p := range points {
		for ia < len(asn) && asn[ia].e < p {
			ia++
		}
		for ic < len(cc) && cc[ic].e < p {
			ic++
		}
		var v uint32
		if ia < len(asn) && asn[ia].s <= p {
			v = asn[ia].v << 8
		}
		if ic < len(cc) && cc[ic].s <= p {
			v |= cc[ic].v
		}
		if len(out) > 0 && out[len(out)-1].v == v {
			continue
		}
		out = append(out, rec{start: p, v: v})
	}
	return out
}

// normalise sorts a layer and clips overlaps so that ranges are disjoint (the earlier start wins).
func normalise(l []seg) []seg {
	slices.SortStableFunc(l, func(a, b seg) int {
		switch {
		case a.s < b.s:
			return -1
		case a.s > b.s:
			return 1
		}
		return 0
	})
	out := l[:0]
	for _, s := range l {
		if n := len(out); n > 0 {
			prev := out[n-1]
			if s.s <= prev.e {
				if s.e <= prev.e {
					continue
				}
				s.s = prev.e + 1
			}
		}
		out = append(out, s)
	}
	return out
}

// clip shortens s to at most n bytes without splitting a UTF-8 sequence.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
