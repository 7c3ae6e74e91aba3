// Package ipdb reads and writes hopscope's compact address database: ASN, AS organisation and country
// for IPv4 and IPv6 ranges, looked up in place by binary search over fixed-width records.
//
// The format is designed to be embedded with //go:embed and used without a load step: Open only checks
// the header and section sizes, and every lookup bounds-checks what it reads, so a damaged file yields
// "unknown" answers or an Open error, never a panic.
//
// Layout (all integers little-endian):
//
//	magic "HSIPDB01" | u32 metaLen | meta JSON | u32 counts[7] | sections...
//
// counts are v4Records, v6Records, asns, countries, stringsLen, v4IndexBits, v6IndexBits. Sections, in order:
//
//	v4 index   (1<<v4IndexBits)+1 × u32: first record whose start has these top bits
//	v4 starts  v4Records × u16: low 16 bits of the range start (the top bits come from the bucket)
//	v4 values  v4Records × u32: ASN table index << 8 | country index (0 = unknown)
//	v6 index   (1<<v6IndexBits)+1 × u32, over the top bits of the address's first 64 bits
//	v6 starts  v6Records × 6 bytes: low 48 bits of the first 64 bits of the range start
//	v6 values  v6Records × u32
//	asns       asns × (u32 number, u32 string offset)
//	countries  countries × 2 bytes (ISO 3166-1 alpha-2)
//	strings    u8 length + bytes, deduplicated
//
// IPv6 is keyed on the first 64 bits: routing and registry data below /64 is quantised away.
// Each range extends to the next record's start; gaps are records with value 0.
package ipdb

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"time"
)

