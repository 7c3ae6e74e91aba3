package cli_test

import (
	"encoding/json"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hopscope/internal/inventory"
	"hopscope/internal/report"
	"hopscope/internal/session"
)

// TestDomainsCertRefusal: hosts whose clients refused the proxy's certificate are labelled in domains,
// once refused ("does not trust the hopscope CA") or pinned ("passed through from now on").
func TestDomainsCertRefusal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.jsonl")
	sess, err := session.Open(path, session.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	flow := func(id, host, refusal, passthrough, msg string) *session.Record {
		return &session.Record{Flow: inventory.Flow{ID: id, Host: host, NameSource: "sni", Transport: "tcp", Protocol: "tls",
			Client: netip.MustParseAddrPort("127.0.0.1:40000"), Start: t0, Duration: time.Millisecond,
			CertRefusal: refusal, Passthrough: passthrough, Error: msg}}
	}
	for _, r := range []*session.Record{
		flow("1", "once.app.test", inventory.RefusalUntrusted, "", "the client does not trust the hopscope CA: run `hopscope ca trust-help` (alert unknown_ca)"),
		flow("2", "pinned.app.test", inventory.RefusalUntrusted, "", "the client does not trust the hopscope CA: run `hopscope ca trust-help` (alert unknown_ca)"),
		flow("3", "pinned.app.test", inventory.RefusalPinned, "", "pinned: passed through from now on (alert unknown_ca)"),
		flow("4", "pinned.app.test", inventory.RefusalPinned, "pinned: alert unknown_ca", ""),
		flow("5", "plain.app.test", "", "", ""),
	} {
		sess.Record(r)
	}
	if err := sess.Close(); err != nil {
		t.Fatal(err)
	}
	code, out, errs := hop(t, "domains", path, "--json", "--no-enrich")
	if code != 0 {
		t.Fatalf("domains: %d %s", code, errs)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	hosts := map[string]report.HostSummary{}
	for _, d := range r.Domains.Domains {
		for _, h := range d.Hosts {
			hosts[h.Host] = h
		}
	}
	for _, tc := range []struct {
		name, host, refusal, note string
	}{
		{"refused once", "once.app.test", inventory.RefusalUntrusted, "client does not trust the hopscope CA: run `hopscope ca trust-help`"},
		{"pinned wins over refused", "pinned.app.test", inventory.RefusalPinned, "pinned: passed through from now on"},
		{"never refused", "plain.app.test", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := hosts[tc.host]
			if h.CertRefusal != tc.refusal || !strings.HasPrefix(h.Note, tc.note) || (tc.note == "" && strings.Contains(h.Note, "trust")) {
				t.Errorf("%s: refusal %q note %q", tc.host, h.CertRefusal, h.Note)
			}
		})
	}
	_, text, _ := hop(t, "domains", path, "--no-enrich", "--format", "markdown")
	for _, want := range []string{"pinned: passed through from now on", "client does not trust the hopscope CA"} {
		if !strings.Contains(text, want) {
			t.Errorf("markdown lacks %q:\n%s", want, text)
		}
	}
}
