package analysis

import (
	"net/netip"

	"hopscope/internal/enrich"
	"hopscope/internal/explain"
	"hopscope/internal/path"
	"hopscope/internal/report"
)

// Lookuper is what the analysis needs from an enricher: what is known about an address, given its
// reverse name for hostname hints ("" when none).
type Lookuper interface {
	Lookup(a netip.Addr, name string) enrich.Info
}

// Place is a location with where it came from (the explanation stage's type, named here so callers of
// the analysis need no other stage).
type Place = explain.Place

// Options tune the analysis; the zero value infers everything from the trace.
type Options struct {
	// From is the vantage point when the user gave it (--from-location); nil means infer it from the
	// first hops.
	From *Place
}

// Path enriches every address of t (with its reverse name), explains the path and builds its report
// section. e nil means nothing is known about any address.
func Path(t *path.Trace, e Lookuper, opt Options) *report.Path {
	var infos map[netip.Addr]enrich.Info
	if e != nil {
		// Every distinct address in hop order with the first name given to it, in one pass: a hop may
		// list hundreds of thousands of responders.
		type named struct {
			addr netip.Addr
			name string
		}
		n := 1
		for _, h := range t.Hops {
			n += len(h.Responders)
		}
		pos := make(map[netip.Addr]int, n)
		addrs := make([]named, 0, n)
		add := func(a netip.Addr, name string) {
			if !a.IsValid() { // responders known only by name (mtr without -n) have no address to look up
				return
			}
			if i, ok := pos[a]; !ok {
				pos[a] = len(addrs)
				addrs = append(addrs, named{a, name})
			} else if addrs[i].name == "" {
				addrs[i].name = name
			}
		}
		for _, h := range t.Hops {
			for _, r := range h.Responders {
				add(r.Addr, r.Name)
			}
		}
		add(t.Target.Addr, "")
		infos = make(map[netip.Addr]enrich.Info, len(addrs))
		for _, a := range addrs {
			infos[a.addr] = e.Lookup(a.addr, a.name)
		}
	} else {
		infos = map[netip.Addr]enrich.Info{}
	}
	return report.BuildPath(t, infos, explain.Explain(t, infos, explain.Options{From: opt.From}))
}
