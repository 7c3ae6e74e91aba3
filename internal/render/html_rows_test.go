package render

import (
	"bytes"
	"fmt"
	"html/template"
	"testing"

	"hopscope/internal/report"
)

// TestRespondersHTMLMatchesTemplate pins respondersHTML to the template range it replaced: the same
// bytes for every character html/template escapes, invalid UTF-8 and names present or not.
func TestRespondersHTMLMatchesTemplate(t *testing.T) {
	old := template.Must(template.New("row").Parse(`<td>{{range $i, $r := .}}{{if $i}}<br>{{end}}{{$r.Addr}}{{if $r.Name}} <span class="muted">{{$r.Name}}</span>{{end}}{{end}}</td>`))
	now := template.Must(template.New("row").Funcs(template.FuncMap{"responders": respondersHTML}).Parse(`<td>{{range responders .}}{{.}}{{end}}</td>`))
	tests := []struct {
		name string
		rs   []report.PathResponder
	}{
		{"none", nil},
		{"one without name", []report.PathResponder{{Addr: "192.0.2.1"}}},
		{"several", []report.PathResponder{{Addr: "192.0.2.1", Name: "r1.example"}, {Addr: "2001:db8::1"}, {Name: "only-name.example"}}},
		{"markup", []report.PathResponder{{Addr: `<script>"x"&'y'+z</script>`, Name: "a<b>&amp;+'\""}}},
		{"more than a piece", manyResponders(2*htmlChunk + 3)},
		{"NUL, escapes and invalid UTF-8", []report.PathResponder{{Addr: "a\x00b\\x1b\xff\xfe", Name: "é東\u202e\x00+"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want, got bytes.Buffer
			if err := old.Execute(&want, tc.rs); err != nil {
				t.Fatal(err)
			}
			if err := now.Execute(&got, tc.rs); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("got  %q\nwant %q", got.String(), want.String())
			}
		})
	}
}

// manyResponders returns n responders, every third with a name that needs escaping.
func manyResponders(n int) []report.PathResponder {
	rs := make([]report.PathResponder, n)
	for i := range rs {
		rs[i].Addr = fmt.Sprintf("192.0.2.%d", i%256)
		if i%3 == 0 {
			rs[i].Name = fmt.Sprintf("r%d+<x>.example", i)
		}
	}
	return rs
}
