package cli

import (
	"net/netip"

	"hopscope/internal/enrich"
	"hopscope/internal/inventory"
)

// enrichServers looks up every server address of an inventory summary as the enrichment flags say; nil
// with --no-enrich. A database the flags name that cannot be read is bad input.
func enrichServers(g *globalOptions, ef *enrichFlags, sum inventory.Summary) (map[netip.Addr]enrich.Info, error) {
	if ef.off {
		return nil, nil
	}
	e, err := ef.open(g)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	return serverInfos(e, sum), nil
}

// serverInfos looks up every server address of sum with e; nil when sum has none.
func serverInfos(e addrEnricher, sum inventory.Summary) map[netip.Addr]enrich.Info {
	out := map[netip.Addr]enrich.Info{}
	for _, d := range sum.Domains {
		for _, h := range d.Hosts {
			for _, a := range h.Servers {
				if _, ok := out[a]; !ok {
					out[a] = e.Lookup(a, "")
				}
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// addrEnricher is what the server look-ups of an inventory need from internal/enrich.
type addrEnricher interface {
	Lookup(addr netip.Addr, name string) enrich.Info
}
