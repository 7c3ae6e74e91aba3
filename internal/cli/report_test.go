package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"hopscope/internal/htmltest"
)

const seedFile = "../analysis/testdata/macos-traceroute-orange-paris-to-tata-singapore_mincong-h.txt"

// TestSeedHTMLMap is issue 7's seed acceptance: the article's traceroute, analysed on the embedded data
// and rendered, shows Paris → Marseille → Singapore on the map with Orange and Tata in different colours.
func TestSeedHTMLMap(t *testing.T) {
	code, out, errs := analyzeCLI(t, "", "analyze", "--format", "html", seedFile)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var places []string
	colorOf := map[string]string{}
	walk(doc, func(n *html.Node) {
		switch {
		case n.Data == "circle" && htmltest.HasClass(n, "marker"):
			places = append(places, htmltest.Text(n))
		case (n.Data == "polyline" && htmltest.HasClass(n, "route-seg")) || (n.Data == "circle" && htmltest.HasClass(n, "as-ring")):
			colorOf[htmltest.Attr(n, "data-asn")] = htmltest.Attr(n, "stroke")
		}
	})
	order := []string{"Paris", "Marseille", "Singapore"}
	all := strings.Join(places, "|")
	last := -1
	for _, p := range order {
		i := strings.Index(all, p)
		if i < 0 || i < last {
			t.Fatalf("markers %q: want %v in that order", all, order)
		}
		last = i
	}
	if colorOf["6453"] == "" || colorOf["3215"] == "" {
		t.Fatalf("route colours by AS: %v, want Orange AS3215 and Tata AS6453 drawn", colorOf)
	}
	if colorOf["6453"] == colorOf["3215"] {
		t.Errorf("Orange and Tata share the colour %s", colorOf["6453"])
	}
}

// TestReportRendersSavedResults: a result saved with --json renders again; bad files are refused clearly.
func TestReportRendersSavedResults(t *testing.T) {
	dir := t.TempDir()
	code, js, errs := analyzeCLI(t, "", "analyze", "--json", seedFile)
	if code != ExitOK {
		t.Fatalf("analyze: %s", errs)
	}
	saved := filepath.Join(dir, "seed.json")
	os.WriteFile(saved, []byte(js), 0o644)
	for _, format := range []string{"html", "markdown", "text"} {
		code, out, errs := run(t, "", "report", "--format", format, saved)
		if code != ExitOK || !strings.Contains(out, "Singapore") {
			t.Errorf("report --format %s: exit %d, %s", format, code, errs)
		}
	}
	outFile := filepath.Join(dir, "seed.html")
	if code, _, errs := run(t, "", "report", "--format", "html", "-o", outFile, saved); code != ExitOK {
		t.Fatalf("report -o: %s", errs)
	}
	if st, err := os.Stat(outFile); err != nil || st.Size() < 100_000 {
		t.Errorf("report -o wrote %v, %v", st, err)
	}
	bad := []struct{ name, content, want string }{
		{"not json", "hello", "not a hopscope JSON report"},
		{"other schema", `{"schema":"x"}`, "schema"},
		{"future version", `{"schema":"hopscope/report","schema_version":99,"kind":"path"}`, "version 99"},
		{"missing section", `{"schema":"hopscope/report","schema_version":1,"kind":"dns"}`, "without its dns section"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			f := filepath.Join(dir, strings.ReplaceAll(b.name, " ", "-")+".json")
			os.WriteFile(f, []byte(b.content), 0o644)
			code, out, errs := run(t, "", "report", f)
			if code != ExitBadInput || out != "" || !strings.Contains(errs, b.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, out, errs, b.want)
			}
		})
	}
}

func walk(n *html.Node, fn func(*html.Node)) {
	if n.Type == html.ElementNode {
		fn(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}
