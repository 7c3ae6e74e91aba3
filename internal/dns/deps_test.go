package dns

import (
	"go/build"
	"strings"
	"testing"
)

// TestDeps pins the layering: the DNS stage returns the path model's Target and knows nothing of the
// trace engine, enrichment or rendering.
func TestDeps(t *testing.T) {
	p, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"hopscope/internal/path": true}
	for _, imp := range p.Imports {
		if strings.HasPrefix(imp, "hopscope/") && !allowed[imp] {
			t.Errorf("imports %s", imp)
		}
	}
}
