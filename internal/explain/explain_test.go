package explain

import (
	"math"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"hopscope/internal/enrich"
	"hopscope/internal/explain/explaintest"
	"hopscope/internal/path"
)

// infos builds an enrichment map from "ADDR=ASN:ORG:CC" entries (ASN 0 for none).
func infos(entries ...string) map[netip.Addr]enrich.Info {
	m := map[netip.Addr]enrich.Info{}
	for _, e := range entries {
		addr, rest, _ := strings.Cut(e, "=")
		parts := strings.Split(rest, ":")
		a := netip.MustParseAddr(addr)
		in := enrich.Info{Addr: a, ASOrg: parts[1], Country: parts[2]}
		for _, c := range parts[0] {
			in.ASN = in.ASN*10 + uint32(c-'0')
		}
		m[a] = in
	}
	return m
}

func TestExplainSeed(t *testing.T) {
	f := Explain(explaintest.SeedTrace(), explaintest.SeedInfos(), Options{})

	d := f.Destination
	if d.ASN != 132203 || d.Operator != "Tencent" || d.Country != "SG" || d.City != "Singapore" || d.Reached || d.LastRespondingTTL != 14 || d.TrailingSilent != 3 {
		t.Errorf("destination = %+v", d)
	}
	var names []string
	for _, c := range f.Carriers {
		names = append(names, c.Name)
	}
	if want := []string{"Orange", "Tata Communications", "Tencent"}; !slices.Equal(names, want) {
		t.Errorf("carriers = %v, want %v", names, want)
	}
	if !slices.Equal(f.Carriers[0].ASNs, []uint32{3215, 5511}) || f.Carriers[2].Observed {
		t.Errorf("carriers = %+v", f.Carriers)
	}
	// Orange's domestic AS3215 hands over to its international AS5511 at hop 8 (a sibling hand-off,
	// within the one carrier), which hands over to Tata at hop 9.
	// Before both, the path enters Orange at hop 2 after the home router's private hop 1.
	if len(f.HandOffs) != 3 || !f.HandOffs[0].Entry || f.HandOffs[0].AtTTL != 2 || f.HandOffs[1].Within != "Orange" || f.HandOffs[1].AtTTL != 8 ||
		!slices.Equal(f.HandOffs[1].FromASNs, []uint32{3215}) || !slices.Equal(f.HandOffs[1].ToASNs, []uint32{5511}) {
		t.Fatalf("hand-offs = %+v", f.HandOffs)
	}
	h := f.HandOffs[2]
	if h.From != "Orange" || h.To != "Tata Communications" || h.AfterTTL != 8 || h.AtTTL != 9 || h.Place == nil || h.Place.City != "Paris" {
		t.Errorf("hand-off = %+v", h)
	}
	if h.InterconnectTTL != 8 || h.Interconnect != "tatateleglobe-8.gw.opentransit.net" {
		t.Errorf("interconnect = hop %d %q", h.InterconnectTTL, h.Interconnect)
	}
	j := largestJump(&f)
	if j == nil || j.FromTTL != 8 || j.ToTTL != 9 || math.Abs(j.FromMs-6.442) > 0.01 || math.Abs(j.ToMs-239.959) > 0.01 || !j.Persistent {
		t.Fatalf("largest jump = %+v", j)
	}
	if j.FromPlace.Label() != "Paris, FR" || j.ToPlace.Label() != "Singapore, SG" {
		t.Errorf("jump crossing = %s → %s", j.FromPlace.Label(), j.ToPlace.Label())
	}
	if len(f.Spikes) != 1 || f.Spikes[0].TTL != 11 || f.Spikes[0].LaterTTL != 13 {
		t.Errorf("spikes = %+v", f.Spikes)
	}
	if f.Distance == nil || math.Abs(f.Distance.Km-10737) > 50 || math.Abs(f.Distance.LightMinMs-107.4) > 0.5 || f.Distance.MeasuredTTL != 13 || f.Distance.Stretch != 2.2 {
		t.Errorf("distance = %+v", f.Distance)
	}
	var multi []int
	for _, m := range f.MultiResponders {
		multi = append(multi, m.TTL)
	}
	if !slices.Equal(multi, []int{13, 14}) {
		t.Errorf("multi-responder hops = %v", multi)
	}
	if !slices.Equal(f.SilentHops, []int{10, 12, 15, 16, 17}) {
		t.Errorf("silent hops = %v", f.SilentHops)
	}
	var unannounced int
	for _, s := range f.Special {
		if s.TTL == 14 && s.Kind == "unannounced" && strings.Contains(s.Note, "internal address space") {
			unannounced++
		}
	}
	if unannounced != 3 {
		t.Errorf("special = %+v", f.Special)
	}
	var far []int
	for _, x := range f.FarSide {
		far = append(far, x.TTL)
	}
	if !slices.Equal(far, []int{9, 11}) {
		t.Errorf("far-side hops = %v", far)
	}
	if len(f.Contradictions) != 0 {
		t.Errorf("contradictions = %+v", f.Contradictions)
	}
	for _, want := range []string{"Tencent (AS132203) in Singapore", "did not answer, the last responding hop is 14",
		"Orange (AS3215/AS5511) hands the traffic to Tata Communications (AS6453) in Paris",
		"from ~6 ms to ~240 ms between hops 8 and 9", "leaves France (Paris) for Singapore",
		"Hop 11 (Marseille)", "slow ICMP generation", "~10,700 km", "~107 ms", "server is in Singapore"} {
		if !strings.Contains(f.Summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, f.Summary)
		}
	}
	if n := strings.Count(f.Summary, ". "); n < 2 || n > 5 {
		t.Errorf("summary has %d sentences:\n%s", n+1, f.Summary)
	}
}

