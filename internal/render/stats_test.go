package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"

	"hopscope/internal/enrich"
	"hopscope/internal/explain"
	"hopscope/internal/htmltest"
	"hopscope/internal/path"
	"hopscope/internal/report"
)

// roundsReport is 60 rounds over six hops: hop 3 drops half its own replies while later hops lose
// nothing (rate limiting), and from hop 5 on a fifth of the probes are lost (loss on the path).
func roundsReport(t testing.TB) *report.Report {
	t.Helper()
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	lost := map[int]int{3: 30, 5: 12, 6: 12}
	tr := &path.Trace{Target: path.Target{Name: "app.example", Addr: netip.MustParseAddr("203.0.113.9")}, Protocol: "icmp",
		Source: "hopscope", MaxTTL: 30, ProbesPerHop: 1}
	for ttl := 1; ttl <= 6; ttl++ {
		addr := netip.MustParseAddr(fmt.Sprintf("198.51.100.%d", ttl))
		if ttl == 6 {
			addr = tr.Target.Addr
		}
		base := float64(ttl) * 10
		recv := 60 - lost[ttl]
		st := &path.Stats{Sent: 60, Received: recv, Last: ms(base + 1), Best: ms(base - 2), Avg: ms(base), Worst: ms(base + 9),
			StdDev: ms(1.5 + float64(ttl)/10), Jitter: ms(0.8 + float64(ttl)/10)}
		h := path.Hop{TTL: ttl}
		for i := range 10 {
			st.Samples = append(st.Samples, ms(base-2+float64(i)))
		}
		for round := range 60 {
			rs := path.RoundSample{Round: round, Sent: 1}
			if round >= lost[ttl] {
				rs.Received, rs.RTT = 1, ms(base)
			}
			h.Rounds = append(h.Rounds, rs)
		}
		h.Responders = []path.Responder{{Addr: addr, Name: fmt.Sprintf("r%d.example.net", ttl), Stats: st}}
		tr.Hops = append(tr.Hops, h)
	}
	infos := map[netip.Addr]enrich.Info{}
	f := explain.Explain(tr, infos, explain.Options{})
	return &report.Report{Schema: report.Schema, SchemaVersion: report.SchemaVersion, Kind: report.KindPath,
		Tool: "hopscope test", Path: report.BuildPath(tr, infos, f)}
}

