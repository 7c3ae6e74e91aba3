package capture

import (
	"bytes"
	"compress/gzip"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// namesBySource collects the distinct hosts per name source.
func namesBySource(t *testing.T, path string) map[string][]string {
	t.Helper()
	inv, _ := readInventory(t, path)
	m := map[string][]string{}
	for _, f := range inv.Flows {
		if f.NameSource == "" {
			continue
		}
		if !slices.Contains(m[f.NameSource], f.Host) {
			m[f.NameSource] = append(m[f.NameSource], f.Host)
		}
	}
	for _, v := range m {
		sort.Strings(v)
	}
	return m
}

// TestCorpusNames pins the names each corpus capture gives (SOURCES.md; cross-checked flow by flow with
// nDPI in TestNDPIOracle and with Zeek's quic.log/ssl.log for the QUIC capture).
func TestCorpusNames(t *testing.T) {
	tests := []struct {
		file string
		want map[string][]string
	}{
		{"arkime-curl-enabled-tls13.pcap", map[string][]string{
			"sni": {"enabled.tls13.com"},
		}},
		{"zeek-quic-curl-http3-www-google-de.pcap", map[string][]string{
			"quic-sni": {"www.google.de"},
		}},
		{"zeek-wikipedia.pcap", map[string][]string{
			"http-host": {"bits.wikimedia.org", "meta.wikimedia.org", "upload.wikimedia.org", "www.wikipedia.org"},
		}},
		{"ndpi-android.pcap", map[string][]string{
			"dns":       {"check.googlezip.net", "mtalk.google.com", "proxy.googlezip.net", "time.android.com"},
			"http-host": {"captive.apple.com", "check.googlezip.net"},
			"sni":       {"accounts.google.com", "android.clients.google.com", "android.googleapis.com", "app-measurement.com", "clients1.google.com", "connectivitycheck.gstatic.com", "datasaver.googleapis.com", "play.googleapis.com", "proxy.googlezip.net", "semanticlocation-pa.googleapis.com", "www.google.com"},
		}},
		{"ndpi-iphone.pcap", map[string][]string{
			"http-host": {"captive.apple.com"},
			"sni":       {"cl4.apple.com", "gateway.icloud.com", "gsa.apple.com", "gsp85-ssl.ls.apple.com", "gspe35-ssl.ls.apple.com", "iphone-ld.apple.com", "mesu.apple.com", "p26-fmfmobile.icloud.com", "p26-keyvalueservice.icloud.com", "play.itunes.apple.com", "sync.itunes.apple.com"},
		}},
		{"ndpi-sites.pcapng", map[string][]string{
			"http-host": {"videosnap.like.video"},
			"quic-sni":  {"classroom.google.com", "hangouts.google.com", "plus.google.com", "www.threads.net"},
			"sni":       {"732231.ms.ok.ru", "account.xbox.com", "accounts.ea.com", "api.accuweather.com", "assets.ubuntu.com", "bsky.app", "bsky.social", "cdn.cnn.com", "cloud.huawei.com", "contentcenter-dre.dbankcdn.com", "deezer.com", "drive.google.com", "edge-mqtt.facebook.com", "enoki.us-east.host.bsky.network", "f.vimeocdn.com", "googleplus.com", "gql.twitch.tv", "guzzoni.apple.com", "hulu.com", "id7.cloud.huawei.com", "it-mil-v086.prod.surfshark.com", "kerve.last.fm", "maps.google.com", "mastodon.social", "meet27083742.adobeconnect.com", "msg.qy.net", "onedrive.com", "onedrive.live.com", "opportunarch.iqiyi.com", "origin-a.akamaihd.net", "outlook.com", "pandora.com", "pastebin.com", "presence.fuze.com", "prod-static.disney-plus.net", "s1.nordcdn.com", "soundcloud.com", "sourcepointcmp.bloomberg.com", "static.playstation.com", "stc.iqiyipic.com", "t.me", "teams.office.com", "telegram.me", "upload.wikimedia.org", "vcs-va.tiktokv.com", "web.telegram.org", "www.activision.com", "www.badoo.com", "www.bloomberg.com", "www.ebay.com", "www.gitlab.com", "www.iflix.com", "www.linkedin.com", "www.playstation.com", "www.primevideo.com"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := namesBySource(t, "testdata/"+tt.file)
			for src, want := range tt.want {
				if !slices.Equal(got[src], want) {
					t.Errorf("%s names:\n got %q\nwant %q", src, got[src], want)
				}
			}
			for src := range got {
				if _, ok := tt.want[src]; !ok {
					t.Errorf("unexpected %s names %q", src, got[src])
				}
			}
		})
	}
}

// TestArkimeDNSLink: the DNS answer for enabled.tls13.com gave the address the TLS flow then used.
func TestArkimeDNSLink(t *testing.T) {
	inv, a := readInventory(t, "testdata/arkime-curl-enabled-tls13.pcap")
	var tls []int
	for i, f := range inv.Flows {
		if f.Protocol == "tls" {
			tls = append(tls, i)
		}
	}
	if len(tls) != 1 {
		t.Fatalf("want 1 TLS flow, got %d", len(tls))
	}
	f := inv.Flows[tls[0]]
	if f.Server != netip.MustParseAddrPort("104.16.125.34:443") || f.Host != "enabled.tls13.com" || f.NameSource != "sni" {
		t.Errorf("TLS flow = %s %q by %q", f.Server, f.Host, f.NameSource)
	}
	if !f.HasHandshakeRTT || f.HandshakeRTT <= 0 || f.HandshakeRTT > time.Second {
		t.Errorf("handshake RTT = %v (has %v)", f.HandshakeRTT, f.HasHandshakeRTT)
	}
	if f.TLS == nil || f.TLS.Version != "TLS 1.3" || !slices.Contains(f.TLS.ALPN, "h2") {
		t.Errorf("TLS details = %+v", f.TLS)
	}
	asked, host, _, ok := a.DNSName(f.Client.Addr(), f.Server.Addr(), f.Start)
	if !ok || asked != "enabled.tls13.com" || host != "enabled.tls13.com" {
		t.Errorf("DNS for the flow = %q %q %v, want enabled.tls13.com", asked, host, ok)
	}
	// Before the answer arrived, DNS knew nothing.
	if _, _, _, ok := a.DNSName(f.Client.Addr(), f.Server.Addr(), inv.Started.Add(-time.Second)); ok {
		t.Error("DNS name known before the answer")
	}
}

// TestCNAMEChain: the asked name and its alias chain survive (captive.apple.com → captive.g.aaplimg.com).
func TestCNAMEChain(t *testing.T) {
	inv, a := readInventory(t, "testdata/ndpi-android.pcap")
	for _, f := range inv.Flows {
		if f.Host != "captive.apple.com" || f.NameSource != "http-host" {
			continue
		}
		asked, host, chain, ok := a.DNSName(f.Client.Addr(), f.Server.Addr(), f.Start)
		want := []string{"captive.apple.com", "captive-cidr.origin-apple.com.akadns.net", "captive-cdn.origin-apple.com.akadns.net", "captive.g.aaplimg.com"}
		if !ok || asked != "captive.apple.com" || host != "captive.g.aaplimg.com" || !slices.Equal(chain, want) {
			t.Errorf("DNS = %q %q %q %v, want chain %q", asked, host, chain, ok, want)
		}
		return
	}
	t.Fatal("no HTTP flow to captive.apple.com")
}

// TestDNSNamedFlows: flows without SNI or Host take the name from the client's earlier DNS answer.
func TestDNSNamedFlows(t *testing.T) {
	inv, _ := readInventory(t, "testdata/ndpi-android.pcap")
	want := map[string]string{
		"192.168.2.16:45863 216.239.35.8:123":    "time.android.com",
		"192.168.2.16:49510 216.239.38.120:5228": "mtalk.google.com",
	}
	for _, f := range inv.Flows {
		k := f.Client.String() + " " + f.Server.String()
		if w, ok := want[k]; ok {
			if f.Host != w || f.NameSource != "dns" {
				t.Errorf("%s: %q by %q, want %q by dns", k, f.Host, f.NameSource, w)
			}
			delete(want, k)
		}
	}
	for k := range want {
		t.Errorf("flow %s missing", k)
	}
}

// TestSeveralSNIsOneIP: flows to one address keep their own names.
func TestSeveralSNIsOneIP(t *testing.T) {
	inv, _ := readInventory(t, "testdata/ndpi-android.pcap")
	server := netip.MustParseAddr("216.239.38.120")
	var names []string
	for _, f := range inv.Flows {
		if f.Server.Addr() == server && f.NameSource == "sni" && !slices.Contains(names, f.Host) {
			names = append(names, f.Host)
		}
	}
	sort.Strings(names)
	want := []string{"accounts.google.com", "android.clients.google.com", "clients1.google.com", "www.google.com"}
	if !slices.Equal(names, want) {
		t.Errorf("SNIs to %s = %q, want %q", server, names, want)
	}
}

// TestZeekQUIC compares with Zeek's quic.log: version 1, server_name www.google.de, client_protocol h3.
func TestZeekQUIC(t *testing.T) {
	log, err := os.ReadFile("testdata/zeek-quic-curl-http3-www-google-de.baseline.quic.log")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "www.google.de") || !strings.Contains(string(log), "h3") {
		t.Fatal("oracle does not say www.google.de / h3")
	}
	inv, _ := readInventory(t, "testdata/zeek-quic-curl-http3-www-google-de.pcap")
	if len(inv.Flows) != 1 {
		t.Fatalf("want 1 flow, got %d", len(inv.Flows))
	}
	f := inv.Flows[0]
	if f.Protocol != "quic" || f.Host != "www.google.de" || f.NameSource != "quic-sni" || f.TLS == nil || len(f.TLS.ALPN) == 0 || f.TLS.ALPN[0] != "h3" {
		t.Errorf("flow = %s %q %q %+v", f.Protocol, f.Host, f.NameSource, f.TLS)
	}
	if f.Server != netip.MustParseAddrPort("64.233.166.94:443") || f.PacketsUp+f.PacketsDown != 48 {
		t.Errorf("server %s packets %d+%d", f.Server, f.PacketsUp, f.PacketsDown)
	}
}

// TestDamagedCaptures: damage gives an error naming the file, or the flows before it and a warning.
func TestDamagedCaptures(t *testing.T) {
	good, err := os.ReadFile("testdata/arkime-curl-enabled-tls13.pcap")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(good)
	zw.Close()
	corrupt := slices.Clone(good)
	// The 10th record's captured length is set beyond the snap length.
	off := 24
	for i := 0; i < 9; i++ {
		n := int(corrupt[off+8]) | int(corrupt[off+9])<<8 | int(corrupt[off+10])<<16
		off += 16 + n
	}
	corrupt[off+10], corrupt[off+11] = 0xff, 0x7f
	tests := []struct {
		name      string
		data      []byte
		wantErr   string
		wantFlows int
		wantWarn  string
	}{
		{"complete", good, "", 2, ""},
		{"gzip", gz.Bytes(), "", 2, ""},
		{"truncated mid-packet", good[:len(good)-40], "", 2, "truncated file"},
		{"truncated after first packets", good[:400], "", 1, "truncated file"},
		{"corrupt record length", corrupt, "", 2, "unreadable record after packet 9"},
		{"empty", nil, "too short", 0, ""},
		{"header only cut", good[:10], "pcap header", 0, ""},
		{"not a capture", []byte("hello, world, this is text"), "not a pcap or pcapng file", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Read(bytes.NewReader(tt.data), "x.pcap", Config{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "x.pcap") {
					t.Fatalf("err = %v, want one naming x.pcap and %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			inv := res.Analyzer.Inventory("x.pcap")
			// The same bytes as a file take the memory-mapped path and must say the same.
			path := filepath.Join(t.TempDir(), "x.pcap")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			fres, err := ReadFile(path, Config{})
			if err != nil {
				t.Fatal(err)
			}
			finv := fres.Analyzer.Inventory(path)
			if len(finv.Flows) != len(inv.Flows) || len(finv.Warnings) != len(inv.Warnings) {
				t.Errorf("file: %d flows %q, reader: %d flows %q", len(finv.Flows), finv.Warnings, len(inv.Flows), inv.Warnings)
			}
			if len(inv.Flows) != tt.wantFlows {
				t.Errorf("flows = %d, want %d", len(inv.Flows), tt.wantFlows)
			}
			w := strings.Join(inv.Warnings, "\n")
			if tt.wantWarn == "" && w != "" || !strings.Contains(w, tt.wantWarn) {
				t.Errorf("warnings = %q, want %q", w, tt.wantWarn)
			}
		})
	}
}
