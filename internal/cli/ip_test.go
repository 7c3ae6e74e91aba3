package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hopscope/internal/report"
)

// ipRun runs the CLI with args and stdin, in an empty data directory unless args name one.
func ipRun(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if !strings.Contains(strings.Join(args, " "), "--data-dir") {
		args = append(args, "--data-dir", t.TempDir())
	}
	code := Run(context.Background(), args, Streams{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

const enrichFixtures = "../enrich/ipdb/testdata"

func TestIPCommandSeed(t *testing.T) {
	code, out, errs := ipRun(t, "", "ip", "--color", "never", "101.33.110.25",
		"80.231.246.6=if-ae-39-2.tcore1.pvu-paris.as6453.net", "11.28.188.149", "192.168.1.1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"AS132203", "Shenzhen Tencent", "SG",
		"AS6453", "Paris (48.86, 2.35) *", `"pvu-paris" names Paris, FR (high confidence)`,
		"11.28.188.149: in 11.0.0.0/8, registered but not announced: used inside a provider network",
		"192.168.1.1: in 192.168.0.0/16, RFC 1918 private network",
	} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour with --color never")
	}
}

func TestIPCommandJSON(t *testing.T) {
	code, out, errs := ipRun(t, "", "ip", "--json", "180.87.12.2=if-ae-2-2.tcore2.svw-singapore.as6453.net", "2001:4860:4860::8888")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Kind != report.KindIP || len(r.IPs) != 2 {
		t.Fatalf("report = %+v", r)
	}
	sg := r.IPs[0]
	if sg.Name != "if-ae-2-2.tcore2.svw-singapore.as6453.net" || sg.Info.ASN != 6453 || sg.Info.City != "Singapore" ||
		sg.Info.GeoSource != "hostname" || sg.Info.Hint == nil || sg.Info.Hint.Confidence != "high" {
		t.Errorf("first = %+v (hint %+v)", sg, sg.Info.Hint)
	}
	if r.IPs[1].Info.ASN != 15169 || r.IPs[1].Info.Country != "US" {
		t.Errorf("second = %+v", r.IPs[1])
	}
}

func TestIPCommandStdinAndMarkdown(t *testing.T) {
	code, out, errs := ipRun(t, "# seed hops\n193.251.251.20 tatateleglobe-8.gw.opentransit.net\n\n81.253.184.6\n", "ip", "--format", "markdown", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.HasPrefix(out, "| Address | AS |") || !strings.Contains(out, "| 193.251.251.20 | AS5511 | Orange S.A. | FR |") ||
		!strings.Contains(out, "| 81.253.184.6 | - | - | FR |") {
		t.Errorf("markdown:\n%s", out)
	}
}

func TestIPCommandErrors(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.mmdb")
	os.WriteFile(junk, []byte("junk"), 0o644)
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"not an address", "", []string{"ip", "example.com"}, 2, `"example.com" is not an IP address`},
		{"bad stdin line", "1.1.1.1\nfoo bar baz\n", []string{"ip", "-"}, 2, "stdin:2:"},
		{"empty stdin", "", []string{"ip", "-"}, 2, "no address given"},
		{"junk mmdb", "", []string{"ip", "--mmdb", junk, "1.1.1.1"}, 2, "junk.mmdb"},
		{"no args", "", []string{"ip"}, 2, "requires at least 1 arg"},
		{"unknown format", "", []string{"ip", "--format", "pdf", "1.1.1.1"}, 2, "want one of text, json, markdown, html"},
		{"json and markdown", "", []string{"ip", "--json", "--format", "markdown", "1.1.1.1"}, 2, "--json and --format markdown disagree"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := ipRun(t, tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.want) || out != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit %d and %q", code, errs, out, tt.code, tt.want)
			}
		})
	}
}

