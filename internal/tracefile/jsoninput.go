package tracefile

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// jsonInput is JSON text (one value, a sequence of values or JSON lines), possibly preceded by
// shell prompt lines, with helpers that turn byte offsets into line and column numbers.
type jsonInput struct {
	format string
	data   []byte
	// prompt is the last shell prompt line before the JSON, if any.
	prompt string
}

// lineCol converts a byte offset into a 1-based line and column.
func (in *jsonInput) lineCol(off int) (int, int) {
	off = min(max(off, 0), len(in.data))
	line := 1 + bytes.Count(in.data[:off], []byte{'\n'})
	col := off + 1
	if i := bytes.LastIndexByte(in.data[:off], '\n'); i >= 0 {
		col = off - i
	}
	return line, col
}

// errAt builds a ParseError located at off.
func (in *jsonInput) errAt(off int, expected, got string) *ParseError {
	line, col := in.lineCol(off)
	return &ParseError{Format: in.format, Line: line, Col: col, Expected: expected, Got: shorten(got)}
}

// errIn locates needle inside the value raw (which starts at off) and builds a ParseError there.
func (in *jsonInput) errIn(raw []byte, off int, needle, expected, got string) *ParseError {
	if needle != "" {
		if i := bytes.Index(raw, []byte(needle)); i >= 0 {
			off += i
		}
	}
	return in.errAt(off, expected, got)
}

// decodeErr converts an encoding/json error at value offset off into a ParseError.
func (in *jsonInput) decodeErr(err error, off int, expected string) *ParseError {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		pe := in.errAt(off+int(se.Offset)-1, expected, "")
		pe.Got = shorten(string(in.data[min(off+max(int(se.Offset)-1, 0), len(in.data)):min(off+int(se.Offset)+20, len(in.data))]))
		pe.Expected = "valid JSON (" + se.Error() + ")"
		return pe
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "value"
		}
		pe := in.errAt(off+int(te.Offset)-1, "a "+te.Type.String()+" for "+strconv.Quote(field), te.Value)
		pe.Got = "a JSON " + te.Value
		return pe
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, _ := in.lineCol(len(in.data))
		return &ParseError{Format: in.format, Line: line, Expected: "the rest of the JSON " + expected}
	}
	return in.errAt(off, expected, err.Error())
}

// start returns the offset where JSON begins, skipping blank and shell prompt lines.
func (in *jsonInput) start() (int, error) {
	off := 0
	if bytes.HasPrefix(in.data, []byte("\uFEFF")) {
		off = 3
	}
	for off < len(in.data) {
		end := bytes.IndexByte(in.data[off:], '\n')
		if end < 0 {
			end = len(in.data)
		} else {
			end += off
		}
		ln := string(in.data[off:end])
		t := strings.TrimSpace(ln)
		switch {
		case t == "":
		case isPromptLine(ln): // before the JSON test: "[root@host ~]# mtr -j ..." starts with '['
			in.prompt = t
		case t[0] == '{' || t[0] == '[':
			return off, nil
		default:
			return 0, in.errAt(off+firstNonSpace(ln), "JSON", t)
		}
		off = end + 1
	}
	line, _ := in.lineCol(len(in.data))
	return 0, &ParseError{Format: in.format, Line: line, Expected: "JSON"}
}

// values calls fn for each top-level JSON value with its byte offset; trailing prompt lines are ignored.
func (in *jsonInput) values(fn func(raw json.RawMessage, off int) error) error {
	base, err := in.start()
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(in.data[base:]))
	for {
		before := int(dec.InputOffset())
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			rest := in.data[base+before:]
			if onlyPrompts(rest) {
				return nil
			}
			return in.decodeErr(err, base+before, "value")
		}
		off := base + before
		off += len(in.data[off:]) - len(bytes.TrimLeft(in.data[off:], " \t\r\n"))
		if err := fn(raw, off); err != nil {
			return err
		}
	}
}

// onlyPrompts reports whether b holds only blank lines and shell prompt lines.
func onlyPrompts(b []byte) bool {
	for _, ln := range strings.Split(string(b), "\n") {
		if !isBlank(ln) && !isPromptLine(ln) {
			return false
		}
	}
	return true
}

var stringType = reflect.TypeOf("")

// flex is a JSON scalar that may be a string or a number (mtr 0.93 and older quote numbers).
type flex string

// UnmarshalJSON accepts a string, a number, true/false or null.
func (f *flex) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flex(s)
		return nil
	}
	if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		return &json.UnmarshalTypeError{Value: "object or array", Type: stringType}
	}
	if string(b) == "null" {
		*f = ""
		return nil
	}
	*f = flex(b)
	return nil
}

// float returns the value as a number.
func (f flex) float() (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(string(f)), 64)
	return v, err == nil && v == v
}

// int returns the value as a non-negative integer (a decimal value is truncated).
func (f flex) int() (int, bool) {
	v, ok := f.float()
	if !ok || v < 0 || v > 1<<31 {
		return 0, false
	}
	return int(v), true
}
