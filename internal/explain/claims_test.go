package explain

import (
	"net/netip"
	"strings"
	"testing"

	"hopscope/internal/enrich"
	"hopscope/internal/explain/explaintest"
	"hopscope/internal/path"
)

// TestContentNetworkDestination: a content network's registry country (Google's US) is its head office,
// not where the front-end that answered is, so the destination is not placed by it; a cloud's regional
// registration (Tencent's Singapore) still places it.
func TestContentNetworkDestination(t *testing.T) {
	for _, tc := range []struct {
		name, info, country string
		basis               bool
	}{
		{"Google front-end", "203.0.113.9=15169:Google LLC:US", "", true},
		{"cloud region", "203.0.113.9=132203:Tencent:SG", "SG", false},
		{"national network", "203.0.113.9=3215:Orange:FR", "FR", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Explain(explaintest.Trace("203.0.113.9", "192.0.2.1/1", "203.0.113.9/12"), infos(tc.info), Options{})
			d := f.Destination
			if d.Country != tc.country {
				t.Errorf("country %q, want %q", d.Country, tc.country)
			}
			if got := strings.Contains(d.PlaceBasis, "content network"); got != tc.basis {
				t.Errorf("basis %q", d.PlaceBasis)
			}
			if tc.country == "" && strings.Contains(f.Summary, "in the United States") {
				t.Errorf("summary places it: %s", f.Summary)
			}
		})
	}
}

// TestWholePathSentence: "the whole path seen is inside X" needs more than one answering hop of X.
func TestWholePathSentence(t *testing.T) {
	for _, tc := range []struct {
		name string
		hops []string
		want bool
	}{
		{"the destination alone", []string{"192.168.1.1/1", "203.0.113.9/12"}, false},
		{"two hops of one network", []string{"192.168.1.1/1", "203.0.113.8/11", "203.0.113.9/12"}, true},
		// A public hop of no known network before them (a name-only mtr row, an address missing from
		// the database) may be anyone's: only the known hops are said to be inside the network.
		{"an unknown public hop before them", []string{"198.51.100.3/1", "203.0.113.8/11", "203.0.113.9/12"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Explain(explaintest.Trace("203.0.113.9", tc.hops...), infos("203.0.113.8=3215:Orange:FR", "203.0.113.9=3215:Orange:FR"), Options{})
			if got := strings.Contains(f.Summary, "whole path seen"); got != tc.want || (!got && len(tc.hops) > 2 && !strings.Contains(f.Summary, "Every hop whose network is known is inside Orange")) {
				t.Errorf("summary: %s", f.Summary)
			}
		})
	}
}

// TestJumpCrossingAccountsForRise: a rise of 143 ms is not the crossing from Paris to Brussels (3 ms of
// light) that the next named hop shows: the crossing ends at the first later place that can account
// for it.
func TestJumpCrossingAccountsForRise(t *testing.T) {
	a := netip.MustParseAddr
	brussels := enrich.Hint{City: "Brussels", Country: "BE", Lat: 50.85, Lon: 4.35, HasCoords: true, Confidence: "high"}
	infos := map[netip.Addr]enrich.Info{a("192.0.2.1"): {Hint: &explaintest.Paris}, a("192.0.2.2"): {Hint: &explaintest.Paris},
		a("192.0.2.3"): {Hint: &brussels}, a("192.0.2.4"): {Hint: &explaintest.Singapore}}
	f := Explain(explaintest.Trace("192.0.2.4", "192.0.2.1/8", "192.0.2.2/151", "192.0.2.3/152", "192.0.2.4/230"), infos, Options{})
	if len(f.Jumps) == 0 || f.Jumps[0].ToTTL != 2 {
		t.Fatalf("jumps %+v", f.Jumps)
	}
	if j := f.Jumps[0]; j.ToPlace == nil || j.ToPlace.City != "Singapore" {
		t.Errorf("the 143 ms rise crosses to %+v, want Singapore", j.ToPlace)
	}
}

// TestJumpKeptLevel: when later hops keep less of a rise than the hop where it shows (its few samples
// came out high), the summary says what is kept, not the hop's own RTT.
func TestJumpKeptLevel(t *testing.T) {
	f := Explain(explaintest.Trace("203.0.113.9", "192.0.2.1/1", "192.0.2.2/30", "192.0.2.3/17", "203.0.113.9/18"), nil, Options{})
	if want := "from ~1.0 ms to ~17 ms between hops 1 and 2 (hop 2 itself answers in ~30 ms)"; !strings.Contains(f.Summary, want) {
		t.Errorf("summary %q, want it to say %q", f.Summary, want)
	}
}

