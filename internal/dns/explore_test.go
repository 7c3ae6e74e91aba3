package dns_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"hopscope/internal/dns"
	"hopscope/internal/dns/dnstest"
)

func TestExplore(t *testing.T) {
	lab := dnstest.StartLab(t, dnstest.LabOptions{Validate: true})
	srv := dns.Server{Transport: dns.TransportAuto, Host: lab.Unbound.Addr().String(), Port: lab.Port}
	for _, c := range []struct {
		name   string
		types  []uint16
		subnet string
	}{
		{"vweixinthumb.tc.qq.test", nil, ""}, {"loop1.qq.test", nil, ""}, {"www.example.test", nil, ""}, {"nope.example.test", nil, ""},
		{"v4only.example.test", []uint16{mdns.TypeAAAA}, ""}, {"www.lame.test", nil, ""}, {"www.partlame.test", nil, ""},
		{"www.geo.test", []uint16{mdns.TypeA}, "203.0.113.7/24"}, {"www.geo.test", []uint16{mdns.TypeA}, ""},
		{"secure.geo.test", []uint16{mdns.TypeA}, ""}, {"bogus.geo.test", []uint16{mdns.TypeA}, ""}, {"dangling.example.test", nil, ""},
		{"example.test", []uint16{mdns.TypeMX}, ""},
	} {
		cfg := dns.Config{Server: srv, Timeout: 2 * time.Second}
		if c.subnet != "" {
			cfg.Subnet = netip.MustParsePrefix(c.subnet)
		}
		r, err := dns.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.Resolve(context.Background(), c.name, c.types...)
		b, _ := json.MarshalIndent(res, "", " ")
		fmt.Printf("=== %s: err=%v\n%s\n", c.name, err, b)
	}
	r, _ := dns.New(dns.Config{Roots: []netip.AddrPort{lab.Root}, TracePort: lab.Port, Timeout: 2 * time.Second, Server: srv})
	for _, n := range []string{"www.example.test", "www.partlame.test", "www.lame.test"} {
		res, err := r.Trace(context.Background(), n, mdns.TypeA)
		b, _ := json.MarshalIndent(res.Steps, "", " ")
		fmt.Printf("=== trace %s: err=%v chain=%+v\n%s\n", n, err, res.Chain, b)
	}
}
