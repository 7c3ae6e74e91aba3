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

// Safe reports whether Line(s) == s.
func Safe(s string) bool {
	for i := 0; i < len(s); {
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

func clean(s string, multiline bool) string {
	// Find the first character to replace; most text has none and is returned without copying.
	i := 0
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
