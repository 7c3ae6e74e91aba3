package tracefile

import (
	"fmt"
	"strings"
	"testing"

	"hopscope/internal/path"
)

// wideCase is one input whose import must cost work linear in n; check says the input did what it
// was built for (a hop of n responders, ...), so that a generator that stopped doing so fails.
type wideCase struct {
	name, format string
	gen          func(n int) []byte
	check        func(trs []*path.Trace, n int) error
}

// wideHopOf checks that hop ttl of the first trace has n responders.
func wideHopOf(ttl int) func([]*path.Trace, int) error {
	return func(trs []*path.Trace, n int) error {
		h := trs[0].Hop(ttl)
		if h == nil || len(h.Responders) != n {
			got := -1
			if h != nil {
				got = len(h.Responders)
			}
			return fmt.Errorf("hop %d has %d responders, want %d", ttl, got, n)
		}
		return nil
	}
}

var wideCases = []wideCase{
	{"mtr report, names on one hop", FormatMTRReport, wideMTRReport, wideHopOf(2)},
	{"mtr screen, names on one hop", FormatMTRCurses, wideMTRCurses, wideHopOf(2)},
	{"tracepath, names on one hop", FormatTracepath, wideTracepath, wideHopOf(2)},
	{"mtr json, names on one hop", FormatMTRJSON, wideMTRJSON, wideHopOf(2)},
	{"mtr 0.85 json, names on one hop", FormatMTRJSON, wideMTRHopsJSON, wideHopOf(2)},
	{"NextTrace, hidden addresses on one hop", FormatNextTrace, wideNextTrace, wideHopOf(2)},
	{"JunOS, an MPLS line under each responder", FormatJunos, wideJunosMPLS, func(trs []*path.Trace, n int) error {
		h := trs[0].Hop(1)
		if err := wideHopOf(1)(trs, n); err != nil {
			return err
		}
		if last := h.Probes[len(h.Probes)-2]; len(last.MPLS) != 1 || last.MPLS[0].Label != uint32(16+n-1) {
			return fmt.Errorf("last reply's labels %v, want [%d]", last.MPLS, 16+n-1)
		}
		return nil
	}},
	{"tracepath, a long send-failed line", FormatTracepath, wideTracepathError, func(trs []*path.Trace, n int) error {
		for _, w := range trs[0].Warnings {
			if strings.HasPrefix(w, "hop 2: send failed w0 w1") && len(w) > 3*n {
				return nil
			}
		}
		return fmt.Errorf("no send-failed warning of %d words in %q", n, trs[0].Warnings)
	}},
	{"RIPE Atlas latest, many results", FormatRIPEAtlas, wideAtlasLatest, func(trs []*path.Trace, n int) error {
		if len(trs) != n {
			return fmt.Errorf("%d traces, want %d", len(trs), n)
		}
		return nil
	}},
	{"scamper tracelb, one node fanning out", FormatScamper, wideTracelbJSON, func(trs []*path.Trace, n int) error {
		if err := wideHopOf(3)(trs, n); err != nil {
			return err
		}
		if mp := trs[0].Multipath; mp == nil || len(mp.Links) != n+1 || mp.Links[n].Flows != 1 {
			return fmt.Errorf("multipath %+v, want %d links of one flow", mp, n+1)
		}
		return nil
	}},
	{"tracelb text, a chain printed from its far end", FormatTracelbText, wideTracelbText, func(trs []*path.Trace, n int) error {
		t := trs[0]
		if len(t.Hops) != maxTTL || t.Multipath == nil || len(t.Multipath.Links) != maxTTL-1 {
			return fmt.Errorf("%d hops and multipath %v, want %d hops in a chain", len(t.Hops), t.Multipath != nil, maxTTL)
		}
		if h := t.Hop(maxTTL); len(h.Responders) != 1 || h.Responders[0].Addr.As16()[15] != byte(maxTTL) {
			return fmt.Errorf("hop %d answered by %v, want 2001:db8::%x", maxTTL, h.Responders, maxTTL)
		}
		return nil
	}},
}

// importWork imports data as format and returns the elements looked at by the importer's own loops
// (workHook) and by the path model's methods (path.WorkHook).
func importWork(t *testing.T, data []byte, format string) ([]*path.Trace, int) {
	t.Helper()
	n := 0
	workHook = func(k int) { n += k }
	path.WorkHook = func(k int) { n += k }
	defer func() { workHook, path.WorkHook = nil, nil }()
	trs, err := ParseWith(data, format, ParseOptions{})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return trs, n
}

// TestImportWorkIsLinear pins, by counting the elements looked at rather than timing anything, that
// importing a hop of n responders known only by name (or n lines, results or links) costs work linear
// in n: ten times the input may cost at most maxRatio times the work. A scan per responder gives a
// ratio near 100 (issue 16).
func TestImportWorkIsLinear(t *testing.T) {
	const n, maxRatio = 2_000, 13
	for _, tc := range wideCases {
		t.Run(tc.name, func(t *testing.T) {
			var work [2]int
			for k, size := range []int{n, 10 * n} {
				trs, w := importWork(t, tc.gen(size), tc.format)
				if err := tc.check(trs, size); err != nil {
					t.Fatalf("n=%d: %v", size, err)
				}
				work[k] = w
			}
			if work[1] < 10*n {
				t.Fatalf("work %d for n=%d: the count misses the loops it should see", work[1], 10*n)
			}
			if ratio := float64(work[1]) / float64(work[0]); ratio > maxRatio {
				t.Errorf("work grew %.1f times for 10 times the input (%d -> %d elements), want at most %d", ratio, work[0], work[1], maxRatio)
			}
		})
	}
}
