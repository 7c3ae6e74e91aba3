package cli

import (
	"encoding/csv"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"hopscope/internal/dns/dnstest"
)

// Fixtures shared by the tests of the commands' common behaviour.
const (
	sessionFixture = "../session/testdata/format1.jsonl"
	harFixture     = "../har/testdata/chromium.har"
	pcapFixture    = "../capture/testdata/arkime-curl-enabled-tls13.pcap"
)

const formatsZone = `
fmt.test. 300 IN SOA ns1.fmt.test. hostmaster.fmt.test. 1 3600 600 86400 60
fmt.test. 300 IN NS ns1.fmt.test.
www.fmt.test. 600 IN CNAME edge.fmt.test.
edge.fmt.test. 60 IN A 198.51.100.25
edge.fmt.test. 60 IN AAAA 2001:db8:25::1
`

// serveZone answers zone on a loopback port and returns the server as host:port.
func serveZone(t *testing.T, zone string) string {
	t.Helper()
	lo := netip.MustParseAddr("127.0.0.1")
	port := dnstest.FreePort(t, lo)
	dnstest.Serve(t, netip.AddrPortFrom(lo, port), dnstest.NewStatic(zone))
	return "127.0.0.1:" + strconv.Itoa(int(port))
}

// commandTree builds the CLI as Run does, for reading its flags the way --help shows them.
func commandTree() *cobra.Command { return newRootCmd(&globalOptions{}) }

// listedFormats returns the formats a command's --format help lists.
func listedFormats(t *testing.T, path ...string) []string {
	t.Helper()
	c, _, err := commandTree().Find(path)
	if err != nil {
		t.Fatal(err)
	}
	f := c.Flags().Lookup("format")
	if f == nil {
		t.Fatalf("%s has no --format", c.CommandPath())
	}
	_, list, ok := strings.Cut(f.Usage, "output format: ")
	if !ok {
		t.Fatalf("%s --format help %q does not list the formats", c.CommandPath(), f.Usage)
	}
	return strings.Split(list, ", ")
}

// reportCommands are the commands whose output is a report: they all take the output group with the
// same four formats, text first, and csv after them for the path and inventory reports.
var reportCommands = [][]string{
	{"analyze"}, {"trace"}, {"ip"}, {"dns"}, {"domains"}, {"capture"}, {"investigate"}, {"report"}, {"history"},
}

// TestEveryListedFormatWorks runs every command in every format its --help lists, on a fixture, and
// expects exit 0 and output. Tracing (trace, investigate) needs root and stays on loopback.
func TestEveryListedFormatWorks(t *testing.T) {
	dataDir := t.TempDir()
	server := serveZone(t, formatsZone)
	saved := filepath.Join(t.TempDir(), "seed.json")
	if code, out, errs := run(t, "", "--data-dir", dataDir, "analyze", "--json", analyzeSeed); code != ExitOK {
		t.Fatalf("analyze --json: exit %d: %s", code, errs)
	} else if err := os.WriteFile(saved, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		cmd      []string
		args     []string
		needRoot bool
	}{
		{name: "analyze", cmd: []string{"analyze"}, args: []string{analyzeSeed}},
		{name: "ip", cmd: []string{"ip"}, args: []string{"192.0.2.1", "1.1.1.1", "2001:db8::1"}},
		{name: "dns", cmd: []string{"dns"}, args: []string{"--dns-server", server, "www.fmt.test"}},
		{name: "domains from a session", cmd: []string{"domains"}, args: []string{sessionFixture}},
		{name: "domains from a HAR", cmd: []string{"domains"}, args: []string{harFixture}},
		{name: "capture", cmd: []string{"capture"}, args: []string{pcapFixture}},
		{name: "report", cmd: []string{"report"}, args: []string{saved}},
		{name: "history", cmd: []string{"history"}},
		{name: "version", cmd: []string{"version"}},
		{name: "db status", cmd: []string{"db", "status"}},
		{name: "trace", cmd: []string{"trace"}, args: []string{"-n", "127.0.0.1"}, needRoot: true},
		{name: "investigate", cmd: []string{"investigate"}, args: []string{"--no-history", "-n", "--method", "icmp", "127.0.0.1"}, needRoot: true},
	}
	for _, tc := range tests {
		for _, format := range listedFormats(t, tc.cmd...) {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				if tc.needRoot && os.Geteuid() != 0 {
					t.Skip("needs root for raw sockets (CI runs as root)")
				}
				args := append([]string{"--data-dir", dataDir, "--color", "never"}, tc.cmd...)
				args = append(append(args, "--format", format), tc.args...)
				code, out, errs := run(t, "", args...)
				if code != ExitOK || strings.TrimSpace(out) == "" {
					t.Fatalf("%v: exit %d, %d bytes out; stderr %s", args, code, len(out), errs)
				}
				switch format {
				case "json":
					if !json.Valid([]byte(out)) {
						t.Errorf("--format json is not JSON:\n%.300s", out)
					}
				case "html":
					if !strings.HasPrefix(out, "<!DOCTYPE html>") {
						t.Errorf("--format html is not a page:\n%.300s", out)
					}
				case "csv":
					if rows, err := csv.NewReader(strings.NewReader(out)).ReadAll(); err != nil || len(rows) < 2 {
						t.Errorf("--format csv: %v, %d rows:\n%.300s", err, len(rows), out)
					}
				}
			})
		}
	}
}

