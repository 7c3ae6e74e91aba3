package capture

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"runtime/debug"
)

// ngWalker decodes pcapng blocks in place in a memory-mapped file (draft-ietf-opsawg-pcapng): section
// headers (either byte order, several sections), interface descriptions with their link type, snap
// length and timestamp resolution and offset, enhanced, simple and obsolete packet blocks. Other blocks
// are skipped. It replaces pcapgo.NgReader, which copies every block out of a bufio.Reader, for mapped
// files; the NgReader stays for streams and gzip, and a test keeps the two in agreement.
type ngWalker struct {
	name    string
	a       *Analyzer
	sink    recordSink // nil means a.Packet
	bo      binary.ByteOrder
	ifaces  []ngIface
	packets int64
	offset  int64 // file offset of the next block
	lastTS  int64 // a simple packet block has no time: it gets the one before
}

// ngIface is one interface of the current section.
type ngIface struct {
	link           LinkType
	snap           uint32
	unitsPerSecond uint64 // timestamp units in a second
	offsetSeconds  int64
}

// pcapng block types.
const (
	ngSectionHeader = 0x0a0d0d0a
	ngInterface     = 1
	ngPacketOld     = 2
	ngSimplePacket  = 3
	ngEnhanced      = 6
)

// walkMapped walks every block of b, a whole pcapng file, and reports whether it stopped at a fault (the
// file shrank while mapped). A malformed or cut block ends the walk with a warning; the packets before
// it are analysed.
func (w *ngWalker) walkMapped(b []byte) (faulted bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverFault(&faulted)
	if err := w.walk(b); err != nil {
		w.a.Warn(fmt.Sprintf("%s: unreadable block at byte %d after packet %d: %v; results cover the packets before it", w.name, w.offset, w.packets, err))
	}
	return false
}

// warnShrunk records that the mapped file shrank under the walker.
func (w *ngWalker) warnShrunk() {
	w.a.Warn(shrunkWarning(w.name, w.offset, w.packets))
}

func (w *ngWalker) walk(b []byte) error {
	for len(b) > 0 {
		if len(b) < 12 {
			return errTruncatedBlock(len(b))
		}
		if binary.LittleEndian.Uint32(b[:4]) == ngSectionHeader {
			switch binary.LittleEndian.Uint32(b[8:12]) {
			case 0x1a2b3c4d:
				w.bo = binary.LittleEndian
			case 0x4d3c2b1a:
				w.bo = binary.BigEndian
			default:
				return fmt.Errorf("section header with byte-order magic % x", b[8:12])
			}
		} else if w.bo == nil {
			return fmt.Errorf("block type %#x before any section header", binary.LittleEndian.Uint32(b[:4]))
		}
		bo := w.bo
		typ, n := bo.Uint32(b[:4]), int(bo.Uint32(b[4:8]))
		if n < 12 || n%4 != 0 {
			return fmt.Errorf("block type %#x with length %d", typ, n)
		}
		if n > len(b) {
			return errTruncatedBlock(len(b))
		}
		if got := int(bo.Uint32(b[n-4 : n])); got != n {
			return fmt.Errorf("block type %#x: length %d at its start, %d at its end", typ, n, got)
		}
		if err := w.block(typ, b[:n]); err != nil {
			return fmt.Errorf("block type %#x: %w", typ, err)
		}
		b = b[n:]
		w.offset += int64(n)
	}
	return nil
}

type errTruncatedBlock int

func (e errTruncatedBlock) Error() string {
	return fmt.Sprintf("the file ends %d bytes into a block (truncated file)", int(e))
}

// block handles one whole block (header and trailing length included).
func (w *ngWalker) block(typ uint32, blk []byte) error {
	bo := w.bo
	switch typ {
	case ngSectionHeader:
		if len(blk) < 28 {
			return fmt.Errorf("section header of %d bytes", len(blk))
		}
		if major := bo.Uint16(blk[12:14]); major != 1 {
			return fmt.Errorf("section version %d.%d, want 1.x", major, bo.Uint16(blk[14:16]))
		}
		w.ifaces = w.ifaces[:0]
	case ngInterface:
		if len(blk) < 20 {
			return fmt.Errorf("interface description of %d bytes", len(blk))
		}
		ifc, err := w.iface(blk)
		if err != nil {
			return err
		}
		w.ifaces = append(w.ifaces, ifc)
	case ngEnhanced, ngPacketOld:
		if len(blk) < 32 {
			return fmt.Errorf("packet block of %d bytes", len(blk))
		}
		var id int
		if typ == ngEnhanced {
			id = int(bo.Uint32(blk[8:12]))
		} else {
			id = int(bo.Uint16(blk[8:10]))
		}
		if id >= len(w.ifaces) {
			return fmt.Errorf("packet on interface %d, but the section describes %d", id, len(w.ifaces))
		}
		caplen, wire := int(bo.Uint32(blk[20:24])), int(bo.Uint32(blk[24:28]))
		if caplen > len(blk)-32 {
			return fmt.Errorf("captured length %d in a block of %d bytes", caplen, len(blk))
		}
		ifc := &w.ifaces[id]
		w.lastTS = ifc.nanos(uint64(bo.Uint32(blk[12:16]))<<32 | uint64(bo.Uint32(blk[16:20])))
		w.packet(ifc.link, blk[28:28+caplen], max(wire, caplen))
	case ngSimplePacket:
		if len(w.ifaces) == 0 {
			return fmt.Errorf("simple packet block before any interface description")
		}
		wire := int(bo.Uint32(blk[8:12]))
		caplen := min(wire, len(blk)-16)
		if s := int(w.ifaces[0].snap); s > 0 {
			caplen = min(caplen, s)
		}
		w.packet(w.ifaces[0].link, blk[12:12+caplen], wire)
	}
	return nil
}

