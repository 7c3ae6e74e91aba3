package session

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"hopscope/internal/inventory"
)

func TestRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.jsonl")
	s, err := Open(p, Config{Now: func() time.Time { return time.Unix(0, 0) }, SyncEvery: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 25, 1, 2, 3, 0, time.UTC)
	for i, h := range []string{"a.example", "b.example", "a.example"} {
		s.Record(&Record{Flow: inventory.Flow{ID: strconv.Itoa(i), Host: h, Protocol: "http", Start: t0.Add(time.Duration(i) * time.Second), Duration: time.Second}, ResponseBody: []byte{0, 1, 2}})
	}
	if s.Count() != 3 {
		t.Errorf("Count = %d, want 3", s.Count())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(p)
	inv, recs, err := Read(f, "s.jsonl")
	f.Close()
	if err != nil || len(recs) != 3 || len(inv.Flows) != 3 || !bytes.Equal(recs[1].ResponseBody, []byte{0, 1, 2}) {
		t.Fatalf("read back %d records: %v", len(recs), err)
	}
	if !inv.Ended.Equal(t0.Add(3*time.Second)) || inv.Source != "proxy" {
		t.Errorf("inventory %+v", inv)
	}
	// Reopening appends without a second header.
	s, err = Open(p, Config{})
	if err != nil {
		t.Fatal(err)
	}
	s.Record(&Record{Flow: inventory.Flow{ID: "3", Host: "c.example"}})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	full, _ := os.ReadFile(p)
	if _, recs, err := Read(bytes.NewReader(full), "s.jsonl"); err != nil || len(recs) != 4 {
		t.Errorf("after reopening: %d records, %v", len(recs), err)
	}
	// a crash mid-write leaves a torn last line: a warning, not an error
	torn := append(append([]byte(nil), full...), `{"flow":{"id":"9","host":"c.exa`...)
	inv, recs, err = Read(bytes.NewReader(torn), "torn.jsonl")
	if err != nil || len(recs) != 4 || len(inv.Warnings) != 1 || !strings.Contains(inv.Warnings[0], "torn.jsonl:6") {
		t.Errorf("torn: %v, %d records, warnings %q", err, len(recs), inv.Warnings)
	}
	for _, bad := range []struct{ name, in, want string }{
		{"empty", "", "empty file"},
		{"not a session", `{"log":{}}` + "\n", "not a hopscope session"},
		{"newer format", `{"hopscope_session":99}` + "\n", "newer"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, _, err := Read(strings.NewReader(bad.in), "bad.jsonl")
			if err == nil || !strings.Contains(err.Error(), bad.want) {
				t.Errorf("error %v, want %q", err, bad.want)
			}
		})
	}
}

// TestFormat1 reads testdata/format1.jsonl, written by the proxy before the session record left package
// mitm, and checks that records encode to the same lines today: files already on disk must keep reading.
func TestFormat1(t *testing.T) {
	data, err := os.ReadFile("testdata/format1.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	inv, recs, err := Read(bytes.NewReader(data), "format1.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || len(inv.Flows) != 2 || len(inv.Warnings) != 0 {
		t.Fatalf("%d records, %d flows, warnings %q", len(recs), len(inv.Flows), inv.Warnings)
	}
	if want := time.Date(2026, 11, 25, 1, 2, 0, 0, time.UTC); !inv.Started.Equal(want) {
		t.Errorf("started %v, want %v", inv.Started, want)
	}
	r := recs[0]
	if r.Flow.Host != "mp.weixin.qq.com" || r.Flow.Server != netip.MustParseAddrPort("[2001:db8::1]:443") || r.Flow.HTTP == nil || r.Flow.HTTP.Status != 200 ||
		len(r.RequestHeaders) != 3 || r.RequestHeaders[2] != (Header{"Accept", "text/html"}) || r.StatusText != "OK" ||
		string(r.RequestBody) != "q=1" || !bytes.Equal(r.ResponseBody, []byte{0, 1, 2, 0xff}) || !r.ResponseBodyTruncated || r.RequestBodyTruncated {
		t.Errorf("record 1 %+v", r)
	}
	if f := recs[1].Flow; f.Protocol != "mmtls" || f.Passthrough != "not TLS: mmtls" || f.FirstBytes != "16f104002001020304" {
		t.Errorf("record 2 %+v", f)
	}
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	for i := range recs {
		b, err := json.Marshal(&recs[i])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, lines[i+1]) {
			t.Errorf("record %d encodes as\n%s\nwant\n%s", i+1, b, lines[i+1])
		}
	}
}