// TestOutputGroupAlike checks that every report command has the same output group: the four formats
// with text the default, --json, and -o; and that --json with another --format is the same usage
// error everywhere, before anything is read or sent.
func TestOutputGroupAlike(t *testing.T) {
	csv := map[string]bool{"analyze": true, "trace": true, "domains": true, "capture": true}
	for _, path := range reportCommands {
		name := strings.Join(path, " ")
		want := []string{"text", "json", "markdown", "html"}
		if csv[name] {
			want = append(want, "csv")
		}
		t.Run(name, func(t *testing.T) {
			if got := listedFormats(t, path...); !slices.Equal(got, want) {
				t.Errorf("formats %v, want %v", got, want)
			}
			c, _, _ := commandTree().Find(path)
			if f := c.Flags().Lookup("format"); f.DefValue != "text" {
				t.Errorf("--format defaults to %q, want text", f.DefValue)
			}
			if c.Flags().Lookup("json") == nil || c.Flags().ShorthandLookup("o") == nil {
				t.Errorf("missing --json or -o")
			}
			args := append(append([]string{"--data-dir", t.TempDir()}, path...), "--json", "--format", "markdown", "127.0.0.1")
			code, out, errs := run(t, "", args...)
			if code != ExitBadInput || out != "" || !strings.Contains(errs, "--json and --format markdown disagree") {
				t.Errorf("exit %d, stdout %q, stderr %q; want the usage error", code, out, errs)
			}
		})
	}
	for _, path := range [][]string{{"version"}, {"db", "status"}} {
		t.Run(strings.Join(path, " "), func(t *testing.T) {
			args := append(append([]string{"--data-dir", t.TempDir()}, path...), "--json", "--format", "text")
			code, out, errs := run(t, "", args...)
			if code != ExitBadInput || out != "" || !strings.Contains(errs, "--json and --format text disagree") {
				t.Errorf("exit %d, stdout %q, stderr %q; want the usage error", code, out, errs)
			}
		})
	}
}

