package tracefile

import (
	"net/netip"

	"hopscope/internal/path"
)

// nameIndexFrom is the number of responders from which a hop's responders known only by name are
// found through an index: below it a scan is as fast and nothing is kept.
const nameIndexFrom = 16

// responderNames finds the responders of a hop that are known only by name (no address: tracepath,
// mtr and WinMTR print a resolved name alone, NextTrace a hidden address) while an importer fills
// the hop, so that adding n of them costs time linear in n instead of a scan of the hop for each.
// It is a cache kept beside the hops of one input, one index per TTL, checked against the hop's
// Responders on every use: a hop of another trace with the same TTL, or a Responders slice that
// moved (appended to elsewhere) or shrank, is indexed afresh; one that grew is indexed further; an
// entry found stale (a responder renamed in place) makes the hop indexed afresh. The zero value is
// ready to use.
type responderNames struct {
	byTTL map[int]*nameIndex
}

// nameIndex maps each name of a hop's name-only responders to its first position in Responders[:n],
// for the Responders slice whose first element is base.
type nameIndex struct {
	base *path.Responder
	n    int
	pos  map[string]int
}

// add records a responder that may lack an address and returns the listed one. One with an address
// goes to h.AddResponder (merged by address); name-only responders are told apart by name, a known
// one returned as it is.
func (ns *responderNames) add(h *path.Hop, addr netip.Addr, name string) *path.Responder {
	if addr.IsValid() {
		return h.AddResponder(path.Responder{Addr: addr, Name: name})
	}
	if i := ns.find(h, name); i >= 0 {
		return &h.Responders[i]
	}
	var old *path.Responder
	if len(h.Responders) > 0 {
		old = &h.Responders[0]
	}
	h.Responders = append(h.Responders, path.Responder{Name: name})
	if x := ns.byTTL[h.TTL]; x != nil && x.base == old && x.n == len(h.Responders)-1 {
		x.base = &h.Responders[0] // append may have moved the slice; the first x.n entries are the same
	}
	return &h.Responders[len(h.Responders)-1]
}

// find returns the position of the first responder of h without an address named name, or -1.
func (ns *responderNames) find(h *path.Hop, name string) int {
	rs := h.Responders
	if len(rs) < nameIndexFrom {
		for i := range rs {
			if !rs[i].Addr.IsValid() && rs[i].Name == name {
				work(i + 1)
				return i
			}
		}
		work(len(rs))
		return -1
	}
	x := ns.sync(h)
	work(1)
	i, ok := x.pos[name]
	switch {
	case !ok:
		return -1
	case nameOnly(rs[i], name):
		return i
	}
	// Stale (renamed in place): index the hop afresh and look again.
	delete(ns.byTTL, h.TTL)
	x = ns.sync(h)
	work(1)
	if i, ok := x.pos[name]; ok {
		return i
	}
	return -1
}

// nameOnly reports whether r has no address and is named name.
func nameOnly(r path.Responder, name string) bool { return !r.Addr.IsValid() && r.Name == name }

// sync brings the index of h's TTL up to date with h.Responders (which is not empty) and returns it.
// Its cost is the number of responders added since the last call, or all of them when the slice moved
// or shrank or an entry was found stale.
func (ns *responderNames) sync(h *path.Hop) *nameIndex {
	rs := h.Responders
	x := ns.byTTL[h.TTL]
	if x == nil || x.base != &rs[0] || x.n > len(rs) {
		x = &nameIndex{base: &rs[0], pos: make(map[string]int, len(rs))}
		if ns.byTTL == nil {
			ns.byTTL = map[int]*nameIndex{}
		}
		ns.byTTL[h.TTL] = x
	}
	work(len(rs) - x.n)
	for k := x.n; k < len(rs); k++ {
		r := rs[k]
		if r.Addr.IsValid() {
			continue
		}
		i, ok := x.pos[r.Name]
		if !ok {
			x.pos[r.Name] = k
			continue
		}
		if i >= k || !nameOnly(rs[i], r.Name) {
			// A stale entry: where the name first appears is unknown, so index the whole slice afresh.
			delete(ns.byTTL, h.TTL)
			return ns.sync(h)
		}
	}
	x.n = len(rs)
	return x
}
