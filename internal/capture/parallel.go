package capture

import (
	"encoding/binary"
	"runtime/debug"
	"slices"
	"sync"
)

// shardItem is one decoded packet handed to a shard. Its payload points into the mapped file. The shard
// derives the flow key again from the packet (a few nanoseconds there, 40 bytes less to copy here).
type shardItem struct {
	ts   int64
	seq  int64
	wire int64
	p    packet
}

// shardBatch is how many packets travel to a shard at once.
const shardBatch = 512

// recordSink receives one captured frame: its link type, capture time in nanoseconds, bytes and length
// on the wire.
type recordSink func(link LinkType, ts int64, frame []byte, wire int)

// readPcapMemParallel reads a mapped classic pcap with readParallel.
func readPcapMemParallel(data []byte, name string, cfg Config, workers int) (*Analyzer, error) {
	w := &pcapWalker{name: name}
	if err := w.header(data); err != nil {
		return nil, err
	}
	return readParallel(cfg, workers, func(m *Analyzer, sink recordSink) bool {
		w.a, w.sink = m, sink
		return w.walkMapped(data[24:])
	}, func() { w.warnShrunk() }), nil
}

// readParallel analyses the records of a mapped capture with one goroutine walking and decoding them and
// `workers` goroutines owning the flows, sharded by flow key (both directions of a flow land in the same
// shard). The shards' flows, DNS answers, counters and warnings are then merged into one Analyzer, so
// the result is the same as a single-threaded read. walk runs on the calling goroutine, hands every
// record to sink, records its warnings on m and reports whether the mapped file faulted under it;
// shrunk then records that the file shrank (also when a shard met the fault).
func readParallel(cfg Config, workers int, walk func(m *Analyzer, sink recordSink) (faulted bool), shrunk func()) *Analyzer {
	cfg = cfg.withDefaults()
	m := NewAnalyzer(cfg)
	scfg := cfg
	scfg.MaxFlows = max(cfg.MaxFlows/workers, 1)
	scfg.MaxReassemblyBytes = max(cfg.MaxReassemblyBytes/int64(workers), int64(cfg.MaxStreamBytes))
	scfg.ExpectedFlows = cfg.ExpectedFlows / workers
	shards := make([]*Analyzer, workers)
	in := make([]chan []shardItem, workers)
	free := make(chan []shardItem, 4*workers)
	shardFaulted := make([]bool, workers)
	var wg sync.WaitGroup
	for i := range shards {
		shards[i] = NewAnalyzer(scfg)
		in[i] = make(chan []shardItem, 4)
		wg.Add(1)
		go func(a *Analyzer, c chan []shardItem, faulted *bool) {
			defer wg.Done()
			for batch := range c {
				// After a fault the shard only drains its batches, so the walker never blocks.
				if !*faulted {
					*faulted = a.handleBatch(batch)
				}
				select {
				case free <- batch[:0]:
				default:
				}
			}
		}(shards[i], in[i], &shardFaulted[i])
	}
	pending := make([][]shardItem, workers)
	get := func() []shardItem {
		select {
		case b := <-free:
			return b
		default:
			return make([]shardItem, 0, shardBatch)
		}
	}
	for i := range pending {
		pending[i] = get()
	}
	p := &m.pkt                  // decoded in place, then copied to its shard's batch: a fresh packet per record would escape
	var fragShard fragTable[int] // fragmented datagrams: the shard of their first fragment
	sink := func(link LinkType, ts int64, frame []byte, wire int) {
		// The same bookkeeping as Analyzer.Packet, then hand the packet to its shard.
		m.count(ts, wire)
		var i int
		switch st := decode(link, frame, p); st {
		case decodedTransport:
			if cfg.Filter != nil && !cfg.Filter.match(p) {
				m.stats.Filtered++
				return
			}
			m.stats.Transport++
			k, _ := key(p)
			i = shardOf(&k, workers)
			if p.firstFragment {
				fragShard.add(fragKeyOf(p), i, ts)
			}
		case decodedFragment:
			// To the shard of the datagram's first fragment, which attributes it (or counts it as
			// other IP when that fragment's flow was not tracked).
			var ok bool
			if i, ok = fragShard.get(fragKeyOf(p), ts); !ok {
				m.stats.OtherIP++
				return
			}
		default:
			m.untransported(st, link)
			return
		}
		pending[i] = append(pending[i], shardItem{ts: ts, seq: m.stats.Packets, wire: int64(wire), p: *p})
		if len(pending[i]) == shardBatch {
			in[i] <- pending[i]
			pending[i] = get()
		}
	}
	faulted := walk(m, sink)
	for i := range in {
		if len(pending[i]) > 0 {
			in[i] <- pending[i]
		}
		close(in[i])
	}
	wg.Wait()
	for _, a := range shards {
		m.order = append(m.order, a.order...)
		m.dns.merge(&a.dns)
		m.stats.Untracked += a.stats.Untracked
		m.stats.Fragments += a.stats.Fragments
		m.stats.OtherIP += a.stats.OtherIP // later fragments the shard could not attribute
		m.buffered += a.buffered
		for _, wmsg := range a.warnings {
			m.Warn(wmsg)
		}
	}
	if faulted || slices.Contains(shardFaulted, true) {
		shrunk()
	}
	return m
}

// handleBatch analyses packets whose payloads point into a mapped file, and reports whether it stopped
// at a fault (the file shrank under it).
func (a *Analyzer) handleBatch(batch []shardItem) (faulted bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverFault(&faulted)
	for j := range batch {
		it := &batch[j]
		if it.p.fragment {
			a.laterFragment(it.ts, &it.p, it.wire)
			continue
		}
		k, srcIsA := key(&it.p)
		a.handle(it.ts, &it.p, it.wire, k, srcIsA, it.seq)
	}
	return false
}

// shardOf spreads flow keys over n shards.
func shardOf(k *flowKey, n int) int {
	h := binary.LittleEndian.Uint64(k.a[8:]) ^ binary.LittleEndian.Uint64(k.b[8:]) ^
		binary.LittleEndian.Uint64(k.a[:8])*31 ^ binary.LittleEndian.Uint64(k.b[:8])*37 ^
		uint64(k.pa)<<16 ^ uint64(k.pb) ^ uint64(k.proto)<<40
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 32
	return int(h % uint64(n))
}