// TestOutputFile checks -o: the report goes to the file (stdout stays empty) and stderr says so.
func TestOutputFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"analyze html", []string{"analyze", "--format", "html", analyzeSeed}, "<!DOCTYPE html>"},
		{"ip json", []string{"ip", "--json", "192.0.2.1"}, `"kind": "ip"`},
		{"capture flows markdown", []string{"capture", "--flows", "--format", "markdown", pcapFixture}, "| ID |"},
		{"version json", []string{"version", "--json"}, `"version"`},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, strconv.Itoa(i))
			args := append([]string{"--data-dir", dir}, tc.args...)
			code, out, errs := run(t, "", append(args, "-o", file)...)
			if code != ExitOK || out != "" || !strings.Contains(errs, "wrote "+file) {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
			}
			data, err := os.ReadFile(file)
			if err != nil || !strings.Contains(string(data), tc.want) {
				t.Errorf("%s: %v\n%.300s", file, err, data)
			}
		})
	}
	t.Run("capture flows refuses html", func(t *testing.T) {
		code, _, errs := run(t, "", "--data-dir", dir, "capture", "--flows", "--format", "html", pcapFixture)
		if code != ExitBadInput || !strings.Contains(errs, "--flows lists flows as text, json or markdown") {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
	})
}

// TestSharedGroups checks that the enrichment and location groups are on every command that enriches
// or judges distance, with one help text each.
func TestSharedGroups(t *testing.T) {
	groups := []struct {
		name     string
		flags    []string
		commands [][]string
	}{
		{"enrichment", []string{"mmdb", "ip2location", "no-hints", "no-embedded", "no-installed"},
			[][]string{{"analyze"}, {"trace"}, {"ip"}, {"dns"}, {"domains"}, {"capture"}, {"investigate"}}},
		{"optional enrichment", []string{"no-enrich"}, [][]string{{"dns"}, {"domains"}, {"capture"}}},
		{"location", []string{"from-location"}, [][]string{{"analyze"}, {"trace"}, {"capture"}, {"investigate"}}},
	}
	root := commandTree()
	for _, gr := range groups {
		t.Run(gr.name, func(t *testing.T) {
			usage := map[string]string{}
			for _, path := range gr.commands {
				c, _, _ := root.Find(path)
				for _, name := range gr.flags {
					f := c.Flags().Lookup(name)
					if f == nil {
						t.Errorf("%s has no --%s", c.CommandPath(), name)
						continue
					}
					if u, ok := usage[name]; ok && u != f.Usage {
						t.Errorf("%s --%s: help %q differs from %q", c.CommandPath(), name, f.Usage, u)
					}
					usage[name] = f.Usage
				}
			}
		})
	}
	t.Run("an unreadable database is bad input", func(t *testing.T) {
		junk := filepath.Join(t.TempDir(), "junk.mmdb")
		os.WriteFile(junk, []byte("junk"), 0o644)
		server := serveZone(t, formatsZone)
		for _, args := range [][]string{
			{"analyze", analyzeSeed},
			{"ip", "192.0.2.1"},
			{"dns", "--dns-server", server, "www.fmt.test"},
			{"domains", sessionFixture},
			{"capture", pcapFixture},
		} {
			full := append([]string{"--data-dir", t.TempDir(), args[0], "--mmdb", junk}, args[1:]...)
			if code, _, errs := run(t, "", full...); code != ExitBadInput || !strings.Contains(errs, "junk.mmdb") {
				t.Errorf("%v: exit %d, stderr %q; want 2 naming the file", args, code, errs)
			}
		}
	})
	t.Run("a bad location is a usage error", func(t *testing.T) {
		for _, args := range [][]string{
			{"analyze", "--from-location", "Xanadunowhere", analyzeSeed},
			{"trace", "--from-location", "Xanadunowhere", "127.0.0.1"},
			{"capture", "--from-location", "Xanadunowhere", pcapFixture},
			{"investigate", "--from-location", "Xanadunowhere", "127.0.0.1"},
		} {
			if code, _, errs := run(t, "", append([]string{"--data-dir", t.TempDir()}, args...)...); code != ExitBadInput || !strings.Contains(errs, "--from-location") {
				t.Errorf("%v: exit %d, stderr %q", args, code, errs)
			}
		}
	})
}

// visitFlags calls fn for every flag of every command under c, hidden ones included.
func visitFlags(c *cobra.Command, fn func(c *cobra.Command, f *pflag.Flag)) {
	c.Flags().VisitAll(func(f *pflag.Flag) { fn(c, f) })
	for _, sub := range c.Commands() {
		visitFlags(sub, fn)
	}
}

