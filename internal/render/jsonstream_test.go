package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"hopscope/internal/explain/explaintest"
	"hopscope/internal/report"
)

// jsonAddrText has MarshalText on its pointer: encoding/json uses it where the value is addressable.
type jsonAddrText struct{ N int }

func (a *jsonAddrText) MarshalText() ([]byte, error) { return []byte(fmt.Sprintf("addr-%d", a.N)), nil }

type jsonInner struct {
	Name  string   `json:"name"`
	Tags  []string `json:"tags,omitempty"`
	Count int      `json:",omitempty"`
}

type jsonEmbedded struct {
	jsonInner
	Extra string `json:"extra"`
}

// jsonOdd is encoded whole: a ",string" option and two fields of one name.
type jsonOdd struct {
	Quoted int `json:"quoted,string"`
	Dup    string
	Dup2   string `json:"Dup"`
	Items  []int  `json:"items"`
}

type jsonTree struct {
	Label string      `json:"label"`
	Kids  []*jsonTree `json:"kids"`
}

// jsonShapes holds what encoding/json treats specially, each where writeJSON walks or stops.
type jsonShapes struct {
	Plain     string `json:"plain"`
	HTML      string `json:"html<&>"`
	BadTag    int    `json:"bad\\tag"`
	NoTag     float64
	Skipped   string `json:"-"`
	private   string
	Dash      string           `json:"-,"`
	When      time.Time        `json:"when,omitzero"`
	WhenSet   time.Time        `json:"when_set,omitzero"`
	Zero      jsonInner        `json:"zero,omitzero"`
	Empty     []int            `json:"empty,omitempty"`
	NilSlice  []int            `json:"nil_slice"`
	EmptySet  []int            `json:"empty_set"`
	Bytes     []byte           `json:"bytes"`
	Map       map[string][]int `json:"map"`
	Any       any              `json:"any"`
	Ptr       *jsonInner       `json:"ptr"`
	NilPtr    *jsonInner       `json:"nil_ptr"`
	Inners    []jsonInner      `json:"inners"`
	Ptrs      []*jsonInner     `json:"ptrs"`
	Addr      jsonAddrText     `json:"addr"`
	Addrs     []jsonAddrText   `json:"addrs"`
	Embedded  jsonEmbedded     `json:"embedded"`
	Tree      *jsonTree        `json:"tree"`
	Array     [2][]string      `json:"array"`
	Nested    [][]jsonInner    `json:"nested"`
	Interface fmt.Stringer     `json:"interface"`
	Raw       json.RawMessage  `json:"raw"`
	Odd       jsonOdd          `json:"odd"`
}

func jsonShapesValue() *jsonShapes {
	many := make([]jsonInner, 40)
	for i := range many {
		many[i] = jsonInner{Name: fmt.Sprintf("n%d <&>", i), Tags: []string{"a", "b"}, Count: i % 3}
	}
	tree := &jsonTree{Label: "root", Kids: []*jsonTree{{Label: "a"}, {Label: "b", Kids: []*jsonTree{{Label: "c", Kids: []*jsonTree{}}}}}}
	return &jsonShapes{
		Plain: "x\x1b\u2028\"", HTML: "<b>", BadTag: 3, NoTag: 1.5e-7, Skipped: "no", private: "no", Dash: "dash",
		WhenSet: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), EmptySet: []int{}, Bytes: []byte("bytes"),
		Map: map[string][]int{"b": {1}, "a": nil}, Any: map[string]any{"k": []any{1, "two", nil}},
		Ptr: &jsonInner{Name: "p"}, Inners: many, Ptrs: []*jsonInner{nil, &many[1]}, Addr: jsonAddrText{1},
		Addrs: []jsonAddrText{{2}, {3}}, Embedded: jsonEmbedded{jsonInner{Name: "e"}, "x"}, Tree: tree,
		Array: [2][]string{{"a"}, nil}, Nested: [][]jsonInner{many[:3], nil, {}}, Interface: time.Second,
		Raw: json.RawMessage(`{ "spaced" : [1, 2] }`), Odd: jsonOdd{Quoted: 7, Dup: "one", Dup2: "two", Items: []int{1}},
	}
}

// TestWriteJSONMatchesEncoder pins writeJSON to encoding/json's indented Encoder, byte for byte, for every
// report kind and the shapes encoding/json treats specially, with parts of every size (negative: walk
// all that can be walked).
func TestWriteJSONMatchesEncoder(t *testing.T) {
	values := map[string]any{
		"shapes": jsonShapesValue(),
		"wide":   scaleReport(explaintest.WideTrace(1500)),
		"long":   scaleReport(explaintest.LongTrace(300)),
		"nil":    (*jsonShapes)(nil),
		"none":   nil,
		"deep":   deepTree(3 * jsonMaxDepth),
	}
	for kind, r := range hostileReports(t) {
		values[kind] = r
	}
	s := &jsonStream{plans: map[reflect.Type]*jsonPlan{}}
	for typ, part := range map[reflect.Type]bool{reflect.TypeFor[jsonShapes](): false, reflect.TypeFor[jsonOdd](): true,
		reflect.TypeFor[jsonEmbedded](): true, reflect.TypeFor[jsonAddrText](): true, reflect.TypeFor[*jsonTree](): false,
		reflect.TypeFor[report.Report](): false, reflect.TypeFor[[]byte](): true} {
		if got := s.plan(typ).part; got != part {
			t.Errorf("%v encoded whole: %v, want %v", typ, got, part)
		}
	}
	for name, v := range values {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, size := range []int{-1, 0, 1, 5, jsonLeafSize} {
			t.Run(fmt.Sprintf("%s/%d", name, size), func(t *testing.T) {
				var got bytes.Buffer
				if err := writeJSONParts(&got, v, size); err != nil {
					t.Fatal(err)
				}
				if got.String() != want.String() {
					t.Errorf("differs from encoding/json at byte %d:\n%s", firstDiff(got.String(), want.String()), diffContext(got.String(), want.String()))
				}
			})
		}
	}
}

// TestWriteJSONErrors checks that a value encoding/json cannot encode fails the same way.
func TestWriteJSONErrors(t *testing.T) {
	type bad struct {
		Items []jsonInner `json:"items"`
		Fn    func()      `json:"fn"`
	}
	cycle := &jsonTree{Label: "loop"}
	cycle.Kids = []*jsonTree{{Label: "child"}, cycle}
	tests := []struct {
		name string
		v    any
	}{
		{"function", &bad{Items: make([]jsonInner, 3), Fn: func() {}}},
		{"cycle", cycle},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := json.NewEncoder(&bytes.Buffer{}).Encode(tc.v)
			for _, size := range []int{-1, 0, jsonLeafSize} {
				err := writeJSONParts(&bytes.Buffer{}, tc.v, size)
				if want == nil || err == nil || err.Error() != want.Error() {
					t.Errorf("parts of %d: error %v, want %v", size, err, want)
				}
			}
		})
	}
}

func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func diffContext(got, want string) string {
	i := firstDiff(got, want)
	from := max(i-200, 0)
	cut := func(s string) string { return s[from:min(len(s), i+200)] }
	return "got:\n" + cut(got) + "\nwant:\n" + cut(want) + "\n" + strings.Repeat("-", 20)
}

// deepTree is a chain of n trees, each the only child of the one before.
func deepTree(n int) *jsonTree {
	root := &jsonTree{Label: "0"}
	for i, t := 1, root; i < n; i++ {
		c := &jsonTree{Label: fmt.Sprint(i)}
		t.Kids = []*jsonTree{c}
		t = c
	}
	return root
}
