package report

// ruledOutPlaces keeps the hop table from stating a place the analysis ruled out: a responder whose
// own location (its database's word, kept in Info) is a hop's contradiction shows the hop's place
// instead (near the source, by RTT) or none.
func ruledOutPlaces(p *Path) {
	for _, c := range p.Findings.Contradictions {
		if c.Place == nil {
			continue
		}
		for i := range p.Hops {
			h := &p.Hops[i]
			if h.TTL != c.TTL {
				continue
			}
			for j := range h.Responders {
				r := &h.Responders[j]
				if r.Info.Place != nil && r.Info.Place.Label == c.Place.Label && r.Info.Place.Source == c.Place.Source {
					r.PlaceLabel = placeText(h.Place)
				}
			}
		}
	}
}
