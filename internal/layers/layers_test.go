package layers

import (
	"strings"
	"testing"
)

// TestDeps fails the build when a package of this tree imports what its layer must not.
func TestDeps(t *testing.T) {
	g, err := Load("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"internal/render", "internal/report", "internal/cli", "internal/analysis"} {
		if _, ok := g[want]; !ok {
			t.Fatalf("package %s not found: the loader is not reading this tree", want)
		}
	}
	for _, v := range Check(g, Rules) {
		t.Error(v)
	}
}

func TestCheck(t *testing.T) {
	clean := Graph{
		"internal/render":    {"internal/report", "internal/worldmap"},
		"internal/report":    {"internal/explain", "internal/enrich", "internal/path"},
		"internal/analysis":  {"internal/explain", "internal/enrich", "internal/report"},
		"internal/cli":       {"internal/analysis", "internal/render", "internal/report"},
		"internal/path":      nil,
		"internal/tracefile": {"internal/path"},
		"internal/probe":     {"internal/path"},
		"internal/rounds":    {"internal/path", "internal/probe"},
		"internal/capture":   {"internal/capture/quic", "internal/sniff"},
		"internal/dns":       {"internal/path"},
		"internal/har":       {"internal/inventory", "internal/session"},
		"internal/session":   {"internal/inventory"},
		"internal/sniff":     nil,
	}
	tests := []struct {
		name string
		add  [2]string // pkg, import added to the clean graph
		want string    // violation text, "" for none
	}{
		{"clean tree", [2]string{}, ""},
		{"a renderer reaches back into explain", [2]string{"internal/render", "internal/explain"}, "internal/render imports internal/explain: renderers read only the report"},
		{"a renderer reads enrichment", [2]string{"internal/render", "internal/enrich"}, "internal/render imports internal/enrich"},
		{"a stage imports the CLI", [2]string{"internal/investigate", "internal/cli"}, "internal/investigate imports internal/cli: no stage imports the CLI"},
		{"a stage renders", [2]string{"internal/analysis", "internal/render"}, "internal/analysis imports internal/render: no stage imports a renderer"},
		{"the CLI explains by itself", [2]string{"internal/cli", "internal/explain"}, "internal/cli imports internal/explain: the CLI holds no analysis"},
		{"the probe engine resolves names itself", [2]string{"internal/probe", "internal/dns"}, "internal/probe imports internal/dns"},
		{"the path model grows a dependency", [2]string{"internal/path", "internal/enrich"}, "internal/path imports internal/enrich"},
		{"a subpackage of render is still render", [2]string{"internal/render/svg", "internal/inventory"}, "internal/render/svg imports internal/inventory"},
		{"capture imports the proxy", [2]string{"internal/capture", "internal/mitm"}, "internal/capture imports internal/mitm"},
		{"HAR imports the proxy", [2]string{"internal/har", "internal/mitm"}, "internal/har imports internal/mitm: HAR reads and writes session records"},
		{"the DNS stage enriches", [2]string{"internal/dns", "internal/enrich"}, "internal/dns imports internal/enrich"},
		{"the DNS stage drives the engine", [2]string{"internal/dns", "internal/probe"}, "internal/dns imports internal/probe"},
		{"the rounds engine analyses", [2]string{"internal/rounds", "internal/analysis"}, "internal/rounds imports internal/analysis: the rounds engine repeats the probe engine's rounds"},
		{"the rounds engine resolves names", [2]string{"internal/rounds", "internal/dns"}, "internal/rounds imports internal/dns"},
		{"recognition grows a dependency", [2]string{"internal/sniff", "internal/inventory"}, "internal/sniff imports internal/inventory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := Graph{}
			for k, v := range clean {
				g[k] = append([]string(nil), v...)
			}
			if tc.add[0] != "" {
				g[tc.add[0]] = append(g[tc.add[0]], tc.add[1])
			}
			vs := Check(g, Rules)
			if tc.want == "" {
				if len(vs) != 0 {
					t.Fatalf("violations in a clean graph: %v", vs)
				}
				return
			}
			if len(vs) == 0 {
				t.Fatalf("no violation, want %q", tc.want)
			}
			found := false
			for _, v := range vs {
				found = found || strings.HasPrefix(v.String(), tc.want)
			}
			if !found {
				t.Fatalf("violations %v, want one starting %q", vs, tc.want)
			}
		})
	}
}