func TestASPath(t *testing.T) {
	tests := []struct {
		name      string
		hops      []string
		infos     map[netip.Addr]enrich.Info
		wantRuns  string // "ASN:first-last" joined by " "
		wantHand  string // "From>To@ttl" joined by " "
		wantStray []int
	}{
		{
			name:     "silent and private hops do not break a run",
			hops:     []string{"10.0.0.1/1", "192.0.2.1/2", "*", "198.51.100.1/3", "192.0.2.2/4"},
			infos:    withSpecial(infos("192.0.2.1=64500:Alpha Net:FR", "198.51.100.1=64500:Alpha Net:FR", "192.0.2.2=64500:Alpha Net:FR"), "10.0.0.1", "private"),
			wantRuns: "64500:2-5",
			wantHand: ">Alpha Net@2", // the path enters Alpha Net at hop 2, after a private hop
		},
		{
			name:      "a single stray hop between hops of one AS is not a hand-off",
			hops:      []string{"192.0.2.1/1", "192.0.2.2/2", "198.51.100.1/3", "192.0.2.3/4"},
			infos:     infos("192.0.2.1=64500:Alpha Net:FR", "192.0.2.2=64500:Alpha Net:FR", "198.51.100.1=64501:Beta Transit:FR", "192.0.2.3=64500:Alpha Net:FR"),
			wantRuns:  "64500:1-4",
			wantStray: []int{3},
		},
		{
			name:     "a hand-off is declared when the following hops stay",
			hops:     []string{"192.0.2.1/1", "192.0.2.2/2", "198.51.100.1/3", "198.51.100.2/4"},
			infos:    infos("192.0.2.1=64500:Alpha Net:FR", "192.0.2.2=64500:Alpha Net:FR", "198.51.100.1=64501:Beta Transit:FR", "198.51.100.2=64501:Beta Transit:FR"),
			wantRuns: "64500:1-2 64501:3-4",
			wantHand: "Alpha Net>Beta Transit@3",
		},
		{
			// ... with the border between their networks a hand-off within the carrier.
			name:     "sibling ASes of one operator are one carrier",
			hops:     []string{"192.0.2.1/1", "192.0.2.2/2", "198.51.100.1/3", "203.0.113.1/4", "203.0.113.2/5"},
			infos:    infos("192.0.2.1=3215:Orange S.A.:FR", "192.0.2.2=3215:Orange S.A.:FR", "198.51.100.1=5511:ORANGE:FR", "203.0.113.1=6453:TATA COMMUNICATIONS(AMERICA) INC:US", "203.0.113.2=6453:TATA COMMUNICATIONS(AMERICA) INC:US"),
			wantRuns: "3215:1-2 5511:3-3 6453:4-5",
			wantHand: "Orange>Orange@3 Orange>Tata Communications@4",
		},
		{
			name:     "a single-hop carrier between two others is transit",
			hops:     []string{"192.0.2.1/1", "192.0.2.2/2", "198.51.100.1/3", "203.0.113.1/4", "203.0.113.2/5"},
			infos:    infos("192.0.2.1=64500:Alpha Net:FR", "192.0.2.2=64500:Alpha Net:FR", "198.51.100.1=64501:Beta Transit:FR", "203.0.113.1=64502:Gamma Cloud:US", "203.0.113.2=64502:Gamma Cloud:US"),
			wantRuns: "64500:1-2 64501:3-3 64502:4-5",
			wantHand: "Alpha Net>Gamma Cloud@4",
		},
		{
			name:     "the next carrier answering beside the last hop of the previous one is where the hand-off is",
			hops:     []string{"192.0.2.1/1", "192.0.2.2/2", "192.0.2.3/3 203.0.113.1/3", "*", "203.0.113.2/5"},
			infos:    infos("192.0.2.1=64500:Alpha Net:FR", "192.0.2.2=64500:Alpha Net:FR", "192.0.2.3=64500:Alpha Net:FR", "203.0.113.1=64502:Gamma Cloud:US", "203.0.113.2=64502:Gamma Cloud:US"),
			wantRuns: "64500:1-3 64502:5-5",
			wantHand: "Alpha Net>Gamma Cloud@3",
		},
		{
			name: "a port on an exchange's LAN belongs to the member its name gives, and the single hop before it is a carrier",
			hops: []string{"192.0.2.1/1", "192.0.2.2/2", "192.0.2.5/3", "198.51.100.9/4", "203.0.113.1/5", "203.0.113.2/6"},
			infos: withLAN(infos("192.0.2.1=64500:Alpha Net:FR", "192.0.2.2=64500:Alpha Net:FR", "192.0.2.5=64501:Beta Transit:FR",
				"198.51.100.9=64999:Example IX:FR", "203.0.113.1=64502:Gamma Cloud:US", "203.0.113.2=64502:Gamma Cloud:US"), "198.51.100.9", 64502),
			wantRuns: "64500:1-2 64501:3-3 64502:4-6",
			wantHand: "Alpha Net>Beta Transit@3 Beta Transit>Gamma Cloud@4",
		},
		{
			name:     "a hop on an exchange's LAN between two carriers is where the hand-off is",
			hops:     []string{"192.0.2.1/1", "192.0.2.2/2", "198.51.100.9/3", "203.0.113.1/4", "203.0.113.2/5"},
			infos:    withExchange(infos("192.0.2.1=64500:Alpha Net:FR", "192.0.2.2=64500:Alpha Net:FR", "203.0.113.1=64502:Gamma Cloud:US", "203.0.113.2=64502:Gamma Cloud:US"), "198.51.100.9"),
			wantRuns: "64500:1-2 64502:4-5",
			wantHand: "Alpha Net>Gamma Cloud@3",
		},
		{
			name:     "the exchange's own AS on its LAN is transit, and the hand-off is still at the exchange hop",
			hops:     []string{"192.0.2.1/1", "192.0.2.2/2", "198.51.100.9/3", "203.0.113.1/4", "203.0.113.2/5"},
			infos:    withExchange(infos("192.0.2.1=64500:Alpha Net:FR", "192.0.2.2=64500:Alpha Net:FR", "198.51.100.9=64501:Beta IX:FR", "203.0.113.1=64502:Gamma Cloud:US", "203.0.113.2=64502:Gamma Cloud:US"), "198.51.100.9"),
			wantRuns: "64500:1-2 64501:3-3 64502:4-5",
			wantHand: "Alpha Net>Gamma Cloud@3",
		},
		{
			name:     "a single hop named in its own carrier's domain is that carrier's router, not transit",
			hops:     []string{"192.0.2.1/1", "192.0.2.2/2", "198.51.100.1=ix-ae-6-0.tcore1.n75-newyork.as64501.net/3", "203.0.113.1/4", "203.0.113.2/5"},
			infos:    withHint(infos("192.0.2.1=64500:Alpha Net:FR", "192.0.2.2=64500:Alpha Net:FR", "198.51.100.1=64501:Beta Transit:FR", "203.0.113.1=64502:Gamma Cloud:US", "203.0.113.2=64502:Gamma Cloud:US"), "198.51.100.1", 64501),
			wantRuns: "64500:1-2 64501:3-3 64502:4-5",
			wantHand: "Alpha Net>Beta Transit@3 Beta Transit>Gamma Cloud@4",
		},
		{
			name:     "a single hop followed by silent hops is a carrier whose other routers did not answer",
			hops:     []string{"192.0.2.1/1", "192.0.2.2/2", "198.51.100.1/3", "*", "*", "203.0.113.1/6", "203.0.113.2/7"},
			infos:    infos("192.0.2.1=64500:Alpha Net:FR", "192.0.2.2=64500:Alpha Net:FR", "198.51.100.1=64501:Beta Transit:FR", "203.0.113.1=64502:Gamma Cloud:US", "203.0.113.2=64502:Gamma Cloud:US"),
			wantRuns: "64500:1-2 64501:3-3 64502:6-7",
			wantHand: "Alpha Net>Beta Transit@3 Beta Transit>Gamma Cloud@6",
		},
		{
			name:     "the reported ASN counts when the database has none",
			hops:     []string{"192.0.2.1/1", "198.51.100.1/2"},
			infos:    infos("192.0.2.1=64500:Alpha Net:FR"),
			wantRuns: "64500:1-1 64501:2-2",
			wantHand: "Alpha Net>AS64501@2",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := explaintest.Trace("", tc.hops...)
			if strings.Contains(tc.name, "reported") {
				tr.Hop(2).Responders[0].ReportedASN = 64501
			}
			f := Explain(tr, tc.infos, Options{})
			var runs, hands []string
			var strays []int
			for _, r := range f.ASPath {
				runs = append(runs, fmtRun(r))
				for _, s := range r.Strays {
					strays = append(strays, s.TTL)
				}
			}
			for _, h := range f.HandOffs {
				hands = append(hands, h.From+">"+h.To+"@"+itoa(h.AtTTL))
			}
			if got := strings.Join(runs, " "); got != tc.wantRuns {
				t.Errorf("runs = %q, want %q", got, tc.wantRuns)
			}
			if got := strings.Join(hands, " "); got != tc.wantHand {
				t.Errorf("hand-offs = %q, want %q", got, tc.wantHand)
			}
			if !slices.Equal(strays, tc.wantStray) {
				t.Errorf("strays = %v, want %v", strays, tc.wantStray)
			}
		})
	}
}

