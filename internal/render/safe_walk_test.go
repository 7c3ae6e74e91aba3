package render

import (
	"reflect"
	"slices"
	"testing"

	"hopscope/internal/report"
)

// walkNode is a recursive type: the walk must end on a cycle.
type walkNode struct {
	Name string
	Next *walkNode
}

// walkNums holds no string: pointers to it are never visited.
type walkNums struct {
	N    int
	F    *float64
	List []int
}

type walkDoc struct {
	Title   string
	A, B    *walkNode
	Nums    *walkNums
	Any     any
	Keys    map[string]int
	Vals    map[int][]string
	Arr     [2]string
	private string
}

// TestSanitizerWalk pins what the walk visits and what it shares, type by type.
func TestSanitizerWalk(t *testing.T) {
	const bad, good = "a\x1bb", `a\x1bb`
	tests := []struct {
		name  string
		doc   func() *walkDoc
		check func(t *testing.T, in, out *walkDoc)
	}{
		{"clean document returned as is", func() *walkDoc {
			n := &walkNode{Name: "x"}
			n.Next = n
			return &walkDoc{Title: "t", A: n, B: n, Nums: &walkNums{N: 1}, Any: "ok", Keys: map[string]int{"k": 1}}
		}, func(t *testing.T, in, out *walkDoc) {
			if in != out {
				t.Errorf("copied")
			}
		}},
		{"shared dirty pointer cleaned once and kept shared", func() *walkDoc {
			n := &walkNode{Name: bad}
			return &walkDoc{A: n, B: n}
		}, func(t *testing.T, in, out *walkDoc) {
			if out.A.Name != good || out.A != out.B || out.A == in.A || in.A.Name != bad {
				t.Errorf("A %q, B %q, shared %v, original %q", out.A.Name, out.B.Name, out.A == out.B, in.A.Name)
			}
		}},
		{"cycle ends", func() *walkDoc {
			n := &walkNode{Name: "n", Next: &walkNode{Name: bad}}
			n.Next.Next = n
			return &walkDoc{A: n}
		}, func(t *testing.T, in, out *walkDoc) {
			if out.A.Next.Name != good || in.A.Next.Name != bad {
				t.Errorf("next %q, original %q", out.A.Next.Name, in.A.Next.Name)
			}
		}},
		{"interface, map key and value, array", func() *walkDoc {
			return &walkDoc{Any: bad, Keys: map[string]int{bad: 1}, Vals: map[int][]string{1: {"ok", bad}}, Arr: [2]string{"ok", bad}}
		}, func(t *testing.T, in, out *walkDoc) {
			if out.Any != good || out.Keys[good] != 1 || len(out.Keys) != 1 || out.Vals[1][1] != good || out.Arr[1] != good {
				t.Errorf("got %+v", out)
			}
			if in.Any != bad || in.Keys[bad] != 1 || in.Vals[1][1] != bad || in.Arr[1] != bad {
				t.Errorf("original modified: %+v", in)
			}
		}},
		{"unexported field and string-free pointer left alone", func() *walkDoc {
			return &walkDoc{Title: bad, private: bad, Nums: &walkNums{N: 2}}
		}, func(t *testing.T, in, out *walkDoc) {
			if out.Title != good || out.private != bad || out.Nums != in.Nums {
				t.Errorf("title %q, private %q, nums shared %v", out.Title, out.private, out.Nums == in.Nums)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.doc()
			s := sanitizer{plans: map[reflect.Type]*typePlan{}}
			v, changed := s.walk(reflect.ValueOf(in))
			out := v.Interface().(*walkDoc)
			if changed == (out == in) {
				t.Errorf("changed = %v but the result is the input: %v", changed, out == in)
			}
			tc.check(t, in, out)
		})
	}
}

// TestTypePlan pins which fields the walk visits: strings and what can lead to them, never numbers,
// durations, addresses or pointers to numbers.
func TestTypePlan(t *testing.T) {
	tests := []struct {
		name  string
		typ   reflect.Type
		visit []string
		skip  []string
	}{
		{"responder", reflect.TypeFor[report.PathResponder](), []string{"Addr", "Name", "Info", "AS", "Stats"},
			[]string{"ReportedASN", "RTT", "LateRTT", "Loss", "MPLS"}},
		{"numbers only", reflect.TypeFor[walkNums](), nil, []string{"N", "F", "List"}},
		{"recursive", reflect.TypeFor[walkNode](), []string{"Name", "Next"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := sanitizer{plans: map[reflect.Type]*typePlan{}}
			var got []string
			for _, i := range s.plan(tc.typ).fields {
				got = append(got, tc.typ.Field(i).Name)
			}
			for _, f := range tc.visit {
				if !slices.Contains(got, f) {
					t.Errorf("%s not visited (fields %q)", f, got)
				}
			}
			for _, f := range tc.skip {
				if slices.Contains(got, f) {
					t.Errorf("%s visited (fields %q)", f, got)
				}
			}
		})
	}
	s := sanitizer{plans: map[reflect.Type]*typePlan{}}
	if !s.plan(reflect.TypeFor[*walkNode]()).cyclic || s.plan(reflect.TypeFor[*report.Stats]()).cyclic {
		t.Errorf("*walkNode must be cyclic, *report.Stats not")
	}
}
