package cli

import (
	"net/netip"

	"hopscope/internal/enrich"
)

// addrEnricher is what the dns command and the server look-ups of an inventory need from internal/enrich.
type addrEnricher interface {
	Lookup(addr netip.Addr, name string) enrich.Info
}

// newDNSEnricher returns the enricher for DNS answers (the embedded database; richer files come with
// `hopscope db`).
func newDNSEnricher(g *globalOptions) (addrEnricher, error) {
	e, err := g.newEnricher(nil, nil, false)
	if err != nil {
		return nil, err
	}
	return e, nil
}