func (w *ngWalker) packet(link LinkType, frame []byte, wire int) {
	w.packets++
	if w.sink != nil {
		w.sink(link, w.lastTS, frame, wire)
	} else {
		w.a.Packet(link, w.lastTS, frame, wire)
	}
}

// iface parses an interface description block: link type, snap length and the timestamp options
// (if_tsresol, if_tsoffset).
func (w *ngWalker) iface(blk []byte) (ngIface, error) {
	bo := w.bo
	ifc := ngIface{link: LinkType(bo.Uint16(blk[8:10])), snap: bo.Uint32(blk[12:16])}
	resol := byte(6) // microseconds unless said otherwise
	opts := blk[16 : len(blk)-4]
	for len(opts) >= 4 {
		code, n := bo.Uint16(opts[:2]), int(bo.Uint16(opts[2:4]))
		if code == 0 {
			break
		}
		if 4+n > len(opts) {
			return ngIface{}, fmt.Errorf("interface option %d of %d bytes runs past the block", code, n)
		}
		v := opts[4 : 4+n]
		switch {
		case code == 9 && n >= 1:
			resol = v[0]
		case code == 14 && n >= 8:
			ifc.offsetSeconds = int64(bo.Uint64(v[:8]))
		}
		opts = opts[min(len(opts), 4+(n+3)&^3):]
	}
	exp := resol & 0x7f
	if exp > 63 || resol&0x80 == 0 && exp > 19 {
		return ngIface{}, fmt.Errorf("timestamp resolution %#x is too fine", resol)
	}
	if resol&0x80 != 0 {
		ifc.unitsPerSecond = 1 << exp
	} else {
		ifc.unitsPerSecond = 1
		for range exp {
			ifc.unitsPerSecond *= 10
		}
	}
	return ifc, nil
}

// nanos converts a timestamp in the interface's units to nanoseconds since the epoch (the fraction of a
// second exactly, in 128 bits, also for binary resolutions finer than a nanosecond).
func (ifc *ngIface) nanos(ts uint64) int64 {
	sec := int64(ts/ifc.unitsPerSecond) + ifc.offsetSeconds
	hi, lo := bits.Mul64(ts%ifc.unitsPerSecond, 1e9)
	frac, _ := bits.Div64(hi, lo, ifc.unitsPerSecond)
	return sec*1e9 + int64(frac)
}

// ngHeader checks that data starts with a whole, readable section header block: a file that does not is
// an error, not a capture with a warning.
func ngHeader(data []byte, name string) error {
	w := &ngWalker{name: name}
	if len(data) < 28 {
		return fmt.Errorf("%s: pcapng header: want at least 28 bytes, got %d", name, len(data))
	}
	var n int
	switch binary.LittleEndian.Uint32(data[8:12]) {
	case 0x1a2b3c4d:
		n = int(binary.LittleEndian.Uint32(data[4:8]))
	case 0x4d3c2b1a:
		n = int(binary.BigEndian.Uint32(data[4:8]))
	default:
		return fmt.Errorf("%s: pcapng header: section header with byte-order magic % x", name, data[8:12])
	}
	if n < 28 || n > len(data) {
		return fmt.Errorf("%s: pcapng header: section header length %d in a file of %d bytes", name, n, len(data))
	}
	if err := w.walk(data[:n]); err != nil {
		return fmt.Errorf("%s: pcapng header: %w", name, err)
	}
	return nil
}

// readPcapngMem reads a pcapng file held entirely in memory (a mapped file).
func readPcapngMem(data []byte, name string, a *Analyzer) error {
	if err := ngHeader(data, name); err != nil {
		return err
	}
	w := &ngWalker{name: name, a: a}
	if w.walkMapped(data) {
		w.warnShrunk()
	}
	return nil
}

// readPcapngMemParallel reads a mapped pcapng file with readParallel.
func readPcapngMemParallel(data []byte, name string, cfg Config, workers int) (*Analyzer, error) {
	if err := ngHeader(data, name); err != nil {
		return nil, err
	}
	w := &ngWalker{name: name}
	return readParallel(cfg, workers, func(m *Analyzer, sink recordSink) bool {
		w.a, w.sink = m, sink
		return w.walkMapped(data)
	}, func() { w.warnShrunk() }), nil
}
