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
	names := map[netip.Addr]string{}
	for _, h := range t.Hops {
		for _, r := range h.Responders {
			if names[r.Addr] == "" {
				names[r.Addr] = r.Name
			}
		}
	}
	infos := make(map[netip.Addr]enrich.Info, len(names)+1)
	if e != nil {
		for _, a := range t.Addrs() {
			if a.IsValid() { // responders known only by name (mtr without -n) have no address to look up
				infos[a] = e.Lookup(a, names[a])
			}
		}
	}
	return report.BuildPath(t, infos, explain.Explain(t, infos, explain.Options{From: opt.From}))
}