// withExchange marks addresses as ports on an exchange's peering LAN.
func withExchange(m map[netip.Addr]enrich.Info, addrs ...string) map[netip.Addr]enrich.Info {
	for _, s := range addrs {
		a := netip.MustParseAddr(s)
		in := m[a]
		in.Addr = a
		in.Exchange = &enrich.Exchange{Name: "Example IX", City: "Paris", Country: "FR", Lat: 48.86, Lon: 2.35}
		m[a] = in
	}
	return m
}

// withHint gives an address a hostname hint naming AS asn.
func withHint(m map[netip.Addr]enrich.Info, addr string, asn uint32) map[netip.Addr]enrich.Info {
	a := netip.MustParseAddr(addr)
	in := m[a]
	in.Addr = a
	in.Hint = &enrich.Hint{ASN: asn}
	m[a] = in
	return m
}

// withLAN marks an address as a port on an exchange's peering LAN whose name gives member AS asn.
func withLAN(m map[netip.Addr]enrich.Info, addr string, asn uint32) map[netip.Addr]enrich.Info {
	a := netip.MustParseAddr(addr)
	in := m[a]
	in.Addr = a
	in.Exchange = &enrich.Exchange{Name: "Example IX", City: "Paris", Country: "FR", Lat: 48.86, Lon: 2.35, Prefix: netip.MustParsePrefix("198.51.100.0/24")}
	in.Hint = &enrich.Hint{ASN: asn, Interconnect: true}
	m[a] = in
	return m
}

