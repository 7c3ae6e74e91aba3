package investigate

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	"hopscope/internal/explain/explaintest"
	"hopscope/internal/path"
)

// fakeVantages traces from two vantage points: probe "P1" sees the seed path, "P2" a short one; a host
// on 203.0.113.x fails.
type fakeVantages struct {
	mu   sync.Mutex
	seen []path.Target
}

func (f *fakeVantages) TraceFrom(_ context.Context, t path.Target) ([]*path.Trace, error) {
	f.mu.Lock()
	f.seen = append(f.seen, t)
	f.mu.Unlock()
	if strings.HasPrefix(t.Addr.String(), "203.0.113.") {
		return nil, errors.New("HTTP 422 no_probes_found")
	}
	far := explaintest.SeedTrace()
	near := explaintest.Trace("80.10.253.29", "192.168.1.1/1.1", "80.10.253.29/4.0 80.10.253.29/4.2")
	for i, tr := range []*path.Trace{far, near} {
		tr.Meta = map[string]string{"prb_id": []string{"1", "2"}[i], "probe_country": "FR"}
	}
	return []*path.Trace{far, near}, nil
}

// TestRunFromVantages: every host is traced from the vantage points, each gets the comparison of its
// paths (its explanation is the comparison's summary), and a host no probe could trace keeps its error.
func TestRunFromVantages(t *testing.T) {
	res := fakeResolver{
		"api.app.test":  {Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.20")}},
		"down.app.test": {Addrs: []netip.Addr{netip.MustParseAddr("203.0.113.9")}},
	}
	fv := &fakeVantages{}
	inv, err := Run(context.Background(), Config{Resolver: res, Vantages: fv, Enricher: explaintest.Infos(explaintest.SeedInfos())},
		"hosts", "list.txt", []Target{{Host: "api.app.test", Port: 443}, {Host: "down.app.test", Port: 443}})
	if err != nil {
		t.Fatal(err)
	}
	api, down := inv.Hosts[0], inv.Hosts[1]
	if api.Vantages == nil || len(api.Vantages.Origins) != 2 || api.Path == nil || api.Why != api.Vantages.Summary || api.Why == "" {
		t.Fatalf("api: vantages %+v, why %q", api.Vantages, api.Why)
	}
	if len(fv.seen) != 2 || !slices.ContainsFunc(fv.seen, func(t path.Target) bool { return t.Name == "api.app.test" && t.Port == 443 }) {
		t.Errorf("targets sent %+v: the name must go to the network, whose probes resolve it", fv.seen)
	}
	if down.Error != "trace: HTTP 422 no_probes_found" || down.Vantages != nil {
		t.Errorf("down: %+v", down)
	}
	if inv.Vantage != nil {
		t.Errorf("an investigation from several vantage points has no single vantage, got %+v", inv.Vantage)
	}
	if _, err := Run(context.Background(), Config{Resolver: res}, "hosts", "x", []Target{{Host: "api.app.test"}}); err == nil {
		t.Error("no tracer and no vantages accepted")
	}
}