// TestSpikeBypassed: a router named in Newark answering in 76 ms from London, as the distance needs,
// before a destination answering in 9 ms is no slow ICMP: the destination was reached another way.
// The same RTTs from an unnamed router are slow ICMP.
func TestSpikeBypassed(t *testing.T) {
	london := &Place{City: "London", Country: "GB", Lat: 51.51, Lon: -0.13, HasCoords: true}
	tr := explaintest.Trace("203.0.113.9", "192.0.2.1/1", "192.0.2.10/76", "203.0.113.9/9")
	for _, tc := range []struct {
		name  string
		named bool
	}{{"named in Newark", true}, {"unnamed", false}} {
		t.Run(tc.name, func(t *testing.T) {
			in := infos("192.0.2.10=2914:NTT America:US", "203.0.113.9=64500:Example:GB")
			if tc.named {
				r := in[netip.MustParseAddr("192.0.2.10")]
				r.Hint = &enrich.Hint{City: "Newark", Country: "US", Lat: 40.74, Lon: -74.17, HasCoords: true, Confidence: enrich.ConfidenceHigh}
				in[r.Addr] = r
			}
			f := Explain(tr, in, Options{From: london})
			if len(f.Spikes) != 1 || f.Spikes[0].TTL != 2 || f.Spikes[0].Bypassed != tc.named {
				t.Fatalf("spikes %+v, want hop 2 bypassed=%v", f.Spikes, tc.named)
			}
			if got := strings.Contains(f.Summary, "reached another way"); got != tc.named || strings.Contains(f.Summary, "slow ICMP") == tc.named {
				t.Errorf("summary %q", f.Summary)
			}
		})
	}
}

// TestContentHopRegistry: an Akamai cache inside an Indonesian network, registered in the US and
// answering in 2 ms, does not make the Indonesian hops before it impossible: a content network's
// registry country is no place.
func TestContentHopRegistry(t *testing.T) {
	tr := explaintest.Trace("203.0.113.9", "192.0.2.1/1", "192.0.2.2/1", "203.0.113.9=a104-93-98-193.deploy.static.akamaitechnologies.com/2")
	in := infos("192.0.2.1=7713:Telekomunikasi Indonesia:ID", "192.0.2.2=7713:Telekomunikasi Indonesia:ID", "203.0.113.9=7713:Telekomunikasi Indonesia:US")
	r := in[netip.MustParseAddr("203.0.113.9")]
	r.Hint = &enrich.Hint{ASN: 20940}
	in[r.Addr] = r
	f := Explain(tr, in, Options{})
	if len(f.Contradictions) != 0 || f.Hops[1].Place == nil || f.Hops[1].Place.Country != "ID" {
		t.Errorf("contradictions %+v, hop 2 place %+v: want none, and hop 2 in ID", f.Contradictions, f.Hops[1].Place)
	}
}

// TestCrossingStaysNearStart: a home line's 6 ms into the provider's first router, in the source's own
// country, is no crossing to the Amsterdam router named five hops later.
func TestCrossingStaysNearStart(t *testing.T) {
	brussels := &Place{City: "Brussels", Country: "BE", Lat: 50.85, Lon: 4.35, HasCoords: true}
	tr := explaintest.Trace("203.0.113.9", "192.168.1.1/1", "192.0.2.2/7", "192.0.2.3/11", "192.0.2.8/13", "203.0.113.9/21")
	in := infos("192.0.2.2=6848:Telenet:BE", "192.0.2.3=6848:Telenet:BE", "192.0.2.8=3356:Level 3:US", "203.0.113.9=16276:OVH:FR")
	r := in[netip.MustParseAddr("192.0.2.8")]
	r.Hint = &enrich.Hint{City: "Amsterdam", Country: "NL", Lat: 52.37, Lon: 4.90, HasCoords: true, Confidence: enrich.ConfidenceHigh}
	in[r.Addr] = r
	f := Explain(tr, in, Options{From: brussels})
	for _, j := range f.Jumps {
		if j.FromTTL == 1 && j.ToPlace != nil {
			t.Errorf("jump 1→%d crosses to %s: the path is still in Belgium after it", j.ToTTL, j.ToPlace.Label())
		}
	}
}

