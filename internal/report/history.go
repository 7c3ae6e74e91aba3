package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/history"
)

// History is what `hopscope history` shows: the hosts with recorded paths, or one host's records from
// oldest to newest with what changed since the one before.
type History struct {
	// Host is the host asked about; empty when the report lists Hosts.
	Host string `json:"host,omitempty"`
	// Hosts lists every host with a record, when no host was asked about.
	Hosts []string `json:"hosts,omitempty"`
	// Entries are the host's records, oldest first.
	Entries []HistoryEntry `json:"entries,omitempty"`
}

// HistoryEntry is one recorded measurement of a host.
type HistoryEntry struct {
	When time.Time `json:"when"`
	// Kind is "trace", "analyze" or "investigate".
	Kind string `json:"kind"`
	// Run groups the records of one investigation; empty for single traces.
	Run  string `json:"run,omitempty"`
	Addr string `json:"addr,omitempty"`
	// ASPath is the sequence of distinct ASes along the path.
	ASPath   []uint32 `json:"as_path,omitempty"`
	Carriers []string `json:"carriers,omitempty"`
	DestASN  uint32   `json:"dest_asn,omitempty"`
	DestOrg  string   `json:"dest_org,omitempty"`
	// DestPlace is where the server was placed ("Singapore, SG", "SG"); empty when unknown.
	DestPlace string `json:"dest_place,omitempty"`
	// Server is the one-line "AS132203 Singapore, SG".
	Server string `json:"server,omitempty"`
	// MinRTTMs is the lowest RTT to the end of the path; meaningful when HasRTT.
	MinRTTMs float64 `json:"min_rtt_ms,omitempty"`
	HasRTT   bool    `json:"has_rtt"`
	Reached  bool    `json:"reached"`
	Hops     int     `json:"hops"`
	// Changes since the previous entry; empty for the first.
	Changes []Change `json:"changes,omitempty"`
}

// NewHistory builds the history of host from its records (oldest first), with what changed between
// consecutive ones.
func NewHistory(host string, recs []history.Record) *History {
	h := &History{Host: host, Entries: make([]HistoryEntry, 0, len(recs))}
	for i, r := range recs {
		e := HistoryEntry{When: r.When.UTC(), Kind: r.Kind, Run: r.Run, ASPath: r.ASPath, Carriers: r.Carriers,
			DestASN: r.DestASN, DestOrg: r.DestOrg, HasRTT: r.HasRTT, Reached: r.Reached, Hops: r.Hops}
		if r.Addr.IsValid() {
			e.Addr = r.Addr.String()
		}
		switch {
		case r.DestCity != "" && r.DestCountry != "":
			e.DestPlace = r.DestCity + ", " + r.DestCountry
		default:
			e.DestPlace = r.DestCountry
		}
		e.Server = e.DestPlace
		if r.DestASN != 0 {
			e.Server = strings.TrimSpace("AS" + strconv.FormatUint(uint64(r.DestASN), 10) + " " + e.DestPlace)
		}
		if r.HasRTT {
			e.MinRTTMs = msOf(r.MinRTT)
		}
		if i > 0 {
			e.Changes = NewChanges(history.Diff(recs[i-1], r))
		}
		h.Entries = append(h.Entries, e)
	}
	return h
}

// RTTLabel is the entry's RTT as text ("236.2 ms"), "-" when not measured.
func (e HistoryEntry) RTTLabel() string {
	if !e.HasRTT {
		return "-"
	}
	return fmt.Sprintf("%.1f ms", e.MinRTTMs)
}
