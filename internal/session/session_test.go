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
		{"bad middle line", `{"hopscope_session":1}` + "\n" + "nonsense\n" + `{"flow":{}}` + "\n", "bad.jsonl:2: bad record"},
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
