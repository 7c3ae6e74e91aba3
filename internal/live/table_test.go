package live

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"hopscope/internal/path"
	"hopscope/internal/report"
)

func TestTruncMiddle(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		w        int
		want     string
	}{
		{"fits", "gw.example", 20, "gw.example"},
		{"exact", "gw.example", 10, "gw.example"},
		{"keeps both ends", "ae-5.r21.frnkge08.de.bb.gin.ntt.net", 20, "ae-5.r21.f…n.ntt.net"},
		{"odd width", "abcdefghij", 5, "ab…ij"},
		{"tiny", "abcdefghij", 2, "ab"},
		{"wide runes", "東京都千代田区.example", 9, "東京…mple"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := truncMiddle(tc.in, tc.w)
			if got != tc.want {
				t.Errorf("truncMiddle(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
			}
			if ansi.StringWidth(got) > tc.w {
				t.Errorf("%q is wider than %d", got, tc.w)
			}
		})
	}
}

func TestLayout(t *testing.T) {
	all := toggles{names: true, as: true, places: true}
	for _, tc := range []struct {
		name         string
		w            int
		t            toggles
		want, hidden []colID
	}{
		{"80 with everything on", 80, all,
			[]colID{colHop, colHost, colAS, colPlace, colLoss, colSent, colLast, colAvg, colHistory},
			[]colID{colOperator, colBest, colWorst, colStdDev, colJitter}},
		{"80 without AS and place gets mtr's columns back", 80, toggles{names: true},
			[]colID{colHop, colHost, colLoss, colSent, colLast, colAvg, colBest, colWorst, colStdDev, colHistory}, []colID{colJitter}},
		{"120 fits all but jitter", 120, all,
			[]colID{colHop, colHost, colAS, colOperator, colPlace, colLoss, colSent, colLast, colAvg, colBest, colWorst, colStdDev, colHistory}, []colID{colJitter}},
		{"130 fits all", 130, all,
			[]colID{colHop, colHost, colAS, colOperator, colPlace, colLoss, colSent, colLast, colAvg, colBest, colWorst, colStdDev, colJitter, colHistory}, nil},
		{"40 keeps hop, host, loss", 40, all,
			[]colID{colHop, colHost, colLoss, colSent, colLast}, []colID{colAS, colOperator, colPlace, colAvg, colBest, colWorst, colStdDev, colJitter, colHistory}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cols, hidden := layout(tc.w, tc.t)
			var ids []colID
			used := -1
			for _, c := range cols {
				ids = append(ids, c.id)
				used += 1 + c.width
				if c.width < specs[c.id].width {
					t.Errorf("column %s got %d cells, less than its least %d", specs[c.id].title, c.width, specs[c.id].width)
				}
			}
			if !slices.Equal(ids, tc.want) {
				t.Errorf("columns %v, want %v", ids, tc.want)
			}
			if !slices.Equal(hidden, tc.hidden) {
				t.Errorf("hidden %v, want %v", hidden, tc.hidden)
			}
			if used > tc.w {
				t.Errorf("columns take %d cells of %d", used, tc.w)
			}
			if used < tc.w-1 && specs[colHost].max > cols[1].width {
				t.Errorf("columns take %d of %d cells while the host column could grow", used, tc.w)
			}
		})
	}
}

