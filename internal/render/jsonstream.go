package render

import (
	"encoding"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"unicode"
)

// writeJSON writes v as json.NewEncoder(w) with SetIndent("", "  ") writes it, byte for byte, without
// holding the document: the structs, pointers and slices on the way to anything large (a hop of
// 200,000 responders) are walked here, and each part small enough (jsonLeafSize) is encoded whole by
// encoding/json, then indented on its way out (jsonIndenter). Memory stays within a part and a buffer,
// however large the report.
//
// Only structs encoding/json lays out plainly are walked: no embedded fields, no ",string" option, no
// two fields of one name, no MarshalJSON or MarshalText; anything else is one part, as are maps,
// arrays and interfaces.
func writeJSON(w io.Writer, v any) error { return writeJSONParts(w, v, jsonLeafSize) }

// writeJSONParts is writeJSON with parts of at most size elements; a negative size walks all it can.
func writeJSONParts(w io.Writer, v any, size int) error {
	j := &jsonIndenter{w: w, indent: "  ", buf: make([]byte, 0, 2*jsonIndentFlush)}
	s := &jsonStream{out: j, plans: map[reflect.Type]*jsonPlan{}, size: size}
	s.enc = json.NewEncoder(jsonPart{j})
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		if err := s.enc.Encode(v); err != nil {
			return err
		}
	} else if err := s.value(rv, s.plan(rv.Type()), 0); err != nil {
		return err
	}
	s.write("\n")
	return j.flush()
}

// jsonLeafSize is how many slice, array and map elements a part may hold, nested ones included.
const jsonLeafSize = 1024

// jsonMaxDepth is how deep the walk goes; what is deeper is one part, so that encoding/json reports a
// cycle as it would have.
const jsonMaxDepth = 100

// jsonPart passes what json.Encoder writes for a part to the indenter, less the newline Encode ends
// every value with.
type jsonPart struct{ j *jsonIndenter }

func (p jsonPart) Write(b []byte) (int, error) {
	n := len(b)
	if n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	_, err := p.j.Write(b)
	return n, err
}

type jsonStream struct {
	out   *jsonIndenter
	enc   *json.Encoder
	plans map[reflect.Type]*jsonPlan
	// size is the most elements a part holds (jsonLeafSize).
	size int
}

// jsonPlan is what writeJSON knows of a type.
type jsonPlan struct {
	// part marks a type encoded whole, never walked.
	part bool
	// fields are a walked struct's fields as encoding/json writes them, in order.
	fields []jsonField
	// elem is the plan of a pointer's or slice's element.
	elem *jsonPlan
	// nested marks a type whose values can hold slices, arrays or maps: only those are weighed.
	nested bool
}

// jsonField is one field of a walked struct.
type jsonField struct {
	index int
	// key is the field's name as encoding/json writes it, quoted and escaped, with its colon.
	key       string
	omitEmpty bool
	omitZero  bool
	// isZero is the field type's IsZero method for omitzero; nil means reflect's zero value.
	isZero func(reflect.Value) bool
	plan   *jsonPlan
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	isZeroerType      = reflect.TypeFor[interface{ IsZero() bool }]()
)

// plan returns t's plan, working it out on first use. A type met again while its own plan is being
// worked out is taken as nested and walked, which only costs a look.
func (s *jsonStream) plan(t reflect.Type) *jsonPlan {
	if p, ok := s.plans[t]; ok {
		return p
	}
	p := &jsonPlan{nested: true}
	s.plans[t] = p
	marshals := t.Implements(jsonMarshalerType) || t.Implements(textMarshalerType) ||
		reflect.PointerTo(t).Implements(jsonMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType)
	switch t.Kind() {
	case reflect.Pointer:
		p.elem = s.plan(t.Elem())
		p.part = marshals || p.elem.part
		p.nested = p.elem.nested
	case reflect.Slice:
		p.elem = s.plan(t.Elem())
		p.part = marshals || t.Elem().Kind() == reflect.Uint8 // []byte is base64
	case reflect.Struct:
		p.part = marshals
		nested := false // p.nested stays true while the fields are planned, for a recursive type
		names := map[string]bool{}
		for i := range t.NumField() {
			sf := t.Field(i)
			if sf.Anonymous {
				p.part = true // embedded fields are promoted by rules not repeated here
				continue
			}
			tag := sf.Tag.Get("json")
			if !sf.IsExported() || tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if !validJSONTag(name) {
				name = sf.Name
			}
			f := jsonField{index: i, plan: s.plan(sf.Type)}
			for o := range strings.SplitSeq(opts, ",") {
				switch o {
				case "omitempty":
					f.omitEmpty = true
				case "omitzero":
					f.omitZero = true
				case "string":
					p.part = true // quoted numbers and booleans: left to encoding/json
				}
			}
			if f.omitZero {
				f.isZero = zeroFunc(sf.Type)
			}
			key, _ := json.Marshal(name)
			f.key = string(key) + ":"
			if names[name] {
				p.part = true // encoding/json drops or picks between fields of one name
			}
			names[name] = true
			p.fields = append(p.fields, f)
			nested = nested || f.plan.nested
		}
		p.nested = nested
	case reflect.Array, reflect.Map:
		p.part = true
	case reflect.Interface:
		p.part = true
	default:
		p.part = true
		p.nested = false
	}
	return p
}

