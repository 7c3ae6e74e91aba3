package investigate

import (
	"context"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"hopscope/internal/explain/explaintest"
	"hopscope/internal/inventory"
	"hopscope/internal/path"
	"hopscope/internal/report"
)

type fakeResolver map[string]Resolution

func (f fakeResolver) Resolve(_ context.Context, host string) (Resolution, error) {
	r, ok := f[host]
	if !ok {
		return Resolution{}, errors.New("NXDOMAIN")
	}
	return r, nil
}

// fakeTracer answers with the seed trace for 192.0.2.x and a short local path for 198.51.100.x.
type fakeTracer struct{ seen []path.Target }

func (f *fakeTracer) Trace(_ context.Context, t path.Target) (*path.Trace, error) {
	f.seen = append(f.seen, t)
	var tr *path.Trace
	switch {
	case strings.HasPrefix(t.Addr.String(), "192.0.2."):
		tr = explaintest.SeedTrace()
	case strings.HasPrefix(t.Addr.String(), "198.51.100."):
		tr = explaintest.Trace("80.10.253.29", "192.168.1.1/1.1", "80.10.253.29/4.0 80.10.253.29/4.2")
	default:
		return nil, errors.New("no route")
	}
	tr.Target.Name = t.Name
	tr.Target.Port = t.Port
	return tr, nil
}