// TestOneMeaningPerFlag checks across every command that a shorthand stands for one flag name, that a
// flag name has at most one shorthand, and that the old names survive only as hidden aliases.
func TestOneMeaningPerFlag(t *testing.T) {
	byShort := map[string]string{}
	shortOf := map[string]string{}
	visitFlags(commandTree(), func(c *cobra.Command, f *pflag.Flag) {
		if f.Hidden {
			return
		}
		if f.Shorthand != "" {
			if name, ok := byShort[f.Shorthand]; ok && name != f.Name {
				t.Errorf("%s: -%s is --%s, elsewhere --%s", c.CommandPath(), f.Shorthand, f.Name, name)
			}
			byShort[f.Shorthand] = f.Name
			if s, ok := shortOf[f.Name]; ok && s != f.Shorthand {
				t.Errorf("%s: --%s is -%s, elsewhere -%s", c.CommandPath(), f.Name, f.Shorthand, s)
			}
			shortOf[f.Name] = f.Shorthand
		}
		if f.Name == "server" || f.Name == "rules" {
			t.Errorf("%s: --%s is shown; it is a deprecated name", c.CommandPath(), f.Name)
		}
	})
	if byShort["q"] != "probes" {
		t.Errorf("-q is --%s, want --probes", byShort["q"])
	}
	code, _, errs := run(t, "", "proxy", "-q")
	if code != ExitBadInput || !strings.Contains(errs, "'q'") {
		t.Errorf("proxy -q: exit %d, %s; -q is probes per hop only", code, errs)
	}
}

// TestDeprecatedAliases checks that the old names still work, warn on stderr only, and keep stdout
// clean for the report.
func TestDeprecatedAliases(t *testing.T) {
	server := serveZone(t, formatsZone)
	rules := filepath.Join(t.TempDir(), "rules.txt")
	os.WriteFile(rules, []byte("^mp\\.weixin\\. my purpose\n"), 0o644)
	tests := []struct {
		name     string
		args     []string
		warn     string
		wantJSON string
	}{
		{"dns --server", []string{"dns", "--json", "--no-enrich", "--server", server, "www.fmt.test"}, "--server is deprecated; use --dns-server", "198.51.100.25"},
		{"dns -s", []string{"dns", "--json", "--no-enrich", "-s", server, "www.fmt.test"}, "--server is deprecated; use --dns-server", "198.51.100.25"},
		{"domains --rules", []string{"domains", "--json", "--no-enrich", "--rules", rules, sessionFixture}, "--rules is deprecated; use --purpose-rules", "my purpose"},
		{"no warning for the new name", []string{"dns", "--json", "--no-enrich", "--dns-server", server, "www.fmt.test"}, "", "198.51.100.25"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, "", append([]string{"--data-dir", t.TempDir()}, tc.args...)...)
			if code != ExitOK || !json.Valid([]byte(out)) || !strings.Contains(out, tc.wantJSON) {
				t.Fatalf("exit %d, stderr %q, stdout:\n%.400s", code, errs, out)
			}
			if tc.warn == "" && strings.Contains(errs, "deprecated") || !strings.Contains(errs, tc.warn) {
				t.Errorf("stderr %q, want %q", errs, tc.warn)
			}
		})
	}
	c, _, _ := commandTree().Find([]string{"dns"})
	if u := c.Flags().Lookup("dns-server").Usage; c.Long == "" || !strings.Contains(c.Long, "--server and -s still work but are deprecated") {
		t.Errorf("dns help does not say --server is deprecated (--dns-server: %q)", u)
	}
}

