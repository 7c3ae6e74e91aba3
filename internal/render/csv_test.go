package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"hopscope/internal/report"
)

// fromJSON round-trips r through its JSON, so the CSV is compared with what the JSON says.
func fromJSON(t *testing.T, r *report.Report) *report.Report {
	t.Helper()
	var b bytes.Buffer
	if err := JSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var back report.Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	return &back
}

// readCSV renders r as CSV and parses it with encoding/csv, checking the header.
func readCSV(t *testing.T, r *report.Report, header []string) [][]string {
	t.Helper()
	var b bytes.Buffer
	if err := CSV(&b, r); err != nil {
		t.Fatal(err)
	}
	rd := csv.NewReader(&b)
	rd.FieldsPerRecord = len(header)
	rows, err := rd.ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv: %v\n%s", err, b.String())
	}
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		t.Fatalf("header %v, want %v", rows[0], header)
	}
	return rows[1:]
}

func TestCSVPathMatchesJSON(t *testing.T) {
	r := seedReport()
	rows := readCSV(t, r, PathCSVHeader)
	j := fromJSON(t, r)
	col := func(name string) int { return slices.Index(PathCSVHeader, name) }
	i := 0
	for _, h := range j.Path.Hops {
		n := max(len(h.Responders), 1)
		for k := range n {
			if i >= len(rows) {
				t.Fatalf("CSV has %d rows; the JSON has more responders", len(rows))
			}
			row := rows[i]
			i++
			if row[col("ttl")] != strconv.Itoa(h.TTL) || row[col("silent")] != strconv.FormatBool(h.Silent) {
				t.Errorf("row %d: ttl %s silent %s, JSON hop %d silent %v", i, row[col("ttl")], row[col("silent")], h.TTL, h.Silent)
			}
			if row[col("notes")] != strings.Join(h.Notes, "; ") {
				t.Errorf("row %d notes %q, JSON %q", i, row[col("notes")], h.Notes)
			}
			if h.Silent {
				if row[col("addr")] != "" || row[col("min_ms")] != "" {
					t.Errorf("silent hop %d has responder cells: %v", h.TTL, row)
				}
				continue
			}
			rs := h.Responders[k]
			for name, want := range map[string]string{"addr": rs.Addr, "name": rs.Name, "as": rs.AS, "operator": rs.Operator, "place": rs.PlaceLabel} {
				if row[col(name)] != want {
					t.Errorf("hop %d %s: CSV %q, JSON %q", h.TTL, name, row[col(name)], want)
				}
			}
			if rs.RTT == nil {
				if row[col("min_ms")] != "" {
					t.Errorf("hop %d: min_ms %q without an RTT", h.TTL, row[col("min_ms")])
				}
				continue
			}
			for name, want := range map[string]float64{"min_ms": rs.RTT.MinMs, "median_ms": rs.RTT.MedianMs, "max_ms": rs.RTT.MaxMs} {
				got, err := strconv.ParseFloat(row[col(name)], 64)
				if err != nil || got-want > 0.0005 || want-got > 0.0005 {
					t.Errorf("hop %d %s: CSV %q, JSON %v", h.TTL, name, row[col(name)], want)
				}
			}
		}
	}
	if i != len(rows) {
		t.Errorf("CSV has %d rows, JSON %d responders and silent hops", len(rows), i)
	}
}

func TestCSVDomainsMatchesJSON(t *testing.T) {
	r := domainsReport(true)
	rows := readCSV(t, r, DomainsCSVHeader)
	j := fromJSON(t, r)
	var want [][]string
	for _, d := range j.Domains.Domains {
		for _, h := range d.Hosts {
			want = append(want, []string{d.Domain, h.Host, strconv.Itoa(h.Flows), strconv.Itoa(h.Requests),
				strconv.FormatInt(h.BytesUp, 10), strconv.FormatInt(h.BytesDown, 10), csvTime(h.First), csvTime(h.Last),
				strings.Join(h.Protocols, ";"), strings.Join(h.Servers, ";")})
		}
	}
	if len(rows) != len(want) {
		t.Fatalf("CSV has %d rows, JSON %d hosts", len(rows), len(want))
	}
	for i := range want {
		if got := rows[i][:len(want[i])]; !slices.Equal(got, want[i]) {
			t.Errorf("row %d: %q, JSON %q", i+1, got, want[i])
		}
	}
}

func TestCSVText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"mp.weixin.qq.com", "mp.weixin.qq.com"},
		{"=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"},
		{"+1", "'+1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"-cmd", "'-cmd"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := csvText(tc.in); got != tc.want {
			t.Errorf("csvText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCSVOtherKinds(t *testing.T) {
	var b bytes.Buffer
	if err := CSV(&b, ipReport()); err == nil || !strings.Contains(err.Error(), "no CSV form") {
		t.Errorf("ip report as CSV: %v", err)
	}
}
