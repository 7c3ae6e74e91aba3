// Package explaintest holds hand-built paths and enrichment for tests of explain, report and render.
package explaintest

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/enrich"
	"hopscope/internal/path"
)

// Trace makes a trace from a compact notation: one string per hop, probes separated by spaces, each
// "*" or "ADDR/RTTms" or "ADDR=NAME/RTTms". Hop TTLs start at 1.
func Trace(target string, hops ...string) *path.Trace {
	t := &path.Trace{Source: "test", Protocol: path.ProtoUDP}
	if target != "" {
		t.Target.Addr = netip.MustParseAddr(target)
	}
	for i, h := range hops {
		hop := t.HopAt(i + 1)
		for _, p := range strings.Fields(h) {
			if p == "*" {
				hop.AddProbe(path.Probe{Status: path.StatusTimeout}, "")
				continue
			}
			addrName, rtt, _ := strings.Cut(p, "/")
			addr, name, _ := strings.Cut(addrName, "=")
			v, err := strconv.ParseFloat(rtt, 64)
			if err != nil {
				panic(err)
			}
			hop.AddProbe(path.Probe{Status: path.StatusReply, From: netip.MustParseAddr(addr), RTT: time.Duration(v * float64(time.Millisecond)), HasRTT: true}, name)
		}
	}
	return t
}

// SeedTrace is the article's macOS traceroute from Orange in Paris to Tencent in Singapore.
func SeedTrace() *path.Trace {
	t := Trace("101.33.110.25",
		"192.168.1.1/4.393 192.168.1.1/3.348 192.168.1.1/4.066",
		"80.10.253.29/8.648 80.10.253.29/5.384 80.10.253.29/4.795",
		"80.10.154.194=lag-10.nenly00z.rbci.orange.net/8.486 80.10.154.194/4.518 80.10.154.194/4.631",
		"193.253.82.102=ae91-0.ncidf304.rbci.orange.net/5.663 193.253.82.102/7.221 193.253.82.102/5.479",
		"193.252.159.153=ae42-0.niidf302.rbci.orange.net/5.117 193.252.159.153/6.203 193.252.159.153/4.632",
		"193.252.103.37=ae40-0.niidf301.rbci.orange.net/5.207 193.252.103.37/5.828 193.252.103.37/5.379",
		"81.253.184.6/5.208 81.253.184.6/5.443 81.253.184.6/5.148",
		"* 193.251.251.20=tatateleglobe-8.gw.opentransit.net/6.442 *",
		"* * 80.231.246.6=if-ae-39-2.tcore1.pvu-paris.as6453.net/239.959",
		"* * *",
		"195.219.174.8=if-be-7-2.ecore1.emrs2-marseille.as6453.net/329.872 195.219.174.8/296.726 *",
		"* * *",
		"180.87.12.2=if-ae-2-2.tcore2.svw-singapore.as6453.net/364.041 180.87.108.4=if-be-45-2.ecore2.esin4-singapore.as6453.net/236.217 180.87.108.4/308.058",
		"11.28.188.149/306.029 11.28.189.87/333.742 11.28.189.85/377.984",
		"* * *", "* * *", "* * *")
	t.Target.Name = "socwxsns.video.qq.com"
	t.Source = "traceroute-bsd"
	return t
}

// Hostname hints of the seed's cities.
var (
	Paris     = enrich.Hint{City: "Paris", Country: "FR", Lat: 48.8566, Lon: 2.3522, HasCoords: true, Confidence: "high"}
	Marseille = enrich.Hint{City: "Marseille", Country: "FR", Lat: 43.2965, Lon: 5.3698, HasCoords: true, Confidence: "high"}
	Singapore = enrich.Hint{City: "Singapore", Country: "SG", Lat: 1.2897, Lon: 103.8501, HasCoords: true, Confidence: "high"}
)

