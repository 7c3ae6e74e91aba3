package explain

import "math"

// strandedMinRiseMs is how much slower than its own country's earlier hops a hop placed only by its
// registry must answer for the registry to be doubted (a long link crossed: 1,500 km of fibre or more).
const strandedMinRiseMs = 15.0

// dropStrandedRegistry drops the registry country of a hop that has left it: the hop answers at least
// strandedMinRiseMs later than an earlier hop placed in the same country, and a later hop answering in
// about the same time (within 3 ms or 10%) is placed by a name or an exchange in another country. Such
// a hop is the far end of a long link (Spark's "sgbr3" router in Sydney, China Telecom's CN2 router in
// Hong Kong), registered at home: its RTT is the foreign hop's, not home's. Light alone cannot rule the
// registry out (a country reaches close to the foreign city), so the country is not stated rather than
// contradicted; a registry country is the weakest evidence a hop has.
func (e *explainer) dropStrandedRegistry() {
	for i := range e.out {
		p := e.out[i].Place
		if p == nil || p.Source != "database" || p.City != "" || p.HasCoords || math.IsNaN(e.mins[i]) {
			continue
		}
		home := false
		for h := range i {
			if q := e.out[h].Place; q != nil && q.Country == p.Country && !math.IsNaN(e.mins[h]) && e.mins[h]+strandedMinRiseMs <= e.mins[i] {
				home = true
				break
			}
		}
		if !home {
			continue
		}
		for k := i + 1; k < len(e.out) && k <= i+8; k++ {
			q := e.out[k].Place
			if q == nil || q.Country == "" || q.Country == p.Country || math.IsNaN(e.mins[k]) || strength(q) < 5 {
				continue
			}
			if d := math.Abs(e.mins[k] - e.mins[i]); d <= 3 || d <= 0.1*e.mins[i] {
				e.out[i].Place = nil
				break
			}
		}
	}
}
