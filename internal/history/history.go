// Package history stores past path measurements per host in SQLite and says what changed between them.
package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite driver, no cgo
)

// Record is one measured path to one host, reduced to what is compared over time.
type Record struct {
	// ID is assigned by the store; 0 before Add.
	ID   int64     `json:"id"`
	When time.Time `json:"when"`
	// Kind is "trace", "analyze" or "investigate".
	Kind string `json:"kind"`
	// Run groups records of one investigation; empty for single traces.
	Run  string     `json:"run,omitempty"`
	Host string     `json:"host"`
	Addr netip.Addr `json:"addr,omitzero"`
	// ASPath is the sequence of distinct origin ASes along the path (0 = unknown hop run omitted).
	ASPath      []uint32 `json:"as_path,omitempty"`
	Carriers    []string `json:"carriers,omitempty"`
	DestASN     uint32   `json:"dest_asn,omitempty"`
	DestOrg     string   `json:"dest_org,omitempty"`
	DestCountry string   `json:"dest_country,omitempty"`
	DestCity    string   `json:"dest_city,omitempty"`
	// MinRTT is the smallest RTT to the last responding hop; meaningful when HasRTT.
	MinRTT  time.Duration `json:"min_rtt_ns,omitempty"`
	HasRTT  bool          `json:"has_rtt,omitempty"`
	Reached bool          `json:"reached"`
	Hops    int           `json:"hops"`
	// Report is the full report JSON the record was taken from; may be empty.
	Report json.RawMessage `json:"report,omitempty"`
}

// Store is a history database. Safe for concurrent use.
type Store struct{ db *sql.DB }

// DefaultPath returns the history database path inside dataDir.
func DefaultPath(dataDir string) string { return filepath.Join(dataDir, "history.db") }

// Open opens or creates the database at file.
func Open(file string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, fmt.Errorf("history: open %s: %w", file, err)
	}
	const schema = `CREATE TABLE IF NOT EXISTS paths (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		at_ns INTEGER NOT NULL,
		kind TEXT NOT NULL,
		run TEXT NOT NULL DEFAULT '',
		host TEXT NOT NULL,
		addr TEXT NOT NULL DEFAULT '',
		as_path TEXT NOT NULL DEFAULT '',
		carriers TEXT NOT NULL DEFAULT '',
		dest_asn INTEGER NOT NULL DEFAULT 0,
		dest_org TEXT NOT NULL DEFAULT '',
		dest_country TEXT NOT NULL DEFAULT '',
		dest_city TEXT NOT NULL DEFAULT '',
		min_rtt_ns INTEGER NOT NULL DEFAULT -1,
		reached INTEGER NOT NULL DEFAULT 0,
		hops INTEGER NOT NULL DEFAULT 0,
		report BLOB
	);
	CREATE INDEX IF NOT EXISTS paths_host ON paths(host, at_ns);`
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("history: %s: %w", file, err)
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Add stores r and returns its ID.
func (s *Store) Add(ctx context.Context, r Record) (int64, error) {
	if r.Host == "" {
		return 0, errors.New("history: record without host")
	}
	rtt := int64(-1)
	if r.HasRTT {
		rtt = int64(r.MinRTT)
	}
	addr := ""
	if r.Addr.IsValid() {
		addr = r.Addr.String()
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO paths
		(at_ns, kind, run, host, addr, as_path, carriers, dest_asn, dest_org, dest_country, dest_city, min_rtt_ns, reached, hops, report)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		r.When.UnixNano(), r.Kind, r.Run, strings.ToLower(r.Host), addr, joinASNs(r.ASPath), strings.Join(r.Carriers, "\x1f"),
		r.DestASN, r.DestOrg, r.DestCountry, r.DestCity, rtt, r.Reached, r.Hops, []byte(r.Report))
	if err != nil {
		return 0, fmt.Errorf("history: add %s: %w", r.Host, err)
	}
	return res.LastInsertId()
}

// ForHost returns the records for host, oldest first; limit > 0 keeps only the newest limit records.
func (s *Store) ForHost(ctx context.Context, host string, limit int) ([]Record, error) {
	q := `SELECT id, at_ns, kind, run, host, addr, as_path, carriers, dest_asn, dest_org, dest_country, dest_city,
		min_rtt_ns, reached, hops, report FROM paths WHERE host = ? ORDER BY at_ns DESC, id DESC`
	args := []any{strings.ToLower(host)}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("history: query %s: %w", host, err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var at, rtt int64
		var addr, asPath, carriers string
		var report []byte
		if err := rows.Scan(&r.ID, &at, &r.Kind, &r.Run, &r.Host, &addr, &asPath, &carriers, &r.DestASN, &r.DestOrg,
			&r.DestCountry, &r.DestCity, &rtt, &r.Reached, &r.Hops, &report); err != nil {
			return nil, fmt.Errorf("history: read %s: %w", host, err)
		}
		r.When = time.Unix(0, at).UTC()
		if addr != "" {
			r.Addr, _ = netip.ParseAddr(addr)
		}
		r.ASPath = splitASNs(asPath)
		if carriers != "" {
			r.Carriers = strings.Split(carriers, "\x1f")
		}
		if rtt >= 0 {
			r.MinRTT, r.HasRTT = time.Duration(rtt), true
		}
		if len(report) > 0 {
			r.Report = report
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: read %s: %w", host, err)
	}
	slices.Reverse(out)
	return out, nil
}

// Hosts lists every host with at least one record, alphabetically.
func (s *Store) Hosts(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT host FROM paths ORDER BY host`)
	if err != nil {
		return nil, fmt.Errorf("history: list hosts: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

func joinASNs(as []uint32) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = fmt.Sprint(a)
	}
	return strings.Join(parts, " ")
}

func splitASNs(s string) []uint32 {
	var out []uint32
	for _, f := range strings.Fields(s) {
		var a uint32
		if _, err := fmt.Sscan(f, &a); err == nil {
			out = append(out, a)
		}
	}
	return out
}