// SeedInfos is what the embedded database and the hostname hints say about the seed's addresses.
func SeedInfos() map[netip.Addr]enrich.Info {
	m := map[netip.Addr]enrich.Info{}
	add := func(a string, in enrich.Info) {
		in.Addr = netip.MustParseAddr(a)
		m[in.Addr] = in
	}
	orange := func(asn uint32) enrich.Info {
		return enrich.Info{ASN: asn, ASOrg: "Orange S.A.", ASSource: "embedded", Country: "FR", GeoSource: "embedded"}
	}
	tata := func(h enrich.Hint) enrich.Info {
		h.Token = strings.ToLower(h.City)
		h.ASN = 6453
		return enrich.Info{ASN: 6453, ASOrg: "TATA COMMUNICATIONS(AMERICA) INC", ASSource: "embedded", Country: "US", GeoSource: "embedded", Hint: &h}
	}
	private := &enrich.Special{Prefix: netip.MustParsePrefix("192.168.0.0/16"), Kind: "private", Name: "RFC 1918 private network"}
	unannounced := &enrich.Special{Prefix: netip.MustParsePrefix("11.0.0.0/8"), Kind: "unannounced", Name: "registered but not announced (used inside provider networks)", Routable: true}
	add("192.168.1.1", enrich.Info{Special: private})
	add("80.10.253.29", orange(3215))
	add("80.10.154.194", orange(3215))
	add("193.253.82.102", orange(3215))
	add("193.252.159.153", orange(3215))
	add("193.252.103.37", orange(3215))
	add("81.253.184.6", orange(3215))
	add("193.251.251.20", orange(5511))
	add("80.231.246.6", tata(Paris))
	add("195.219.174.8", tata(Marseille))
	add("180.87.12.2", tata(Singapore))
	add("180.87.108.4", tata(Singapore))
	add("11.28.188.149", enrich.Info{Special: unannounced})
	add("11.28.189.87", enrich.Info{Special: unannounced})
	add("11.28.189.85", enrich.Info{Special: unannounced})
	add("101.33.110.25", enrich.Info{ASN: 132203, ASOrg: "Tencent Building, Kejizhongyi Avenue", ASSource: "embedded", Country: "SG", GeoSource: "embedded"})
	return m
}

// Infos is a fixed enrichment table that answers like an enricher: an address it lacks is unknown.
type Infos map[netip.Addr]enrich.Info

// Lookup returns what the table knows of a; the name is ignored.
func (m Infos) Lookup(a netip.Addr, _ string) enrich.Info {
	if in, ok := m[a]; ok {
		return in
	}
	return enrich.Info{Addr: a}
}

// WideTrace makes a three-hop trace whose middle hop has n responders (10.x.y.z, each answering two
// probes and named r<i>.test), the shape of a hop behind a large load balancer; the target answers at hop 3.
func WideTrace(n int) *path.Trace {
	t := &path.Trace{Source: "test", Protocol: path.ProtoUDP, Target: path.Target{Addr: netip.MustParseAddr("192.0.2.1")}}
	first := netip.MustParseAddr("198.51.100.1")
	t.Hops = []path.Hop{
		{TTL: 1, Probes: []path.Probe{{Status: path.StatusReply, From: first, RTT: time.Millisecond, HasRTT: true}}, Responders: []path.Responder{{Addr: first}}},
		{TTL: 2, Probes: make([]path.Probe, 0, 2*n), Responders: make([]path.Responder, 0, n)},
		{TTL: 3, Probes: []path.Probe{{Status: path.StatusReply, From: t.Target.Addr, RTT: 30 * time.Millisecond, HasRTT: true}}, Responders: []path.Responder{{Addr: t.Target.Addr}}},
	}
	h := &t.Hops[1]
	for i := range n {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		// As importers build a hop: through AddProbe, which keeps the hop's responder index.
		rtt := time.Duration(10+i%7) * time.Millisecond
		h.AddProbe(path.Probe{Status: path.StatusReply, From: a, RTT: rtt, HasRTT: true}, "r"+strconv.Itoa(i)+".test")
		h.AddProbe(path.Probe{Status: path.StatusReply, From: a, RTT: rtt + time.Millisecond, HasRTT: true}, "")
	}
	return t
}

// LongTrace makes a trace of n hops, each answered by its own address (10.x.y.z) with three probes
// whose RTT grows along the path, every tenth hop silent; the target answers at the last hop.
func LongTrace(n int) *path.Trace {
	t := &path.Trace{Source: "test", Protocol: path.ProtoUDP, Hops: make([]path.Hop, 0, n)}
	for i := range n {
		h := path.Hop{TTL: i + 1}
		if i%10 == 9 && i != n-1 {
			h.Probes = []path.Probe{{Status: path.StatusTimeout}, {Status: path.StatusTimeout}, {Status: path.StatusTimeout}}
			t.Hops = append(t.Hops, h)
			continue
		}
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		rtt := time.Duration(i)*100*time.Microsecond + time.Millisecond
		for k := range 3 {
			h.Probes = append(h.Probes, path.Probe{Status: path.StatusReply, From: a, RTT: rtt + time.Duration(k)*time.Microsecond, HasRTT: true})
		}
		h.Responders = []path.Responder{{Addr: a, Name: "h" + strconv.Itoa(i) + ".test"}}
		t.Hops = append(t.Hops, h)
		t.Target.Addr = a
	}
	return t
}

// InfosFor gives every responder of t an AS (64496 + the hop's TTL modulo 8, so the path crosses
// operators), an organisation and a country, the way an enricher answers for routed space.
func InfosFor(t *path.Trace) Infos {
	m := Infos{}
	for _, h := range t.Hops {
		asn := uint32(64496 + h.TTL%8)
		for _, r := range h.Responders {
			m[r.Addr] = enrich.Info{Addr: r.Addr, ASN: asn, ASOrg: "Example Net " + strconv.Itoa(int(asn)), ASSource: "embedded", Country: "FR", GeoSource: "embedded"}
		}
	}
	return m
}
