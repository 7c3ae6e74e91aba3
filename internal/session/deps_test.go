package session

import (
	"go/build"
	"strings"
	"testing"
)

// TestDeps pins the layering: this package is read by the proxy, the capture and the exporters, so it
// must not import any of them.
func TestDeps(t *testing.T) {
	p, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"hopscope/internal/inventory": true}
	for _, imp := range p.Imports {
		if strings.HasPrefix(imp, "hopscope/") && !allowed[imp] {
			t.Errorf("imports %s", imp)
		}
	}
}