func TestHostnameASNIsWeakEvidence(t *testing.T) {
	tr := explaintest.Trace("", "192.0.2.1=r1.as64500.example/1", "192.0.2.2=r2.as64500.example/1")
	m := infos("192.0.2.2=64501:Beta Transit:FR")
	in := m[netip.MustParseAddr("192.0.2.2")]
	in.Hint = &enrich.Hint{Token: "as64500", ASN: 64500}
	m[in.Addr] = in
	m[netip.MustParseAddr("192.0.2.1")] = enrich.Info{Addr: netip.MustParseAddr("192.0.2.1"), Hint: &enrich.Hint{Token: "as64500", ASN: 64500}}
	f := Explain(tr, m, Options{})
	if f.Hops[0].ASN != 64500 || f.Hops[0].ASSource != "hostname" {
		t.Errorf("hop 1 = %+v, want AS64500 from the hostname", f.Hops[0])
	}
	if f.Hops[1].ASN != 64501 || f.Hops[1].ASSource != "database" {
		t.Errorf("hop 2 = %+v, want the database's AS64501 over the hostname", f.Hops[1])
	}
}

func TestSpecialAddressVotes(t *testing.T) {
	tr := explaintest.Trace("", "192.0.2.1/1", "198.51.100.1/2", "198.51.100.2/3")
	tr.Hop(1).Responders[0].ReportedASN = 64999 // traceroute -a on a private address: the tool's guess
	unannounced := &enrich.Special{Prefix: netip.MustParsePrefix("198.51.100.0/24"), Kind: "unannounced", Name: "unannounced"}
	m := map[netip.Addr]enrich.Info{
		netip.MustParseAddr("192.0.2.1"):    {Special: &enrich.Special{Prefix: netip.MustParsePrefix("192.0.2.0/24"), Kind: "private", Name: "private"}},
		netip.MustParseAddr("198.51.100.1"): {ASN: 3215, ASSource: "hostname", Special: unannounced},
		netip.MustParseAddr("198.51.100.2"): {Special: unannounced},
	}
	f := Explain(tr, m, Options{})
	got := []string{}
	for _, h := range f.Hops {
		got = append(got, itoa(int(h.ASN))+"/"+h.ASSource)
	}
	if want := "0/ 3215/hostname 0/"; strings.Join(got, " ") != want {
		t.Errorf("hop ASes = %q, want %q", strings.Join(got, " "), want)
	}
}