func TestSparkline(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name    string
		samples []float64
		w       int
		want    string
	}{
		{"empty", nil, 8, ""},
		{"rising", []float64{1, 2, 3, 4, 5, 6, 7, 8}, 8, "▁▂▃▄▅▆▇█"},
		{"flat draws low", []float64{5, 5, 5}, 8, "▁▁▁"},
		{"lost rounds", []float64{10, nan, 20}, 8, "▁·█"},
		{"all lost", []float64{nan, nan}, 8, "··"},
		{"keeps the newest", []float64{100, 1, 2}, 2, "▁█"},
		{"no room", []float64{1, 2}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sparkline(tc.samples, tc.w); got != tc.want {
				t.Errorf("sparkline = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFigureText(t *testing.T) {
	for _, tc := range []struct {
		name, got, want string
	}{
		{"sub-ms", msText(0.42), "0.42"},
		{"tens", msText(12.34), "12.3"},
		{"hundreds", msText(236.24), "236.2"},
		{"thousands", msText(1234.5), "1234"},
		{"huge", msText(2e6), ">1e6"},
		{"missing ms", msText(math.NaN()), "-"},
		{"no loss", lossText(0), "0.0%"},
		{"some loss", lossText(33.333), "33.3%"},
		{"all lost", lossText(100), "100%"},
		{"missing loss", lossText(math.NaN()), "-"},
		{"unknown sent", sentText(-1), "-"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, tc.got, tc.want)
		}
		if ansi.StringWidth(tc.got) > 6 {
			t.Errorf("%s: %q is wider than its column", tc.name, tc.got)
		}
	}
}

func TestHopFigures(t *testing.T) {
	loss := 0.25
	for _, tc := range []struct {
		name string
		h    report.PathHop
		want []string // loss, sent, best, worst
	}{
		{"probes", report.PathHop{Sent: 4, Answered: 3, RTT: &report.RTT{MinMs: 1, MedianMs: 2, MaxMs: 3, Count: 3}}, []string{"25.0%", "4", "1.00", "3.00"}},
		{"silent", report.PathHop{Sent: 2, Silent: true}, []string{"100%", "2", "-", "-"}},
		{"aggregate loss of one responder", report.PathHop{Responders: []report.PathResponder{{Loss: &loss}}}, []string{"25.0%", "-", "-", "-"}},
		{"nothing known", report.PathHop{}, []string{"-", "-", "-", "-"}},
		{"stats win", report.PathHop{Sent: 3, Answered: 3, RTT: &report.RTT{MinMs: 1, MaxMs: 3, Count: 3},
			Stats: &report.Stats{Sent: 20, LossPct: ptr(5.0), LossLabel: "5%", BestMs: ptr(0.5), WorstMs: ptr(9.0)}},
			[]string{"5%", "20", "0.50", "9.00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := hopFigures(tc.h)
			got := []string{f.lossCell(), sentText(f.sent), msText(f.best), msText(f.worst)}
			if !slices.Equal(got, tc.want) {
				t.Errorf("figures %v, want %v", got, tc.want)
			}
		})
	}
}

func ptr(v float64) *float64 { return &v }

func TestReportsSkipsToNewest(t *testing.T) {
	snaps := make(chan *path.Trace, 3)
	for i := 1; i <= 3; i++ {
		snaps <- &path.Trace{Rounds: i}
	}
	close(snaps)
	var built []int
	out := Reports(context.Background(), snaps, func(tr *path.Trace) *report.Path {
		built = append(built, tr.Rounds)
		return &report.Path{Trace: tr}
	})
	var got []int
	for p := range out {
		got = append(got, p.Trace.Rounds)
	}
	if !slices.Equal(got, []int{3}) || !slices.Equal(built, []int{3}) {
		t.Errorf("delivered %v, built %v; want only the newest waiting snapshot, 3", got, built)
	}
}

func TestReportsEachInTurn(t *testing.T) {
	snaps := make(chan *path.Trace)
	out := Reports(context.Background(), snaps, func(tr *path.Trace) *report.Path { return &report.Path{Trace: tr} })
	for i := 1; i <= 3; i++ {
		snaps <- &path.Trace{Rounds: i}
		if p := <-out; p.Trace.Rounds != i {
			t.Fatalf("got round %d, want %d", p.Trace.Rounds, i)
		}
	}
	close(snaps)
	if _, ok := <-out; ok {
		t.Error("the reports channel stayed open after the snapshots closed")
	}
}

func TestReportsStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	snaps := make(chan *path.Trace)
	out := Reports(ctx, snaps, func(tr *path.Trace) *report.Path { return &report.Path{} })
	cancel()
	if _, ok := <-out; ok {
		t.Error("a report came after the context was cancelled")
	}
}
