// Package layers states which of hopscope's packages may import which, and checks a source tree
// against those rules (Tailscale's tstest/deptest is the model): data flows one way, input → model →
// analysis → report → render, and the CLI only wires the stages.
package layers

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Module is the Go module path of hopscope.
const Module = "hopscope"

// Rule restricts what the packages under From may import from the module. A package matches From when
// its import path (relative to the module, "internal/render") equals From or lies below it.
type Rule struct {
	From string
	// Only, when set, lists the module packages From may import (and their subpackages); nothing else
	// from the module is allowed.
	Only []string
	// Never lists module packages From must not import (or their subpackages).
	Never []string
	// Except lists packages under From the rule does not apply to.
	Except []string
	// Why is the sentence a violation prints.
	Why string
}

// Rules is hopscope's layering.
var Rules = []Rule{
	{From: "internal/render", Only: []string{"internal/report", "internal/worldmap", "internal/safetext"},
		Why: "renderers read only the report (the view-model), pure geometry and the sanitiser of untrusted text"},
	{From: "internal/live", Only: []string{"internal/report", "internal/path", "internal/safetext"}, Except: []string{"internal/live/livedemo"},
		Why: "the live view draws the view-model like every renderer; the caller builds reports from the engine's snapshots"},
	{From: "internal/safetext", Only: []string{},
		Why: "the sanitiser of untrusted text is a leaf every output can use"},
	{From: "internal", Never: []string{"internal/cli"}, Except: []string{"internal/cli"},
		Why: "no stage imports the CLI"},
	{From: "internal", Never: []string{"internal/render"}, Except: []string{"internal/cli", "internal/render", "internal/e2e", "internal/htmltest"},
		Why: "no stage imports a renderer"},
	{From: "internal/cli", Never: []string{"internal/explain"},
		Why: "the CLI holds no analysis: it calls internal/analysis"},
	{From: "internal/report", Never: []string{"internal/render", "internal/analysis", "internal/investigate"},
		Why: "the report is built from stage outputs, never from the stages that use it"},
	{From: "internal/path", Only: []string{},
		Why: "the path model depends on nothing"},
	{From: "internal/tracefile", Only: []string{"internal/path"},
		Why: "importers produce the path model and nothing else"},
	{From: "internal/probe", Only: []string{"internal/path"},
		Why: "the probe engine measures; DNS, enrichment and reports are other stages"},
	{From: "internal/rounds", Only: []string{"internal/path", "internal/probe"},
		Why: "the rounds engine repeats the probe engine's rounds and keeps statistics in the path model; analysis, reports and views read its snapshots"},
	{From: "internal/explain", Never: []string{"internal/report", "internal/analysis"},
		Why: "explanation is a pure stage below the report"},
	{From: "internal/enrich", Never: []string{"internal/explain", "internal/report", "internal/analysis"},
		Why: "enrichment is below explanation"},
	{From: "internal/dns", Only: []string{"internal/path"},
		Why: "the DNS stage returns the path model's target and knows nothing of the engine, enrichment or reports"},
	{From: "internal/har", Only: []string{"internal/inventory", "internal/session"},
		Why: "HAR reads and writes session records, not the proxy"},
	{From: "internal/session", Only: []string{"internal/inventory"},
		Why: "the session file holds inventory flows and nothing else"},
	{From: "internal/sniff", Only: []string{},
		Why: "protocol recognition is a leaf both the proxy and the capture use"},
	{From: "internal/capture", Never: []string{"internal/mitm"},
		Why: "the capture shares protocol recognition with the proxy through its own package"},
	{From: "internal/globalping", Only: []string{"internal/measureapi"},
		Why: "the measurement-network clients return the API's JSON; importing it is tracefile's work"},
	{From: "internal/atlas", Only: []string{"internal/measureapi"},
		Why: "the measurement-network clients return the API's JSON; importing it is tracefile's work"},
	{From: "internal/measureapi", Only: []string{},
		Why: "what the measurement-network clients share is transport, and depends on nothing"},
}

// Violation is one forbidden import.
type Violation struct {
	Pkg, Import string
	Rule        Rule
}

func (v Violation) String() string {
	return fmt.Sprintf("%s imports %s: %s", v.Pkg, v.Import, v.Rule.Why)
}

// Graph maps a package (relative to the module) to the module packages it imports (relative too).
type Graph map[string][]string

// Check returns every import of g that breaks a rule, sorted.
func Check(g Graph, rules []Rule) []Violation {
	var out []Violation
	for pkg, imps := range g {
		for _, r := range rules {
			if !under(pkg, r.From) || slices.ContainsFunc(r.Except, func(e string) bool { return under(pkg, e) }) {
				continue
			}
			for _, imp := range imps {
				if imp == pkg || under(imp, pkg) && r.Only != nil {
					continue // a package may always use its own subpackages
				}
				bad := false
				if r.Only != nil {
					bad = !slices.ContainsFunc(r.Only, func(o string) bool { return under(imp, o) })
				}
				if slices.ContainsFunc(r.Never, func(n string) bool { return under(imp, n) }) {
					bad = true
				}
				if bad {
					out = append(out, Violation{Pkg: pkg, Import: imp, Rule: r})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Pkg != out[j].Pkg {
			return out[i].Pkg < out[j].Pkg
		}
		return out[i].Import < out[j].Import
	})
	return out
}

// under reports whether pkg is p or lies below it.
func under(pkg, p string) bool { return pkg == p || strings.HasPrefix(pkg, p+"/") }

// Load reads the module imports of every package under root (the module's directory), from the
// non-test Go files only; testdata, hidden and underscore directories are skipped.
func Load(root string) (Graph, error) {
	g := Graph{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return fmt.Errorf("parse %s: %w", p, err)
		}
		rel, err := filepath.Rel(root, filepath.Dir(p))
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(rel)
		if _, ok := g[pkg]; !ok {
			g[pkg] = nil
		}
		for _, im := range f.Imports {
			path, err := strconv.Unquote(im.Path.Value)
			if err != nil || !strings.HasPrefix(path, Module+"/") {
				continue
			}
			path = strings.TrimPrefix(path, Module+"/")
			if !slices.Contains(g[pkg], path) {
				g[pkg] = append(g[pkg], path)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(g) == 0 {
		return nil, fmt.Errorf("no Go packages under %s", root)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return nil, fmt.Errorf("%s is not the module root: %w", root, err)
	}
	return g, nil
}