func TestRoundsStatsInEveryRenderer(t *testing.T) {
	r := roundsReport(t)
	hops := r.Path.Hops
	if hops[2].Stats == nil || hops[2].Stats.LossLabel != "50%" || hops[4].Stats.LossLabel != "20%" {
		t.Fatalf("fixture: hop 3 and 5 loss %+v %+v, want 50%% and 20%%", hops[2].Stats, hops[4].Stats)
	}
	if hops[2].LossVerdict != "rate-limit" || hops[4].LossVerdict != "path" {
		t.Fatalf("fixture: verdicts %q %q, want rate-limit and path", hops[2].LossVerdict, hops[4].LossVerdict)
	}
	t.Run("text", func(t *testing.T) {
		for _, width := range []int{80, 100, 140} {
			var buf bytes.Buffer
			if err := (TextRenderer{Width: width}).Render(&buf, r); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for i, l := range strings.Split(out, "\n") {
				if n := utf8.RuneCountInString(l); n > width {
					t.Errorf("width %d: line %d is %d wide: %q", width, i+1, n, l)
				}
			}
			head := headerLine(out)
			want := []string{"LOSS%", "AVG", "JTTR"}
			if width >= 100 {
				want = append(want, "WRST", "BEST")
			}
			if width >= 140 {
				want = append(want, "SNT", "LAST", "STDEV")
			}
			for _, col := range want {
				if !slices.Contains(strings.Fields(head), col) {
					t.Errorf("width %d: header %q lacks %s", width, head, col)
				}
			}
			if slices.Contains(strings.Fields(head), "MIN") {
				t.Errorf("width %d: rounds show best and average, not MIN/MED: %q", width, head)
			}
			if row := rowOf(out, "3"); !strings.Contains(row, "50%") || !strings.Contains(row, "30.0") {
				t.Errorf("width %d: hop 3 row %q lacks its loss 50%% and average 30.0", width, row)
			}
		}
		// Colour on a terminal: rate limiting yellow, loss on the path red.
		var buf bytes.Buffer
		if err := (TextRenderer{Color: true, Width: 100}).Render(&buf, r); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"\x1b[33m  50%\x1b[0m", "\x1b[31m  20%\x1b[0m"} {
			if !strings.Contains(buf.String(), want) {
				t.Errorf("coloured text lacks %q", want)
			}
		}
	})
	t.Run("markdown", func(t *testing.T) {
		var buf bytes.Buffer
		if err := Markdown(&buf, r); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, want := range []string{"| Loss % | Sent | Last ms | Avg ms | Best ms | Worst ms | StDev ms | Jitter ms |", "| **20%** | 60 |", "| 50% | 60 |"} {
			if !strings.Contains(out, want) {
				t.Errorf("Markdown lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("csv", func(t *testing.T) {
		rows := readCSV(t, r, PathCSVHeader)
		col := func(name string) int { return slices.Index(PathCSVHeader, name) }
		if len(rows) != len(hops) {
			t.Fatalf("%d rows for %d hops", len(rows), len(hops))
		}
		for i, h := range hops {
			row, s := rows[i], h.Stats
			for name, want := range map[string]string{"loss_label": s.LossLabel, "loss_verdict": h.LossVerdict, "stats_sent": "60",
				"stats_received": fmt.Sprint(s.Received), "avg_ms": csvFloat(*s.AvgMs, 3), "best_ms": csvFloat(*s.BestMs, 3),
				"worst_ms": csvFloat(*s.WorstMs, 3), "stddev_ms": csvFloat(*s.StdDevMs, 3), "jitter_ms": csvFloat(*s.JitterMs, 3),
				"loss_pct": csvFloat(*s.LossPct, 1)} {
				if row[col(name)] != want {
					t.Errorf("hop %d %s: CSV %q, JSON %q", h.TTL, name, row[col(name)], want)
				}
			}
		}
	})
	t.Run("html chart", func(t *testing.T) {
		var buf bytes.Buffer
		if err := HTML(&buf, r); err != nil {
			t.Fatal(err)
		}
		doc, err := html.Parse(&buf)
		if err != nil {
			t.Fatal(err)
		}
		bars := htmltest.FindAll(doc, "g", "loss-bar")
		if len(bars) != len(hops) {
			t.Fatalf("%d loss bars for %d hops", len(bars), len(hops))
		}
		for i, b := range bars {
			if got, want := htmltest.Attr(b, "data-loss"), hops[i].Stats.LossLabel; got != want {
				t.Errorf("hop %d loss bar says %q, the report %q", hops[i].TTL, got, want)
			}
		}
		if rl := htmltest.FindAll(doc, "g", "loss-rate-limit"); len(rl) != 1 || htmltest.Attr(rl[0], "data-ttl") != "3" {
			t.Errorf("hop 3's loss is not drawn as rate limiting")
		}
		if pl := htmltest.FindAll(doc, "g", "loss-path"); len(pl) != 1 || htmltest.Attr(pl[0], "data-ttl") != "5" {
			t.Errorf("hop 5's loss is not drawn as loss on the path")
		}
		if n := len(htmltest.FindAll(doc, "rect", "range")); n != len(hops) {
			t.Errorf("%d best–worst ranges, want one per hop", n)
		}
		if n := len(htmltest.FindAll(doc, "circle", "sample")); n != 10*len(hops) {
			t.Errorf("%d samples drawn, want the window's %d", n, 10*len(hops))
		}
		var title string
		for _, g := range htmltest.FindAll(doc, "g", "bar") {
			if htmltest.Attr(g, "data-ttl") == "5" {
				title = htmltest.Text(g)
			}
		}
		if !strings.Contains(title, "best 48.0 ms, average 50.0 ms, worst 59.0 ms") || !strings.Contains(title, "jitter 1.3 ms") {
			t.Errorf("hop 5's bar says %q", title)
		}
	})
	t.Run("json round trip keeps the figures", func(t *testing.T) {
		var buf bytes.Buffer
		if err := JSON(&buf, r); err != nil {
			t.Fatal(err)
		}
		var back report.Report
		if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
			t.Fatal(err)
		}
		if got := back.Path.Hops[4].Stats.LossLabel; got != "20%" {
			t.Errorf("JSON hop 5 loss %q", got)
		}
	})
}

// headerLine is the hop table's header: the line starting with HOP.
func headerLine(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "HOP ") {
			return l
		}
	}
	return ""
}

// rowOf is the hop table's row of a TTL.
func rowOf(out, ttl string) string {
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == ttl && strings.Contains(l, "198.51.100.") {
			return l
		}
	}
	return ""
}

// TestMtrTableHeaderFits checks the hop table of imported mtr reports at 80 and 100 columns: the header
// stays on one line (a column that cannot fit is dropped, not wrapped under it) and a rounds column that
// no row fills is left out.
func TestMtrTableHeaderFits(t *testing.T) {
	for _, name := range []string{"mtr-json-v0.93-format-us-east4-to-ya.ru_mgumz-mtr-exporter.txt",
		"mtr-report-legacy-format-comcast-nj-to-google_linode-docs.txt"} {
		r := corpusReport(t, name)
		for _, width := range []int{80, 100} {
			var buf bytes.Buffer
			if err := (TextRenderer{Width: width}).Render(&buf, r); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(buf.String(), "\n")
			i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "HOP ") })
			if i < 0 || i+1 >= len(lines) {
				t.Fatalf("%s at %d: no hop table", name, width)
			}
			if f := strings.Fields(lines[i+1]); len(f) == 0 || f[0] != "1" {
				t.Errorf("%s at %d: the header wraps: %q then %q", name, width, lines[i], lines[i+1])
			}
			for _, col := range []string{"LOSS%", "AVG"} {
				if !slices.Contains(strings.Fields(lines[i]), col) {
					t.Errorf("%s at %d: header %q lacks %s", name, width, lines[i], col)
				}
			}
			if strings.Contains(name, "legacy") && slices.Contains(strings.Fields(lines[i]), "JTTR") {
				t.Errorf("%s: mtr's legacy report has no jitter, yet the table has a JTTR column", name)
			}
		}
	}
}
