package tracefile

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"hopscope/internal/path"
)

// corpusCase pins what one saved real-world output must import as.
type corpusCase struct {
	file       string
	format     string
	traces     int
	hops       int         // hops in the (first) trace
	ttls       [2]int      // first and last TTL
	responders map[int]int // TTL -> responder count, for the hops worth pinning
	silent     []int       // TTLs with no responder
	check      func(t *testing.T, tr *path.Trace)
}

func ms(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

// hopOf returns the hop with the TTL or fails the test.
func hopOf(t *testing.T, tr *path.Trace, ttl int) *path.Hop {
	t.Helper()
	h := tr.Hop(ttl)
	if h == nil {
		t.Fatalf("no hop %d", ttl)
	}
	return h
}

// wantResponder checks that hop ttl has responder a with the given name and reported ASN.
func wantResponder(t *testing.T, tr *path.Trace, ttl int, a, name string, asn uint32) {
	t.Helper()
	h := hopOf(t, tr, ttl)
	var r *path.Responder
	if a == "" {
		for i := range h.Responders {
			if h.Responders[i].Name == name && !h.Responders[i].Addr.IsValid() {
				r = &h.Responders[i]
			}
		}
	} else {
		r = h.Responder(addr(a))
	}
	if r == nil {
		t.Fatalf("hop %d: no responder %q/%q in %+v", ttl, a, name, h.Responders)
	}
	if r.Name != name || r.ReportedASN != asn {
		t.Errorf("hop %d responder %s: name %q asn %d, want %q %d", ttl, a, r.Name, r.ReportedASN, name, asn)
	}
}

// wantProbes checks the hop's probes in order: "*" timeout, a number RTT in ms, "L" suffix late,
// "!X" suffix unreachable code.
func wantProbes(t *testing.T, tr *path.Trace, ttl int, want ...string) {
	t.Helper()
	h := hopOf(t, tr, ttl)
	var got []string
	for _, p := range h.Probes {
		got = append(got, probeString(p))
	}
	if !slices.Equal(got, want) {
		t.Errorf("hop %d probes = %v, want %v", ttl, got, want)
	}
}

func probeString(p path.Probe) string {
	s := ""
	switch p.Status {
	case path.StatusTimeout:
		s = "*"
	case path.StatusError:
		s = "E"
	default:
		if p.HasRTT {
			s = strings.TrimSuffix(p.RTT.String(), "s")
		} else {
			s = "reply"
		}
	}
	if p.Unreachable != "" {
		s += "!" + p.Unreachable
	}
	if p.Late {
		s += "L"
	}
	return s
}

func wantWarning(t *testing.T, tr *path.Trace, substr string) {
	t.Helper()
	for _, w := range tr.Warnings {
		if strings.Contains(w, substr) {
			return
		}
	}
	t.Errorf("no warning containing %q in %q", substr, tr.Warnings)
}

var corpusCases = []corpusCase{
	{
		file: "macos-traceroute-orange-paris-to-tata-singapore_mincong-h.txt", format: FormatTracerouteBSD,
		traces: 1, hops: 17, ttls: [2]int{1, 17},
		responders: map[int]int{1: 1, 8: 1, 9: 1, 11: 1, 13: 2, 14: 3},
		silent:     []int{10, 12, 15, 16, 17},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Source != "traceroute-bsd" || tr.MaxTTL != 64 || tr.PacketSize != 52 || tr.ProbesPerHop != 3 {
				t.Errorf("source %q max %d size %d pph %d", tr.Source, tr.MaxTTL, tr.PacketSize, tr.ProbesPerHop)
			}
			want := path.Target{Name: "vweixinthumb.tc.qq.com", Canonical: "socwxsns.video.qq.com", Addr: addr("101.33.110.25")}
			if tr.Target.Name != want.Name || tr.Target.Canonical != want.Canonical || tr.Target.Addr != want.Addr {
				t.Errorf("target = %+v, want %+v", tr.Target, want)
			}
			wantWarning(t, tr, "has multiple addresses; using 101.33.110.25")
			// The prompt line shows a plain "traceroute": classic UDP, a new port per probe.
			if tr.Protocol != path.ProtoUDP || !tr.FlowsVaried || tr.Meta["command"] != "traceroute vweixinthumb.tc.qq.com" {
				t.Errorf("protocol %q varied %v meta %v", tr.Protocol, tr.FlowsVaried, tr.Meta)
			}
			wantProbes(t, tr, 1, "4.393m", "3.348m", "4.066m")
			wantProbes(t, tr, 8, "*", "6.442m", "*")
			wantProbes(t, tr, 9, "*", "*", "239.959m")
			wantProbes(t, tr, 13, "364.041m", "236.217m", "308.058m")
			wantResponder(t, tr, 3, "80.10.154.194", "lag-10.nenly00z.rbci.orange.net", 0)
			wantResponder(t, tr, 13, "180.87.12.2", "if-ae-2-2.tcore2.svw-singapore.as6453.net", 0)
			wantResponder(t, tr, 13, "180.87.108.4", "if-be-45-2.ecore2.esin4-singapore.as6453.net", 0)
			wantResponder(t, tr, 14, "11.28.189.85", "", 0)
			if p := hopOf(t, tr, 13).Probes[1]; p.From != addr("180.87.108.4") {
				t.Errorf("hop 13 probe 2 from %v, want the continuation line's responder", p.From)
			}
		},
	},
	{
		file: "macos-traceroute-a-asn_jc-osx-10.14.6.txt", format: FormatTracerouteBSD,
		traces: 1, hops: 4, ttls: [2]int{1, 4}, responders: map[int]int{1: 1, 2: 1, 4: 1}, silent: []int{3},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Target.Addr != addr("8.8.8.8") || tr.Target.Name != "" || tr.MaxTTL != 4 {
				t.Errorf("target %+v max %d", tr.Target, tr.MaxTTL)
			}
			wantResponder(t, tr, 1, "192.168.1.254", "dsldevice", 198949)
			wantResponder(t, tr, 2, "76.220.24.1", "76-220-24-1.lightspeed.sntcca.sbcglobal.net", 0) // [AS0]: none
			wantResponder(t, tr, 4, "12.122.149.186", "", 7018)
			wantProbes(t, tr, 2, "160.025m", "178.69m", "33.759m")
		},
	},
	{
		file: "linux-traceroute-q1-sweden-sunet-telia-to-china_traceroute-mapper.txt", format: FormatTraceroute,
		traces: 1, hops: 22, ttls: [2]int{1, 22}, responders: map[int]int{1: 1, 12: 1, 15: 1, 16: 1, 22: 1},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Source != "traceroute-linux" || tr.ProbesPerHop != 1 || tr.Target.Name != "china.cn" || tr.Target.Addr != addr("202.130.245.42") {
				t.Errorf("source %q pph %d target %+v", tr.Source, tr.ProbesPerHop, tr.Target)
			}
			wantResponder(t, tr, 12, "62.115.141.99", "nyk-bb1-link.telia.net", 0)
			wantProbes(t, tr, 12, "115.487m")
			wantResponder(t, tr, 16, "219.158.102.81", "", 0)
			wantProbes(t, tr, 22, "428.721m")
		},
	},
	{
		file: "linux-traceroute-n-ipv6-ecmp-inline_jc-generic.txt", format: FormatTraceroute,
		traces: 1, hops: 12, ttls: [2]int{1, 12},
		responders: map[int]int{1: 1, 3: 2, 4: 2, 5: 1, 6: 2, 7: 2, 8: 2, 9: 3, 10: 3, 11: 1, 12: 1},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Target.Addr != addr("2607:f8b0:4020:806::2004") || tr.PacketSize != 80 {
				t.Errorf("target %+v size %d", tr.Target, tr.PacketSize)
			}
			h := hopOf(t, tr, 7)
			if h.Probes[1].From != addr("2001:5a0:400:700::17") || h.Probes[2].From != addr("2001:5a0:400:700::17") {
				t.Errorf("hop 7: the third RTT belongs to the second responder: %+v", h.Probes)
			}
			wantProbes(t, tr, 3, "15.284m", "4.864m", "15.415m")
			wantResponder(t, tr, 10, "2001:4860::1c:4000:f5eb", "", 0)
			if ok, ttl := tr.Reached(); !ok || ttl != 12 {
				t.Errorf("reached = %v %d", ok, ttl)
			}
		},
	},
	{
		file: "linux-traceroute-aws-tokyo-pccw-facebook_jc-generic.txt", format: FormatTraceroute,
		traces: 1, hops: 19, ttls: [2]int{1, 19}, responders: map[int]int{1: 1, 7: 1, 19: 1}, silent: []int{2, 3, 4, 5, 6},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.PacketSize != 40 || tr.MaxTTL != 30 {
				t.Errorf("size %d max %d", tr.PacketSize, tr.MaxTTL)
			}
			wantProbes(t, tr, 1, "1.002m", "*", "1.006m")
			wantProbes(t, tr, 7, "269µ", "282µ", "320µ")
			wantResponder(t, tr, 15, "63.218.250.169", "HundredGE0-4-0-3.br02.tok02.pccwbtn.net", 0)
			wantResponder(t, tr, 19, "31.13.82.36", "edge-star-mini-shv-01-nrt1.facebook.com", 0)
		},
	},
	{
		file: "linux-traceroute-ipv6-hetzner-to-google_globalping-probe.txt", format: FormatTraceroute,
		traces: 1, hops: 12, ttls: [2]int{1, 12}, responders: map[int]int{1: 1, 12: 1},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.ProbesPerHop != 2 || tr.MaxTTL != 20 {
				t.Errorf("pph %d max %d", tr.ProbesPerHop, tr.MaxTTL)
			}
			wantResponder(t, tr, 1, "fe80::%eth0", "", 0)
			wantResponder(t, tr, 2, "2a01:4f9:0:c001::1536", "10942.your-cloud.host", 0)
			wantProbes(t, tr, 3, "387.251m", "387.245m")
			wantResponder(t, tr, 12, "2a00:1450:4026:808::200e", "hem08s10-in-x0e.1e100.net", 0)
		},
	},
	{
		file: "linux-traceroute-ipv4-virginmedia-to-google_globalping-probe.txt", format: FormatTraceroute,
		traces: 1, hops: 6, ttls: [2]int{1, 6}, responders: map[int]int{1: 1, 3: 1, 5: 1, 6: 1}, silent: []int{2, 4},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Target.Name != "hello.com" || tr.Target.Addr != addr("216.239.38.21") {
				t.Errorf("target %+v", tr.Target)
			}
			wantProbes(t, tr, 2, "*", "*")
			wantProbes(t, tr, 6, "28.629m", "35.934m")
		},
	},
	{
		file: "linux-tracepath-centos7_jc.txt", format: FormatTracepath,
		traces: 1, hops: 30, ttls: [2]int{1, 30}, responders: map[int]int{1: 1, 2: 1, 3: 1, 4: 1},
		silent: []int{5, 6, 7, 8, 9, 10, 20, 30},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Meta["pmtu"] != "1500" || tr.Protocol != path.ProtoUDP {
				t.Errorf("meta %v protocol %q", tr.Meta, tr.Protocol)
			}
			wantWarning(t, tr, "Too many hops: pmtu 1500")
			wantResponder(t, tr, 1, "", "dsldevice.attlocal.net", 0)
			wantProbes(t, tr, 1, "4.063m", "6.368m")
			wantResponder(t, tr, 2, "", "76-220-24-1.lightspeed.sntcca.sbcglobal.net", 0)
			wantResponder(t, tr, 3, "71.148.149.0", "", 0)
			// Hop 3 said "no reply", then three answers arrived 12 s later, printed after hop 6.
			wantProbes(t, tr, 3, "*", "12.000559L", "11.967523L", "11.829634L")
			wantProbes(t, tr, 4, "161.527m")
			wantProbes(t, tr, 5, "*")
			wantProbes(t, tr, 7) // its turn was taken by a late hop-3 answer
			if s := hopOf(t, tr, 3).Summarize(netip.Addr{}); s.OK {
				t.Errorf("late answers must not count as RTTs: %+v", s)
			}
		},
	},
	{
		file: "windows-tracert-optus-sydney-to-azure-amsterdam_phishing-scam-capture.txt", format: FormatTracert,
		traces: 1, hops: 30, ttls: [2]int{1, 30}, responders: map[int]int{1: 1, 2: 1, 4: 1, 21: 1},
		silent: []int{3, 22, 25, 30},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Target.Name != "online.onlineeba.host" || tr.Target.Addr != addr("13.80.18.213") || tr.MaxTTL != 30 || tr.Protocol != path.ProtoICMP || tr.ProbesPerHop != 3 {
				t.Errorf("target %+v max %d proto %q pph %d", tr.Target, tr.MaxTTL, tr.Protocol, tr.ProbesPerHop)
			}
			wantProbes(t, tr, 1, "1m", "1m", "1m") // "<1 ms" keeps its bound
			wantResponder(t, tr, 1, "", "REDACTED", 0)
			wantWarning(t, tr, "[REDACTED] is not an IP address")
			wantProbes(t, tr, 3, "*", "*", "*")
			wantResponder(t, tr, 2, "1.43.0.1", "mas2-l101.bng.optusnet.com.au", 0)
			wantResponder(t, tr, 4, "124.19.61.3", "", 0)
			wantProbes(t, tr, 7, "295m", "296m", "297m")
			wantResponder(t, tr, 21, "104.44.21.196", "ae161-0.icr01.ams06.ntwk.msn.net", 0)
		},
	},
	{
		file: "mtr-report-legacy-format-comcast-nj-to-google_linode-docs.txt", format: FormatMTRReport,
		traces: 1, hops: 12, ttls: [2]int{1, 12}, responders: map[int]int{1: 1, 12: 1},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Target.Name != "google.com" || tr.Meta["host"] != "example" || tr.ProbesPerHop != 10 || tr.Protocol != path.ProtoICMP {
				t.Errorf("target %+v meta %v pph %d", tr.Target, tr.Meta, tr.ProbesPerHop)
			}
			wantResponder(t, tr, 1, "", "inner-cake", 0)
			wantResponder(t, tr, 3, "68.85.118.13", "", 0)
			wantResponder(t, tr, 4, "", "po-20-ar01.absecon.nj.panjde", 0)
			wantWarning(t, tr, "mtr --report probably cut them")
			r := hopOf(t, tr, 10).Responder(addr("72.14.238.232"))
			want := path.Stats{Sent: 10, Received: 10, Last: ms(19.1), Avg: ms(22.0), Best: ms(13.9), Worst: ms(43.3), StdDev: ms(11.1)}
			if r == nil || r.Stats == nil || !reflect.DeepEqual(*r.Stats, want) {
				t.Errorf("hop 10 stats = %+v, want %+v", r, want)
			}
			if s := hopOf(t, tr, 10).Summarize(netip.Addr{}); !s.OK || s.Min != ms(13.9) || s.Median != ms(22.0) {
				t.Errorf("hop 10 summary %+v", s)
			}
		},
	},
	{
		file: "mtr-report-modern-format-tail_mtr-FORMATS.txt", format: FormatMTRReport,
		traces: 1, hops: 5, ttls: [2]int{13, 17}, responders: map[int]int{13: 1, 17: 1},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Target.Addr != addr("152.179.99.218") || tr.ProbesPerHop != 2 {
				t.Errorf("target %+v pph %d", tr.Target, tr.ProbesPerHop)
			}
			wantWarning(t, tr, "hops 1 to 12 are not in the input")
			r := hopOf(t, tr, 16).Responder(addr("152.63.50.89"))
			if r == nil || r.Stats == nil || r.Stats.Sent != 2 || r.Stats.Received != 1 || r.Stats.Loss() != 0.5 || r.Stats.Avg != ms(163.7) {
				t.Errorf("hop 16 = %+v", r)
			}
			if ok, ttl := tr.Reached(); !ok || ttl != 17 {
				t.Errorf("reached %v %d", ok, ttl)
			}
		},
	},
	{
		file: "mtr-json-v0.93-format-us-east4-to-ya.ru_mgumz-mtr-exporter.txt", format: FormatMTRJSON,
		traces: 1, hops: 3, ttls: [2]int{1, 3}, responders: map[int]int{1: 1, 2: 1, 3: 1},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Protocol != path.ProtoICMP || tr.Meta["command"] != "mtr -j -G 1 -m 3 ya.ru" {
				t.Errorf("protocol %q meta %v: want both from the prompt line", tr.Protocol, tr.Meta)
			}
			if tr.Target.Name != "ya.ru" || tr.PacketSize != 64 || tr.ProbesPerHop != 10 || tr.Meta["host"] != "ssp-server-33x-prod-us-east4-00" {
				t.Errorf("target %+v size %d pph %d meta %v", tr.Target, tr.PacketSize, tr.ProbesPerHop, tr.Meta)
			}
			wantResponder(t, tr, 1, "190.98.141.22", "", 0)
			wantResponder(t, tr, 3, "", "ae9.stoccolma1.sto.seabone.net", 0)
			r := hopOf(t, tr, 3).Responders[0]
			want := path.Stats{Sent: 10, Received: 8, Last: ms(270.54), Avg: ms(267.74), Best: ms(263.99), Worst: ms(271.40), StdDev: ms(2.78)}
			if !reflect.DeepEqual(*r.Stats, want) {
				t.Errorf("hop 3 stats %+v, want %+v", *r.Stats, want)
			}
		},
	},
	{
		file: "mtr-raw-ipv4-virginmedia-to-google_globalping-probe.txt", format: FormatMTRRaw,
		traces: 1, hops: 9, ttls: [2]int{1, 9}, responders: map[int]int{1: 1, 3: 1, 9: 1}, silent: []int{2, 4},
		check: func(t *testing.T, tr *path.Trace) {
			wantProbes(t, tr, 1, "0", "*", "*")
			wantProbes(t, tr, 2, "*", "*", "*")
			wantProbes(t, tr, 3, "10.394m", "9.222m", "11.276m")
			wantResponder(t, tr, 9, "142.250.179.238", "lhr25s31-in-f14.1e100.net", 0)
			wantResponder(t, tr, 8, "142.251.54.27", "", 0) // "d 7 142.251.54.27": no name
			wantWarning(t, tr, "hop 10: answered again by 142.250.179.238")
			if tr.Target.Addr != addr("142.250.179.238") {
				t.Errorf("target %+v", tr.Target)
			}
		},
	},
	{
		file: "ripe-atlas-traceroute-v4-udp-mpls-icmpext-fw4550.txt", format: FormatRIPEAtlas,
		traces: 1, hops: 19, ttls: [2]int{1, 255}, responders: map[int]int{1: 1, 9: 1, 13: 1}, silent: []int{14, 18, 255},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Protocol != path.ProtoUDP || tr.Target.Addr != addr("121.244.76.25") || tr.Target.Name != "" ||
				tr.From != addr("192.168.11.151") || tr.Meta["msm_id"] != "1000157" || tr.Meta["prb_id"] != "190" || tr.Meta["from"] != "24.61.47.146" || tr.FlowsVaried {
				t.Errorf("trace header %+v from %v meta %v", tr.Target, tr.From, tr.Meta)
			}
			if !tr.Started.Equal(time.Unix(1378186793, 0)) || tr.PacketSize != 40 {
				t.Errorf("started %v size %d", tr.Started, tr.PacketSize)
			}
			p := hopOf(t, tr, 9).Probes[0]
			if len(p.MPLS) != 1 || p.MPLS[0] != (path.MPLSLabel{Label: 674080, TC: 1, S: true, TTL: 1}) || p.ReplyTTL != 239 {
				t.Errorf("hop 9 probe %+v", p)
			}
			wantProbes(t, tr, 9, "273.741m", "272.111m", "271.765m")
			if len(hopOf(t, tr, 12).Probes[0].MPLS) != 0 {
				t.Errorf("hop 12 has no MPLS extension")
			}
			wantWarning(t, tr, "hop 255")
		},
	},
	{
		file: "ripe-atlas-traceroute-v4-udp-responding-target-fw4610.txt", format: FormatRIPEAtlas,
		traces: 1, hops: 20, ttls: [2]int{1, 20}, responders: map[int]int{1: 1, 7: 1, 20: 1},
		check: func(t *testing.T, tr *path.Trace) {
			if ok, ttl := tr.Reached(); !ok || ttl != 20 {
				t.Errorf("reached %v %d", ok, ttl)
			}
			p := hopOf(t, tr, 8).Probes[0]
			if p.QuotedTTL != 2 || len(p.MPLS) != 1 || p.MPLS[0].Label != 1692 {
				t.Errorf("hop 8 probe %+v", p)
			}
			wantProbes(t, tr, 20, "221.541m", "217.103m", "216.443m")
			if tr.Meta["paris_id"] != "15" || tr.Meta["fw"] != "4610" {
				t.Errorf("meta %v", tr.Meta)
			}
		},
	},
	{
		file: "ripe-atlas-traceroute-v6-icmp-fw4610.txt", format: FormatRIPEAtlas,
		traces: 1, hops: 14, ttls: [2]int{1, 255}, responders: map[int]int{1: 1, 8: 1}, silent: []int{9, 13, 255},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Protocol != path.ProtoICMP || tr.Target.Addr != addr("2a00:1450:4013:c01::5e") || tr.ProbesPerHop != 10 || tr.Meta["group_id"] != "1665356" {
				t.Errorf("proto %q target %+v pph %d meta %v", tr.Protocol, tr.Target, tr.ProbesPerHop, tr.Meta)
			}
			wantProbes(t, tr, 1, "5.017m", "4.496m", "4.977m", "*", "4.812m", "4.556m", "*", "4.95m", "*", "4.5m")
		},
	},
	{
		file: "ripe-atlas-traceroute-v4-udp-late-packets-fw4720.txt", format: FormatRIPEAtlas,
		traces: 1, hops: 6, ttls: [2]int{1, 255}, responders: map[int]int{2: 1, 5: 1, 255: 1}, silent: []int{1},
		check: func(t *testing.T, tr *path.Trace) {
			wantProbes(t, tr, 2, "replyL", "*", "replyL", "*", "replyL", "*")
			wantResponder(t, tr, 255, "78.46.48.134", "", 0)
			if p := hopOf(t, tr, 255).Probes[0]; p.QuotedTTL != 244 || p.ReplyTTL != 53 || !p.Late {
				t.Errorf("hop 255 probe %+v", p)
			}
			if tr.ProbesPerHop != 3 || tr.Meta["paris_id"] != "10" {
				t.Errorf("pph %d meta %v", tr.ProbesPerHop, tr.Meta)
			}
		},
	},
	{
		file: "scamper-trace-json-icmp-paris-v4_mlab-traceroute-caller.txt", format: FormatScamper,
		traces: 1, hops: 14, ttls: [2]int{1, 14}, responders: map[int]int{1: 1, 7: 1, 10: 1, 14: 1}, silent: []int{8, 9},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Protocol != path.ProtoICMP || tr.FlowsVaried || tr.Target.Addr != addr("91.189.88.142") || tr.From != addr("192.168.144.2") ||
				tr.PacketSize != 44 || tr.Meta["stop_reason"] != "COMPLETED" || tr.Meta["uuid"] == "" || tr.Meta["list_name"] != "default" {
				t.Errorf("header %+v meta %v", tr, tr.Meta)
			}
			wantProbes(t, tr, 11, "2.871m")
			wantProbes(t, tr, 12, "135.64m")
			wantResponder(t, tr, 12, "4.69.140.198", "", 0)
			if p := hopOf(t, tr, 14).Probes[0]; p.Status != path.StatusReply || p.ReplyTTL == 0 {
				t.Errorf("destination echo reply %+v", p)
			}
		},
	},
	{
		file: "scamper-tracelb-mda-json-v6_mlab-traceroute-caller.txt", format: FormatScamper,
		traces: 1, hops: 7, ttls: [2]int{1, 7}, responders: map[int]int{1: 1, 2: 1, 6: 1}, silent: []int{7},
		check: func(t *testing.T, tr *path.Trace) {
			if !tr.FlowsVaried || tr.Meta["type"] != "tracelb" || tr.Target.Addr != addr("2600:1009:b013:1a59:c369:b528:98fd:ab43") {
				t.Errorf("header %+v meta %v", tr.Target, tr.Meta)
			}
			wantResponder(t, tr, 1, "2001:550:1b01:1::1", "", 0)
			wantProbes(t, tr, 2, "36.803m", "332µ", "329µ", "567µ", "329µ", "1.237m")
			if p := hopOf(t, tr, 3).Probes[5]; p.FlowID != 6 || p.From != addr("2600:803::79") || p.Status != path.StatusReply {
				t.Errorf("hop 3 probe 6 %+v", p)
			}
		},
	},
	{
		file: "mikrotik-routeros6-cgnat-vrf-to-1.1.1.1-timeout-and-unprobed-row_code-index.txt", format: FormatMikroTik,
		traces: 1, hops: 5, ttls: [2]int{1, 5}, responders: map[int]int{1: 1, 3: 1, 4: 1, 5: 1}, silent: []int{2},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Target.Addr != addr("1.1.1.1") || tr.Protocol != path.ProtoICMP || len(tr.Warnings) != 1 || !strings.Contains(tr.Warnings[0], "hop 6: no probe sent yet") {
				t.Errorf("target %v, protocol %q, warnings %q", tr.Target, tr.Protocol, tr.Warnings)
			}
			wantResponder(t, tr, 5, "100.121.9.1", "", 0)
			if st := hopOf(t, tr, 5).Responders[0].Stats; st == nil || st.Sent != 3 || st.Received != 3 || st.Best != 13*time.Millisecond || st.Worst != 13100*time.Microsecond {
				t.Errorf("hop 5 stats %+v", st)
			}
			if st := hopOf(t, tr, 2).Stats; st == nil || st.Sent != 4 || st.Received != 0 {
				t.Errorf("hop 2 stats %+v", st)
			}
		},
	},
	{
		file: "mikrotik-routeros7-crs326-no-hash-column_code-index.txt", format: FormatMikroTik,
		traces: 1, hops: 2, ttls: [2]int{1, 2}, responders: map[int]int{1: 1, 2: 1},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Target.Addr != addr("10.1.3.200") || tr.ProbesPerHop != 2 || len(tr.Warnings) != 0 {
				t.Errorf("target %v, probes %d, warnings %q", tr.Target, tr.ProbesPerHop, tr.Warnings)
			}
			wantResponder(t, tr, 2, "10.1.3.200", "", 0)
		},
	},
	{
		file: "mikrotik-routeros-pptp-lab-timeout-then-ellipsis_code-index.txt", format: FormatMikroTik,
		traces: 1, hops: 2, ttls: [2]int{1, 2}, responders: map[int]int{1: 1}, silent: []int{2},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Target.Addr != addr("1.2.2.1") || len(tr.Warnings) != 1 || !strings.Contains(tr.Warnings[0], "line 5 after hop 2 stands for rows left out") {
				t.Errorf("target %v, warnings %q", tr.Target, tr.Warnings)
			}
		},
	},
	{
		file: "mikrotik-routeros-pptp-lab-status-column-padded_code-index.txt", format: FormatMikroTik,
		traces: 1, hops: 2, ttls: [2]int{1, 2}, responders: map[int]int{1: 1, 2: 1},
		check: func(t *testing.T, tr *path.Trace) {
			if tr.Target.Addr != addr("1.2.3.2") || len(tr.Warnings) != 0 || tr.Meta["command"] != "[main1 ] /tool traceroute 1.2.3.2" {
				t.Errorf("target %v, warnings %q, meta %v", tr.Target, tr.Warnings, tr.Meta)
			}
			if st := hopOf(t, tr, 2).Responders[0].Stats; st == nil || st.StdDev != 300*time.Microsecond || st.Avg != 800*time.Microsecond {
				t.Errorf("hop 2 stats %+v", st)
			}
		},
	},
}

