package render

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"hopscope/internal/explain/explaintest"
)

// indentPieces indents src written to a jsonIndenter in pieces of n bytes.
func indentPieces(src []byte, prefix, indent string, n int) string {
	var out bytes.Buffer
	j := &jsonIndenter{w: &out, prefix: prefix, indent: indent}
	for len(src) > 0 {
		k := min(n, len(src))
		j.Write(src[:k])
		src = src[k:]
	}
	j.flush()
	return out.String()
}

func TestJSONIndenter(t *testing.T) {
	tests := []struct{ name, in string }{
		{"object", `{"a":1,"b":[true,null,"x"],"c":{}}`},
		{"empty containers", `{"a":[],"b":{},"c":[{}, []]}`},
		{"nested", `[[[1]],{"x":{"y":{"z":"w"}}}]`},
		{"escapes and brackets in strings", `{"a\"{[,:":"\\\"]}\u0041","b":"\\"}`},
		{"spaces around", " \t\n{ \"a\" : [ 1 , 2 ] }\n \r"},
		{"scalar", `"just a string"`},
		{"number with space after", "12.5e3 \n"},
		{"literal", "  null"},
		{"encoder output", "{\"hops\":[{\"ttl\":1,\"responders\":[{\"addr\":\"192.0.2.1\",\"rtt\":{\"min_ms\":1.5}}]}]}\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want bytes.Buffer
			if err := json.Indent(&want, []byte(tc.in), "> ", "  "); err != nil {
				t.Fatalf("invalid test input: %v", err)
			}
			for _, n := range []int{1, 2, 3, 7, 1 << 20} {
				if got := indentPieces([]byte(tc.in), "> ", "  ", n); got != want.String() {
					t.Errorf("in pieces of %d:\n%s\nwant\n%s", n, got, want.String())
				}
			}
		})
	}
}

// FuzzJSONIndenter compares the indenter with json.Indent on every valid JSON input, written in pieces.
func FuzzJSONIndenter(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":"c\"d"},[]],"e":{}}`), "", "  ", 3)
	f.Add([]byte(" [ \"\\\\\" , -0.5e+2 , true ] \n"), "# ", "\t", 1)
	f.Add([]byte(`"\u2028<&>"`), "", "", 100)
	f.Fuzz(func(t *testing.T, src []byte, prefix, indent string, n int) {
		if !json.Valid(src) || len(prefix) > 8 || len(indent) > 8 {
			return
		}
		var want bytes.Buffer
		if err := json.Indent(&want, src, prefix, indent); err != nil {
			t.Fatalf("json.Indent of valid input: %v", err)
		}
		n = max(n%64, -n%64, 1)
		if got := indentPieces(src, prefix, indent, n); got != want.String() {
			t.Fatalf("indent(%q, %q, %q) in pieces of %d = %q, want %q", src, prefix, indent, n, got, want.String())
		}
	})
}

// BenchmarkJSONIndenter indents the compact JSON of a hop with 20,000 responders.
func BenchmarkJSONIndenter(b *testing.B) {
	src, err := json.Marshal(scaleReport(explaintest.WideTrace(20_000)))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		j := &jsonIndenter{w: io.Discard, indent: "  "}
		j.Write(src)
		j.flush()
	}
}
