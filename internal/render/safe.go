package render

import (
	"reflect"

	"hopscope/internal/report"
	"hopscope/internal/safetext"
)

// safeReport returns r with every string in it (names, hosts, addresses as given, paths, warnings,
// error messages, map keys) passed through safetext.Line, for the renderers that write for people:
// text, Markdown and HTML. Whatever a file or the network put in a report, a control character or a
// bidirectional override reaches the reader as a visible escape, never as an action on the terminal.
// It walks the whole report, so a field added later is covered without a change here. Only the parts
// that change are copied: a report without such characters is returned as is, and r is never modified
// (the JSON keeps the raw data).
func safeReport(r *report.Report) *report.Report {
	if r == nil {
		return nil
	}
	s := sanitizer{seen: map[ptrKey]reflect.Value{}}
	v, changed := s.clean(reflect.ValueOf(r))
	if !changed {
		return r
	}
	return v.Interface().(*report.Report)
}

// ptrKey identifies a pointer already walked, so shared sections are cleaned once and stay shared.
type ptrKey struct {
	p uintptr
	t reflect.Type
}

type sanitizer struct {
	// seen maps a walked pointer to its clean replacement (the invalid Value when unchanged).
	seen map[ptrKey]reflect.Value
}

// clean returns v with its strings made safe, and whether anything changed (v itself otherwise).
func (s *sanitizer) clean(v reflect.Value) (reflect.Value, bool) {
	switch v.Kind() {
	case reflect.String:
		if safetext.Safe(v.String()) {
			return v, false
		}
		out := reflect.New(v.Type()).Elem()
		out.SetString(safetext.Line(v.String()))
		return out, true
	case reflect.Pointer:
		if v.IsNil() {
			return v, false
		}
		k := ptrKey{v.Pointer(), v.Type()}
		if done, ok := s.seen[k]; ok {
			return cmpOr(done, v)
		}
		s.seen[k] = reflect.Value{} // a cycle back here sees "unchanged"
		e, changed := s.clean(v.Elem())
		if !changed {
			return v, false
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(e)
		s.seen[k] = out
		return out, true
	case reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		e, changed := s.clean(v.Elem())
		if !changed {
			return v, false
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(e)
		return out, true
	case reflect.Struct:
		var out reflect.Value
		t := v.Type()
		for i := range v.NumField() {
			if !t.Field(i).IsExported() {
				continue // netip.Addr, time.Time: their text comes from their own String methods
			}
			f, changed := s.clean(v.Field(i))
			if !changed {
				continue
			}
			if !out.IsValid() {
				out = reflect.New(t).Elem()
				out.Set(v)
			}
			out.Field(i).Set(f)
		}
		if !out.IsValid() {
			return v, false
		}
		return out, true
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() || !mayHoldStrings(v.Type().Elem()) {
			return v, false
		}
		var out reflect.Value
		for i := range v.Len() {
			e, changed := s.clean(v.Index(i))
			if !changed {
				continue
			}
			if !out.IsValid() {
				if v.Kind() == reflect.Slice {
					out = reflect.MakeSlice(v.Type(), v.Len(), v.Len())
				} else {
					out = reflect.New(v.Type()).Elem()
				}
				reflect.Copy(out, v)
			}
			out.Index(i).Set(e)
		}
		if !out.IsValid() {
			return v, false
		}
		return out, true
	case reflect.Map:
		if v.IsNil() || !mayHoldStrings(v.Type().Key()) && !mayHoldStrings(v.Type().Elem()) {
			return v, false
		}
		any := false
		type kv struct{ k, v reflect.Value }
		var entries []kv
		for it := v.MapRange(); it.Next(); {
			k, kc := s.clean(it.Key())
			e, ec := s.clean(it.Value())
			any = any || kc || ec
			entries = append(entries, kv{k, e})
		}
		if !any {
			return v, false
		}
		out := reflect.MakeMapWithSize(v.Type(), len(entries))
		for _, e := range entries {
			out.SetMapIndex(e.k, e.v)
		}
		return out, true
	}
	return v, false
}

// cmpOr returns the replacement recorded for a pointer, or the pointer itself when it was unchanged.
func cmpOr(done, v reflect.Value) (reflect.Value, bool) {
	if done.IsValid() {
		return done, true
	}
	return v, false
}

// mayHoldStrings reports whether a value of type t can contain a string the walk would visit.
func mayHoldStrings(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Interface, reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return true
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && mayHoldStrings(f.Type) {
				return true
			}
		}
	}
	return false
}