// TestRouteWithoutTimes: a route list whose hops answered without times (pathping without its
// statistics) is no "nothing answered": the source and latency say the times are missing.
func TestRouteWithoutTimes(t *testing.T) {
	tr := &path.Trace{Source: "test", Target: path.Target{Addr: netip.MustParseAddr("203.0.113.9")}}
	for i, a := range []string{"192.0.2.1", "192.0.2.2"} {
		tr.HopAt(i+1).AddProbe(path.Probe{Status: path.StatusReply, From: netip.MustParseAddr(a)}, "")
	}
	f := Explain(tr, nil, Options{})
	if !f.NoRTT || f.Source.Known || !strings.Contains(f.Source.Basis, "no hop carries an RTT") {
		t.Errorf("NoRTT %v, source %+v", f.NoRTT, f.Source)
	}
}

// TestUnreachedDestinationCity: a destination that did not answer, known only by its large country,
// does not take the city of the last located hop; in a city-state it may.
func TestUnreachedDestinationCity(t *testing.T) {
	for _, tc := range []struct {
		cc, city string
		lat, lon float64
		want     bool
	}{{"US", "Chicago", 41.88, -87.63, false}, {"SG", "Singapore", 1.29, 103.85, true}} {
		t.Run(tc.cc, func(t *testing.T) {
			tr := explaintest.Trace("203.0.113.9", "192.0.2.1/1", "192.0.2.2/20", "*")
			in := infos("192.0.2.1=64500:Carrier:"+tc.cc, "192.0.2.2=64500:Carrier:"+tc.cc, "203.0.113.9=64501:Shop:"+tc.cc)
			r := in[netip.MustParseAddr("192.0.2.2")]
			r.Hint = &enrich.Hint{City: tc.city, Country: tc.cc, Lat: tc.lat, Lon: tc.lon, HasCoords: true, Confidence: enrich.ConfidenceHigh}
			in[r.Addr] = r
			f := Explain(tr, in, Options{})
			if got := f.Destination.City == tc.city; got != tc.want {
				t.Errorf("destination city %q, want it taken: %v", f.Destination.City, tc.want)
			}
		})
	}
}

// TestRemotePeer: a member's port on an exchange LAN answering in 7 ms before another member's port on
// the same LAN at 78 ms is a remote peer: its router is not at the exchange, and the source stays with
// the first hops' country instead of being placed near the exchange.
func TestRemotePeer(t *testing.T) {
	tr := explaintest.Trace("203.0.113.9", "192.0.2.1/3", "198.51.100.140/7", "198.51.100.209/78", "203.0.113.9/60")
	in := infos("192.0.2.1=8452:TE Data:EG", "203.0.113.9=16276:OVH:FR")
	for _, a := range []string{"198.51.100.140", "198.51.100.209"} {
		ad := netip.MustParseAddr(a)
		in[ad] = enrich.Info{Addr: ad, GeoSource: "exchange", City: "Frankfurt", Country: "DE", Lat: 50.11, Lon: 8.68, HasCoords: true}
	}
	f := Explain(tr, in, Options{})
	if f.Hops[1].Place != nil || f.Hops[2].Place == nil || f.Hops[2].Place.City != "Frankfurt" {
		t.Errorf("hop 2 place %+v (want none: remote peer), hop 3 %+v (want Frankfurt)", f.Hops[1].Place, f.Hops[2].Place)
	}
	if f.Source.Place != nil && f.Source.Place.City == "Frankfurt" {
		t.Errorf("source %+v: placed at the exchange", f.Source)
	}
}

