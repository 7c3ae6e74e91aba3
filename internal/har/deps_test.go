package har

import (
	"go/build"
	"strings"
	"testing"
)

// TestDeps pins the layering: HAR export reads session records and must not pull in the proxy.
func TestDeps(t *testing.T) {
	p, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"hopscope/internal/inventory": true, "hopscope/internal/session": true}
	for _, imp := range p.Imports {
		if strings.HasPrefix(imp, "hopscope/") && !allowed[imp] {
			t.Errorf("imports %s", imp)
		}
	}
}
