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

// safeByByte is Safe as it was before the eight-byte fast path: the reference FuzzSafe compares to.
func safeByByte(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if bad(r, n) {
			return false
		}
		i += n
	}
	return true
}

func TestAsciiPrefix(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int
	}{
		{"empty", "", 0},
		{"short", "abc", 0},
		{"eight", "abcdefgh", 8},
		{"tail", "abcdefghij", 8},
		{"ESC in second word", "abcdefgh\x1bbcdefgh", 8},
		{"DEL", "abc\x7fefghabcdefgh", 0},
		{"space and tilde", "        ~~~~~~~~", 16},
		{"non-ASCII", "abcdefgé", 0},
		{"tab", "abcdefg\t", 0},
		{"NUL", "\x00bcdefgh", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := asciiPrefix(tc.in); got != tc.want {
				t.Errorf("asciiPrefix(%q) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzSafe checks Safe against the byte-by-byte reference and the eight-byte check against a plain loop.
func FuzzSafe(f *testing.F) {
	for _, s := range []string{"cdn.example.net", "abcdefgh\x1bbcdefgh", "abc\x7fefgh", "\x1f\x20\x7e\x7f\x80\xff\x00\x01", "abcdefgé", "        ~~~~~~~~\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Safe(s), safeByByte(s); got != want {
			t.Fatalf("Safe(%q) = %v, want %v", s, got, want)
		}
		n := asciiPrefix(s)
		for i := range n {
			if s[i] < 0x20 || s[i] >= 0x7f {
				t.Fatalf("asciiPrefix(%q) = %d covers byte %#x", s, n, s[i])
			}
		}
		for i := 0; i+8 <= len(s); i += 8 {
			all := true
			for _, c := range []byte(s[i : i+8]) {
				all = all && c >= 0x20 && c < 0x7f
			}
			if all && i == n {
				t.Fatalf("asciiPrefix(%q) = %d stops before printable word at %d", s, n, i)
			}
			if !all {
				break
			}
		}
	})
}
