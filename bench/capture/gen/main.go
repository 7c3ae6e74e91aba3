// Command gen writes a large synthetic pcap for the capture benchmark by replicating the flows of the
// corpus captures: each replica moves the private (client) IPv4 addresses into 10.0.0.0/8 and shifts
// timestamps, so every replica's flows, DNS answers and names are distinct.
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

type pkt struct {
	ts   time.Duration // since the capture's first packet
	data []byte
	wire int
}

func load(path string) ([]pkt, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []pkt
	var first time.Time
	add := func(data []byte, ts time.Time, wire int, link layers.LinkType) {
		if link != layers.LinkTypeEthernet {
			return
		}
		if first.IsZero() {
			first = ts
		}
		out = append(out, pkt{ts: ts.Sub(first), data: append([]byte(nil), data...), wire: wire})
	}
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		return nil, err
	}
	f.Seek(0, 0)
	if binary.BigEndian.Uint32(magic[:]) == 0x0a0d0d0a {
		r, err := pcapgo.NewNgReader(f, pcapgo.NgReaderOptions{WantMixedLinkType: true})
		if err != nil {
			return nil, err
		}
		for {
			d, ci, err := r.ReadPacketData()
			if err != nil {
				break
			}
			add(d, ci.Timestamp, ci.Length, ci.AncillaryData[0].(layers.LinkType))
		}
		return out, nil
	}
	r, err := pcapgo.NewReader(f)
	if err != nil {
		return nil, err
	}
	for {
		d, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		add(d, ci.Timestamp, ci.Length, r.LinkType())
	}
	return out, nil
}

// private reports whether an IPv4 address is a client-side address to rewrite.
func private(a []byte) bool {
	return a[0] == 192 && a[1] == 168 || a[0] == 172 && a[1] >= 16 && a[1] < 32 || a[0] == 141 && a[1] == 142 || a[0] == 10
}

// rewrite moves private IPv4 addresses of an Ethernet frame to 10.hi.lo.x for replica n.
func rewrite(frame []byte, n int) {
	if len(frame) < 34 || binary.BigEndian.Uint16(frame[12:14]) != 0x0800 {
		return
	}
	ip := frame[14:]
	for _, off := range []int{12, 16} {
		a := ip[off : off+4]
		if private(a) {
			a[0], a[1], a[2] = 10, byte(n>>8), byte(n)
		}
	}
	// Fix the IPv4 header checksum.
	ihl := int(ip[0]&0x0f) * 4
	if ihl < 20 || len(ip) < ihl {
		return
	}
	ip[10], ip[11] = 0, 0
	var sum uint32
	for i := 0; i < ihl; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
}

func main() {
	out := flag.String("o", "", "output pcap")
	size := flag.Int64("size", 1<<30, "stop after this many bytes")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -o OUT.pcap [-size BYTES] CORPUS.pcap...")
		os.Exit(2)
	}
	var all [][]pkt
	for _, p := range flag.Args() {
		ps, err := load(p)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gen: %s: %v\n", p, err)
			os.Exit(1)
		}
		all = append(all, ps)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	bw := bufio.NewWriterSize(f, 4<<20)
	w := pcapgo.NewWriterNanos(bw)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var written int64
	var packets int64
	buf := make([]byte, 65536)
	for n := 0; written < *size && n < 1<<16; n++ {
		start := base.Add(time.Duration(n) * 200 * time.Millisecond)
		for _, ps := range all {
			for _, p := range ps {
				d := buf[:len(p.data)]
				copy(d, p.data)
				rewrite(d, n)
				ci := gopacket.CaptureInfo{Timestamp: start.Add(p.ts), CaptureLength: len(d), Length: p.wire}
				if err := w.WritePacket(ci, d); err != nil {
					fmt.Fprintln(os.Stderr, "gen:", err)
					os.Exit(1)
				}
				written += int64(16 + len(d))
				packets++
			}
		}
	}
	if err := bw.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	f.Close()
	fmt.Printf("%s: %d packets, %d bytes\n", *out, packets, written+24)
}
