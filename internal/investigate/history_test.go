package investigate

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"hopscope/internal/explain/explaintest"
	"hopscope/internal/history"
	"hopscope/internal/report"
)

// memStore is a history store in memory.
type memStore struct{ recs []history.Record }

func (m *memStore) ForHost(_ context.Context, host string, limit int) ([]history.Record, error) {
	var out []history.Record
	for i := len(m.recs) - 1; i >= 0 && (limit == 0 || len(out) < limit); i-- {
		if m.recs[i].Host == host {
			out = append([]history.Record{m.recs[i]}, out...)
		}
	}
	return out, nil
}

func (m *memStore) Add(_ context.Context, r history.Record) (int64, error) {
	m.recs = append(m.recs, r)
	return int64(len(m.recs)), nil
}

func TestRecordHistory(t *testing.T) {
	ctx := context.Background()
	res := fakeResolver{"thumb.app.test": {Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.10")}}}
	cfg := Config{Resolver: res, Tracer: &fakeTracer{}, Enricher: explaintest.Infos(explaintest.SeedInfos()),
		Now: func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }}
	inv, err := Run(ctx, cfg, "hosts", "", []Target{{Host: "thumb.app.test", Port: 443}, {Host: "gone.app.test"}})
	if err != nil {
		t.Fatal(err)
	}
	st := &memStore{}
	// A previous measurement that ended in another network and place.
	st.recs = append(st.recs, history.Record{When: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), Kind: "investigate",
		Host: "thumb.app.test", ASPath: []uint32{3215}, DestASN: 3215, DestCountry: "FR", HasRTT: true, MinRTT: 20 * time.Millisecond})
	if err := RecordHistory(ctx, st, inv); err != nil {
		t.Fatal(err)
	}
	if len(st.recs) != 2 {
		t.Fatalf("stored %d records, want the old one and one new (the failed host is not recorded)", len(st.recs))
	}
	rec := st.recs[1]
	if rec.Host != "thumb.app.test" || rec.Kind != "investigate" || rec.Run == "" || rec.DestASN != 132203 || len(rec.Report) == 0 {
		t.Errorf("new record = %+v", rec)
	}
	if len(inv.Changes) != 1 || inv.Changes[0].Host != "thumb.app.test" {
		t.Fatalf("changes = %+v", inv.Changes)
	}
	var kinds []string
	for _, c := range inv.Changes[0].Changes {
		kinds = append(kinds, c.Kind)
	}
	if got := strings.Join(kinds, ","); !strings.Contains(got, "new-as") || !strings.Contains(got, "dest-as") {
		t.Errorf("change kinds = %s, want new-as and dest-as", got)
	}
	var _ report.Change = inv.Changes[0].Changes[0]
}