// TestOpenHealsTornTail is issue 16 finding 1: a session ending in a partial line (a power cut, a full
// disk), reopened, used to get the next record appended straight after the fragment, and readers then
// refused the whole file. Open now ends the fragment with a newline and says so once; Read skips the
// fragment with a warning naming file and line and keeps every record.
func TestOpenHealsTornTail(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.jsonl")
	s, err := Open(p, Config{})
	if err != nil {
		t.Fatal(err)
	}
	s.Record(&Record{Flow: inventory.Flow{ID: "1", Host: "a.example"}})
	s.Record(&Record{Flow: inventory.Flow{ID: "2", Host: "b.example"}})
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("a new file has warnings %q", w)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"flow":{"id":"3","host":"c.exa`)
	f.Close()

	s, err = Open(p, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if w := s.Warnings(); len(w) != 1 || !strings.HasPrefix(w[0], p+":4: torn last record") {
		t.Errorf("Open warnings %q, want one naming %s:4", w, p)
	}
	s.Record(&Record{Flow: inventory.Flow{ID: "4", Host: "d.example"}})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// a second reopen finds a whole file and says nothing
	s, err = Open(p, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("second Open warnings %q", w)
	}
	s.Close()

	data, _ := os.ReadFile(p)
	inv, recs, err := Read(bytes.NewReader(data), "s.jsonl")
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.Flow.ID)
	}
	if strings.Join(ids, ",") != "1,2,4" {
		t.Errorf("records %v, want 1,2,4", ids)
	}
	if len(inv.Warnings) != 1 || !strings.HasPrefix(inv.Warnings[0], "s.jsonl:4: corrupt record skipped") {
		t.Errorf("Read warnings %q, want one for s.jsonl:4", inv.Warnings)
	}
}

// TestOpenRefuses keeps Open from appending to what is not a session, and from keeping a torn header.
func TestOpenRefuses(t *testing.T) {
	for _, c := range []struct {
		name, content, wantErr string
		wantWarn               string
		wantRecords            int
	}{
		{name: "not a session", content: "line one\nline two\n", wantErr: "not a hopscope session"},
		{name: "HAR", content: `{"log":{"entries":[]}}`, wantErr: "not a hopscope session"},
		{name: "newer format", content: `{"hopscope_session":99}` + "\n", wantErr: "newer"},
		{name: "torn header", content: `{"hopscope_sess`, wantWarn: ":1: torn header line", wantRecords: 1},
		{name: "header without newline", content: `{"hopscope_session":1}`, wantRecords: 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "s.jsonl")
			os.WriteFile(p, []byte(c.content), 0o600)
			s, err := Open(p, Config{})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("error %v, want %q", err, c.wantErr)
				}
				if err == nil {
					s.Close()
				}
				if b, _ := os.ReadFile(p); string(b) != c.content {
					t.Errorf("file changed to %q", b)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w := s.Warnings(); c.wantWarn == "" && len(w) != 0 || c.wantWarn != "" && (len(w) != 1 || !strings.Contains(w[0], c.wantWarn)) {
				t.Errorf("warnings %q, want %q", w, c.wantWarn)
			}
			s.Record(&Record{Flow: inventory.Flow{ID: "1"}})
			s.Close()
			b, _ := os.ReadFile(p)
			inv, recs, err := Read(bytes.NewReader(b), "s.jsonl")
			if err != nil || len(recs) != c.wantRecords || len(inv.Warnings) != 0 {
				t.Errorf("read back: %v, %d records, warnings %q\n%s", err, len(recs), inv.Warnings, b)
			}
		})
	}
}

