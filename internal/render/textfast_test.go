package render

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestFmtMs(t *testing.T) {
	tests := []struct {
		name string
		in   float64
		want string
	}{
		{"zero", 0, "0.0"},
		{"negative zero", math.Copysign(0, -1), "-0.0"},
		{"tie below in binary", 0.15, "0.1"},
		{"tie above in binary", 0.05, "0.1"},
		{"exact tie to even", 0.25, "0.2"},
		{"exact tie to even up", 0.75, "0.8"},
		{"rounds up to the next unit", 9.96, "10.0"},
		{"last in the table", 999.94, "999.9"},
		{"rounds past the table", 999.96, "1000.0"},
		{"above the table", 12345.67, "12345.7"},
		{"negative", -3.25, "-3.2"},
		{"infinite", math.Inf(1), "+Inf"},
		{"not a number", math.NaN(), "NaN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := fmtMs(tc.in); got != tc.want {
				t.Errorf("fmtMs(%v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzFmtMs checks the table fast path against fmt's %.1f.
func FuzzFmtMs(f *testing.F) {
	for _, v := range []float64{0, 0.05, 0.15, 0.25, 9.95, 999.95, 1000, -1, 1e300, 10.000001} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		for _, x := range []float64{v, math.Mod(v, 1000), math.Round(v*10) / 10, (math.Floor(math.Mod(math.Abs(v), 1000)*10) + 0.5) / 10} {
			if got, want := fmtMs(x), fmt.Sprintf("%.1f", x); got != want {
				t.Fatalf("fmtMs(%v) = %q, want %q", x, got, want)
			}
		}
	})
}

// wrapHangRef is wrapHang as it was before it streamed its lines: the reference FuzzWrapHang compares to.
func wrapHangRef(first, rest, text string, width int) []string {
	var lines []string
	cur, curLen := first, visibleLen(first)
	empty := true
	for _, word := range strings.Fields(text) {
		wl := visibleLen(word)
		if !empty && curLen+1+wl > width {
			lines = append(lines, cur)
			cur, curLen, empty = rest, visibleLen(rest), true
		}
		if room := width - curLen - 1; empty && wl > room+1 && !strings.Contains(word, "\x1b") {
			word = shorten(word, max(room+1, 3))
			wl = visibleLen(word)
		}
		if !empty {
			cur += " "
			curLen++
		}
		cur += word
		curLen += wl
		empty = false
	}
	if !empty || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}

func FuzzWrapHang(f *testing.F) {
	f.Add("  ", "    ", "the quick brown fox jumps over the lazy dog", 20)
	f.Add("", "", "averyveryverylongwordthatdoesnotfit and more", 10)
	f.Add("\x1b[2mnote: \x1b[0m", "  ", "a\u00a0b\u2003c  d\te\nf", 12)
	f.Add("x", "y", "", 5)
	f.Fuzz(func(t *testing.T, first, rest, text string, width int) {
		width = width%200 + 1
		if width < 0 {
			width = -width
		}
		if got, want := wrapHang(first, rest, text, width), wrapHangRef(first, rest, text, width); !slices.Equal(got, want) {
			t.Fatalf("wrapHang(%q, %q, %q, %d) = %q, want %q", first, rest, text, width, got, want)
		}
	})
}
