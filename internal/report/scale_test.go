package report_test

import (
	"fmt"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"hopscope/internal/analysis"
	"hopscope/internal/enrich"
	"hopscope/internal/explain/explaintest"
	"hopscope/internal/path"
)

// The sizes are ten times the worst real case the issue 16 tester fed in (20,000 responders on one hop
// for the benchmark at 10×: 200,000; paths are at most a few hundred hops: 10,000).
var (
	wideSizes = []int{2_000, 20_000, 200_000}
	longSizes = []int{1_000, 10_000}
)

// BenchmarkAnalyseWideHop analyses a path whose middle hop has n responders, end to end (explain and
// report), with every address enriched and with none.
func BenchmarkAnalyseWideHop(b *testing.B) {
	for _, n := range wideSizes {
		for _, enriched := range []bool{true, false} {
			b.Run(fmt.Sprintf("%s/%d", map[bool]string{true: "enriched", false: "nil"}[enriched], n), func(b *testing.B) {
				tr := explaintest.WideTrace(n)
				var e analysis.Lookuper
				if enriched {
					e = explaintest.InfosFor(tr)
				}
				b.ReportAllocs()
				for b.Loop() {
					if p := analysis.Path(tr, e, analysis.Options{}); len(p.Hops[1].Responders) != n {
						b.Fatalf("%d responders, want %d", len(p.Hops[1].Responders), n)
					}
				}
			})
		}
	}
}

// BenchmarkAnalyseLongPath analyses a path of n hops end to end.
func BenchmarkAnalyseLongPath(b *testing.B) {
	for _, n := range longSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			tr := explaintest.LongTrace(n)
			infos := explaintest.InfosFor(tr)
			b.ReportAllocs()
			for b.Loop() {
				if p := analysis.Path(tr, infos, analysis.Options{}); len(p.Hops) != n {
					b.Fatalf("%d hops, want %d", len(p.Hops), n)
				}
			}
		})
	}
}

// BenchmarkAnalyseHostilePath analyses n hops shaped to make every finding fire at every hop: a
// sawtooth RTT (a jump and a spike each other hop), one AS interrupted by a different one-hop AS every
// other hop (strays and hand-offs), every hop placed by its hostname alternately in Paris and Singapore
// (far-side and crossing searches) and every fifth address private.
func BenchmarkAnalyseHostilePath(b *testing.B) {
	for _, n := range longSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			tr, infos := hostilePath(n)
			b.ReportAllocs()
			for b.Loop() {
				if p := analysis.Path(tr, infos, analysis.Options{}); len(p.Hops) != n {
					b.Fatalf("%d hops, want %d", len(p.Hops), n)
				}
			}
		})
	}
}

// hostilePath builds the trace and enrichment of BenchmarkAnalyseHostilePath.
func hostilePath(n int) (*path.Trace, explaintest.Infos) {
	tr := explaintest.LongTrace(n)
	infos := explaintest.Infos{}
	for i := range tr.Hops {
		h := &tr.Hops[i]
		for k := range h.Probes {
			if h.Probes[k].HasRTT {
				h.Probes[k].RTT = time.Duration(1+i%2*200+i/100) * time.Millisecond
			}
		}
		for _, r := range h.Responders {
			hint := explaintest.Paris
			if i%2 == 1 {
				hint = explaintest.Singapore
			}
			in := enrich.Info{Addr: r.Addr, ASN: 64500, ASOrg: "Alpha Networks", ASSource: "embedded", Country: "FR", GeoSource: "embedded", Hint: &hint}
			if i%2 == 1 {
				in.ASN, in.ASOrg = uint32(100000+i), "Stray "+strconv.Itoa(i)+" Carrier"
			}
			if i%5 == 4 {
				in = enrich.Info{Addr: r.Addr, Special: &enrich.Special{Prefix: netip.MustParsePrefix("10.0.0.0/8"), Kind: "private", Name: "RFC 1918 private network"}}
			}
			infos[r.Addr] = in
		}
	}
	return tr, infos
}
