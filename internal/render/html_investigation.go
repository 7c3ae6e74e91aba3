package render

import (
	"errors"

	"hopscope/internal/report"
)

// htmlInvestigation is the investigation page's data: the report plus one map of every host's route.
type htmlInvestigation struct {
	*report.Investigation
	Map   mapView
	Paths []htmlPath
	// Vantages are the comparisons of the hosts traced from several vantage points (investigate --via).
	Vantages []*htmlVantage
}

func newHTMLInvestigation(inv *report.Investigation, colors *asColors) (*htmlInvestigation, error) {
	if inv == nil {
		return nil, errors.New("investigation report has no investigation section")
	}
	h := &htmlInvestigation{Investigation: inv, Vantages: htmlHostVantages(inv)}
	var paths []*report.Path
	for _, host := range inv.Hosts {
		if host.Path != nil {
			paths = append(paths, host.Path)
		}
	}
	colors.learn(paths)
	for _, p := range paths {
		h.Paths = append(h.Paths, newHTMLPath(p, colors))
	}
	h.Map = buildMap(paths, colors)
	return h, nil
}
