package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
)

// pcapMaxRecord is the largest record accepted regardless of the snap length (libpcap's maximum).
const pcapMaxRecord = 262144

// pcapWalker decodes classic pcap records in place. It replaces pcapgo.Reader on the hot path: pcapgo
// copies every record out of a bufio.Reader, while the walker hands the analyzer slices of a large
// window (or of the memory-mapped file). readPcap (pcapgo) stays for cross-checking in tests.
type pcapWalker struct {
	name    string
	a       *Analyzer
	bo      binary.ByteOrder
	nano    bool
	link    LinkType
	snap    int
	maxRec  int
	packets int64
	offset  int64 // file offset of the next record
	// sink receives each record; nil means a.Packet.
	sink recordSink
}

// header parses the 24-byte file header.
func (w *pcapWalker) header(b []byte) error {
	if len(b) < 24 {
		return fmt.Errorf("%s: pcap header: want 24 bytes, got %d", w.name, len(b))
	}
	w.bo = binary.LittleEndian
	switch binary.LittleEndian.Uint32(b[:4]) {
	case 0xa1b2c3d4:
	case 0xa1b23c4d:
		w.nano = true
	case 0xd4c3b2a1:
		w.bo = binary.BigEndian
	case 0x4d3cb2a1:
		w.bo, w.nano = binary.BigEndian, true
	default:
		return fmt.Errorf("%s: not a pcap file (magic % x)", w.name, b[:4])
	}
	if major := w.bo.Uint16(b[4:6]); major != 2 {
		return fmt.Errorf("%s: pcap header: version %d.%d, want 2.x", w.name, major, w.bo.Uint16(b[6:8]))
	}
	w.snap = int(w.bo.Uint32(b[16:20]))
	w.link = LinkType(w.bo.Uint32(b[20:24]) & 0x0fffffff)
	w.maxRec = max(w.snap, pcapMaxRecord)
	w.offset = 24
	return nil
}

// walk feeds every complete record of b to the analyzer and returns how many bytes it used. stop is
// true after a corrupt record (a warning is recorded). atEOF says no bytes follow b: a partial record
// then means a truncated file.
func (w *pcapWalker) walk(b []byte, atEOF bool) (used int, stop bool) {
	bo, a := w.bo, w.a
	for {
		rest := b[used:]
		if len(rest) < 16 {
			break
		}
		caplen := int(bo.Uint32(rest[8:12]))
		if caplen > w.maxRec {
			a.Warn(fmt.Sprintf("%s: unreadable record after packet %d at byte %d: captured length %d exceeds the snap length %d; results cover the packets before it", w.name, w.packets, w.offset, caplen, w.snap))
			return used, true
		}
		if len(rest) < 16+caplen {
			break
		}
		frac := int64(bo.Uint32(rest[4:8]))
		if !w.nano {
			frac *= 1000
		}
		wire := int(bo.Uint32(rest[12:16]))
		if w.sink != nil {
			w.sink(w.link, int64(bo.Uint32(rest[0:4]))*1e9+frac, rest[16:16+caplen], max(wire, caplen))
		} else {
			a.Packet(w.link, int64(bo.Uint32(rest[0:4]))*1e9+frac, rest[16:16+caplen], max(wire, caplen))
		}
		w.packets++
		used += 16 + caplen
		w.offset += int64(16 + caplen)
	}
	if atEOF && used < len(b) {
		a.Warn(fmt.Sprintf("%s: capture ends in the middle of packet %d at byte %d (truncated file); results cover the %d packets before it", w.name, w.packets+1, w.offset, w.packets))
	}
	return used, false
}

// readPcapMem reads a classic pcap held entirely in memory (a mapped file).
func readPcapMem(data []byte, name string, a *Analyzer) error {
	w := &pcapWalker{name: name, a: a}
	if err := w.header(data); err != nil {
		return err
	}
	if w.walkMapped(data[24:]) {
		w.warnShrunk()
	}
	return nil
}

// walkMapped walks the records of b, a memory-mapped file after its header, and reports whether it
// stopped at a fault: when the file shrinks while it is mapped (another program truncates it), reading
// past its new end faults instead of returning bytes, and the results cover the records before.
func (w *pcapWalker) walkMapped(b []byte) (faulted bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverFault(&faulted)
	w.walk(b, true)
	return false
}

// recoverFault, deferred where mapped memory is read under debug.SetPanicOnFault, turns a fault into
// *faulted = true; any other panic goes on.
func recoverFault(faulted *bool) {
	if r := recover(); r != nil {
		if fe, ok := r.(interface{ Addr() uintptr }); ok && fe.Addr() != 0 {
			*faulted = true
			return
		}
		panic(r)
	}
}

// warnShrunk records that the mapped file shrank under the walker.
func (w *pcapWalker) warnShrunk() {
	w.a.Warn(shrunkWarning(w.name, w.offset, w.packets))
}

// shrunkWarning says that a mapped capture shrank under its reader at about byte offset, after packets.
func shrunkWarning(name string, offset, packets int64) string {
	return fmt.Sprintf("%s: the file shrank while it was being read (truncated by another program?) at about byte %d; results cover the %d packets before it", name, offset, packets)
}

// readPcapFast reads a classic pcap from r through a 512 KiB window.
func readPcapFast(r io.Reader, name string, a *Analyzer) error {
	w := &pcapWalker{name: name, a: a}
	buf := make([]byte, 1<<19) // holds the largest record (256 KiB) and then some
	n, err := io.ReadFull(r, buf[:24])
	if err != nil {
		return fmt.Errorf("%s: pcap header: want 24 bytes, got %d: %w", name, n, err)
	}
	if err := w.header(buf[:24]); err != nil {
		return err
	}
	end := 0
	for {
		n, err := io.ReadAtLeast(r, buf[end:], 1)
		end += n
		eof := false
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("%s: read at byte %d: %w", name, w.offset+int64(end), err)
			}
			eof = true
		}
		used, stop := w.walk(buf[:end], eof)
		if stop || eof {
			return nil
		}
		// Slide the partial record to the front.
		end = copy(buf, buf[used:end])
	}
}
