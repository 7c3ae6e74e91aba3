package report

import "hopscope/internal/explain"

// newFindings converts the explanation stage's findings into the report's own types, so that a rename in
// the stage never changes the schema.
func newFindings(f explain.Findings) Findings {
	out := Findings{
		ASPath:      make([]ASRun, 0, len(f.ASPath)),
		Carriers:    make([]Carrier, 0, len(f.Carriers)),
		HandOffs:    make([]HandOff, 0, len(f.HandOffs)),
		Destination: newDestination(f.Destination),
		Source: Source{Known: f.Source.Known, Place: newPlace(f.Source.Place), Basis: f.Source.Basis, Approximate: f.Source.Approximate,
			RadiusKm: f.Source.RadiusKm},
		Jumps:           make([]Jump, 0, len(f.Jumps)),
		Spikes:          make([]Spike, 0, len(f.Spikes)),
		FarSide:         make([]FarSide, 0, len(f.FarSide)),
		MPLS:            make([]MPLSHop, 0, len(f.MPLS)),
		MultiResponders: make([]MultiResponder, 0, len(f.MultiResponders)),
		SilentHops:      append([]int{}, f.SilentHops...),
		Special:         make([]SpecialAddr, 0, len(f.Special)),
		Contradictions:  make([]Contradiction, 0, len(f.Contradictions)),
		Markers:         newMarkers(f.Markers),
		ClockStepMs:     f.ClockStepMs,
		NoRTT:           f.NoRTT,
		Loss:            make([]LossFinding, 0, len(f.Loss)),
		Jitter:          make([]JitterFinding, 0, len(f.Jitter)),
		Impact:          f.Impact,
		Summary:         f.Summary,
	}
	for _, l := range f.Loss {
		out.Loss = append(out.Loss, LossFinding{TTL: l.TTL, Kind: l.Kind, Weak: l.Weak, Sent: l.Sent, Received: l.Received,
			LossPct: l.LossPct, LowPct: l.LowPct, HighPct: l.HighPct, LevelPct: l.LevelPct, LevelTTL: l.LevelTTL,
			FromTTL: l.FromTTL, PrevTTL: l.PrevTTL, PrevOperator: l.PrevOperator, Operator: l.Operator})
	}
	for _, j := range f.Jitter {
		out.Jitter = append(out.Jitter, JitterFinding{TTL: j.TTL, Kind: j.Kind, Metric: j.Metric, Ms: j.Ms, Samples: j.Samples,
			BeforeMs: j.BeforeMs, LevelMs: j.LevelMs, LevelTTL: j.LevelTTL, PrevTTL: j.PrevTTL, PrevOperator: j.PrevOperator,
			Operator: j.Operator})
	}
	for _, r := range f.ASPath {
		run := ASRun{ASN: r.ASN, Org: r.Org, Operator: r.Operator, FirstTTL: r.FirstTTL, LastTTL: r.LastTTL, Hops: r.Hops}
		for _, s := range r.Strays {
			run.Strays = append(run.Strays, Stray{TTL: s.TTL, ASN: s.ASN})
		}
		out.ASPath = append(out.ASPath, run)
	}
	for _, c := range f.Carriers {
		out.Carriers = append(out.Carriers, Carrier{Name: c.Name, ASNs: c.ASNs, FirstTTL: c.FirstTTL, LastTTL: c.LastTTL,
			Hops: c.Hops, Observed: c.Observed, Destination: c.Destination, Transit: c.Transit})
	}
	for _, h := range f.HandOffs {
		out.HandOffs = append(out.HandOffs, HandOff{From: h.From, FromASNs: h.FromASNs, To: h.To, ToASNs: h.ToASNs,
			AfterTTL: h.AfterTTL, AtTTL: h.AtTTL, Place: newPlace(h.Place), Via: h.Via, Interconnect: h.Interconnect,
			InterconnectTTL: h.InterconnectTTL, Within: h.Within, Entry: h.Entry})
	}
	for _, j := range f.Jumps {
		out.Jumps = append(out.Jumps, Jump{FromTTL: j.FromTTL, ToTTL: j.ToTTL, FromMs: j.FromMs, ToMs: j.ToMs, LevelMs: j.LevelMs,
			DeltaMs: j.DeltaMs, Persistent: j.Persistent, FromPlace: newPlace(j.FromPlace), ToPlace: newPlace(j.ToPlace), Largest: j.Largest})
	}
	for _, s := range f.Spikes {
		out.Spikes = append(out.Spikes, Spike{TTL: s.TTL, MinMs: s.MinMs, MaxMs: s.MaxMs, LaterTTL: s.LaterTTL, LaterMs: s.LaterMs,
			ExcessMs: s.ExcessMs, Place: newPlace(s.Place), Bypassed: s.Bypassed})
	}
	for _, x := range f.FarSide {
		out.FarSide = append(out.FarSide, FarSide{TTL: x.TTL, Place: newPlace(x.Place), MinMs: x.MinMs, FarTTL: x.FarTTL,
			FarPlace: newPlace(x.FarPlace), FarMs: x.FarMs, DistanceKm: x.DistanceKm})
	}
	for _, m := range f.MPLS {
		out.MPLS = append(out.MPLS, MPLSHop{TTL: m.TTL, Labels: m.Labels})
	}
	if d := f.Distance; d != nil {
		out.Distance = &Distance{From: newPlace(d.From), To: newPlace(d.To), Km: d.Km, LightMinMs: d.LightMinMs,
			MeasuredMs: d.MeasuredMs, MeasuredTTL: d.MeasuredTTL, Stretch: d.Stretch, Approximate: d.Approximate}
	}
	for _, m := range f.MultiResponders {
		out.MultiResponders = append(out.MultiResponders, MultiResponder{TTL: m.TTL, Addrs: m.Addrs, Names: m.Names, SameOperator: m.SameOperator})
	}
	for _, s := range f.Special {
		out.Special = append(out.Special, SpecialAddr{TTL: s.TTL, Addr: s.Addr, Prefix: s.Prefix, Kind: s.Kind, Name: s.Name, Note: s.Note})
	}
	for _, c := range f.Contradictions {
		out.Contradictions = append(out.Contradictions, Contradiction{TTL: c.TTL, Addr: c.Addr, Place: newPlace(c.Place),
			DistanceKm: c.DistanceKm, MaxKm: c.MaxKm, MinMs: c.MinMs, Reference: c.Reference})
	}
	return out
}

// newDestination converts what the stage knows about the target.
func newDestination(d explain.Destination) Destination {
	return Destination{Addr: d.Addr, Name: d.Name, ASN: d.ASN, Org: d.Org, Operator: d.Operator, Country: d.Country,
		City: d.City, Place: newPlace(d.Place), PlaceBasis: d.PlaceBasis, FromLastHop: d.FromLastHop, Reached: d.Reached,
		ReachedTTL: d.ReachedTTL, LastRespondingTTL: d.LastRespondingTTL, TrailingSilent: d.TrailingSilent, Anycast: d.Anycast}
}