// Magic opens every database file.
const Magic = "HSIPDB01"

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

	v4Bits, v6Bits uint
	v4Index        string
	v4Starts       string
	v4Vals         string
	v6Index        string
	v6Starts       string
	v6Vals         string
	asns           string
	countries      string
	strs           string
	v4N, v6N       int
	asnN, ccN      int
}

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
	d.v4N, d.v6N, d.asnN, d.ccN = int(c[0]), int(c[1]), int(c[2]), int(c[3])
	d.v4Bits, d.v6Bits = uint(c[5]), uint(c[6])
	sizes := []struct {
		name string
		dst  *string
		n    uint64
	}{
		{"v4 index", &d.v4Index, (uint64(1)<<d.v4Bits + 1) * 4},
		{"v4 starts", &d.v4Starts, uint64(c[0]) * 2},
		{"v4 values", &d.v4Vals, uint64(c[0]) * 4},
		{"v6 index", &d.v6Index, (uint64(1)<<d.v6Bits + 1) * 4},
		{"v6 starts", &d.v6Starts, uint64(c[1]) * 6},
		{"v6 values", &d.v6Vals, uint64(c[1]) * 4},
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
func (d *DB) Len() (v4, v6 int) { return d.v4N, d.v6N }

// Lookup returns what the database knows about a. ok is false when the address is in no range
// (neither an ASN nor a country).
func (d *DB) Lookup(a netip.Addr) (r Record, ok bool) {
	var v uint32
	if a.Is4() || a.Is4In6() {
		v = d.lookup4(a.As4())
	} else if a.Is6() {
		b := a.As16()
		v = d.lookup6(binary.BigEndian.Uint64(b[:8]))
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

func (d *DB) lookup4(b [4]byte) uint32 {
	ip := binary.BigEndian.Uint32(b[:])
	if d.v4N == 0 {
		return 0
	}
	bucket := int(ip >> (32 - d.v4Bits))
	lo := int(le32(d.v4Index, bucket*4))
	hi := int(le32(d.v4Index, bucket*4+4))
	if hi > d.v4N || lo > hi {
		return 0
	}
	low := uint16(ip)
	// Largest i in [lo, hi) with start[i] <= low; else the last record of an earlier bucket.
	i, j := lo, hi
	for i < j {
		m := int(uint(i+j) >> 1)
		if le16(d.v4Starts, m*2) <= low {
			i = m + 1
		} else {
			j = m
		}
	}
	if i == 0 {
		return 0
	}
	return le32(d.v4Vals, (i-1)*4)
}

func (d *DB) lookup6(key uint64) uint32 {
	if d.v6N == 0 {
		return 0
	}
	bucket := int(key >> (64 - d.v6Bits))
	lo := int(le32(d.v6Index, bucket*4))
	hi := int(le32(d.v6Index, bucket*4+4))
	if hi > d.v6N || lo > hi {
		return 0
	}
	low := key & (1<<48 - 1)
	i, j := lo, hi
	for i < j {
		m := int(uint(i+j) >> 1)
		if le48(d.v6Starts, m*6) <= low {
			i = m + 1
		} else {
			j = m
		}
	}
	if i == 0 {
		return 0
	}
	return le32(d.v6Vals, (i-1)*4)
}

func le16(s string, off int) uint16 {
	_ = s[off+1]
	return uint16(s[off]) | uint16(s[off+1])<<8
}

func le32(s string, off int) uint32 {
	_ = s[off+3]
	return uint32(s[off]) | uint32(s[off+1])<<8 | uint32(s[off+2])<<16 | uint32(s[off+3])<<24
}

func le48(s string, off int) uint64 {
	_ = s[off+5]
	return uint64(s[off]) | uint64(s[off+1])<<8 | uint64(s[off+2])<<16 | uint64(s[off+3])<<24 |
		uint64(s[off+4])<<32 | uint64(s[off+5])<<40
}

// Range returns the first and last address of the database record that holds a: the span over which
// the answer for a stays the same. For IPv6 the span is made of whole /64 blocks.
func (d *DB) Range(a netip.Addr) (first, last netip.Addr, ok bool) {
	a = a.Unmap()
	if a.Is4() {
		b := a.As4()
		i := d.find(d.v4Index, d.v4N, uint64(binary.BigEndian.Uint32(b[:])), 32)
		if i < 0 {
			return first, last, false
		}
		s := d.start(d.v4Index, d.v4Starts, 2, i, 32)
		e := uint64(1<<32 - 1)
		if i+1 < d.v4N {
			e = d.start(d.v4Index, d.v4Starts, 2, i+1, 32) - 1
		}
		return addr4(s), addr4(e), true
	}
	if !a.Is6() {
		return first, last, false
	}
	b := a.As16()
	i := d.find(d.v6Index, d.v6N, binary.BigEndian.Uint64(b[:8]), 64)
	if i < 0 {
		return first, last, false
	}
	s := d.start(d.v6Index, d.v6Starts, 6, i, 64)
	e := ^uint64(0)
	if i+1 < d.v6N {
		e = d.start(d.v6Index, d.v6Starts, 6, i+1, 64) - 1
	}
	var f, l [16]byte
	binary.BigEndian.PutUint64(f[:8], s)
	binary.BigEndian.PutUint64(l[:8], e)
	binary.BigEndian.PutUint64(l[8:], ^uint64(0))
	return netip.AddrFrom16(f), netip.AddrFrom16(l), true
}

// find returns the index of the record holding key, or -1.
func (d *DB) find(index string, n int, key uint64, width uint) int {
	if n == 0 {
		return -1
	}
	shift := width - indexBits
	bucket := int(key >> shift)
	lo, hi := int(le32(index, bucket*4)), int(le32(index, bucket*4+4))
	if hi > n || lo > hi {
		return -1
	}
	low := key & (1<<shift - 1)
	stride := int(shift / 8)
	starts := d.v4Starts
	if width == 64 {
		starts = d.v6Starts
	}
	i, j := lo, hi
	for i < j {
		m := int(uint(i+j) >> 1)
		if leN(starts, m*stride, stride) <= low {
			i = m + 1
		} else {
			j = m
		}
	}
	return i - 1
}

// start reconstructs record i's full start key: its low bits plus the bucket that holds it.
func (d *DB) start(index, starts string, stride, i int, width uint) uint64 {
	// The bucket is the last k with index[k] <= i.
	lo, hi := 0, 1<<indexBits
	for lo < hi {
		m := (lo + hi + 1) / 2
		if int(le32(index, m*4)) <= i {
			lo = m
		} else {
			hi = m - 1
		}
	}
	return uint64(lo)<<(width-indexBits) | leN(starts, i*stride, stride)
}

func leN(s string, off, n int) uint64 {
	if n == 2 {
		return uint64(le16(s, off))
	}
	return le48(s, off)
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
