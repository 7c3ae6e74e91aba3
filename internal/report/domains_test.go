package report

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"hopscope/internal/enrich"
	"hopscope/internal/inventory"
)

func TestNewDomains(t *testing.T) {
	t0 := time.Date(2023, 5, 29, 20, 4, 53, 0, time.UTC)
	flow := func(host, server string, off time.Duration) inventory.Flow {
		return inventory.Flow{Host: host, Protocol: "tls", Server: netip.MustParseAddrPort(server), Start: t0.Add(off),
			Duration: time.Second, BytesUp: 100, BytesDown: 1000}
	}
	inv := &inventory.Inventory{Source: "capture", Origin: "app.pcap", Warnings: []string{"truncated"}, Flows: []inventory.Flow{
		flow("a.example.com", "192.0.2.1:443", 0),
		flow("a.example.com", "192.0.2.2:443", time.Minute),
		flow("a.example.com", "192.0.2.3:443", 2*time.Minute),
		flow("b.example.com", "192.0.2.9:443", 30*time.Second),
		flow("", "198.51.100.4:443", 10*time.Second),
	}}
	inv.Flows[0].AskedName = "alias.example.net"
	inv.Flows[1].Passthrough = "pinned"
	inv.Flows[2].Error, inv.Flows[3].Error = "reset", "reset"
	addr := netip.MustParseAddr
	servers := map[netip.Addr]enrich.Info{
		addr("192.0.2.1"):    {Addr: addr("192.0.2.1"), ASN: 64500, ASOrg: "Alpha Net", Country: "FR"},
		addr("192.0.2.2"):    {Addr: addr("192.0.2.2"), ASN: 64500, ASOrg: "Alpha Net", Country: "DE"},
		addr("192.0.2.3"):    {Addr: addr("192.0.2.3"), ASN: 64501, ASOrg: "Beta", Country: "FR"},
		addr("198.51.100.4"): {Addr: addr("198.51.100.4"), Special: &enrich.Special{Prefix: netip.MustParsePrefix("198.51.100.0/24"), Kind: "documentation", Name: "TEST-NET-2"}},
	}
	checks := []HostCheck{{Host: "a.example.com", Server: "192.0.2.1", Verdict: VerdictUnknown}}
	d := NewDomains(inventory.Summarize(inv, nil), servers, checks)

	host := func(name string) HostSummary {
		for _, dom := range d.Domains {
			for _, h := range dom.Hosts {
				if h.Host == name {
					return h
				}
			}
		}
		t.Fatalf("no host %s in %+v", name, d.Domains)
		return HostSummary{}
	}
	tests := []struct {
		name      string
		got, want string
	}{
		{"source", d.Source + " " + d.Origin, "capture app.pcap"},
		{"span starts at the first flow", d.First.Format(time.TimeOnly), "20:04:53"},
		{"span ends with the last flow", d.Last.Format(time.TimeOnly), "20:06:54"},
		{"note joins asked names, passthrough and errors", host("a.example.com").Note, "asked as alias.example.net, 1 passed through, 1 error"},
		{"note of one error", host("b.example.com").Note, "1 error"},
		{"distinct AS numbers in address order", host("a.example.com").ServerAS, "AS64500,AS64501"},
		{"distinct organisations", host("a.example.com").ServerOrg, "Alpha Net, Beta"},
		{"distinct countries", host("a.example.com").ServerCountry, "FR,DE"},
		{"a special range names its kind", host("198.51.100.4").ServerOrg, "documentation"},
		{"no AS for a special range", host("198.51.100.4").ServerAS, ""},
		{"an unenriched server has no columns", host("b.example.com").ServerAS + host("b.example.com").ServerOrg, ""},
		{"servers as text", strings.Join(host("a.example.com").Servers, " "), "192.0.2.1 192.0.2.2 192.0.2.3"},
		{"server enrichment keyed by text", d.Servers["192.0.2.3"].ASLabel, "AS64501"},
		{"warnings carried", strings.Join(d.Warnings, ";"), "truncated"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if d.Hosts != 3 || d.Flows != 5 || d.BytesUp != 500 || len(d.Checks) != 1 {
		t.Errorf("totals: %d hosts, %d flows, %d up, %d checks", d.Hosts, d.Flows, d.BytesUp, len(d.Checks))
	}

	// The JSON keeps the inventory's field names.
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"source":"capture"`, `"domains":[{"domain":"example.com","hosts":[{"host":"a.example.com"`,
		`"servers":["192.0.2.1","192.0.2.2","192.0.2.3"]`, `"bytes_down":5000`, `"server_as":"AS64500,AS64501"`,
		`"servers":{`, `"as_label":"AS64501"`, `"verdict":"unknown"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}

	if e := NewDomains(inventory.Summary{Source: "har"}, nil, nil); e.Servers != nil || !e.First.IsZero() || e.Domains != nil {
		t.Errorf("empty inventory: %+v", e)
	}
}