func TestRunAndSummarize(t *testing.T) {
	res := fakeResolver{
		"thumb.app.test": {Aliases: []string{"thumb.app.test", "video.app.test"}, Canonical: "video.app.test.",
			Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("192.0.2.11")}},
		"mp.app.test":    {Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.20")}},
		"local.app.test": {Addrs: []netip.Addr{netip.MustParseAddr("198.51.100.5")}},
		"down.app.test":  {Addrs: []netip.Addr{netip.MustParseAddr("203.0.113.9")}},
	}
	tracer := &fakeTracer{}
	targets := []Target{
		{Host: "thumb.app.test", Port: 443, Requests: 30, Bytes: 9000, Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.11")}},
		{Host: "mp.app.test", Port: 443, Requests: 10, Bytes: 1000},
		{Host: "local.app.test", Port: 8443, Requests: 5, Bytes: 500},
		{Host: "gone.app.test", Requests: 1, Bytes: 10},
		{Host: "down.app.test", Requests: 1, Bytes: 10},
	}
	var progress []string
	inv, err := Run(context.Background(), Config{Resolver: res, Tracer: tracer, Enricher: explaintest.Infos(explaintest.SeedInfos()), Concurrency: 2,
		Progress: func(done, total int, host string, err error) { progress = append(progress, host) }}, "hosts", "list.txt", targets)
	if err != nil {
		t.Fatal(err)
	}
	if len(progress) != 5 {
		t.Errorf("progress called %d times, want 5", len(progress))
	}
	byHost := map[string]report.InvestigatedHost{}
	for _, h := range inv.Hosts {
		byHost[h.Host] = h
	}
	thumb := byHost["thumb.app.test"]
	if thumb.Addr != "192.0.2.11" {
		t.Errorf("thumb traced %s, want the address the app used (192.0.2.11)", thumb.Addr)
	}
	if len(thumb.OtherAddrs) != 1 || thumb.OtherAddrs[0] != "192.0.2.10" {
		t.Errorf("other addrs = %v", thumb.OtherAddrs)
	}
	if thumb.ASN != 132203 || thumb.Country != "SG" || !thumb.HasRTT || thumb.MinRTTMs < 200 {
		t.Errorf("thumb summary wrong: asn %d country %q rtt %v/%v", thumb.ASN, thumb.Country, thumb.MinRTTMs, thumb.HasRTT)
	}
	if !strings.Contains(thumb.Why, "Singapore") {
		t.Errorf("why = %q, want it to name Singapore", thumb.Why)
	}
	if byHost["gone.app.test"].Error == "" || byHost["down.app.test"].Error == "" {
		t.Errorf("failures not recorded: %+v / %+v", byHost["gone.app.test"], byHost["down.app.test"])
	}
	if len(inv.Warnings) != 2 {
		t.Errorf("warnings = %v", inv.Warnings)
	}
	for _, tt := range tracer.seen {
		if tt.Name == "thumb.app.test" && (tt.Port != 443 || tt.Canonical != "video.app.test" || len(tt.Aliases) != 2) {
			t.Errorf("tracer got target %+v, want port 443 and the alias chain", tt)
		}
	}
	if len(inv.ByCountry) == 0 || inv.ByCountry[0].Key != "SG" || inv.ByCountry[0].ByteShare < 0.9 {
		t.Errorf("by country = %+v, want Singapore first with most bytes", inv.ByCountry)
	}
	if len(inv.ByAS) == 0 || inv.ByAS[0].Key != "AS132203" {
		t.Errorf("by AS = %+v", inv.ByAS)
	}
	if len(inv.Slowest) < 3 || inv.Slowest[0].MinRTTMs < inv.Slowest[len(inv.Slowest)-1].MinRTTMs {
		t.Errorf("slowest not ordered: %+v", inv.Slowest)
	}
	if len(inv.Bottlenecks) != 1 || len(inv.Bottlenecks[0].Hosts) != 2 {
		t.Fatalf("bottlenecks = %+v, want the Paris→Singapore jump shared by 2 hosts", inv.Bottlenecks)
	}
	if b := inv.Bottlenecks[0]; b.ToASN != 6453 || !strings.Contains(b.Text, "Paris") {
		t.Errorf("bottleneck = %+v", b)
	}
	for _, want := range []string{"5 host", "Singapore", "Tata"} {
		if !strings.Contains(inv.Summary, want) {
			t.Errorf("summary %q lacks %q", inv.Summary, want)
		}
	}
}

func TestRunNeedsStages(t *testing.T) {
	if _, err := Run(context.Background(), Config{}, "hosts", "", []Target{{Host: "a.test"}}); err == nil {
		t.Error("missing stages accepted")
	}
	cfg := Config{Resolver: fakeResolver{}, Tracer: &fakeTracer{}}
	if _, err := Run(context.Background(), cfg, "hosts", "", nil); err == nil {
		t.Error("empty target list accepted")
	}
}

func TestParseHosts(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
		err      string
	}{
		{"names and ports", "a.test\n# comment\nB.test:8443  # trailing\n\n[2001:db8::1]:443\n192.0.2.1\na.test\n", "a.test:0 b.test:8443 2001:db8::1:443 192.0.2.1:0", ""},
		{"bad port", "a.test:99999\n", "", "hosts.txt:1: bad port"},
		{"spaces", "a.test b.test\n", "", "hosts.txt:1: want host"},
		{"empty", "# nothing\n", "", "no hosts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseHosts(strings.NewReader(tc.in), "hosts.txt")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, g := range got {
				parts = append(parts, g.Host+":"+strconv.Itoa(g.Port))
			}
			if s := strings.Join(parts, " "); s != tc.want {
				t.Errorf("got %q want %q", s, tc.want)
			}
		})
	}
}

func TestTargetsFromInventory(t *testing.T) {
	ap := func(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
	inv := &inventory.Inventory{Flows: []inventory.Flow{
		{Host: "img.app.test", Server: ap("192.0.2.1:443"), BytesDown: 100, HTTP: &inventory.HTTPExchange{}},
		{Host: "IMG.app.test.", Server: ap("192.0.2.2:443"), BytesDown: 300, HTTP: &inventory.HTTPExchange{}},
		{Host: "img.app.test", Server: ap("192.0.2.1:8080"), BytesDown: 1},
		{Host: "", Server: ap("198.51.100.7:5222"), BytesUp: 50},
		{Host: "", BytesUp: 5},
	}}
	got := TargetsFromInventory(inv)
	if len(got) != 2 {
		t.Fatalf("got %d targets: %+v", len(got), got)
	}
	img := got[0]
	if img.Host != "img.app.test" || img.Port != 443 || img.Flows != 3 || img.Requests != 2 || img.Bytes != 401 || len(img.Addrs) != 2 {
		t.Errorf("img target = %+v", img)
	}
	if got[1].Host != "198.51.100.7" || got[1].Port != 5222 {
		t.Errorf("unnamed flow target = %+v", got[1])
	}
}
