// Package ipdb reads and writes hopscope's compact address database: ASN, AS organisation and country
// for IPv4 and IPv6 ranges, looked up in place by binary search over fixed-width records.
//
// The format is designed to be embedded with //go:embed and used without a load step: Open only checks
// the header and section sizes, and every lookup bounds-checks what it reads, so a damaged file yields
// "unknown" answers or an Open error, never a panic.
//
// Layout (all integers little-endian):
//
//	magic "HSIPDB02" | u32 metaLen | meta JSON | u32 counts[7] | sections...
//
// counts are v4Records, v6Records, asns, countries, stringsLen, v4IndexBits, v6IndexBits (both 16).
// Each family is keyed on an integer: the IPv4 address, or the first 48 bits of the IPv6 address (no
// globally routed prefix is longer than /48; registry and geofeed detail below /48 is quantised away).
// The top 16 bits of the key choose a bucket; a record stores the remaining bits beside its value, so
// one lookup reads the bucket index and then a few adjacent records. Sections, in order:
//
//	v4 index   65537 × u32: first record whose start has these top 16 bits
//	v4 records v4Records × (u16 low bits of the start, u32 value)
//	v6 index   65537 × u32
//	v6 records v6Records × (u32 low bits of the start, u32 value)
//	asns       asns × (u32 number, u32 string offset); entry 0 is "none"
//	countries  countries × 2 bytes (ISO 3166-1 alpha-2); entry 0 is "none"
//	strings    u8 length + bytes, deduplicated
//
// A value is ASN table index << 8 | country index. Each range extends to the next record's start;
// gaps are records with value 0.
package ipdb

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"time"
)

// Magic opens every database file.
const Magic = "HSIPDB02"

// Meta describes how and from what a database was built.
type Meta struct {
	// BuiltAt is when the generator ran (UTC).
	BuiltAt time.Time `json:"built_at"`
	// Sources lists the input packages or files with versions, for example "@ip-location-db/asn@2.3.2026061719".
	Sources []string `json:"sources"`
}

// Record is the answer for one address. Zero fields mean unknown.
type Record struct {
	ASN     uint32
	Org     string
	Country string
}

// DB is an opened database. It keeps the bytes as a string so that organisation names are returned
// without copying; a DB is immutable and safe for concurrent use.
type DB struct {
	data string
	meta Meta

	v4, v6    family
	asns      string
	countries string
	strs      string
	asnN, ccN int
}

// family is one address family's bucket index and records.
type family struct {
	index string
	recs  string
	n     int
	// width is the key width in bits (32 or 48); low is the bytes of a start stored in a record.
	width uint
	low   int
}

func (f *family) stride() int { return f.low + 4 }

const headerCounts = 7

// indexBits is the width of the bucket index for both families: the top 16 bits of an IPv4 address or of
// an IPv6 address's first 64 bits choose a bucket, and records store only the remaining bits.
const indexBits = 16

// Open checks data's header and section sizes and returns a DB reading from it in place.
// Errors say which part of the file is wrong, with its byte offset.
func Open(data string) (*DB, error) {
	if len(data) < len(Magic)+4 || data[:len(Magic)] != Magic {
		return nil, fmt.Errorf("not a hopscope address database (want magic %q at offset 0)", Magic)
	}
	off := len(Magic)
	metaLen := int(le32(data, off))
	off += 4
	if metaLen < 0 || metaLen > len(data)-off {
		return nil, fmt.Errorf("metadata length %d at offset %d runs past the end (%d bytes)", metaLen, off-4, len(data))
	}
	d := &DB{data: data}
	if err := json.Unmarshal([]byte(data[off:off+metaLen]), &d.meta); err != nil {
		return nil, fmt.Errorf("metadata at offset %d: %w", off, err)
	}
	off += metaLen
	if len(data)-off < 4*headerCounts {
		return nil, fmt.Errorf("section counts at offset %d: file truncated", off)
	}
	var c [headerCounts]uint32
	for i := range c {
		c[i] = le32(data, off)
		off += 4
	}
	if c[5] != indexBits || c[6] != indexBits {
		return nil, fmt.Errorf("index bits %d/%d at offset %d: want %d", c[5], c[6], off-8, indexBits)
	}
	d.asnN, d.ccN = int(c[2]), int(c[3])
	d.v4 = family{n: int(c[0]), width: 32, low: 2}
	d.v6 = family{n: int(c[1]), width: 48, low: 4}
	const indexSize = (1<<indexBits + 1) * 4
	sizes := []struct {
		name string
		dst  *string
		n    uint64
	}{
		{"v4 index", &d.v4.index, indexSize},
		{"v4 records", &d.v4.recs, uint64(c[0]) * uint64(d.v4.stride())},
		{"v6 index", &d.v6.index, indexSize},
		{"v6 records", &d.v6.recs, uint64(c[1]) * uint64(d.v6.stride())},
		{"asn table", &d.asns, uint64(c[2]) * 8},
		{"country table", &d.countries, uint64(c[3]) * 2},
		{"strings", &d.strs, uint64(c[4])},
	}
	for _, s := range sizes {
		if s.n > uint64(len(data)-off) {
			return nil, fmt.Errorf("%s at offset %d: needs %d bytes, only %d left", s.name, off, s.n, len(data)-off)
		}
		*s.dst = data[off : off+int(s.n)]
		off += int(s.n)
	}
	if off != len(data) {
		return nil, fmt.Errorf("%d unexpected trailing bytes at offset %d", len(data)-off, off)
	}
	return d, nil
}

// Meta returns the build metadata.
func (d *DB) Meta() Meta { return d.meta }