// TestPlacedRise: a rise of 9 ms, under the RTT-only threshold, is a jump when the hops at both ends are
// named 700 km apart (Sydney, then Melbourne) and light accounts for it; between two routers named in one
// city it is not.
func TestPlacedRise(t *testing.T) {
	sydney := enrich.Hint{City: "Sydney", Country: "AU", Lat: -33.87, Lon: 151.21, HasCoords: true, Confidence: enrich.ConfidenceHigh}
	melbourne := enrich.Hint{City: "Melbourne", Country: "AU", Lat: -37.81, Lon: 144.96, HasCoords: true, Confidence: enrich.ConfidenceHigh}
	for _, tc := range []struct {
		name string
		far  enrich.Hint
		want bool
	}{{"Sydney to Melbourne", melbourne, true}, {"within Sydney", sydney, false}} {
		t.Run(tc.name, func(t *testing.T) {
			tr := explaintest.Trace("203.0.113.9", "192.0.2.1/5", "192.0.2.2/14", "203.0.113.9/15")
			in := infos("192.0.2.1=1221:Telstra:AU", "192.0.2.2=1221:Telstra:AU", "203.0.113.9=1221:Telstra:AU")
			a, b := in[netip.MustParseAddr("192.0.2.1")], in[netip.MustParseAddr("192.0.2.2")]
			a.Hint, b.Hint = &sydney, &tc.far
			in[a.Addr], in[b.Addr] = a, b
			f := Explain(tr, in, Options{})
			got := false
			for _, j := range f.Jumps {
				got = got || j.ToTTL == 2
			}
			if got != tc.want {
				t.Errorf("jumps %+v, want a jump into hop 2: %v", f.Jumps, tc.want)
			}
		})
	}
}

// TestAccessDomainSource: a congested line's first router at 476 ms bounds nothing, but its name under
// Mexico's domain, with a registry that agrees, says the trace ran from Mexico; under a generic domain
// it says nothing.
func TestAccessDomainSource(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"ipdsl-bcs-lapazbcs-23-l0.uninet.net.mx", "MX"},
		{"ipdsl-23-l0.uninet.net", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := explaintest.Trace("203.0.113.9", "192.0.2.2="+tc.name+"/476", "198.51.100.1/550", "203.0.113.9/600")
			f := Explain(tr, infos("192.0.2.2=8151:Uninet:MX", "198.51.100.1=6453:Tata:US", "203.0.113.9=7922:Comcast:US"), Options{})
			got := ""
			if f.Source.Known && f.Source.Place != nil {
				got = f.Source.Place.Country
			}
			if got != tc.want {
				t.Errorf("source %+v, want country %q", f.Source, tc.want)
			}
		})
	}
}

// TestTargetAnsweringEveryHop: a NAT64 translator answers every TTL from hop 2 on with the target's
// address; the trace arrives at the last of them, not at hop 2.
func TestTargetAnsweringEveryHop(t *testing.T) {
	f := Explain(explaintest.Trace("203.0.113.9", "192.0.2.1/2", "203.0.113.9/3", "203.0.113.9/3", "203.0.113.9/32", "203.0.113.9/33"), nil, Options{})
	if d := f.Destination; !d.Reached || d.ReachedTTL != 5 {
		t.Errorf("destination %+v, want reached at hop 5", d)
	}
}

// TestFarSideNoise: a New York hop at 142 ms, before another New York hop at 106 and London at 142, is
// its own noise, not London's far end: no tunnel is claimed for it.
func TestFarSideNoise(t *testing.T) {
	ny := enrich.Hint{City: "New York", Country: "US", Lat: 40.71, Lon: -74.01, HasCoords: true, Confidence: enrich.ConfidenceHigh}
	london := enrich.Hint{City: "London", Country: "GB", Lat: 51.51, Lon: -0.13, HasCoords: true, Confidence: enrich.ConfidenceHigh}
	tr := explaintest.Trace("203.0.113.9", "192.0.2.1/100", "192.0.2.2/142", "192.0.2.3/106", "192.0.2.4/142", "203.0.113.9/176")
	in := infos("192.0.2.1=174:Cogent:US", "192.0.2.2=174:Cogent:US", "192.0.2.3=174:Cogent:US", "192.0.2.4=174:Cogent:US", "203.0.113.9=174:Cogent:GB")
	for a, h := range map[string]*enrich.Hint{"192.0.2.2": &ny, "192.0.2.3": &ny, "192.0.2.4": &london} {
		r := in[netip.MustParseAddr(a)]
		r.Hint = h
		in[r.Addr] = r
	}
	f := Explain(tr, in, Options{})
	for _, x := range f.FarSide {
		if x.TTL == 2 {
			t.Errorf("far side claimed for hop 2 (%+v), though hop 3 at the same place answers in 106 ms", x)
		}
	}
}