// TestDurationFlags checks every duration flag takes a bare number of seconds as traceroute's -w does.
func TestDurationFlags(t *testing.T) {
	tests := []struct {
		name  string
		cmd   []string
		flag  string
		value string
		want  time.Duration
	}{
		{"trace -w 2", []string{"trace"}, "w", "2", 2 * time.Second},
		{"trace -w 0.5", []string{"trace"}, "w", "0.5", 500 * time.Millisecond},
		{"trace -w 500ms", []string{"trace"}, "w", "500ms", 500 * time.Millisecond},
		{"investigate --timeout 1.5", []string{"investigate"}, "timeout", "1.5", 1500 * time.Millisecond},
		{"dns --timeout 0.3", []string{"dns"}, "timeout", "0.3", 300 * time.Millisecond},
		{"capture --duration 30", []string{"capture"}, "duration", "30", 30 * time.Second},
		{"db update --timeout 90", []string{"db", "update"}, "timeout", "90", 90 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := commandTree().Find(tc.cmd)
			arg := "--" + tc.flag
			if len(tc.flag) == 1 {
				arg = "-" + tc.flag
			}
			if err := c.ParseFlags([]string{arg, tc.value}); err != nil {
				t.Fatal(err)
			}
			f := c.Flags().Lookup(tc.flag)
			if f == nil {
				f = c.Flags().ShorthandLookup(tc.flag)
			}
			if got := time.Duration(*f.Value.(*seconds)); got != tc.want {
				t.Errorf("%s %s = %v, want %v", arg, tc.value, got, tc.want)
			}
		})
	}
	bad := []struct{ name, flag, value string }{
		{"negative", "-w", "-1"},
		{"NaN", "-w", "NaN"},
		{"a word", "--timeout", "soon"},
	}
	for _, tc := range bad {
		t.Run("bad "+tc.name, func(t *testing.T) {
			code, out, errs := run(t, "", "--data-dir", t.TempDir(), "trace", tc.flag, tc.value, "127.0.0.1")
			if code != ExitBadInput || out != "" || !strings.Contains(errs, "--timeout") {
				t.Errorf("exit %d, stderr %q; want a usage error naming --timeout", code, errs)
			}
		})
	}
}

// TestLatestSession checks that domains and har export read the newest session of the data directory
// when given none, say which on stderr, and fail clearly when there is none.
func TestLatestSession(t *testing.T) {
	fixture, err := os.ReadFile(sessionFixture)
	if err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	dataDir := t.TempDir()
	sessions := filepath.Join(dataDir, "sessions")
	os.MkdirAll(sessions, 0o700)
	older, newer := filepath.Join(sessions, "proxy-20260101-120000.jsonl"), filepath.Join(sessions, "proxy-20250101-120000.jsonl")
	os.WriteFile(older, []byte(`{"hopscope_session":1,"started":"2026-01-01T12:00:00Z"}`+"\n"), 0o600)
	os.WriteFile(newer, fixture, 0o600)
	os.WriteFile(filepath.Join(sessions, "notes.txt"), []byte("not a session"), 0o600)
	t0 := time.Now()
	os.Chtimes(older, t0.Add(-time.Hour), t0.Add(-time.Hour))
	os.Chtimes(newer, t0, t0) // written last, although its name sorts first
	harOut := filepath.Join(t.TempDir(), "out.har")
	tests := []struct {
		name    string
		dataDir string
		args    []string
		code    int
		stderr  string
		stdout  string
	}{
		{"domains", dataDir, []string{"domains", "--no-enrich"}, ExitOK, "reading the latest session, " + newer, "mp.weixin.qq.com"},
		{"har export", dataDir, []string{"har", "export", "-o", harOut}, ExitOK, "reading the latest session, " + newer, ""},
		{"domains without sessions", empty, []string{"domains"}, ExitBadInput, `no session in ` + filepath.Join(empty, "sessions") + `: record one with "hopscope proxy"`, ""},
		{"har export without sessions", empty, []string{"har", "export"}, ExitBadInput, "no session in", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, "", append([]string{"--data-dir", tc.dataDir, "--color", "never"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errs, tc.stderr) || !strings.Contains(out, tc.stdout) {
				t.Errorf("exit %d, stderr %q, stdout:\n%.300s", code, errs, out)
			}
		})
	}
	if data, err := os.ReadFile(harOut); err != nil || !strings.Contains(string(data), "mp.weixin.qq.com") {
		t.Errorf("har export of the latest session: %v\n%.300s", err, data)
	}
}