// Len returns the number of IPv4 and IPv6 records.
func (d *DB) Len() (v4, v6 int) { return d.v4.n, d.v6.n }

// Lookup returns what the database knows about a. ok is false when the address is in no range
// (neither an ASN nor a country).
func (d *DB) Lookup(a netip.Addr) (r Record, ok bool) {
	var v uint32
	if a.Is4() || a.Is4In6() {
		b := a.As4()
		v = d.v4.value(d.v4.find(uint64(binary.BigEndian.Uint32(b[:]))))
	} else if a.Is6() {
		v = d.v6.value(d.v6.find(key6(a)))
	} else {
		return Record{}, false
	}
	if v == 0 {
		return Record{}, false
	}
	if ai := int(v >> 8); ai > 0 && ai < d.asnN {
		r.ASN = le32(d.asns, ai*8)
		r.Org = d.str(int(le32(d.asns, ai*8+4)))
	}
	if ci := int(v & 0xff); ci > 0 && ci < d.ccN {
		r.Country = d.countries[ci*2 : ci*2+2]
	}
	return r, r.ASN != 0 || r.Country != ""
}

func (d *DB) str(off int) string {
	if off < 0 || off >= len(d.strs) {
		return ""
	}
	n := int(d.strs[off])
	if off+1+n > len(d.strs) {
		return ""
	}
	return d.strs[off+1 : off+1+n]
}

// key6 is the family key of an IPv6 address: its first 48 bits.
func key6(a netip.Addr) uint64 {
	b := a.As16()
	return binary.BigEndian.Uint64(b[:8]) >> 16
}

// find returns the index of the record holding key, or -1.
func (f *family) find(key uint64) int {
	if f.n == 0 {
		return -1
	}
	shift := f.width - indexBits
	bucket := int(key >> shift)
	lo, hi := int(le32(f.index, bucket*4)), int(le32(f.index, bucket*4+4))
	if hi > f.n || lo > hi {
		return -1
	}
	low, stride := key&(1<<shift-1), f.stride()
	// Largest i in [lo, hi) with start[i] <= low; else the last record of an earlier bucket.
	// Branch-free halving: the comparison feeds a conditional move, not a jump.
	n := hi - lo
	if n == 0 {
		return lo - 1
	}
	base := lo
	for n > 1 {
		half := n >> 1
		if f.lowAt((base+half)*stride) <= low {
			base += half
		}
		n -= half
	}
	if f.lowAt(base*stride) <= low {
		return base
	}
	return base - 1
}

func (f *family) lowAt(off int) uint64 {
	if f.low == 2 {
		return uint64(le16(f.recs, off))
	}
	return uint64(le32(f.recs, off))
}

// value returns record i's value (0 for i < 0).
func (f *family) value(i int) uint32 {
	if i < 0 {
		return 0
	}
	return le32(f.recs, i*f.stride()+f.low)
}

// start reconstructs record i's full key: its low bits plus the bucket that holds it, searched for in
// buckets [lo, hi].
func (f *family) start(i, lo, hi int) uint64 {
	// The bucket is the last k with index[k] <= i; most often the first or last one searched.
	switch {
	case int(le32(f.index, hi*4)) <= i:
		lo = hi
	case hi > lo && int(le32(f.index, (lo+1)*4)) > i:
		hi = lo
	}
	for lo < hi {
		m := (lo + hi + 1) / 2
		if int(le32(f.index, m*4)) <= i {
			lo = m
		} else {
			hi = m - 1
		}
	}
	return uint64(lo)<<(f.width-indexBits) | f.lowAt(i*f.stride())
}

// Range returns the first and last address of the database record that holds a: the span over which
// the answer for a stays the same. For IPv6 the span is made of whole /48 blocks.
func (d *DB) Range(a netip.Addr) (first, last netip.Addr, ok bool) {
	a = a.Unmap()
	f, key := &d.v4, uint64(0)
	switch {
	case a.Is4():
		b := a.As4()
		key = uint64(binary.BigEndian.Uint32(b[:]))
	case a.Is6():
		f, key = &d.v6, key6(a)
	default:
		return first, last, false
	}
	i := f.find(key)
	if i < 0 {
		return first, last, false
	}
	// Record i starts in the key's bucket or an earlier one, record i+1 in it or a later one.
	b := int(key >> (f.width - indexBits))
	s, e := f.start(i, 0, b), uint64(1)<<f.width-1
	if i+1 < f.n {
		e = f.start(i+1, b, 1<<indexBits) - 1
	}
	if f.width == 32 {
		return addr4(s), addr4(e), true
	}
	var lo, hi [16]byte
	binary.BigEndian.PutUint64(lo[:8], s<<16)
	binary.BigEndian.PutUint64(hi[:8], e<<16|0xffff)
	binary.BigEndian.PutUint64(hi[8:], ^uint64(0))
	return netip.AddrFrom16(lo), netip.AddrFrom16(hi), true
}

func le16(s string, off int) uint16 {
	_ = s[off+1]
	return uint16(s[off]) | uint16(s[off+1])<<8
}

func le32(s string, off int) uint32 {
	_ = s[off+3]
	return uint32(s[off]) | uint32(s[off+1])<<8 | uint32(s[off+2])<<16 | uint32(s[off+3])<<24
}

func addr4(v uint64) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(v))
	return netip.AddrFrom4(b)
}

// Org returns the organisation name recorded for an AS number, or "" when the database has none.
func (d *DB) Org(asn uint32) string {
	lo, hi := 1, d.asnN
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if le32(d.asns, m*8) < asn {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < d.asnN && le32(d.asns, lo*8) == asn {
		return d.str(int(le32(d.asns, lo*8+4)))
	}
	return ""
}
