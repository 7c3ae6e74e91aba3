package safetext

import (
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	tests := []struct{ name, in, line, text string }{
		{"plain", "cdn.example.net", "cdn.example.net", "cdn.example.net"},
		{"non-ASCII kept", "café.example, Zürich 東京", "café.example, Zürich 東京", "café.example, Zürich 東京"},
		{"ESC colour", "a\x1b[31mred", `a\x1b[31mred`, `a\x1b[31mred`},
		{"title set with BEL", "\x1b]0;pwned\a", `\x1b]0;pwned\x07`, `\x1b]0;pwned\x07`},
		{"C1 CSI as UTF-8", "a\u009b2Jb", `a\x9b2Jb`, `a\x9b2Jb`},
		{"raw 8-bit CSI", "a\x9b2Jb", `a\x9b2Jb`, `a\x9b2Jb`},
		{"DEL and NUL", "a\x7f\x00", `a\x7f\x00`, `a\x7f\x00`},
		{"bidi override", "moc.\u202eevil", `moc.\u202eevil`, `moc.\u202eevil`},
		{"isolates and marks", "\u2066x\u2069\u200f", `\u2066x\u2069\u200f`, `\u2066x\u2069\u200f`},
		{"newline, tab, CR", "a\nb\tc\rd", `a\x0ab\x09c\x0dd`, "a\nb\tc\\x0dd"},
		{"line separator", "a\u2028b", `a\u2028b`, `a\u2028b`},
		{"truncated UTF-8", "ab\xe2\x80", `ab\xe2\x80`, `ab\xe2\x80`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Line(tc.in); got != tc.line {
				t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.line)
			}
			if got := Text(tc.in); got != tc.text {
				t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.text)
			}
			if got := Safe(tc.in); got != (tc.in == tc.line) {
				t.Errorf("Safe(%q) = %v", tc.in, got)
			}
		})
	}
}

// FuzzLine checks that no control, bidi control or invalid byte survives, that safe text is unchanged,
// and that cleaning is idempotent.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"a\x1b[31m", "\u202e", "\x9b", "ok", "a\nb\t", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, multiline := range []bool{false, true} {
			got := clean(s, multiline)
			if !utf8.ValidString(got) {
				t.Fatalf("%q → %q: not UTF-8", s, got)
			}
			for _, r := range got {
				if bad(r, utf8.RuneLen(r)) && !(multiline && (r == '\n' || r == '\t')) {
					t.Fatalf("%q → %q keeps %U", s, got, r)
				}
			}
			if clean(got, multiline) != got {
				t.Fatalf("%q → %q is not stable", s, got)
			}
			if Safe(s) && got != s {
				t.Fatalf("safe %q changed to %q", s, got)
			}
		}
	})
}
