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
//
// The walk costs one look per string: what a type can hold is worked out once per type (typePlan), so
// numbers, times and pointers to string-free values are never visited.
func safeReport(r *report.Report) *report.Report {
	if r == nil {
		return nil
	}
	s := sanitizer{plans: map[reflect.Type]*typePlan{}}
	v, changed := s.walk(reflect.ValueOf(r))
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

// typePlan is what the walk needs to know of a type, worked out once per walk.
type typePlan struct {
	// holds reports whether a value of the type can contain a string the walk visits (through exported
	// fields, elements, map keys and values, pointers and interfaces).
	holds bool
	// fields are a struct's exported fields that can hold strings, by index.
	fields []int
	// fieldPlans are the plans of fields, in the same order.
	fieldPlans []*typePlan
	// elem is the plan of a pointer's, slice's or array's element, or of a map's values; key that of a
	// map's keys.
	elem, key *typePlan
	// cyclic marks a pointer type whose element can lead back to a pointer of the same type: the walk
	// records such pointers while it is inside them, so a cycle ends.
	cyclic bool
}

type sanitizer struct {
	plans map[reflect.Type]*typePlan
	// seen maps a walked pointer to its clean replacement (the invalid Value while it is being walked,
	// or when it turned out unchanged). Only pointers that changed, and pointers of cyclic types, are
	// recorded: the map stays small however many string-free or clean pointers the report has.
	seen map[ptrKey]reflect.Value
}

// plan returns t's plan, working it out on first use. A type met again while its own plan is being
// worked out (a recursive type) counts as holding strings, which only costs a look.
func (s *sanitizer) plan(t reflect.Type) *typePlan {
	if p, ok := s.plans[t]; ok {
		return p
	}
	p := &typePlan{holds: true}
	s.plans[t] = p
	switch t.Kind() {
	case reflect.String, reflect.Interface:
	case reflect.Pointer:
		p.elem = s.plan(t.Elem())
		p.holds = p.elem.holds
		p.cyclic = p.holds && reaches(t.Elem(), t, map[reflect.Type]bool{})
	case reflect.Slice, reflect.Array:
		p.elem = s.plan(t.Elem())
		p.holds = p.elem.holds
	case reflect.Map:
		p.key, p.elem = s.plan(t.Key()), s.plan(t.Elem())
		p.holds = p.key.holds || p.elem.holds
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue // netip.Addr, time.Time: their text comes from their own String methods
			}
			if fp := s.plan(f.Type); fp.holds {
				p.fields = append(p.fields, i)
				p.fieldPlans = append(p.fieldPlans, fp)
			}
		}
		p.holds = len(p.fields) > 0
	default:
		p.holds = false
	}
	return p
}

// reaches reports whether a value of type from can contain a value of type target through exported
// fields, elements, map keys and values, and pointers (an interface can hold anything, so it does).
func reaches(from, target reflect.Type, visited map[reflect.Type]bool) bool {
	if from == target {
		return true
	}
	if visited[from] {
		return false
	}
	visited[from] = true
	switch from.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return reaches(from.Elem(), target, visited)
	case reflect.Map:
		return reaches(from.Key(), target, visited) || reaches(from.Elem(), target, visited)
	case reflect.Struct:
		for i := range from.NumField() {
			if f := from.Field(i); f.IsExported() && reaches(f.Type, target, visited) {
				return true
			}
		}
	}
	return false
}

// walk returns v with its strings made safe, and whether anything changed (v itself otherwise).
func (s *sanitizer) walk(v reflect.Value) (reflect.Value, bool) {
	return s.clean(v, s.plan(v.Type()))
}

// clean is walk with the plan of v's type at hand.
func (s *sanitizer) clean(v reflect.Value, p *typePlan) (reflect.Value, bool) {
	if !p.holds {
		return v, false
	}
	switch v.Kind() {
	case reflect.String:
		if safetext.Safe(v.String()) {
			return v, false
		}
		out := reflect.New(v.Type()).Elem()
		out.SetString(safetext.Line(v.String()))
		return out, true
	case reflect.Pointer:
		return s.cleanPointer(v, p)
	case reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		e, changed := s.walk(v.Elem())
		if !changed {
			return v, false
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(e)
		return out, true
	case reflect.Struct:
		return s.cleanStruct(v, p)
	case reflect.Slice, reflect.Array:
		return s.cleanList(v, p)
	case reflect.Map:
		return s.cleanMap(v, p)
	}
	return v, false
}

func (s *sanitizer) cleanPointer(v reflect.Value, p *typePlan) (reflect.Value, bool) {
	if v.IsNil() {
		return v, false
	}
	var k ptrKey
	if p.cyclic || len(s.seen) > 0 {
		k = ptrKey{v.Pointer(), v.Type()}
		if done, ok := s.seen[k]; ok {
			if done.IsValid() {
				return done, true
			}
			return v, false
		}
	}
	if p.cyclic {
		s.record(k, reflect.Value{}) // a cycle back here sees "unchanged"
	}
	e, changed := s.clean(v.Elem(), p.elem)
	if !changed {
		return v, false
	}
	out := reflect.New(v.Type().Elem())
	out.Elem().Set(e)
	if k.t == nil {
		k = ptrKey{v.Pointer(), v.Type()}
	}
	s.record(k, out)
	return out, true
}

func (s *sanitizer) record(k ptrKey, v reflect.Value) {
	if s.seen == nil {
		s.seen = map[ptrKey]reflect.Value{}
	}
	s.seen[k] = v
}

func (s *sanitizer) cleanStruct(v reflect.Value, p *typePlan) (reflect.Value, bool) {
	var out reflect.Value
	for k, i := range p.fields {
		f, changed := s.clean(v.Field(i), p.fieldPlans[k])
		if !changed {
			continue
		}
		if !out.IsValid() {
			out = reflect.New(v.Type()).Elem()
			out.Set(v)
		}
		out.Field(i).Set(f)
	}
	if !out.IsValid() {
		return v, false
	}
	return out, true
}

func (s *sanitizer) cleanList(v reflect.Value, p *typePlan) (reflect.Value, bool) {
	if v.Kind() == reflect.Slice && v.IsNil() {
		return v, false
	}
	var out reflect.Value
	for i := range v.Len() {
		e, changed := s.clean(v.Index(i), p.elem)
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
}

func (s *sanitizer) cleanMap(v reflect.Value, p *typePlan) (reflect.Value, bool) {
	if v.IsNil() {
		return v, false
	}
	any := false
	type kv struct{ k, v reflect.Value }
	var entries []kv
	for it := v.MapRange(); it.Next(); {
		k, kc := s.clean(it.Key(), p.key)
		e, ec := s.clean(it.Value(), p.elem)
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
