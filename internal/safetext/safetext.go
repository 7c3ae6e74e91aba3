// Package safetext makes untrusted text safe to print in a terminal, Markdown or HTML.
//
// Host names, responder names, paths and error messages come from input files and the network, and
// can carry terminal controls (ESC sequences that recolour, move the cursor or set the window title,
// BEL, C1 controls such as CSI 0x9b), bidirectional overrides that reorder what the reader sees
// (U+202E), or bytes that are not UTF-8. Line and Text replace each such character by a visible
// escape ("\x1b", "\u202e"), so the text stays readable and cannot act on the reader's terminal.
// Printable text, including every other non-ASCII character, is unchanged.
package safetext

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Line returns s made safe to print as part of one line: every control character (tab and newline
// too), bidirectional control and invalid UTF-8 byte is replaced by its escape. s is returned as is
// when nothing needs replacing.
func Line(s string) string { return clean(s, false) }

// Text is Line for text that may span lines: newlines and tabs are kept.
func Text(s string) string { return clean(s, true) }

// Safe reports whether Line(s) == s. Printable ASCII, most of what reports hold, is checked eight
// bytes at a time.
func Safe(s string) bool {
	for i := asciiPrefix(s); i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if bad(r, n) {
			return false
		}
		i += n
	}
	return true
}

// asciiPrefix returns a length of s's start that is printable ASCII, found eight bytes at a time: a
// multiple of eight, perhaps short of the longest such prefix.
func asciiPrefix(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if !printableASCII8(x) {
			break
		}
	}
	return i
}

// Masks for printableASCII8: every byte 0x01, every byte 0x80, every byte 0x7f.
const (
	lows  = 0x0101010101010101
	highs = 0x8080808080808080
	dels  = 0x7f7f7f7f7f7f7f7f
)

// printableASCII8 reports whether the eight bytes of x are all printable ASCII (0x20 to 0x7e). It may
// report false for printable bytes next to one that is not, never true for one that is not: callers fall
// back to the byte-by-byte check.
func printableASCII8(x uint64) bool {
	nonASCII := x & highs
	below := (x - 0x20*lows) &^ x & highs // a byte below 0x20 (exact when no byte has its high bit set)
	y := x ^ dels
	del := (y - lows) &^ y & highs // a byte equal to 0x7f
	return nonASCII|below|del == 0
}

func clean(s string, multiline bool) string {
	// Find the first character to replace; most text has none and is returned without copying.
	i := asciiPrefix(s)
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c < 0x7f || multiline && (c == '\n' || c == '\t') {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if bad(r, n) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c < 0x7f || multiline && (c == '\n' || c == '\t') {
			b.WriteByte(c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1: // a byte that is not UTF-8 (a raw 8-bit C1 control among them)
			b.WriteString(`\x`)
			b.WriteString(hex2(s[i]))
		case r < 0x80 || r >= 0x80 && r < 0xa0:
			b.WriteString(`\x`)
			b.WriteString(hex2(byte(r)))
		case bad(r, n):
			b.WriteString(`\u`)
			b.WriteString(hex4(r))
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// bad reports whether the rune r decoded from n bytes must be escaped: a C0 or C1 control, DEL, a
// bidirectional control, a line or paragraph separator, or an invalid byte.
func bad(r rune, n int) bool {
	switch {
	case r == utf8.RuneError && n <= 1:
		return true
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, // Arabic letter mark, LRM, RLM
		r >= 0x202a && r <= 0x202e, // LRE, RLE, PDF, LRO, RLO
		r >= 0x2066 && r <= 0x2069, // LRI, RLI, FSI, PDI
		r == 0x2028, r == 0x2029:   // line and paragraph separators
		return true
	}
	return false
}

func hex2(b byte) string {
	s := strconv.FormatUint(uint64(b), 16)
	if len(s) < 2 {
		s = "0" + s
	}
	return s
}

func hex4(r rune) string {
	s := strconv.FormatUint(uint64(r), 16)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}
