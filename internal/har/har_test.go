package har

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hopscope/internal/inventory"
	"hopscope/internal/session"
)

func load(t *testing.T, name string) (*File, *inventory.Inventory) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode(bytes.NewReader(b), name)
	if err != nil {
		t.Fatal(err)
	}
	return f, ToInventory(f, name)
}

func TestImportFlavours(t *testing.T) {
	for _, tc := range []struct {
		file, flavour string
		check         func(t *testing.T, inv *inventory.Inventory)
	}{
		{"chromium.har", "chromium", func(t *testing.T, inv *inventory.Inventory) {
			if len(inv.Flows) != 4 {
				t.Fatalf("%d flows, want 4", len(inv.Flows))
			}
			f := inv.Flows[0]
			if f.Host != "mp.weixin.qq.com" || f.Protocol != "http2" || f.Server != netip.MustParseAddrPort("[2001:db8::10]:443") || f.BytesDown != 13420 {
				t.Errorf("document flow %+v", f)
			}
			if tm := f.HTTP.Timings; tm.DNS != 12500*time.Microsecond || tm.TLS != 20100*time.Microsecond || tm.Connect != 25500*time.Microsecond {
				t.Errorf("timings %+v (connect must exclude ssl)", tm)
			}
			if !f.HasHandshakeRTT || inv.Flows[1].HasHandshakeRTT {
				t.Errorf("handshake RTT only on the connection's first entry: %v %v", f.HasHandshakeRTT, inv.Flows[1].HasHandshakeRTT)
			}
			if f.HTTP.ResponseBytes != 48211 || f.HTTP.ContentType != "text/html" {
				t.Errorf("response bytes %d type %q", f.HTTP.ResponseBytes, f.HTTP.ContentType)
			}
			if inv.Flows[1].HTTP.Timings.DNS != -1 {
				t.Errorf("missing timing must stay -1")
			}
			if ws := inv.Flows[2]; ws.Protocol != "websocket" || ws.Server.Port() != 443 {
				t.Errorf("websocket flow %+v", ws)
			}
			if failed := inv.Flows[3]; failed.Error == "" || failed.HTTP.Status != 0 || failed.Server.IsValid() {
				t.Errorf("failed flow %+v", failed)
			}
		}},
		{"zap.har", "zap", func(t *testing.T, inv *inventory.Inventory) {
			if len(inv.Flows) != 2 {
				t.Fatalf("%d flows", len(inv.Flows))
			}
			f := inv.Flows[0]
			if !f.Start.Equal(time.Date(2023, 5, 29, 20, 4, 53, 123e6, time.UTC)) {
				t.Errorf("start %v", f.Start)
			}
			if f.BytesUp != 632 || f.BytesDown != 1119 || f.Server.IsValid() || f.Protocol != "http" {
				t.Errorf("flow %+v", f)
			}
			if g := inv.Flows[1]; !g.Start.Equal(time.Date(2023, 5, 29, 20, 4, 54, 500e6, time.UTC)) || g.Duration != 15*time.Millisecond || g.TLS != nil {
				t.Errorf("second flow (offset without colon, time as a string) %+v", g)
			}
		}},
		{"mitmproxy.har", "mitmproxy", func(t *testing.T, inv *inventory.Inventory) {
			if len(inv.Flows) != 2 {
				t.Fatalf("%d flows", len(inv.Flows))
			}
			if f := inv.Flows[0]; f.Server != netip.MustParseAddrPort("198.51.100.9:443") || f.HTTP.Timings.Connect != 5100*time.Microsecond || f.BytesDown != 5520 {
				t.Errorf("flow %+v timings %+v", f, f.HTTP.Timings)
			}
			if f := inv.Flows[1]; f.HTTP.Status != 304 || f.HTTP.Timings.TLS != -1 || f.HasHandshakeRTT {
				t.Errorf("reused flow %+v", f)
			}
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, inv := load(t, tc.file)
			if got := f.Flavour(); got != tc.flavour {
				t.Errorf("flavour %q, want %q", got, tc.flavour)
			}
			if inv.Source != "har" || len(inv.Warnings) != 0 {
				t.Errorf("source %q warnings %v", inv.Source, inv.Warnings)
			}
			tc.check(t, inv)
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"not json", "hello", "x.har:1:1: not valid JSON"},
		{"syntax error on line 3", "{\"log\":\n{\"entries\":\n[,]}}", "x.har:3:2"},
		{"not a HAR", `{"foo":1}`, "not a HAR file"},
		{"no entries", `{"log":{"version":"1.2"}}`, "no \"entries\""},
		{"wrong type", `{"log":{"entries":[{"request":{"url":5}}]}}`, "field log.entries.request.url: want string"},
		{"bad number", `{"log":{"entries":[{"time":"soon"}]}}`, "want a number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tc.in), "x.har")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestImportWarnings(t *testing.T) {
	f, err := Decode(strings.NewReader(`{"log":{"entries":[{"request":{"url":"/relative"}},{"startedDateTime":"yesterday","request":{"url":"http://a.example/"}}]}}`), "w.har")
	if err != nil {
		t.Fatal(err)
	}
	inv := ToInventory(f, "w.har")
	if len(inv.Flows) != 1 || len(inv.Warnings) != 2 || !strings.Contains(inv.Warnings[0], "entry 0") || !strings.Contains(inv.Warnings[1], "entry 1") {
		t.Errorf("flows %d warnings %q", len(inv.Flows), inv.Warnings)
	}
}

func sampleRecords() []session.Record {
	t0 := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	return []session.Record{
		{Flow: inventory.Flow{ID: "2", Host: "api.app.test", Client: netip.MustParseAddrPort("127.0.0.1:50000"), Server: netip.MustParseAddrPort("127.0.0.1:8443"),
			Protocol: "http2", Start: t0.Add(time.Second), Duration: 30 * time.Millisecond, Intercepted: true,
			HTTP: &inventory.HTTPExchange{Method: "POST", URL: "https://api.app.test:8443/v1?q=a&q=b", Status: 201, Proto: "HTTP/2.0", RequestBytes: 5, ResponseBytes: 4000,
				Timings: inventory.Timings{DNS: -1, Connect: time.Millisecond, TLS: 2 * time.Millisecond, Send: 0, Wait: 20 * time.Millisecond, Transfer: 5 * time.Millisecond}}},
			RequestHeaders:  []session.Header{{Name: "Cookie", Value: "sid=1; theme=dark"}, {Name: "Content-Type", Value: "application/json"}},
			ResponseHeaders: []session.Header{{Name: "Set-Cookie", Value: "sid=2; Path=/; HttpOnly"}, {Name: "Content-Type", Value: "text/plain"}},
			StatusText:      "Created", RequestBody: []byte(`{"a"}`), ResponseBody: []byte("abcd"), ResponseBodyTruncated: true},
		{Flow: inventory.Flow{ID: "1", Host: "img.app.test", Protocol: "http", Start: t0, Duration: 10 * time.Millisecond,
			HTTP: &inventory.HTTPExchange{Method: "GET", URL: "http://img.app.test/a.png", Status: 200, Proto: "HTTP/1.1", ResponseBytes: 3,
				Timings: inventory.Timings{DNS: -1, Connect: -1, TLS: -1, Send: -1, Wait: -1, Transfer: -1}}},
			ResponseBody: []byte{0x89, 'P', 'N'}},
		{Flow: inventory.Flow{ID: "3", Host: "long.weixin.test", Protocol: "mmtls", Passthrough: "not TLS: mmtls", Start: t0}},
	}
}

// required lists HAR 1.2's required members per object path (from the specification).
var required = map[string][]string{
	"log":                     {"version", "creator", "entries"},
	"log.creator":             {"name", "version"},
	"entry":                   {"startedDateTime", "time", "request", "response", "cache", "timings"},
	"entry.request":           {"method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"},
	"entry.response":          {"status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "headersSize", "bodySize"},
	"entry.response.content":  {"size", "mimeType"},
	"entry.timings":           {"send", "wait", "receive"},
	"entry.request.postData":  {"mimeType"},
	"entry.request.headers[]": {"name", "value"},
}

func checkRequired(t *testing.T, obj map[string]any, path string) {
	t.Helper()
	for _, k := range required[path] {
		if _, ok := obj[k]; !ok {
			t.Errorf("%s lacks required %q", path, k)
		}
	}
}

func TestExportValidHAR12(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, FromRecords(sampleRecords(), "test")); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	log := doc["log"].(map[string]any)
	checkRequired(t, log, "log")
	checkRequired(t, log["creator"].(map[string]any), "log.creator")
	if log["version"] != "1.2" {
		t.Errorf("version %v", log["version"])
	}
	entries := log["entries"].([]any)
	if len(entries) != 2 || !strings.Contains(fmt.Sprint(log["comment"]), "1 non-HTTP") {
		t.Fatalf("%d entries, comment %v", len(entries), log["comment"])
	}
	for i, x := range entries {
		e := x.(map[string]any)
		checkRequired(t, e, "entry")
		req, resp := e["request"].(map[string]any), e["response"].(map[string]any)
		checkRequired(t, req, "entry.request")
		checkRequired(t, resp, "entry.response")
		checkRequired(t, resp["content"].(map[string]any), "entry.response.content")
		tm := e["timings"].(map[string]any)
		checkRequired(t, tm, "entry.timings")
		for _, k := range []string{"send", "wait", "receive"} {
			if tm[k].(float64) < 0 {
				t.Errorf("entry %d: timings.%s is negative", i, k)
			}
		}
		if _, err := time.Parse(time.RFC3339Nano, e["startedDateTime"].(string)); err != nil {
			t.Errorf("entry %d: %v", i, err)
		}
		for _, h := range req["headers"].([]any) {
			checkRequired(t, h.(map[string]any), "entry.request.headers[]")
		}
	}
	first := entries[0].(map[string]any) // sorted by start: the image comes first
	if first["request"].(map[string]any)["url"] != "http://img.app.test/a.png" || first["response"].(map[string]any)["content"].(map[string]any)["encoding"] != "base64" {
		t.Errorf("first entry %v", first)
	}
	second := entries[1].(map[string]any)
	if c := second["request"].(map[string]any)["cookies"].([]any); len(c) != 2 {
		t.Errorf("request cookies %v", c)
	}
	if q := second["request"].(map[string]any)["queryString"].([]any); len(q) != 2 {
		t.Errorf("query %v", q)
	}
	if tm := second["timings"].(map[string]any); tm["connect"].(float64) != 3 || tm["ssl"].(float64) != 2 {
		t.Errorf("connect must include ssl: %v", tm)
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, FromRecords(sampleRecords(), "test")); err != nil {
		t.Fatal(err)
	}
	f, err := Decode(&b, "rt.har")
	if err != nil {
		t.Fatal(err)
	}
	inv := ToInventory(f, "rt.har")
	if f.Flavour() != "hopscope" || len(inv.Flows) != 2 {
		t.Fatalf("flavour %q, %d flows", f.Flavour(), len(inv.Flows))
	}
	api := inv.Flows[1]
	if api.ID != "2" || api.Host != "api.app.test" || api.Protocol != "http2" || api.HTTP.Status != 201 || api.HTTP.ResponseBytes != 4000 ||
		api.HTTP.Timings.Connect != time.Millisecond || api.HTTP.Timings.TLS != 2*time.Millisecond || api.Server != netip.MustParseAddrPort("127.0.0.1:8443") {
		t.Errorf("round trip flow %+v timings %+v", api, api.HTTP.Timings)
	}
}

func FuzzDecode(f *testing.F) {
	for _, n := range []string{"chromium.har", "zap.har", "mitmproxy.har"} {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"log":{"entries":[{"time":null,"request":{"url":"http://[::1]:0/"},"serverIPAddress":"::ffff:1.2.3.4","connection":7}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := Decode(bytes.NewReader(data), "fuzz.har")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.har") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		inv := ToInventory(h, "fuzz.har")
		if len(inv.Flows)+len(inv.Warnings) < len(h.Log.Entries) {
			t.Errorf("%d entries became %d flows and %d warnings", len(h.Log.Entries), len(inv.Flows), len(inv.Warnings))
		}
		inventory.Summarize(inv, nil)
	})
}
