package render

import (
	"io"
)

// jsonIndenter is json.Indent as a writer: the JSON written to it in pieces of any size (compact, as
// encoding/json writes it, or with spaces) reaches w indented, byte for byte as json.Indent(dst, src,
// prefix, indent) would write it for the whole of src, without holding more than one piece. It checks
// nothing: the input must be valid JSON (what encoding/json writes), and what invalid input becomes is
// unspecified.
type jsonIndenter struct {
	w              io.Writer
	prefix, indent string

	buf []byte // output waiting to be written, flushed when it passes jsonIndentFlush
	// inString and escaped follow the string being copied; needIndent delays the line break after an
	// opening bracket so that an empty object or array stays "{}" or "[]".
	inString, escaped, needIndent bool
	// depth is the indentation level; nest counts the brackets open, so that the spaces after the
	// top-level value are kept as json.Indent keeps them and those before it dropped.
	depth, nest int
	// nl is a newline, the prefix and the indent repeated at least depth times.
	nl []byte
	// started is set once the top-level value has begun.
	started bool
	err     error
}

// jsonIndentFlush is the output buffered before a write to w.
const jsonIndentFlush = 32 << 10

// Write indents p onto the output; it fails only when w does.
func (j *jsonIndenter) Write(p []byte) (int, error) {
	if j.err != nil {
		return 0, j.err
	}
	b := j.buf
	for i := 0; i < len(p); i++ {
		if len(b) >= jsonIndentFlush {
			j.buf = b
			if j.flush() != nil {
				return i, j.err
			}
			b = j.buf
		}
		c := p[i]
		if j.inString {
			// Copy the run of plain string bytes at once.
			k := i
			for k < len(p) && p[k] != '"' && p[k] != '\\' && !j.escaped {
				k++
			}
			b = append(b, p[i:k]...)
			if k == len(p) {
				break
			}
			i = k
			c = p[i]
			b = append(b, c)
			switch {
			case j.escaped:
				j.escaped = false
			case c == '\\':
				j.escaped = true
			case c == '"':
				j.inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			if j.nest == 0 && j.started {
				b = append(b, c)
			}
			continue
		}
		j.started = true
		if j.needIndent && c != '}' && c != ']' {
			j.needIndent = false
			j.depth++
			b = j.newline(b)
		}
		switch c {
		case '"':
			j.inString = true
			b = append(b, c)
		case '{', '[':
			j.needIndent = true
			j.nest++
			b = append(b, c)
		case ',':
			b = append(b, c)
			b = j.newline(b)
		case ':':
			b = append(b, c, ' ')
		case '}', ']':
			j.nest--
			if j.needIndent {
				j.needIndent = false // an empty object or array
			} else {
				j.depth--
				b = j.newline(b)
			}
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	j.buf = b
	if len(j.buf) >= jsonIndentFlush {
		j.flush()
	}
	return len(p), j.err
}

func (j *jsonIndenter) newline(b []byte) []byte {
	n := 1 + len(j.prefix) + max(j.depth, 0)*len(j.indent)
	if len(j.nl) < n {
		j.nl = append(append(j.nl[:0], '\n'), j.prefix...)
		for len(j.nl) < n {
			j.nl = append(j.nl, j.indent...)
		}
	}
	return append(b, j.nl[:n]...)
}

// flush writes what is buffered to w.
func (j *jsonIndenter) flush() error {
	if j.err == nil && len(j.buf) > 0 {
		_, j.err = j.w.Write(j.buf)
	}
	j.buf = j.buf[:0]
	return j.err
}