func TestDBUpdateFromAndStatus(t *testing.T) {
	dd := t.TempDir()
	code, out, errs := ipRun(t, "", "db", "status", "--data-dir", dd)
	if code != 0 || !strings.Contains(out, "embedded  built") || !strings.Contains(out, "(in use)") || !strings.Contains(out, "installed nothing") {
		t.Fatalf("status before: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = ipRun(t, "", "db", "update", "--data-dir", dd,
		"--from", filepath.Join(enrichFixtures, "ip-location-db-asn-0.0.0-fixture.tgz"),
		"--from", filepath.Join(enrichFixtures, "ip-location-db-geo-whois-asn-country-0.0.0-fixture.tgz"),
		"--from", filepath.Join("..", "enrich", "testdata", "IP2LOCATION-LITE-DB1.BIN"))
	if code != 0 || strings.Count(out, "installed ") != 2 || !strings.Contains(out, "@ip-location-db/asn@0.0.0-fixture") {
		t.Fatalf("update: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = ipRun(t, "", "db", "status", "--data-dir", dd)
	if code != 0 || !strings.Contains(out, "replaced by the installed address database") || !strings.Contains(out, "IP2LOCATION-LITE-DB1.BIN") {
		t.Errorf("status after:\n%s", out)
	}
	var st dbStatus
	code, out, _ = ipRun(t, "", "db", "status", "--json", "--data-dir", dd)
	if err := json.Unmarshal([]byte(out), &st); err != nil || code != 0 || len(st.Installed) != 2 || st.Embedded.Used {
		t.Errorf("status --json: %v %+v", err, st)
	}
	// The installed database is used by "hopscope ip": 9.9.9.9 is not in the fixture.
	code, out, _ = ipRun(t, "", "ip", "--json", "--data-dir", dd, "101.33.110.25", "9.9.9.9")
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 0 {
		t.Fatalf("ip: %v", err)
	}
	if r.IPs[0].Info.ASSource != "ipdb.bin" || r.IPs[1].Info.ASN != 0 {
		t.Errorf("ip with installed data: %+v", r.IPs)
	}
	code, out, _ = ipRun(t, "", "ip", "--json", "--no-installed", "--data-dir", dd, "9.9.9.9")
	if !strings.Contains(out, `"as_source": "embedded"`) {
		t.Errorf("--no-installed should use the embedded data: %s", out)
	}
}

// TestUnreadableDataDir: a data directory whose db folder cannot be listed (here a file, as root
// reads everything; another user's HOME under setpriv in practice) warns and falls back to the
// embedded database instead of failing the command.
func TestUnreadableDataDir(t *testing.T) {
	dd := t.TempDir()
	if err := os.WriteFile(filepath.Join(dd, "db"), []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := ipRun(t, "", "ip", "--json", "--data-dir", dd, "9.9.9.9")
	if code != 0 || !strings.Contains(out, `"as_source": "embedded"`) {
		t.Errorf("exit %d, want the embedded data\n%s%s", code, out, errs)
	}
	if !strings.Contains(errs, "warning: list installed databases") || !strings.Contains(errs, "without the installed databases") {
		t.Errorf("stderr %q, want a warning naming the unreadable folder", errs)
	}
}

func TestDBUpdateErrors(t *testing.T) {
	dd := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown file kind", []string{"db", "update", "--from", "/etc/hostname.txt"}, 2, "unknown kind of file"},
		{"only one layer", []string{"db", "update", "--from", filepath.Join(enrichFixtures, "ip-location-db-asn-0.0.0-fixture.tgz")}, 2, "needs the country data"},
		{"from and url", []string{"db", "update", "--from", "a.csv", "--url", "https://example.invalid/a.csv"}, 2, "exclude each other"},
		{"stray argument", []string{"db", "update", "file.tgz"}, 2, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := ipRun(t, "", append(tt.args, "--data-dir", dd)...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errs, tt.code, tt.want)
			}
		})
	}
}

// TestDBUpdateDownload runs the default download path against a fake fetcher: tests never fetch.
func TestDBUpdateDownload(t *testing.T) {
	dd := t.TempDir()
	var out bytes.Buffer
	g := &globalOptions{streams: Streams{Out: &out, Err: io.Discard}, dataDir: dd}
	var asked []string
	o := &dbUpdateOptions{g: g, timeout: time.Minute, now: func() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) },
		fetch: func(_ context.Context, url string) (io.ReadCloser, error) {
			asked = append(asked, url)
			base := url[strings.LastIndex(url, "/")+1:]
			for _, d := range []string{"fixture-asn", "fixture-country"} {
				if f, err := os.Open(filepath.Join(enrichFixtures, d, base)); err == nil {
					return f, nil
				}
			}
			return nil, errors.New("HTTP 404 Not Found")
		}}
	if err := o.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 4 || !strings.Contains(out.String(), "asn-ipv4.csv (downloaded 2026-11-25)") {
		t.Errorf("asked %q, printed %s", asked, out.String())
	}
	o.urls = []string{"https://example.invalid/nothing.csv"}
	if err := o.run(context.Background()); err == nil || !strings.Contains(err.Error(), "nothing.csv: HTTP 404") {
		t.Errorf("failed download: %v", err)
	}
}
