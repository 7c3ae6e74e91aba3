package probe

import (
	"go/build"
	"strings"
	"testing"
)

// TestDeps pins the layering: the engine does no DNS (the CLI passes a Namer and a resolved target),
// so it imports no stage, only the path model.
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