// validJSONTag is encoding/json's test of a tag name; a field with an invalid one keeps its Go name.
func validJSONTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// zeroFunc is how encoding/json decides omitzero for a field of type t: its IsZero method when it has
// one, reflect's zero value otherwise (nil).
func zeroFunc(t reflect.Type) func(reflect.Value) bool {
	type zeroer = interface{ IsZero() bool }
	switch {
	case t.Kind() == reflect.Interface && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			return v.IsNil() || (v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil()) || v.Interface().(zeroer).IsZero()
		}
	case t.Kind() == reflect.Pointer && t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.IsNil() || v.Interface().(zeroer).IsZero() }
	case t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.Interface().(zeroer).IsZero() }
	case reflect.PointerTo(t).Implements(isZeroerType):
		return func(v reflect.Value) bool {
			if !v.CanAddr() {
				v2 := reflect.New(v.Type()).Elem()
				v2.Set(v)
				v = v2
			}
			return v.Addr().Interface().(zeroer).IsZero()
		}
	}
	return nil
}

// omitted reports whether encoding/json leaves field f with value v out.
func (f *jsonField) omitted(v reflect.Value) bool {
	if f.omitEmpty && emptyJSONValue(v) {
		return true
	}
	if f.omitZero {
		if f.isZero != nil {
			return f.isZero(v)
		}
		return v.IsZero()
	}
	return false
}

// emptyJSONValue is encoding/json's test for omitempty.
func emptyJSONValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

func (s *jsonStream) write(text string) {
	s.out.Write([]byte(text)) // the error stays in s.out and ends the walk at the next part
}

// value writes v, depth levels down: whole when its type is a part, it is small or it is deep, else
// walked.
func (s *jsonStream) value(v reflect.Value, p *jsonPlan, depth int) error {
	if p.part || depth >= jsonMaxDepth || s.weigh(v, p, s.size, depth) >= 0 {
		return s.part(v)
	}
	depth++
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			s.write("null")
			return s.out.err
		}
		return s.value(v.Elem(), p.elem, depth)
	case reflect.Slice:
		if v.IsNil() {
			s.write("null")
			return s.out.err
		}
		s.write("[")
		for i := range v.Len() {
			if i > 0 {
				s.write(",")
			}
			if err := s.value(v.Index(i), p.elem, depth); err != nil {
				return err
			}
		}
		s.write("]")
	case reflect.Struct:
		s.write("{")
		first := true
		for k := range p.fields {
			f := &p.fields[k]
			fv := v.Field(f.index)
			if f.omitted(fv) {
				continue
			}
			if !first {
				s.write(",")
			}
			first = false
			s.write(f.key)
			if err := s.value(fv, f.plan, depth); err != nil {
				return err
			}
		}
		s.write("}")
	}
	return s.out.err
}

// part encodes v whole with encoding/json, through its address when it has one so that methods on
// the pointer apply as they do inside the document.
func (s *jsonStream) part(v reflect.Value) error {
	switch {
	case v.Kind() == reflect.Pointer || v.Kind() == reflect.Slice || v.Kind() == reflect.Map || v.Kind() == reflect.Interface:
		return s.enc.Encode(v.Interface())
	case v.CanAddr():
		return s.enc.Encode(v.Addr().Interface())
	}
	return s.enc.Encode(v.Interface())
}

// weigh returns budget less the number of slice, array and map elements in v, depth levels down,
// nested ones included; it stops counting once the result is negative, or at jsonMaxDepth.
func (s *jsonStream) weigh(v reflect.Value, p *jsonPlan, budget, depth int) int {
	if budget < 0 || !p.nested || depth >= jsonMaxDepth {
		return budget
	}
	depth++
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return budget
		}
		e := v.Elem()
		return s.weigh(e, s.plan(e.Type()), budget, depth)
	case reflect.Struct:
		for k := range p.fields {
			f := &p.fields[k]
			if budget = s.weigh(v.Field(f.index), f.plan, budget, depth); budget < 0 {
				return budget
			}
		}
	case reflect.Slice, reflect.Array:
		budget -= v.Len()
		if ep := s.plan(v.Type().Elem()); ep.nested {
			for i := 0; i < v.Len() && budget >= 0; i++ {
				budget = s.weigh(v.Index(i), ep, budget, depth)
			}
		}
	case reflect.Map:
		budget -= v.Len()
		if ep := s.plan(v.Type().Elem()); ep.nested {
			for it := v.MapRange(); it.Next() && budget >= 0; {
				budget = s.weigh(it.Value(), ep, budget, depth)
			}
		}
	}
	return budget
}
