package capture

import (
	"bufio"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"testing"

	"hopscope/internal/inventory"
)

// ndpiFlow is one line of ndpiReader's per-flow output (the nDPI test oracle).
type ndpiFlow struct {
	transport string
	a, b      netip.AddrPort
	proto     string // nDPI master protocol, e.g. "TLS", "QUIC", "HTTP", "DNS"
	name      string // Hostname/SNI
}

var ndpiLine = regexp.MustCompile(`^\s*\d+\s+(TCP|UDP)\s+(\S+)\s+<?->\s+(\S+)\s+\[proto: [0-9.]+/([A-Za-z0-9_]+)`)
var ndpiName = regexp.MustCompile(`\[Hostname/SNI: ([^\]]*)\]`)

func readNDPI(t *testing.T, path string) []ndpiFlow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []ndpiFlow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := ndpiLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		a, err1 := netip.ParseAddrPort(m[2])
		b, err2 := netip.ParseAddrPort(m[3])
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: bad endpoints in %q", path, sc.Text())
		}
		fl := ndpiFlow{transport: strings.ToLower(m[1]), a: a, b: b, proto: m[4]}
		if n := ndpiName.FindStringSubmatch(sc.Text()); n != nil {
			fl.name = n[1]
		}
		out = append(out, fl)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no flows parsed", path)
	}
	return out
}

func readInventory(t *testing.T, path string) (*inventory.Inventory, *Analyzer) {
	t.Helper()
	res, err := ReadFile(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Analyzer.Inventory(path), res.Analyzer
}

func findFlow(inv *inventory.Inventory, transport string, a, b netip.AddrPort) []inventory.Flow {
	var out []inventory.Flow
	for _, f := range inv.Flows {
		if f.Transport != transport {
			continue
		}
		if (f.Client == a && f.Server == b) || (f.Client == b && f.Server == a) {
			out = append(out, f)
		}
	}
	return out
}

// TestNDPIOracle checks every TLS, QUIC and HTTP name that ndpiReader found against ours, flow by flow.
func TestNDPIOracle(t *testing.T) {
	for _, tc := range []struct{ pcap, oracle string }{
		{"ndpi-android.pcap", "ndpi-android.pcap.ndpiReader.out"},
		{"ndpi-iphone.pcap", "ndpi-iphone.pcap.ndpiReader.out"},
		{"ndpi-sites.pcapng", "ndpi-sites.pcapng.ndpiReader.out"},
	} {
		t.Run(tc.pcap, func(t *testing.T) {
			inv, _ := readInventory(t, "testdata/"+tc.pcap)
			checked := 0
			for _, o := range readNDPI(t, "testdata/"+tc.oracle) {
				want := map[string]string{"TLS": "sni", "QUIC": "quic-sni", "HTTP": "http-host"}[o.proto]
				if want == "" || o.name == "" {
					continue
				}
				fs := findFlow(inv, o.transport, o.a, o.b)
				if len(fs) == 0 {
					t.Errorf("%s %s ↔ %s (%s %s): no flow", o.transport, o.a, o.b, o.proto, o.name)
					continue
				}
				found := false
				for _, f := range fs {
					if f.Host == strings.ToLower(o.name) && f.NameSource == want {
						found = true
					}
				}
				if !found {
					t.Errorf("%s %s ↔ %s: nDPI %s %q, we have host %q by %q (protocol %s)", o.transport, o.a, o.b, o.proto, o.name, fs[0].Host, fs[0].NameSource, fs[0].Protocol)
				}
				checked++
			}
			if checked == 0 {
				t.Fatal("oracle gave no names to check")
			}
			t.Logf("%d named flows agree with nDPI", checked)
		})
	}
}