func fmtRun(r ASRun) string {
	return itoa(int(r.ASN)) + ":" + itoa(r.FirstTTL) + "-" + itoa(r.LastTTL)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// withSpecial marks addr as a special-purpose address of kind.
func withSpecial(m map[netip.Addr]enrich.Info, addr, kind string) map[netip.Addr]enrich.Info {
	a := netip.MustParseAddr(addr)
	m[a] = enrich.Info{Addr: a, Special: &enrich.Special{Prefix: netip.PrefixFrom(a, 8).Masked(), Kind: kind, Name: kind}}
	return m
}

func TestSameOperator(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"identical", "Orange S.A.", "Orange S.A.", true},
		{"legal form and case differ", "Orange S.A.", "ORANGE", true},
		{"shared distinctive word", "Tencent Building, Kejizhongyi Avenue", "Shenzhen Tencent Computer Systems Company Limited", true},
		{"generic word only", "China Unicom Beijing", "China Telecom Backbone", false},
		{"different operators", "Orange S.A.", "TATA COMMUNICATIONS(AMERICA) INC", false},
		{"communications is generic", "Tata Communications", "Zayo Communications", false},
		{"research networks are not siblings", "Australian Academic and Research Network", "Research and Education Advanced Network New Zealand Ltd", false},
		{"a legal form is no sibling", "SIA Tet", "SIA BITE Latvija", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SameOperator(tc.a, tc.b); got != tc.want {
				t.Errorf("SameOperator(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestCarrierName(t *testing.T) {
	tests := []struct {
		name string
		orgs []string
		want string
	}{
		{"legal form dropped", []string{"Orange S.A."}, "Orange"},
		{"capitals and parenthesis", []string{"TATA COMMUNICATIONS(AMERICA) INC"}, "Tata Communications"},
		{"postal address dropped", []string{"Tencent Building, Kejizhongyi Avenue"}, "Tencent"},
		{"siblings share a word", []string{"Orange S.A.", "Orange Polska Spolka Akcyjna"}, "Orange"},
		{"unknown organisation", []string{"AS64500"}, "AS64500"},
		{"mixed case kept", []string{"Hurricane Electric LLC"}, "Hurricane Electric"},
		{"dash before the legal form", []string{"Star Satellite Communications Company - PJSC"}, "Star Satellite Communications"},
		{"siblings share leading words", []string{"CHINA UNICOM China169 Backbone", "China Unicom Beijing Province Network"}, "CHINA UNICOM"},
		{"leading city and business words", []string{"Shenzhen Tencent Computer Systems Company Limited"}, "Tencent"},
		{"business words after a generic name stay", []string{"China Telecom Group"}, "China Telecom"},
		{"science and technology", []string{"Beijing Baidu Netcom Science and Technology Co., Ltd."}, "Baidu Netcom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CarrierName(tc.orgs); got != tc.want {
				t.Errorf("CarrierName(%q) = %q, want %q", tc.orgs, got, tc.want)
			}
		})
	}
}

func TestLatency(t *testing.T) {
	tests := []struct {
		name       string
		hops       []string
		wantJumps  string // "from>to[p]" where p marks persistent
		wantSpikes []int
	}{
		{
			name:      "persistent jump",
			hops:      []string{"192.0.2.1/5", "192.0.2.2/6", "192.0.2.3/80", "192.0.2.4/82", "192.0.2.5/81"},
			wantJumps: "2>3p",
		},
		{
			name:       "spike that later hops do not carry",
			hops:       []string{"192.0.2.1/5", "192.0.2.2/6", "192.0.2.3/90", "192.0.2.4/7", "192.0.2.5/8"},
			wantJumps:  "",
			wantSpikes: []int{3},
		},
		{
			name:       "spike on top of a jump",
			hops:       []string{"192.0.2.1/6", "192.0.2.2/240", "*", "192.0.2.3/297", "192.0.2.4/236", "192.0.2.5/306"},
			wantJumps:  "1>2p",
			wantSpikes: []int{4},
		},
		{
			name:       "a slow router where the level rises is a spike, and the jump lands after it",
			hops:       []string{"192.0.2.1/1", "192.0.2.2/135", "192.0.2.3/13", "192.0.2.4/12", "192.0.2.5/12"},
			wantJumps:  "1>3p",
			wantSpikes: []int{2},
		},
		{
			name:       "a slow router on top of a real rise",
			hops:       []string{"192.0.2.1/0.3", "192.0.2.2/6.7", "192.0.2.3/230", "192.0.2.4/39.1", "192.0.2.5/39.4", "192.0.2.6/39.5"},
			wantJumps:  "1>2p 2>4p",
			wantSpikes: []int{3},
		},
		{
			// Windows tracert, 3 samples a hop: Seattle 195 ms, then Sydney 302 and 301, Canberra 269 to 277.
			name:       "the first hop past a kept rise, above the later level by less than the rise, is where it lands",
			hops:       []string{"192.0.2.1/195", "192.0.2.2/302", "192.0.2.3/301", "192.0.2.4/269", "192.0.2.5/267", "192.0.2.6/277"},
			wantJumps:  "1>2p",
			wantSpikes: []int{3},
		},
		{
			name:      "a landing 11 ms above a later level 59 ms up is the landing",
			hops:      []string{"192.0.2.1/27", "192.0.2.2/97", "192.0.2.3/90", "192.0.2.4/91", "192.0.2.5/86"},
			wantJumps: "1>2p",
		},
		{
			name:       "slow routers in a row before the rise",
			hops:       []string{"192.0.2.1/1", "192.0.2.2/90", "192.0.2.3/80", "192.0.2.4/30", "192.0.2.5/31"},
			wantJumps:  "1>4p",
			wantSpikes: []int{2, 3},
		},
		{
			name:       "near the source, a few ms that multiply the level: a jump kept by later hops, a spike not kept",
			hops:       []string{"192.0.2.1/6.0", "192.0.2.2/1.5", "192.0.2.3/1.8", "192.0.2.4/9.8", "192.0.2.5/10.1"},
			wantJumps:  "3>4p",
			wantSpikes: []int{1},
		},
		{
			name:       "a home gateway at 2.8 ms before hops at 0.6 ms answers slowly itself",
			hops:       []string{"192.0.2.1/2.8", "192.0.2.2/0.6", "192.0.2.3/6.3", "192.0.2.4/1.1", "192.0.2.5/17.4", "192.0.2.6/17.2"},
			wantJumps:  "4>5p",
			wantSpikes: []int{1, 3},
		},
		{
			name:      "a later level of 0 ms is a tool's artifact, no reason for a spike",
			hops:      []string{"192.0.2.1/2", "192.0.2.2/3", "192.0.2.3/0"},
			wantJumps: "",
		},
		{
			name:      "noise below the thresholds",
			hops:      []string{"192.0.2.1/5", "192.0.2.2/9", "192.0.2.3/7", "192.0.2.4/11", "192.0.2.5/10"},
			wantJumps: "",
		},
		{
			name:      "a rise at the last hop is not confirmed",
			hops:      []string{"192.0.2.1/5", "192.0.2.2/6", "192.0.2.3/60"},
			wantJumps: "2>3",
		},
		{
			name:      "silent path",
			hops:      []string{"*", "*"},
			wantJumps: "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Explain(explaintest.Trace("", tc.hops...), nil, Options{})
			var js []string
			for _, j := range f.Jumps {
				s := itoa(j.FromTTL) + ">" + itoa(j.ToTTL)
				if j.Persistent {
					s += "p"
				}
				js = append(js, s)
			}
			var ss []int
			for _, s := range f.Spikes {
				ss = append(ss, s.TTL)
			}
			if got := strings.Join(js, " "); got != tc.wantJumps {
				t.Errorf("jumps = %q, want %q", got, tc.wantJumps)
			}
			if !slices.Equal(ss, tc.wantSpikes) {
				t.Errorf("spikes = %v, want %v", ss, tc.wantSpikes)
			}
		})
	}
}

