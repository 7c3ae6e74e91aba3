package cli

import (
	"fmt"
	"net/netip"

	"hopscope/internal/enrich"
	"hopscope/internal/inventory"
)

// newEnricher opens the enrichment every command uses: the embedded database, what "hopscope db" installed
// in the data directory, and the extra files given on the command line.
func (g *globalOptions) newEnricher(mmdb, bins []string, noHints bool) (*enrich.Enricher, error) {
	cfg, err := enricherConfig(g, mmdb, bins, false)
	if err != nil {
		return nil, err
	}
	cfg.NoHints = noHints
	return enrich.New(cfg)
}

// enrichServers looks up every server address of an inventory summary; nil (with a warning) when
// enrichment is unavailable.
func enrichServers(g *globalOptions, sum inventory.Summary) map[netip.Addr]enrich.Info {
	e, err := g.newEnricher(nil, nil, false)
	if err != nil {
		fmt.Fprintf(g.streams.Err, "hopscope: enrichment unavailable: %v\n", err)
		return nil
	}
	defer e.Close()
	return serverInfos(e, sum)
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