// TestReadSkipsCorrupt: a torn or corrupt record is a warning naming file and line, never the loss of
// the rest of the file (issue 16 findings 1 and 8: the warning is data the caller prints in every mode).
func TestReadSkipsCorrupt(t *testing.T) {
	const hdr = `{"hopscope_session":1}` + "\n"
	rec := func(id string) string { return `{"flow":{"id":"` + id + `","host":"h` + id + `.example"}}` + "\n" }
	many := hdr
	for i := range 30 {
		many += "garbage " + strconv.Itoa(i) + "\n"
	}
	many += rec("1")
	for _, c := range []struct {
		name, in string
		wantIDs  string
		wantWarn []string
	}{
		{"corrupt middle line", hdr + rec("1") + "nonsense\n" + rec("2"), "1,2", []string{"f.jsonl:3: corrupt record skipped"}},
		{"record glued to a torn fragment", hdr + rec("1") + `{"flow":{"id":"x","ho` + rec("2") + rec("3"), "1,2,3", []string{"f.jsonl:3: torn fragment (21 bytes) before a record skipped"}},
		{"torn last line", hdr + rec("1") + `{"flow":{"id":"2"`, "1", []string{"f.jsonl:3: torn last record skipped"}},
		{"wrong types", hdr + `{"flow":{"id":7}}` + "\n" + rec("2"), "2", []string{"f.jsonl:2: corrupt record skipped"}},
		{"blank lines", hdr + "\n" + rec("1") + "\n\n" + rec("2"), "1,2", nil},
		{"warnings bounded", many, "1", append(make([]string, maxWarnings), "f.jsonl: 10 more torn or corrupt lines skipped")},
	} {
		t.Run(c.name, func(t *testing.T) {
			inv, recs, err := Read(strings.NewReader(c.in), "f.jsonl")
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range recs {
				ids = append(ids, r.Flow.ID)
			}
			if strings.Join(ids, ",") != c.wantIDs || len(inv.Flows) != len(recs) {
				t.Errorf("records %v (%d flows), want %s", ids, len(inv.Flows), c.wantIDs)
			}
			if len(inv.Warnings) != len(c.wantWarn) {
				t.Fatalf("warnings %q, want %d", inv.Warnings, len(c.wantWarn))
			}
			for i, w := range c.wantWarn {
				if !strings.HasPrefix(inv.Warnings[i], w) {
					t.Errorf("warning %d %q, want prefix %q", i, inv.Warnings[i], w)
				}
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"hopscope_session":1}` + "\n" + `{"flow":{"id":"1","host":"a","protocol":"http"}}` + "\n"))
	f.Add([]byte(`{"hopscope_session":1,"started":"2026-01-01T00:00:00Z"}` + "\n" + `{"flow":{"id":"1","http":{"method":"GET"}}}`))
	if b, err := os.ReadFile("testdata/format1.jsonl"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, recs, err := Read(bytes.NewReader(data), "fuzz.jsonl")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.jsonl") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		if len(inv.Flows) != len(recs) {
			t.Errorf("%d flows for %d records", len(inv.Flows), len(recs))
		}
	})
}

func benchRecord() *Record {
	return &Record{
		Flow: inventory.Flow{ID: "123", Host: "mp.weixin.qq.com", NameSource: "http-host", Protocol: "http2", Start: time.Now(), Duration: time.Millisecond,
			BytesUp: 300, BytesDown: 4000, Intercepted: true,
			HTTP: &inventory.HTTPExchange{Method: "GET", URL: "https://mp.weixin.qq.com/s?__biz=MzA", Status: 200, Proto: "HTTP/2.0", ContentType: "text/html", ResponseBytes: 4000},
			TLS:  &inventory.TLSInfo{SNI: "mp.weixin.qq.com", Version: "TLS 1.3", ALPN: []string{"h2"}}},
		RequestHeaders:  []Header{{"User-Agent", "WeChat/3.8.0"}, {"Accept", "*/*"}},
		ResponseHeaders: []Header{{"Content-Type", "text/html"}, {"Content-Length", "4000"}},
		ResponseBody:    make([]byte, 1024),
	}
}

// BenchmarkRecord measures appending one flow to a session file (encode + one write; fsync batched).
func BenchmarkRecord(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "s.jsonl"), Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := benchRecord()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.Record(r)
		}
	})
}