func TestPlaceOf(t *testing.T) {
	tokyo := &enrich.Hint{City: "Tokyo", Country: "JP", Lat: 35.68, Lon: 139.69, HasCoords: true}
	tests := []struct {
		name string
		in   enrich.Info
		want string // Label + "/" + Source
	}{
		{"nothing known", enrich.Info{}, "/"},
		{"database country only", enrich.Info{Country: "US"}, "US/database"},
		{"high-confidence hint beats the database country", enrich.Info{Country: "US", Hint: withConf(explaintest.Paris, "high")}, "Paris, FR/hostname"},
		{"medium hint loses to a database city", enrich.Info{Country: "US", City: "Dallas", HasCoords: true, Hint: withConf(*tokyo, "medium")}, "Dallas, US/database"},
		{"medium hint beats a database country", enrich.Info{Country: "US", Hint: withConf(*tokyo, "medium")}, "Tokyo, JP/hostname"},
		{"low hint loses to another country", enrich.Info{Country: "US", Hint: withConf(*tokyo, "low")}, "US/database"},
		{"low hint agreeing with the database", enrich.Info{Country: "JP", Hint: withConf(*tokyo, "low")}, "Tokyo, JP/hostname"},
		{"enricher already merged the hint", enrich.Info{City: "Paris", Country: "FR", HasCoords: true, GeoSource: "hostname"}, "Paris, FR/hostname"},
		{"enricher kept a low hint its database confirmed", enrich.Info{City: "Tokyo", Country: "JP", HasCoords: true, GeoSource: "hostname", Hint: withConf(*tokyo, "low")}, "Tokyo, JP/hostname"},
		{"an exchange's peering LAN", enrich.Info{City: "Frankfurt", Country: "DE", Lat: 50.11, Lon: 8.68, HasCoords: true, GeoSource: "exchange"}, "Frankfurt, DE/exchange"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := PlaceOf(tc.in)
			got := "/"
			if p != nil {
				got = p.Label() + "/" + p.Source
			}
			if got != tc.want {
				t.Errorf("PlaceOf = %q, want %q", got, tc.want)
			}
		})
	}
}

func withConf(h enrich.Hint, c string) *enrich.Hint {
	h.Confidence = c
	return &h
}

func TestContradictions(t *testing.T) {
	tr := explaintest.Trace("", "192.0.2.1/5", "192.0.2.2/6", "192.0.2.3/150")
	m := map[netip.Addr]enrich.Info{
		netip.MustParseAddr("192.0.2.2"): {Country: "SG", City: "Singapore", Lat: explaintest.Singapore.Lat, Lon: explaintest.Singapore.Lon, HasCoords: true, GeoSource: "embedded"},
		netip.MustParseAddr("192.0.2.3"): {Hint: &explaintest.Singapore},
	}
	from := &Place{City: "Paris", Country: "FR", Lat: explaintest.Paris.Lat, Lon: explaintest.Paris.Lon, HasCoords: true}
	f := Explain(tr, m, Options{From: from})
	if len(f.Contradictions) != 1 || f.Contradictions[0].TTL != 2 || f.Contradictions[0].MaxKm != 600 {
		t.Fatalf("contradictions = %+v, want hop 2 only (6 ms cannot reach Singapore)", f.Contradictions)
	}
	if f.Source.Basis != "--from-location" || f.Source.Place.Source != "user" {
		t.Errorf("source = %+v", f.Source)
	}
	if !slices.Contains(f.Hops[1].Marks, "contradiction") {
		t.Errorf("hop 2 marks = %v", f.Hops[1].Marks)
	}
}

func TestSource(t *testing.T) {
	tests := []struct {
		name      string
		hops      []string
		infos     map[netip.Addr]enrich.Info
		wantKnown bool
		wantLabel string
	}{
		{"no location anywhere", []string{"192.0.2.1/1", "192.0.2.2/2"}, nil, false, ""},
		{"hint among the first hops", []string{"192.0.2.1/1", "192.0.2.2/2"},
			map[netip.Addr]enrich.Info{netip.MustParseAddr("192.0.2.2"): {Hint: &explaintest.Paris}}, true, "Paris, FR"},
		{"country of the first hops only", []string{"192.0.2.1/1"}, infos("192.0.2.1=64500:Alpha Net:FR"), true, "FR"},
		{"nothing answered", []string{"*", "*"}, nil, false, ""},
		{"registry country against a first hop's national domain: unknown", []string{"192.0.2.1/1", "192.0.2.2=cernet.edu.cn/1", "192.0.2.3/2"},
			infos("192.0.2.1=64500:Alpha Net:AU", "192.0.2.2=64500:Alpha Net:AU", "192.0.2.3=64500:Alpha Net:AU"), false, ""},
		{"a national domain of the registry's country agrees", []string{"192.0.2.1/1", "192.0.2.2=gw.example.com.au/1"},
			infos("192.0.2.1=64500:Alpha Net:AU", "192.0.2.2=64500:Alpha Net:AU"), true, "AU"},
		{"a national domain of a later, slower hop says nothing of the source", []string{"192.0.2.1/1", "192.0.2.2/2", "192.0.2.3=ix.example.ac.uk/90"},
			infos("192.0.2.1=64500:Alpha Net:FR", "192.0.2.2=64500:Alpha Net:FR"), true, "FR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Explain(explaintest.Trace("", tc.hops...), tc.infos, Options{})
			if f.Source.Known != tc.wantKnown || f.Source.Place.Label() != tc.wantLabel {
				t.Errorf("source = %+v (%s), want known=%v %q", f.Source, f.Source.Place.Label(), tc.wantKnown, tc.wantLabel)
			}
			if !f.Source.Known && f.Distance == nil && !strings.Contains(f.Summary, "--from-location") && len(f.Hops) > 0 && !f.Hops[0].Silent {
				t.Errorf("summary should say the source is unknown: %s", f.Summary)
			}
		})
	}
}

