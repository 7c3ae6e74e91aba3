package cli

import (
	"fmt"

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

// enrichServers looks up every server address of an inventory summary, keyed by its text form; nil (with
// a warning) when enrichment is unavailable.
func enrichServers(g *globalOptions, sum inventory.Summary) map[string]enrich.Info {
	e, err := g.newEnricher(nil, nil, false)
	if err != nil {
		fmt.Fprintf(g.streams.Err, "hopscope: enrichment unavailable: %v\n", err)
		return nil
	}
	defer e.Close()
	return serverInfos(e, sum)
}

// serverInfos looks up every server address of sum with e.
func serverInfos(e lookuper, sum inventory.Summary) map[string]enrich.Info {
	out := map[string]enrich.Info{}
	for _, d := range sum.Domains {
		for _, h := range d.Hosts {
			for _, a := range h.Servers {
				if _, ok := out[a.String()]; !ok {
					out[a.String()] = e.Lookup(a, "")
				}
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
