package enrich

// PlaceCandidates returns the places a router's name may mean, for a caller with other evidence (the
// trace's RTTs) to pick among: for a spelled-out city with namesakes of similar size (a low-confidence
// hint), every namesake with at least a tenth of the most populous one's people, most populous first;
// otherwise the one place HintFromName reads. nil when the name gives no place. Each candidate carries
// the hint's confidence, token and AS.
func PlaceCandidates(name string) []Hint {
	var key string
	h, _ := hintFromNameKey(name, "", &key)
	if h == nil || !h.HasCoords || h.City == "" {
		return nil
	}
	if h.Confidence != ConfidenceLow || key == "" {
		return []Hint{*h}
	}
	es := places().cityNamed(key)
	var out []Hint
	for _, e := range es {
		if len(out) > 0 && uint64(e.p.pop)*10 < uint64(es[0].p.pop) {
			continue
		}
		c := *h
		c.City, c.Country, c.Lat, c.Lon = e.p.city, e.p.country, e.p.lat, e.p.lon
		out = append(out, c)
	}
	return out
}