func TestDestination(t *testing.T) {
	tests := []struct {
		name        string
		target      string
		source      string // the tool; "" for a generic trace
		targetName  string
		command     string // the command line the tool printed
		hops        []string
		wantReached bool
		wantAddr    string
		wantSummary string
	}{
		{"reached", "203.0.113.9", "", "", "", []string{"192.0.2.1/1", "203.0.113.9/9"}, true, "203.0.113.9", "it answered at hop 2"},
		{"silent destination", "203.0.113.9", "", "", "", []string{"192.0.2.1/1", "*"}, false, "203.0.113.9", "did not answer, the last responding hop is 1"},
		{"no target address: the last hop is only where answers stop", "", "", "", "", []string{"192.0.2.1/1", "192.0.2.7/3"}, false, "", "the last responding hop is 2"},
		{"no target address, mtr's last row answered: the destination", "", "mtr-report", "example.net", "", []string{"192.0.2.1/1", "192.0.2.7/3"}, true, "192.0.2.7", "where the trace ends: the destination"},
		{"no target address, mtr's rows go on silent: a loop or a silent target", "", "mtr-report", "example.net", "", []string{"192.0.2.1/1", "192.0.2.7/3", "*"}, false, "", "the last responding hop is 2"},
		{"no target address, mtr capped by -m", "", "mtr-json", "example.net", "mtr -j -m 2 example.net", []string{"192.0.2.1/1", "192.0.2.7/3"}, false, "", "the last responding hop is 2"},
		{"no target address, the last hop carries the target's name", "", "", "www.example.net", "", []string{"192.0.2.1/1", "192.0.2.7=www.example.net/3"}, true, "192.0.2.7", "the destination"},
		{"nothing answered", "203.0.113.9", "", "", "", []string{"*"}, false, "203.0.113.9", "nothing answered"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := explaintest.Trace(tc.target, tc.hops...)
			if tc.source != "" {
				tr.Source = tc.source
			}
			tr.Target.Name = tc.targetName
			if tc.command != "" {
				tr.Meta = map[string]string{"command": tc.command}
			}
			f := Explain(tr, infos("203.0.113.9=64502:Gamma Cloud:US"), Options{})
			d := f.Destination
			if d.Reached != tc.wantReached || d.Addr != tc.wantAddr {
				t.Errorf("destination = %+v", d)
			}
			if !strings.Contains(f.Summary, tc.wantSummary) {
				t.Errorf("summary lacks %q: %s", tc.wantSummary, f.Summary)
			}
		})
	}
}

// TestNamesOnlyDestination: an mtr report without addresses reaches its target when its last row
// answered, and a named row that answered nothing is not where the answers stop.
func TestNamesOnlyDestination(t *testing.T) {
	row := func(ttl int, name string, sent, recv int, best float64) path.Hop {
		d := time.Duration(best * float64(time.Millisecond))
		return path.Hop{TTL: ttl, Responders: []path.Responder{{Name: name, Stats: &path.Stats{Sent: sent, Received: recv, Best: d, Avg: d, Worst: d}}}}
	}
	tests := []struct {
		name        string
		hops        []path.Hop
		wantReached bool
		wantLast    int
		wantASN     uint32
		wantSummary string
	}{
		{"last row answered", []path.Hop{row(1, "r1.example.net", 10, 10, 1), row(2, "gw-in-f147.1e100.net", 10, 10, 9)},
			true, 2, 15169, "www.google.com answered at hop 2"},
		// mtr stops at the host it aims at: the silent final row is the target, whose name gives its AS.
		{"last row named but answered nothing", []path.Hop{row(1, "r1.example.net", 10, 10, 1), row(2, "r2.example.net", 10, 10, 5), row(3, "gw-in-f147.1e100.net", 10, 0, 0)},
			false, 2, 15169, "the last responding hop is 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := &path.Trace{Source: "mtr-report", Target: path.Target{Name: "www.google.com"}, Hops: tc.hops}
			f := Explain(tr, nil, Options{})
			d := f.Destination
			if d.Reached != tc.wantReached || d.LastRespondingTTL != tc.wantLast || d.ASN != tc.wantASN || d.Addr != "" {
				t.Errorf("destination = %+v", d)
			}
			if !strings.Contains(f.Summary, tc.wantSummary) {
				t.Errorf("summary lacks %q: %s", tc.wantSummary, f.Summary)
			}
		})
	}
}

func TestNameOnlyResponders(t *testing.T) {
	tr := &path.Trace{Target: path.Target{Name: "ya.ru"}, Hops: []path.Hop{
		{TTL: 1, Responders: []path.Responder{{Name: "r1.example.net", Stats: &path.Stats{Sent: 10, Received: 10, Best: time.Millisecond, Avg: time.Millisecond, Worst: time.Millisecond}}}},
		{TTL: 2, Responders: []path.Responder{{Name: "r2.example.net", Stats: &path.Stats{Sent: 10, Received: 8, Best: 9 * time.Millisecond, Avg: 9 * time.Millisecond, Worst: 9 * time.Millisecond}}}},
	}}
	f := Explain(tr, nil, Options{})
	if f.Destination.Addr != "" || f.Destination.LastRespondingTTL != 2 {
		t.Errorf("destination = %+v", f.Destination)
	}
	if want := "does not give the address of ya.ru"; !strings.Contains(f.Summary, want) {
		t.Errorf("summary lacks %q: %s", want, f.Summary)
	}
	if f.Hops[1].RTT == nil || f.Hops[1].RTT.MinMs != 9 {
		t.Errorf("hop 2 RTT = %+v", f.Hops[1].RTT)
	}
}

