package explain

import (
	"fmt"
	"strings"
	"testing"

	"hopscope/internal/explain/explaintest"
	"hopscope/internal/path"
)

func TestMarkers(t *testing.T) {
	unreach := func(code string) func(*path.Probe) {
		return func(p *path.Probe) { p.Status, p.Unreachable = path.StatusUnreachable, code }
	}
	tests := []struct {
		name        string
		target      string
		hops        []string
		edit        map[int]func(*path.Probe) // applied to every probe of the hop with that TTL
		want        string                    // "ttl:kind[:code][!ends][@dest]" joined by spaces
		wantReached bool
		wantSummary string
		wantSpikes  int
	}{
		{
			name:   "a gateway's !N ends the path and the slower hops before it are not slow ICMP",
			target: "203.0.113.9",
			hops:   []string{"192.0.2.1/50 192.0.2.1/51", "192.0.2.2/52 192.0.2.2/53", "192.0.2.9/1 192.0.2.9/1"},
			edit:   map[int]func(*path.Probe){3: unreach("N")},
			want:   "3:unreachable:N!ends", wantSummary: "The path ends at hop 3: network unreachable from 192.0.2.9 (!N)",
		},
		{
			name:   "host unreachable after silence",
			target: "203.0.113.9",
			hops:   []string{"192.0.2.1/1", "192.0.2.2/13", "192.0.2.3/13 * 192.0.2.3/14"},
			edit:   map[int]func(*path.Probe){3: unreach("H")},
			want:   "3:unreachable:H!ends", wantSummary: "host unreachable",
		},
		{
			name:   "the destination refusing is an answer, not the end of the path",
			target: "203.0.113.9",
			hops:   []string{"192.0.2.1/1", "203.0.113.9/9"},
			edit:   map[int]func(*path.Probe){2: unreach("X")},
			want:   "2:unreachable:X@dest", wantReached: true, wantSummary: "it answered at hop 2",
		},
		{
			name:   "an unreachable on a hop that later hops pass is not the end",
			target: "203.0.113.9",
			hops:   []string{"192.0.2.1/1", "192.0.2.2/5", "203.0.113.9/9"},
			edit:   map[int]func(*path.Probe){2: unreach("13")},
			want:   "2:unreachable:13", wantReached: true,
		},
		{
			name:   "BSD's ! (reply TTL 1), late, duplicate and a quoted TTL above 1",
			target: "203.0.113.9",
			hops:   []string{"192.0.2.1/1", "192.0.2.2/5", "192.0.2.3/6", "192.0.2.4/7", "203.0.113.9/9"},
			edit: map[int]func(*path.Probe){
				1: func(p *path.Probe) { p.ReplyTTL = 1 },
				2: func(p *path.Probe) { p.Late = true },
				3: func(p *path.Probe) { p.Dup = true },
				4: func(p *path.Probe) { p.QuotedTTL = 2 },
			},
			want: "1:reply-ttl 2:late 3:dup 4:quoted-ttl:2", wantReached: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := explaintest.Trace(tc.target, tc.hops...)
			for ttl, f := range tc.edit {
				h := tr.Hop(ttl)
				for i := range h.Probes {
					if h.Probes[i].Status != path.StatusTimeout {
						f(&h.Probes[i])
					}
				}
			}
			f := Explain(tr, nil, Options{})
			var got []string
			for _, m := range f.Markers {
				s := fmt.Sprintf("%d:%s", m.TTL, m.Kind)
				if m.Code != "" {
					s += ":" + m.Code
				}
				if m.Ends {
					s += "!ends"
				}
				if m.Destination {
					s += "@dest"
				}
				got = append(got, s)
				if m.Meaning == "" {
					t.Errorf("marker %s has no meaning", s)
				}
				if !strings.Contains(strings.Join(f.Hops[m.TTL-1].Marks, " "), m.Kind) {
					t.Errorf("hop %d marks %v lack %s", m.TTL, f.Hops[m.TTL-1].Marks, m.Kind)
				}
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("markers = %q, want %q", g, tc.want)
			}
			if f.Destination.Reached != tc.wantReached {
				t.Errorf("reached = %v, want %v", f.Destination.Reached, tc.wantReached)
			}
			if !strings.Contains(f.Summary, tc.wantSummary) {
				t.Errorf("summary lacks %q: %s", tc.wantSummary, f.Summary)
			}
			if len(f.Spikes) != tc.wantSpikes {
				t.Errorf("spikes = %+v, want %d", f.Spikes, tc.wantSpikes)
			}
		})
	}
}
