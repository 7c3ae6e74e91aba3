package render

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/report"
)

// PathCSVHeader is the header of a path report as CSV: one row per responder of a hop, one row for a
// silent hop (its responder columns empty). "path" names the traced target when a report holds several.
var PathCSVHeader = []string{"path", "ttl", "silent", "sent", "answered", "addr", "name", "as", "asn", "operator",
	"place", "lat", "lon", "loss_pct", "min_ms", "median_ms", "max_ms", "rtt_count",
	"loss_label", "loss_verdict", "stats_sent", "stats_received", "last_ms", "avg_ms", "best_ms", "worst_ms", "stddev_ms",
	"jitter_ms", "jitter_verdict", "notes"}

// DomainsCSVHeader is the header of an inventory report (domains, capture) as CSV: one row per host.
var DomainsCSVHeader = []string{"domain", "host", "flows", "requests", "bytes_up", "bytes_down", "first", "last",
	"protocols", "servers", "ports", "purpose", "note", "server_as", "server_org", "server_country"}

// CSV writes a path report (one row per hop responder) or an inventory report (one row per host) as
// RFC 4180 CSV with a header row, for spreadsheets and scripts (mtr --csv being the model). Numbers are
// plain (no digit grouping), times RFC 3339 in UTC, lists joined with ";"; a value that is not measured
// is an empty cell. Text a spreadsheet would run as a formula is prefixed with "'".
func CSV(w io.Writer, r *report.Report) error {
	cw := csv.NewWriter(w)
	var err error
	switch r.Kind {
	case report.KindPath:
		err = csvPath(cw, r)
	case report.KindDomains:
		err = csvDomains(cw, r)
	default:
		return fmt.Errorf("render csv: a %s report has no CSV form (path and inventory reports do)", r.Kind)
	}
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func csvPath(cw *csv.Writer, r *report.Report) error {
	ps, err := reportPaths(r)
	if err != nil {
		return fmt.Errorf("render csv: %w", err)
	}
	if err := cw.Write(PathCSVHeader); err != nil {
		return err
	}
	row := make([]string, 0, len(PathCSVHeader)) // reused: the csv.Writer copies what it writes
	lossCol := slices.Index(PathCSVHeader, "loss_pct")
	for _, p := range ps {
		target := p.Target.Name
		if target == "" {
			target = p.Target.Addr
		}
		target = csvText(target)
		for hi := range p.Hops {
			h := &p.Hops[hi]
			base := [...]string{target, strconv.Itoa(h.TTL), strconv.FormatBool(h.Silent), strconv.Itoa(h.Sent), strconv.Itoa(h.Answered)}
			notes := csvText(strings.Join(h.Notes, "; "))
			if len(h.Responders) == 0 {
				row = append(row[:0], base[:]...)
				for len(row) < len(PathCSVHeader)-len(csvStatsHeader)-1 {
					row = append(row, "")
				}
				if loss, _ := rowStats(*h, nil, true); loss != nil && loss.LossPct != nil {
					row[lossCol] = csvFloat(*loss.LossPct, 1)
				}
				row = appendCSVStats(row, *h, nil, true)
				if err := cw.Write(append(row, notes)); err != nil {
					return err
				}
				continue
			}
			for i := range h.Responders {
				rs := &h.Responders[i]
				row = append(row[:0], base[:]...)
				asn := ""
				if rs.Info.ASN != 0 {
					asn = strconv.FormatUint(uint64(rs.Info.ASN), 10)
				}
				lat, lon := "", ""
				if rs.Info.Place != nil && rs.Info.Place.HasCoords {
					lat, lon = csvFloat(rs.Info.Place.Lat, 4), csvFloat(rs.Info.Place.Lon, 4)
				}
				loss := ""
				if ls, _ := rowStats(*h, rs, i == 0); ls != nil && ls.LossPct != nil {
					loss = csvFloat(*ls.LossPct, 1)
				} else if rs.Loss != nil {
					loss = csvFloat(100**rs.Loss, 1)
				}
				minMs, med, maxMs, count := "", "", "", ""
				if rs.RTT != nil {
					minMs, med, maxMs = csvFloat(rs.RTT.MinMs, 3), csvFloat(rs.RTT.MedianMs, 3), csvFloat(rs.RTT.MaxMs, 3)
					count = strconv.Itoa(rs.RTT.Count)
				}
				row = append(row, csvText(rs.Addr), csvText(rs.Name), csvText(rs.AS), asn, csvText(rs.Operator),
					csvText(rs.PlaceLabel), lat, lon, loss, minMs, med, maxMs, count)
				row = append(appendCSVStats(row, *h, rs, i == 0), notes)
				if err := cw.Write(row); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// csvStatsHeader are the statistics columns csvStats fills, as named in PathCSVHeader.
var csvStatsHeader = []string{"loss_label", "loss_verdict", "stats_sent", "stats_received", "last_ms", "avg_ms", "best_ms",
	"worst_ms", "stddev_ms", "jitter_ms", "jitter_verdict"}

// appendCSVStats appends a row's loss and RTT statistics (rowStats: the responder's, else its hop's),
// empty when not measured, to row; the verdicts are the hop's, on its first row.
func appendCSVStats(row []string, h report.PathHop, r *report.PathResponder, first bool) []string {
	n := len(row)
	for range csvStatsHeader {
		row = append(row, "")
	}
	out := row[n:]
	loss, rtt := rowStats(h, r, first)
	if loss != nil && loss.Sent > 0 {
		out[0], out[2], out[3] = csvText(loss.LossLabel), strconv.Itoa(loss.Sent), strconv.Itoa(loss.Received)
	}
	if first {
		out[1], out[10] = h.LossVerdict, h.JitterVerdict
	}
	if rtt != nil {
		for i, v := range [...]*float64{rtt.LastMs, rtt.AvgMs, rtt.BestMs, rtt.WorstMs, rtt.StdDevMs, rtt.JitterMs} {
			if v != nil {
				out[4+i] = csvFloat(*v, 3)
			}
		}
	}
	return row
}

func csvDomains(cw *csv.Writer, r *report.Report) error {
	d := r.Domains
	if d == nil {
		return errors.New("render csv: domains report without a domains section")
	}
	if err := cw.Write(DomainsCSVHeader); err != nil {
		return err
	}
	for _, dom := range d.Domains {
		for _, h := range dom.Hosts {
			ports := make([]string, len(h.Ports))
			for i, p := range h.Ports {
				ports[i] = strconv.Itoa(int(p))
			}
			row := []string{csvText(dom.Domain), csvText(h.Host), strconv.Itoa(h.Flows), strconv.Itoa(h.Requests),
				strconv.FormatInt(h.BytesUp, 10), strconv.FormatInt(h.BytesDown, 10), csvTime(h.First), csvTime(h.Last),
				csvText(strings.Join(h.Protocols, ";")), csvText(strings.Join(h.Servers, ";")), strings.Join(ports, ";"),
				csvText(h.Purpose), csvText(h.Note), csvText(h.ServerAS), csvText(h.ServerOrg), csvText(h.ServerCountry)}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// csvFloat formats v with at most prec decimals, without trailing zeros.
func csvFloat(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }

// csvTime is t in RFC 3339 UTC with nanoseconds trimmed; empty when unknown.
func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// csvText keeps a spreadsheet from running text as a formula (OWASP's CSV injection advice): a cell
// starting with =, +, -, @, tab or carriage return gets a leading "'".
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
