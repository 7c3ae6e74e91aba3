package analysis

import (
	"encoding/json"
	"net/netip"
	"time"

	"hopscope/internal/history"
	"hopscope/internal/report"
)

// HistoryRecord reduces a path report to what the history compares over time. kind is "trace",
// "analyze" or "investigate".
func HistoryRecord(p *report.Path, kind string, when time.Time) history.Record {
	d := p.Findings.Destination
	rec := history.Record{When: when.UTC(), Kind: kind, Host: p.Target.Name, DestASN: d.ASN, DestOrg: d.Org,
		DestCountry: d.Country, DestCity: d.City, Reached: d.Reached, Hops: len(p.Hops)}
	if rec.Host == "" {
		rec.Host = p.Target.Addr
	}
	if d.Place != nil {
		if rec.DestCity == "" {
			rec.DestCity = d.Place.City
		}
		if rec.DestCountry == "" {
			rec.DestCountry = d.Place.Country
		}
	}
	if a, err := netip.ParseAddr(p.Target.Addr); err == nil {
		rec.Addr = a
	}
	for _, r := range p.Findings.ASPath {
		if r.ASN != 0 && (len(rec.ASPath) == 0 || rec.ASPath[len(rec.ASPath)-1] != r.ASN) {
			rec.ASPath = append(rec.ASPath, r.ASN)
		}
	}
	for _, c := range p.Findings.Carriers {
		if c.Observed {
			rec.Carriers = append(rec.Carriers, c.Name)
		}
	}
	if ms, ok := p.EndRTT(); ok {
		rec.MinRTT, rec.HasRTT = time.Duration(ms*float64(time.Millisecond)), true
	}
	if js, err := json.Marshal(p); err == nil {
		rec.Report = js
	}
	return rec
}
