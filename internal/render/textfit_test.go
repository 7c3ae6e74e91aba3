package render

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"hopscope/internal/report"
)

// TestPathTextFitsAndReadsTopDown renders the seed path at several widths: no line is wider, the
// verdict (Summary) comes before the hop table and the table before the evidence (sections).
func TestPathTextFitsAndReadsTopDown(t *testing.T) {
	for _, width := range []int{60, 80, 100, 140} {
		for _, color := range []bool{false, true} {
			var b bytes.Buffer
			if err := (TextRenderer{Width: width, Color: color}).Render(&b, seedReport()); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for i, l := range strings.Split(out, "\n") {
				if n := visibleLen(l); n > width {
					t.Errorf("width %d: line %d is %d wide: %q", width, i+1, n, l)
				}
			}
			sum, table, evidence := strings.Index(out, "Summary"), strings.Index(out, "HOP"), strings.Index(out, "Destination")
			if sum < 0 || table < 0 || evidence < 0 || !(sum < table && table < evidence) {
				t.Errorf("width %d: Summary at %d, table at %d, Destination at %d; want that order", width, sum, table, evidence)
			}
		}
	}
}

func TestFootnoteOnlyForMarksShown(t *testing.T) {
	hop := func(as, place string) report.PathHop {
		return report.PathHop{TTL: 1, Responders: []report.PathResponder{{Addr: "192.0.2.1", AS: as, PlaceLabel: place}}}
	}
	tests := []struct {
		name        string
		hop         report.PathHop
		want, avoid string
	}{
		{"none", hop("AS64500", "Paris, FR"), "", "AS with ?"},
		{"starred", hop("AS64500", "Paris, FR*"), "* location read from the router's hostname", "AS with ?"},
		{"guessed", hop("AS64500?", "FR"), "AS with ? as printed by the trace tool", "location read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := report.New(report.KindPath, seedReport().Generated)
			r.Path = &report.Path{Target: report.PathTarget{Addr: "192.0.2.1"}, Hops: []report.PathHop{tc.hop}}
			var b bytes.Buffer
			if err := (TextRenderer{}).Render(&b, r); err != nil {
				t.Fatal(err)
			}
			if tc.want != "" && !strings.Contains(b.String(), tc.want) || strings.Contains(b.String(), tc.avoid) {
				t.Errorf("want %q, not %q:\n%s", tc.want, tc.avoid, b.String())
			}
		})
	}
}

func TestFitLine(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		width int
		want  []string
	}{
		{"fits", "a b c", 10, []string{"a b c"}},
		{"wraps at a space, indented", "  one two three four", 12, []string{"  one two", "    three", "    four"}},
		{"keeps inner spacing", "A   x.example.  ttl 60  ptr y.example.", 24, []string{"A   x.example.  ttl 60", "  ptr y.example."}},
		{"cuts a word longer than the line", "abcdefghijklmnop", 8, []string{"abcdefgh", "  ijklmn", "  op"}},
		{"colour is not counted", "\x1b[1mbold\x1b[0m text here", 9, []string{"\x1b[1mbold\x1b[0m text", "  here"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := fitLine(tc.in, tc.width)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("fitLine(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
			}
			for _, l := range got {
				if visibleLen(l) > tc.width {
					t.Errorf("%q is wider than %d", l, tc.width)
				}
			}
		})
	}
}

func TestFitTableCutsInTheMiddleAndMovesNotesBelow(t *testing.T) {
	var b bytes.Buffer
	to := &textOut{w: &b, width: 40}
	cols := []column{{head: "HOP", right: true}, {head: "NAME", min: 20, order: 1}, {head: "MS", right: true}, {head: "NOTES", below: 16}}
	to.fitTable(cols, [][]cell{
		{{text: "9"}, {text: "if-ae-39-2.tcore1.pvu-paris.as6453.net"}, {text: "240.0"}, {text: "jump +234 ms, far-end RTT"}},
		{{text: "10"}, {text: "short"}, {text: "1.0"}, {}},
	})
	out := b.String()
	for _, want := range []string{"if-ae-39-2", "as6453.net", "…", "\n       jump +234 ms, far-end RTT\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if utf8.RuneCountInString(l) > 40 {
			t.Errorf("%q wider than 40", l)
		}
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 hosts", 1: "1 host", 2: "2 hosts"} {
		if got := plural(n, "host", "hosts"); got != want {
			t.Errorf("plural(%d) = %q, want %q", n, got, want)
		}
	}
}
