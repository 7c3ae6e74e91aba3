package explain

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"hopscope/internal/path"
	"hopscope/internal/tracefile"
)

// corpusTraces parses every saved trace of the tracefile corpus, its pastes and lab captures, and the
// shared corpus beside the repository when it is there, keyed by file name.
func corpusTraces(t *testing.T) map[string][]*path.Trace {
	t.Helper()
	out := map[string][]*path.Trace{}
	for _, g := range []string{"../tracefile/testdata/corpus/*.txt", "../tracefile/testdata/pastes/*.txt",
		"../tracefile/testdata/lab/*.txt", "../../../shared/corpus/traceroute/*.txt"} {
		files, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			trs, err := tracefile.Parse(data, "")
			if err != nil {
				continue // not a trace (a README); the importers' own tests cover what fails
			}
			out[filepath.Base(f)] = append(out[filepath.Base(f)], trs...)
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d corpus files parsed", len(out))
	}
	return out
}

// TestCorpusLoss: the imported measurements with loss get it explained as the data allows.
func TestCorpusLoss(t *testing.T) {
	traces := corpusTraces(t)
	tests := []struct {
		file         string
		loss, jitter string
	}{
		// mtr -c 2: hops 16 and 17 (the destination) each lost 1 of 2. The loss persists to the
		// destination, but two probes pin it anywhere from 9% to 91%: weak, never "real loss".
		{"mtr-report-modern-format-tail_mtr-FORMATS.txt", "16:path~ 17:destination~", ""},
		// mtr -m 3 stops at hop 3, which lost 2 of 10: enough probes, but no later hop tells whether
		// the path or the router's replies lose them, and hop 3 is not ya.ru.
		{"mtr-json-v0.93-format-us-east4-to-ya.ru_mgumz-mtr-exporter.txt", "3:last-hop", ""},
		// No loss; hop 10 (72.14.238.232) has StDev 11.1 ms and Wrst 43.3 while hops 11 and 12 vary by
		// 1.6 and 1.7 ms: that router's ICMP generation, not the path. Hop 3's 3.0 ms is under the
		// thresholds.
		{"mtr-report-legacy-format-comcast-nj-to-google_linode-docs.txt", "", "10:router"},
		// mtr's screen: hop 4 lost 1 of 10, hop 5 none: one probe is an event, so a weak sign of rate
		// limiting, nothing more.
		{"mtr-curses.txt", "4:rate-limit~", ""},
		// WinMTR: the last hop lost 1 of 20 and nothing comes after it.
		{"winmtr.txt", "4:last-hop~", ""},
		// RIPE Atlas with 10 packets per hop: the home router (hop 1) answered 7 and hop 5 answered 8,
		// while the hops after each lost nothing of 10: ICMPv6 rate limiting (RFC 4443 §2.4 asks for it),
		// not loss. Hop 1's 3 of 10 against nothing lost at the 50 probes of the clean hops after it is
		// clear; hop 5's 2 of 10 against 0 of 20 is within chance at 95 %, so weak. The last hop's 1 of
		// 10 is weak.
		{"ripe-atlas-traceroute-v6-icmp-fw4610.txt", "1:rate-limit 5:rate-limit~ 8:last-hop~", ""},
		// A single pass of 3 probes per hop: hops 8, 9 and 11 lost some while hops 13 and 14 lost none.
		{"macos-traceroute-orange-paris-to-tata-singapore_mincong-h.txt", "8:rate-limit~ 9:rate-limit~ 11:rate-limit~", ""},
		// mtr --raw, one round: the gateway answered 1 of 3.
		{"mtr-raw-ipv4-virginmedia-to-google_globalping-probe.txt", "1:rate-limit~", ""},
		{"mtr-report.txt", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			trs := traces[tc.file]
			if len(trs) == 0 {
				t.Fatalf("%s not in the corpus", tc.file)
			}
			f := Explain(trs[0], nil, Options{})
			if got := lossVerdicts(f.Loss); got != tc.loss {
				t.Errorf("loss = %q, want %q", got, tc.loss)
			}
			if got := jitterVerdicts(f.Jitter); got != tc.jitter {
				t.Errorf("jitter = %q, want %q", got, tc.jitter)
			}
		})
	}
}

// TestCorpusLossConsistent: over every trace of the corpus, each hop gets at most one loss verdict and
// one jitter verdict, the marks agree with them, real loss is never weak evidence in the summary, and a
// rate-limited hop is never inside the stretch it is said to spare.
func TestCorpusLossConsistent(t *testing.T) {
	for name, trs := range corpusTraces(t) {
		for _, tr := range trs {
			f := Explain(tr, nil, Options{})
			seen := map[int]string{}
			for _, l := range f.Loss {
				if prev, ok := seen[l.TTL]; ok {
					t.Errorf("%s: hop %d has loss verdicts %s and %s", name, l.TTL, prev, l.Kind)
				}
				seen[l.TTL] = l.Kind
				if l.Kind == LossRateLimit && l.LevelTTL <= l.TTL {
					t.Errorf("%s: hop %d rate-limits against hop %d, not a later one", name, l.TTL, l.LevelTTL)
				}
				if l.Sent < lossMinSent && !l.Weak {
					t.Errorf("%s: hop %d: %d probes give a verdict that is not weak", name, l.TTL, l.Sent)
				}
			}
			jit := map[int]bool{}
			for _, j := range f.Jitter {
				if jit[j.TTL] {
					t.Errorf("%s: hop %d has two jitter verdicts", name, j.TTL)
				}
				jit[j.TTL] = true
			}
			for _, h := range f.Hops {
				real := slices.Contains(h.Marks, "loss") || slices.Contains(h.Marks, "dest-loss")
				if real && slices.Contains(h.Marks, "rate-limit") {
					t.Errorf("%s: hop %d is marked both real loss and rate limiting: %v", name, h.TTL, h.Marks)
				}
				if slices.Contains(h.Marks, "queueing") && slices.Contains(h.Marks, "jittery") {
					t.Errorf("%s: hop %d is marked both queueing and a jittery router", name, h.TTL)
				}
			}
		}
	}
}