func TestMPLS(t *testing.T) {
	tr := explaintest.Trace("203.0.113.9", "192.0.2.1/5", "192.0.2.2/6", "192.0.2.3/240", "192.0.2.4/241", "192.0.2.5/239")
	for ttl, label := range map[int]uint32{3: 674080, 4: 371312} {
		tr.Hop(ttl).Probes[0].MPLS = []path.MPLSLabel{{Label: label, TC: 1, S: true, TTL: 1}}
	}
	f := Explain(tr, nil, Options{})
	if len(f.MPLS) != 2 || f.MPLS[0].TTL != 3 || f.MPLS[0].Labels[0] != 674080 || f.MPLS[1].TTL != 4 {
		t.Fatalf("mpls = %+v", f.MPLS)
	}
	if !slices.Contains(f.Hops[2].Marks, "mpls") || !strings.Contains(f.Summary, "Hops 3 to 4 quote MPLS labels") {
		t.Errorf("marks %v, summary %s", f.Hops[2].Marks, f.Summary)
	}
}

func TestCountryName(t *testing.T) {
	for code, want := range map[string]string{"FR": "France", "SG": "Singapore", "US": "the United States", "ZZ": "ZZ"} {
		if got := CountryName(code); got != want {
			t.Errorf("CountryName(%q) = %q, want %q", code, got, want)
		}
	}
}

func BenchmarkExplainSeed(b *testing.B) {
	tr, m := explaintest.SeedTrace(), explaintest.SeedInfos()
	b.ReportAllocs()
	for b.Loop() {
		Explain(tr, m, Options{})
	}
}

func TestDistanceSentence(t *testing.T) {
	seattle := enrich.Hint{City: "Seattle", Country: "US", Lat: 47.61, Lon: -122.33, HasCoords: true, Confidence: "high"}
	tests := []struct {
		name  string
		hops  []string
		infos map[netip.Addr]enrich.Info
		opt   Options
		want  string
	}{
		{"source unknown", []string{"192.0.2.1/1"}, nil, Options{}, "Where the trace was run from is unknown (give --from-location)"},
		{"source country only", []string{"192.0.2.1/1", "203.0.113.9/90"}, infos("192.0.2.1=64500:Alpha Net:FR", "203.0.113.9=64502:Gamma Cloud:US"), Options{},
			"The trace was run from somewhere in France; give --from-location"},
		{"destination country only", []string{"192.0.2.1/1", "203.0.113.9/90"}, infos("203.0.113.9=64502:Gamma Cloud:US"),
			Options{From: &Place{City: "Paris", Country: "FR", Lat: 48.86, Lon: 2.35, HasCoords: true}}, "The destination's city is unknown"},
		{"same city", []string{"192.0.2.1/1", "203.0.113.9/3"}, map[netip.Addr]enrich.Info{netip.MustParseAddr("203.0.113.9"): {Hint: &explaintest.Paris}},
			Options{From: &Place{City: "Paris", Country: "FR", Lat: 48.86, Lon: 2.35, HasCoords: true}}, "both around Paris"},
		{"a first hop 80 ms away places no source", []string{"192.0.2.1/80", "203.0.113.9/81"},
			map[netip.Addr]enrich.Info{netip.MustParseAddr("192.0.2.1"): {Hint: &explaintest.Paris}, netip.MustParseAddr("203.0.113.9"): {Hint: &explaintest.Paris}},
			Options{}, "Where the trace was run from is unknown"},
		{"a first hop 30 ms away in a small country: near its city, too loose for a distance", []string{"192.0.2.1/30", "203.0.113.9/31"},
			map[netip.Addr]enrich.Info{netip.MustParseAddr("192.0.2.1"): {Hint: &explaintest.Paris}, netip.MustParseAddr("203.0.113.9"): {Hint: &explaintest.Paris}},
			Options{}, "within ~3,000 km of Paris (by RTT), too loose to state the distance"},
		{"a first hop 30 ms away in a large country gives the country, not the city", []string{"192.0.2.1/30", "203.0.113.9/31"},
			map[netip.Addr]enrich.Info{netip.MustParseAddr("192.0.2.1"): {Hint: &seattle}, netip.MustParseAddr("203.0.113.9"): {Hint: &seattle}},
			Options{}, "The trace was run from somewhere in the United States"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Explain(explaintest.Trace("203.0.113.9", tc.hops...), tc.infos, tc.opt)
			if !strings.Contains(f.Summary, tc.want) {
				t.Errorf("summary lacks %q:\n%s", tc.want, f.Summary)
			}
			if s := f.Source; s.RadiusKm > 0 && f.Distance != nil && f.Distance.Km < nearKm && f.Distance.Km+s.RadiusKm >= nearKm {
				t.Errorf("distance %v km stated for a source known within %v km", f.Distance.Km, s.RadiusKm)
			}
		})
	}
}

// TestNameHintConfirmedByNeighbours: an ambiguous code in a name without an address ("atl") places
// the hop only when a neighbouring hop is in the code's country.
func TestNameHintConfirmedByNeighbours(t *testing.T) {
	for _, tc := range []struct {
		name, country, want string
	}{
		{"neighbour in the code's country", "US", "Atlanta, US"},
		{"neighbour elsewhere", "FR", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := explaintest.Trace("", "192.0.2.1/1")
			d := 7 * time.Millisecond
			tr.Hops = append(tr.Hops, path.Hop{TTL: 2, Responders: []path.Responder{{Name: "aix.pr1.atl.google.com", Stats: &path.Stats{Sent: 10, Received: 10, Best: d, Avg: d, Worst: d}}}})
			f := Explain(tr, infos("192.0.2.1=64500:Alpha Net:"+tc.country), Options{})
			if got := f.Hops[1].Place.Label(); got != tc.want {
				t.Errorf("hop 2 placed in %q, want %q", got, tc.want)
			}
		})
	}
}
