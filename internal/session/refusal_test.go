package session

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"hopscope/internal/inventory"
)

// TestCertRefusalRoundTrip: a flow's certificate refusal survives the session file.
func TestCertRefusalRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.jsonl")
	w, err := Open(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{inventory.RefusalUntrusted, inventory.RefusalPinned, ""} {
		w.Record(&Record{Flow: inventory.Flow{Host: "app.test", Protocol: "tls", CertRefusal: r}})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	inv, _, err := Read(bytes.NewReader(b), path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range inv.Flows {
		got = append(got, f.CertRefusal)
	}
	if len(got) != 3 || got[0] != inventory.RefusalUntrusted || got[1] != inventory.RefusalPinned || got[2] != "" {
		t.Errorf("refusals read back %q", got)
	}
}
