package render

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"hopscope/internal/report"
)

// hostile is what a session file, a traceroute file or a DNS answer can put in a name: a window title
// set (OSC … BEL), a colour the renderer never uses, a C1 CSI as UTF-8 and as a raw byte, a
// right-to-left override, a carriage return and a line feed.
const hostile = "\x1b]0;owned\a\x1b[5;35m\u009b2J\x9b\u202eevil\r\n\tX"

// poison appends hostile to every non-empty string reachable from v (struct fields, slice and array
// elements, map values), in place, except the report's kind, which selects the renderer.
func poison(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			poison(v.Elem())
		}
	case reflect.String:
		if v.CanSet() && v.Len() > 0 && v.Type() != reflect.TypeFor[report.Kind]() {
			v.SetString(v.String() + hostile)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				poison(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			poison(v.Index(i))
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			e := reflect.New(it.Value().Type()).Elem()
			e.Set(it.Value())
			poison(e)
			v.SetMapIndex(it.Key(), e)
		}
	}
}

// hostileReports returns one report of every kind with hostile text in every string.
func hostileReports(t *testing.T) map[string]*report.Report {
	path := seedReport()
	path.Comparison = &report.Comparison{Text: "addresses part at hop 3"}
	hist := &report.Report{Schema: report.Schema, SchemaVersion: report.SchemaVersion, Kind: report.KindHistory, Tool: "hopscope test",
		History: &report.History{Host: "app.example", Entries: []report.HistoryEntry{
			{When: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Kind: "trace", Addr: "192.0.2.1", Carriers: []string{"Orange"}, DestOrg: "Example", DestPlace: "Paris, FR", Server: "AS64500 Paris, FR", Hops: 9},
			{When: time.Date(2026, 1, 3, 3, 4, 5, 0, time.UTC), Kind: "trace", Addr: "192.0.2.2", Carriers: []string{"Tata"}, DestOrg: "Example", DestPlace: "Singapore, SG", Server: "AS64500 Singapore, SG", Hops: 12,
				Changes: []report.Change{{Kind: "address", Text: "address 192.0.2.1 → 192.0.2.2"}}}}}}
	hosts := &report.Report{Schema: report.Schema, SchemaVersion: report.SchemaVersion, Kind: report.KindHistory, Tool: "hopscope test",
		History: &report.History{Hosts: []string{"app.example", "cdn.example"}}}
	reports := map[string]*report.Report{
		"path":          path,
		"dns":           dnsReport(articleDNS()),
		"dns trace":     dnsReport(traceDNS()),
		"dns negative":  dnsReport(negativeDNS()),
		"domains":       domainsReport(true),
		"ip":            ipReport(),
		"investigation": investigationOf(t, 3),
		"history":       hist,
		"history hosts": hosts,
	}
	for _, r := range reports {
		poison(reflect.ValueOf(r))
	}
	return reports
}

// sgr is a colour escape as the text renderer writes it.
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// TestRenderersNeutraliseControls feeds control characters through every renderer and every report kind
// and checks that none reaches the output: no C0 control but newline and tab, no DEL, no C1 control
// (as UTF-8 or as a raw byte), no bidirectional override, and with colour on, no escape but the
// renderer's own colours. Issue 16, item 6: a host name with ESC from a session file was printed raw.
func TestRenderersNeutraliseControls(t *testing.T) {
	for kind, r := range hostileReports(t) {
		raw, err := render(JSON, r)
		if err != nil {
			t.Fatalf("%s json: %v", kind, err)
		}
		for _, f := range []struct {
			name string
			fn   Func
		}{
			{"text", TextRenderer{}.Render},
			{"text colour", TextRenderer{Color: true}.Render},
			{"markdown", Markdown},
			{"html", HTML},
		} {
			t.Run(kind+"/"+f.name, func(t *testing.T) {
				out, err := render(f.fn, r)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(out, `\x1b]0;owned\x07`) {
					t.Fatalf("no escaped hostile text in the output: the test did not reach a poisoned string\n%s", head(out))
				}
				if f.name == "text colour" {
					if strings.Contains(out, "\x1b[5;35m") {
						t.Fatalf("the hostile colour escape reached the output")
					}
					out = sgr.ReplaceAllString(out, "")
				}
				if err := unsafeByte(out); err != "" {
					t.Fatalf("%s\n%s", err, head(out))
				}
			})
		}
		// The JSON keeps the raw data, and rendering left the report itself alone.
		if !strings.Contains(raw, `\u001b]0;owned\u0007`) {
			t.Errorf("%s: the JSON lost the raw text", kind)
		}
		if again, _ := render(JSON, r); again != raw {
			t.Errorf("%s: rendering changed the report", kind)
		}
	}
}

// unsafeByte describes the first character of s a terminal would act on, or "" when there is none.
func unsafeByte(s string) string {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			return fmt.Sprintf("raw byte %#x at %d", s[i], i)
		case r < 0x20 && r != '\n' && r != '\t', r == 0x7f, r >= 0x80 && r < 0xa0:
			return fmt.Sprintf("control %U at %d", r, i)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			return fmt.Sprintf("bidi control %U at %d", r, i)
		}
		i += n
	}
	return ""
}

func render(fn Func, r *report.Report) (string, error) {
	var buf bytes.Buffer
	err := fn(&buf, r)
	return buf.String(), err
}

func head(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// TestSafeReportCopiesOnlyWhatChanges pins the sanitiser's promises: a clean report comes back as is,
// and a dirty one is cleaned in a copy.
func TestSafeReportCopiesOnlyWhatChanges(t *testing.T) {
	clean := seedReport()
	if got := safeReport(clean); got != clean {
		t.Errorf("a report without controls was copied")
	}
	dirty := seedReport()
	dirty.Path.Hops[2].Responders[0].Name = "r1\x1b[2J.example"
	got := safeReport(dirty)
	if got == dirty || got.Path == dirty.Path {
		t.Fatalf("the dirty report was not copied")
	}
	if n := got.Path.Hops[2].Responders[0].Name; n != `r1\x1b[2J.example` {
		t.Errorf("cleaned name = %q", n)
	}
	if dirty.Path.Hops[2].Responders[0].Name != "r1\x1b[2J.example" {
		t.Errorf("the original report was modified")
	}
	if got.Path.Hops[0].Responders[0].Name != dirty.Path.Hops[0].Responders[0].Name || &got.Path.Findings.Jumps[0] != &dirty.Path.Findings.Jumps[0] {
		t.Errorf("unchanged parts should be shared, not copied")
	}
}
