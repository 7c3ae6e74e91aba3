package explain

import (
	"net/netip"
	"strings"
	"testing"

	"hopscope/internal/enrich"
	"hopscope/internal/explain/explaintest"
	"hopscope/internal/tracefile"
)

// TestSilentTarget: an mtr report's final row that names a host but received nothing is the target
// that did not answer (mtr stops at the host it aims at): its name gives the destination's AS, and the
// destination is not called reached.
func TestSilentTarget(t *testing.T) {
	const head = "HOST: box                         Loss%   Snt   Last   Avg  Best  Wrst StDev\n" +
		"  1. 198.51.100.1                  0.0%    10    0.3   0.6   0.3   1.2   0.3\n" +
		"  2. 198.51.100.2                  0.0%    10    7.2   8.3   7.1  16.4   2.9\n"
	for _, tc := range []struct {
		name, last string
		wantASN    uint32
		wantText   string
	}{
		{"a silent final row named by a known operator domain", "  3. gw-in-f147.1e100.net         100.0    10    0.0   0.0   0.0   0.0   0.0\n",
			15169, "names it gw-in-f147.1e100.net, of"},
		{"a silent final row whose name says nothing", "  3. host.example.net             100.0    10    0.0   0.0   0.0   0.0   0.0\n",
			0, "The trace does not give the address of www.google.com; the last responding hop is 2"},
		{"a final row that answered is the reached target, not this rule", "  3. gw-in-f147.1e100.net           0.0%    10    9.0   9.1   9.0   9.3   0.1\n",
			15169, "answered at hop 3"},
		{"a silent row of ??? is no target", "  3. ???                           100.0    10    0.0   0.0   0.0   0.0   0.0\n",
			0, "the last responding hop is 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := tracefile.Parse([]byte("Start: 2026-12-05T03:00:00+0000\n"+head+tc.last), "mtr-report")
			if err != nil {
				t.Fatal(err)
			}
			tr := trs[0]
			tr.Target.Name = "www.google.com"
			f := Explain(tr, nil, Options{})
			if f.Destination.ASN != tc.wantASN {
				t.Errorf("destination AS%d, want AS%d (%s)", f.Destination.ASN, tc.wantASN, f.Summary)
			}
			if tc.wantASN != 0 && !strings.Contains(tc.wantText, "answered") && f.Destination.Reached {
				t.Errorf("a silent target is called reached: %s", f.Summary)
			}
			if !strings.Contains(f.Summary, tc.wantText) {
				t.Errorf("summary lacks %q: %s", tc.wantText, f.Summary)
			}
		})
	}
}

// TestAnycastTargetName: a target whose own name marks an anycast service instance is anycast, its
// registry place not stated, even when the trace gives no target address.
func TestAnycastTargetName(t *testing.T) {
	for _, tc := range []struct {
		name, target, targetName string
		wantAnycast              bool
	}{
		{"a K root instance named as the target, last hop used as the destination", "", "ns1.it-mil.k.ripe.net", true},
		{"a K root instance with its address", "203.0.113.9", "ns1.it-mil.k.ripe.net", true},
		{"an ordinary target name", "203.0.113.9", "www.example.net", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := explaintest.Trace(tc.target, "192.0.2.1/1", "203.0.113.9/18")
			tr.Target.Name = tc.targetName
			tr.Source = "mtr-json"
			in := map[netip.Addr]enrich.Info{netip.MustParseAddr("203.0.113.9"): dbCity("", "IT", 0, 0)}
			f := Explain(tr, in, Options{})
			if d := f.Destination; d.Anycast != tc.wantAnycast || (tc.wantAnycast && (d.Country != "" || !strings.Contains(f.Summary, "anycast"))) {
				t.Errorf("destination anycast=%v country=%q (%s), want anycast=%v: %s", d.Anycast, d.Country, d.PlaceBasis, tc.wantAnycast, f.Summary)
			}
		})
	}
}

// TestNamesOnlyReach: an mtr report of names only reaches a target given by address at its final row
// when that row answered, unless the row's name is a router's between networks (a paste cut short).
func TestNamesOnlyReach(t *testing.T) {
	for _, tc := range []struct {
		name, target, last string
		wantReached        bool
	}{
		{"a names-only final row that answered is the target given by address", "10.0.0.1", "Lion-Router0", true},
		{"a final row named for an AS is a router, not the target", "", "as33891.dusseldorf.megapo", false},
		{"a final row named otherwise is the named target", "", "web1.example.org", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			row := "  1.|-- gw.example.net             0.0%     5    0.9   7.7   0.8  35.0  15.3\n" +
				"  2.|-- " + tc.last + strings.Repeat(" ", max(1, 27-len(tc.last))) + "0.0%     5    6.7   6.6   6.2   7.1   0.3\n"
			trs, err := tracefile.Parse([]byte("Start: 2026-12-05T03:00:00+0000\nHOST: box                         Loss%   Snt   Last   Avg  Best  Wrst StDev\n"+row), "mtr-report")
			if err != nil {
				t.Fatal(err)
			}
			tr := trs[0]
			if tc.target != "" {
				tr.Target.Addr = netip.MustParseAddr(tc.target)
			} else {
				tr.Target.Name = "download.example.org"
			}
			f := Explain(tr, nil, Options{})
			if f.Destination.Reached != tc.wantReached {
				t.Errorf("reached = %v, want %v: %s", f.Destination.Reached, tc.wantReached, f.Summary)
			}
		})
	}
}
