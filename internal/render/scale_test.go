package render

import (
	"fmt"
	"io"
	"testing"

	"hopscope/internal/explain"
	"hopscope/internal/explain/explaintest"
	"hopscope/internal/path"
	"hopscope/internal/report"
)

// scaleReport is the path report of t with every address enriched.
func scaleReport(t *path.Trace) *report.Report {
	infos := explaintest.InfosFor(t)
	return &report.Report{Schema: report.Schema, SchemaVersion: report.SchemaVersion, Kind: report.KindPath, Tool: "hopscope bench",
		Path: report.BuildPath(t, infos, explain.Explain(t, infos, explain.Options{}))}
}

// BenchmarkRenderScale renders, in every format, a path whose middle hop has 200,000 responders and a
// path of 10,000 hops: ten times the worst real case of each dimension (issue 16). The 20,000-responder
// shape beside it shows the cost is linear.
func BenchmarkRenderScale(b *testing.B) {
	shapes := []struct {
		name  string
		trace func() *path.Trace
	}{
		{"responders=20000", func() *path.Trace { return explaintest.WideTrace(20_000) }},
		{"responders=200000", func() *path.Trace { return explaintest.WideTrace(200_000) }},
		{"hops=10000", func() *path.Trace { return explaintest.LongTrace(10_000) }},
	}
	for _, sh := range shapes {
		for _, format := range Formats {
			b.Run(fmt.Sprintf("%s/%s", sh.name, format), func(b *testing.B) {
				r := scaleReport(sh.trace())
				fn, err := ByName(format, false)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := fn(io.Discard, r); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkSafeReport walks a clean path report whose middle hop has 200,000 responders: the cost every
// text, Markdown and HTML rendering pays before it writes a byte.
func BenchmarkSafeReport(b *testing.B) {
	r := scaleReport(explaintest.WideTrace(200_000))
	b.ReportAllocs()
	for b.Loop() {
		if safeReport(r) != r {
			b.Fatal("a clean report was copied")
		}
	}
}
