package capture

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// parallelMin is the smallest file read with several goroutines.
const parallelMin = 32 << 20

// Result is what reading a capture produced.
type Result struct {
	// Analyzer holds the flows; call Inventory on it.
	Analyzer *Analyzer
	// Format is "pcap" or "pcapng" (with " (gzip)" when compressed).
	Format string
}

// ReadFile analyses the capture file at path (pcap or pcapng, optionally gzip-compressed). A capture
// that ends early or has a corrupt record gives the flows read so far and a warning; only an unreadable
// file or an unrecognised format is an error.
func ReadFile(path string, cfg Config) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open capture: %w", err)
	}
	defer f.Close()
	// An uncompressed capture is walked in place in the mapped file: no copy at all.
	if data, unmap, ok := mapFile(f); ok {
		defer unmap()
		if cfg.ExpectedFlows == 0 {
			cfg.ExpectedFlows = len(data) / (4 << 10) // a rough guess: one flow per 4 KiB (a slot costs ~50 bytes)
		}
		workers := cfg.Workers
		if workers == 0 {
			workers = runtime.GOMAXPROCS(0)
		}
		var (
			serial  func(data []byte, name string, a *Analyzer) error
			sharded func(data []byte, name string, cfg Config, workers int) (*Analyzer, error)
			format  string
		)
		switch binary.BigEndian.Uint32(data[:4]) {
		case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1:
			serial, sharded, format = readPcapMem, readPcapMemParallel, "pcap"
		case ngSectionHeader:
			serial, sharded, format = readPcapngMem, readPcapngMemParallel, "pcapng"
		}
		if serial != nil {
			var a *Analyzer
			if workers > 1 && len(data) >= parallelMin {
				a, err = sharded(data, path, cfg, workers)
			} else {
				a = NewAnalyzer(cfg)
				err = serial(data, path, a)
			}
			if err != nil {
				return nil, err
			}
			return &Result{Analyzer: a, Format: format}, nil
		}
	}
	return Read(f, path, cfg)
}

// Read analyses a capture from r; name is used in errors and warnings.
func Read(r io.Reader, name string, cfg Config) (*Result, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	magic, err := br.Peek(4)
	if err != nil {
		return nil, fmt.Errorf("%s: too short for a capture file (%d bytes): %w", name, len(magic), err)
	}
	format := ""
	var src io.Reader = br
	if magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", name, err)
		}
		defer zr.Close()
		zb := bufio.NewReaderSize(zr, 1<<20)
		if magic, err = zb.Peek(4); err != nil {
			return nil, fmt.Errorf("%s: gzip content too short for a capture file: %w", name, err)
		}
		src, format = zb, " (gzip)"
	}
	a := NewAnalyzer(cfg)
	switch binary.BigEndian.Uint32(magic) {
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1:
		err = readPcapFast(src, name, a)
		format = "pcap" + format
	case 0x0a0d0d0a:
		err = readPcapng(src, name, a)
		format = "pcapng" + format
	default:
		return nil, fmt.Errorf("%s: not a pcap or pcapng file (starts with % x)", name, magic)
	}
	if err != nil {
		return nil, err
	}
	return &Result{Analyzer: a, Format: format}, nil
}

// partial turns a read error after the header into a warning: the flows so far are still reported.
func partial(a *Analyzer, name string, n int64, err error) {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		a.Warn(fmt.Sprintf("%s: capture ends in the middle of packet %d (truncated file); results cover the %d packets before it", name, n+1, n))
	default:
		a.Warn(fmt.Sprintf("%s: unreadable record after packet %d: %v; results cover the packets before it", name, n, err))
	}
}

func readPcap(r io.Reader, name string, a *Analyzer) error {
	pr, err := pcapgo.NewReader(r)
	if err != nil {
		return fmt.Errorf("%s: pcap header: %w", name, err)
	}
	link := LinkType(pr.LinkType())
	var n int64
	for {
		data, ci, err := pr.ZeroCopyReadPacketData()
		if err != nil {
			if err != io.EOF {
				partial(a, name, n, err)
			}
			return nil
		}
		n++
		a.Packet(link, ci.Timestamp.UnixNano(), data, max(ci.Length, len(data)))
	}
}

func readPcapng(r io.Reader, name string, a *Analyzer) error {
	nr, err := pcapgo.NewNgReader(r, pcapgo.NgReaderOptions{WantMixedLinkType: true})
	if err != nil {
		return fmt.Errorf("%s: pcapng header: %w", name, err)
	}
	var n int64
	for {
		data, ci, err := nr.ZeroCopyReadPacketData()
		if err != nil {
			if err != io.EOF {
				partial(a, name, n, err)
			}
			return nil
		}
		n++
		link := LinkEthernet
		if len(ci.AncillaryData) > 0 {
			if lt, ok := ci.AncillaryData[0].(layers.LinkType); ok {
				link = LinkType(lt)
			}
		}
		a.Packet(link, ci.Timestamp.UnixNano(), data, max(ci.Length, len(data)))
	}
}