func readCorpus(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "corpus", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(corpusCases) {
		t.Errorf("%d corpus files but %d cases: every file needs a case", len(files), len(corpusCases))
	}
	for _, tc := range corpusCases {
		t.Run(strings.TrimSuffix(tc.file, ".txt"), func(t *testing.T) {
			data := readCorpus(t, tc.file)
			format, err := Detect(data)
			if err != nil || format != tc.format {
				t.Fatalf("Detect = %q, %v; want %q", format, err, tc.format)
			}
			trs, err := Parse(data, "")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(trs) != tc.traces {
				t.Fatalf("%d traces, want %d", len(trs), tc.traces)
			}
			tr := trs[0]
			if want := sourceName(tc.format); tr.Source != want {
				t.Errorf("Source %q, want %q", tr.Source, want)
			}
			if len(tr.Hops) != tc.hops {
				t.Errorf("%d hops, want %d", len(tr.Hops), tc.hops)
			}
			if first, last := tr.Hops[0].TTL, tr.Hops[len(tr.Hops)-1].TTL; first != tc.ttls[0] || last != tc.ttls[1] {
				t.Errorf("TTLs %d..%d, want %d..%d", first, last, tc.ttls[0], tc.ttls[1])
			}
			for ttl, n := range tc.responders {
				if got := len(hopOf(t, tr, ttl).Responders); got != n {
					t.Errorf("hop %d: %d responders, want %d", ttl, got, n)
				}
			}
			for _, ttl := range tc.silent {
				if h := hopOf(t, tr, ttl); !h.Silent() {
					t.Errorf("hop %d should be silent: %+v", ttl, h.Responders)
				}
			}
			if tc.check != nil {
				tc.check(t, tr)
			}
		})
	}
}
