package investigate

import (
	"context"
	"time"

	"hopscope/internal/analysis"
	"hopscope/internal/history"
	"hopscope/internal/report"
)

// HistoryStore is what RecordHistory needs from the history database.
type HistoryStore interface {
	ForHost(ctx context.Context, host string, limit int) ([]history.Record, error)
	Add(ctx context.Context, r history.Record) (int64, error)
}

// RecordHistory compares each measured host of inv with its previous record in st, attaches what changed
// to inv.Changes, and stores the new records (one run, stamped with the investigation's start).
func RecordHistory(ctx context.Context, st HistoryStore, inv *report.Investigation) error {
	run := inv.Started.Format(time.RFC3339Nano)
	for _, h := range inv.Hosts {
		if h.Error != "" || h.Path == nil {
			continue
		}
		rec := analysis.HistoryRecord(h.Path, "investigate", inv.Started)
		rec.Run = run
		rec.Host = h.Host
		prev, err := st.ForHost(ctx, h.Host, 1)
		if err != nil {
			return err
		}
		if len(prev) == 1 {
			if ch := history.Diff(prev[0], rec); len(ch) > 0 {
				inv.Changes = append(inv.Changes, report.HostChanges{Host: h.Host, Since: prev[0].When, Changes: report.NewChanges(ch)})
			}
		}
		if _, err := st.Add(ctx, rec); err != nil {
			return err
		}
	}
	return nil
}
