package tracefile

import (
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"testing"

	"hopscope/internal/path"
)

// scanAdd is what responderNames.add must return and leave: the scan it replaced.
func scanAdd(h *path.Hop, addr netip.Addr, name string) *path.Responder {
	if addr.IsValid() {
		return h.AddResponder(path.Responder{Addr: addr, Name: name})
	}
	for i := range h.Responders {
		if !h.Responders[i].Addr.IsValid() && h.Responders[i].Name == name {
			return &h.Responders[i]
		}
	}
	h.Responders = append(h.Responders, path.Responder{Name: name})
	return &h.Responders[len(h.Responders)-1]
}

// posOf is the position of r in h.Responders, -1 when r is not one of them.
func posOf(h *path.Hop, r *path.Responder) int {
	for i := range h.Responders {
		if &h.Responders[i] == r {
			return i
		}
	}
	return -1
}

// namesStep is one call of add, or a change an importer could make to the hop between calls.
type namesStep struct {
	hop    int // which of the two hops (same TTL, two traces)
	addr   netip.Addr
	name   string
	rename string // before the call, rename in place the first name-only responder of that name
	clone  bool   // before the call, replace the hop's Responders by a copy
	direct bool   // instead of the call, append a responder of that name to Responders directly
}

// TestResponderNamesMatchesScan checks that the index finds what a scan of the hop finds (the same
// position, so the same merging and order), also when the hop was changed behind it.
func TestResponderNamesMatchesScan(t *testing.T) {
	a := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}) }
	many := func(hop, n, repeat int) []namesStep {
		var out []namesStep
		for i := range n {
			out = append(out, namesStep{hop: hop, name: fmt.Sprintf("r%d.example", i%repeat)})
			if i%5 == 0 {
				out = append(out, namesStep{hop: hop, addr: a(i % 50), name: "addr.example"})
			}
		}
		return out
	}
	tests := []struct {
		name  string
		steps []namesStep
	}{
		{"a few names, under the index threshold", many(0, 10, 4)},
		{"many names, each once", many(0, 100, 1000)},
		{"many names, each three times", many(0, 120, 40)},
		{"two hops of the same TTL in turn", append(append(many(0, 60, 30), many(1, 60, 20)...), many(0, 60, 45)...)},
		{"a name renamed in place", append(many(0, 40, 40), namesStep{name: "r3.example", rename: "r3.example"}, namesStep{name: "r3.example"}, namesStep{name: "r4.example"}, namesStep{name: "renamed.example"})},
		{"a renamed name appended directly", append(many(0, 40, 40), namesStep{rename: "r5.example", name: "r5.example", direct: true},
			namesStep{name: "r6.example"}, namesStep{name: "r5.example"})},
		{"the slice replaced by a copy", append(many(0, 40, 40), namesStep{name: "r39.example", clone: true}, namesStep{name: "new.example"})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got, want [2]path.Hop
			got[0].TTL, got[1].TTL, want[0].TTL, want[1].TTL = 3, 3, 3, 3
			var ns responderNames
			for k, st := range tc.steps {
				for _, h := range []*path.Hop{&got[st.hop], &want[st.hop]} {
					if i := slices.IndexFunc(h.Responders, func(r path.Responder) bool { return nameOnly(r, st.rename) }); i >= 0 {
						h.Responders[i].Name = "renamed.example"
					}
					if st.clone {
						h.Responders = slices.Clone(h.Responders)
					}
					if st.direct {
						h.Responders = append(h.Responders, path.Responder{Name: st.name})
					}
				}
				if st.direct {
					continue
				}
				g := ns.add(&got[st.hop], st.addr, st.name)
				w := scanAdd(&want[st.hop], st.addr, st.name)
				gi, wi := posOf(&got[st.hop], g), posOf(&want[st.hop], w)
				if gi != wi {
					t.Fatalf("step %d (%s): position %d, want %d", k, st.name, gi, wi)
				}
			}
			for i := range 2 {
				if !reflect.DeepEqual(got[i].Responders, want[i].Responders) {
					t.Errorf("hop %d: responders differ:\n got %v\nwant %v", i, got[i].Responders, want[i].Responders)
				}
			}
		})
	}
}
