package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"hopscope/internal/cli"
	"hopscope/internal/dns/dnstest"
	"hopscope/internal/report"
)

const articleZone = `
qq.test. 300 IN SOA ns1.qq.test. hostmaster.qq.test. 7 3600 600 86400 60
qq.test. 300 IN NS ns1.qq.test.
vweixinthumb.tc.qq.test. 600 IN CNAME socwxsns.video.qq.test.
socwxsns.video.qq.test. 60 IN A 198.51.100.25
socwxsns.video.qq.test. 60 IN A 198.51.100.26
socwxsns.video.qq.test. 60 IN AAAA 2001:db8:25::1
25.100.51.198.in-addr.arpa. 300 IN PTR socwxsns.video.qq.test.
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.5.2.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 300 IN PTR socwxsns.video.qq.test.
`

// runCLI runs hopscope with args and returns the exit code, stdout and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, cli.Streams{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func startArticle(t *testing.T) string {
	t.Helper()
	lo := netip.MustParseAddr("127.0.0.1")
	port := dnstest.FreePort(t, lo)
	dnstest.Serve(t, netip.AddrPortFrom(lo, port), dnstest.NewStatic(articleZone))
	return "127.0.0.1:" + strconv.Itoa(int(port))
}

func TestDNSCommand(t *testing.T) {
	server := startArticle(t)
	t.Run("text tree", func(t *testing.T) {
		code, out, errs := runCLI(t, "", "dns", "--dns-server", server, "--color", "never", "vweixinthumb.tc.qq.test")
		if code != cli.ExitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		for _, want := range []string{
			"vweixinthumb.tc.qq.test.  CNAME  socwxsns.video.qq.test.  ttl 600",
			"\n  socwxsns.video.qq.test.",
			"198.51.100.25", "198.51.100.26", "2001:db8:25::1",
			"3 addresses (2 IPv4, 1 IPv6)",
			"zone qq.test.  NS ns1.qq.test.",
			"answered by  " + server + " (recursive resolver)",
			"dnssec", "queries",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		code, out, errs := runCLI(t, "", "dns", "--dns-server", server, "--json", "vweixinthumb.tc.qq.test")
		if code != cli.ExitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var rep report.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Kind != report.KindDNS || rep.DNS == nil || rep.DNS.Canonical != "socwxsns.video.qq.test." || len(rep.DNS.Addrs()) != 3 || rep.DNS.Outcome != "answer" {
			t.Fatalf("report %+v", rep.DNS)
		}
	})
	t.Run("markdown", func(t *testing.T) {
		code, out, _ := runCLI(t, "", "dns", "--dns-server", server, "--format", "markdown", "vweixinthumb.tc.qq.test")
		if code != cli.ExitOK || !strings.Contains(out, "| `socwxsns.video.qq.test.` | A | `198.51.100.25` | 60 |") || !strings.Contains(out, "is an alias (CNAME, TTL 600) of `socwxsns.video.qq.test.`") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
	t.Run("ptr of every address", func(t *testing.T) {
		code, out, errs := runCLI(t, "", "dns", "--dns-server", server, "--color", "never", "--ptr", "vweixinthumb.tc.qq.test")
		if code != cli.ExitOK || !strings.Contains(out, "198.51.100.25   ttl 60  ptr socwxsns.video.qq.test") || strings.Contains(out, "198.51.100.26   ttl 60  ptr") {
			t.Fatalf("exit %d\n%s%s", code, out, errs)
		}
	})
	t.Run("reverse", func(t *testing.T) {
		for _, addr := range []string{"198.51.100.25", "2001:db8:25::1"} {
			code, out, errs := runCLI(t, "", "dns", "--dns-server", server, "--color", "never", addr)
			if code != cli.ExitOK || !strings.Contains(flat(out), "PTR socwxsns.video.qq.test.") {
				t.Fatalf("%s: exit %d\n%s%s", addr, code, out, errs)
			}
		}
	})
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"unknown format", []string{"--format", "pdf", "x.test"}, cli.ExitBadInput, "want one of text, json, markdown, html"},
		{"bulk as markdown", []string{"--bulk", "-", "--format", "markdown"}, cli.ExitBadInput, "--bulk writes one line per name as text or json"},
		{"address with another type", []string{"--type", "A", "198.51.100.25"}, cli.ExitBadInput, "only --type PTR applies"},
		{"nxdomain", []string{"nope.qq.test"}, cli.ExitNegative, "NXDOMAIN: nope.qq.test. does not exist"},
		{"nodata", []string{"--type", "MX", "socwxsns.video.qq.test"}, cli.ExitNegative, "NODATA"},
		{"bad type", []string{"--type", "BOGUS", "x.test"}, cli.ExitBadInput, "unknown record type"},
		{"bad server", []string{"--dns-server", "quic://x", "x.test"}, cli.ExitBadInput, `--dns-server: server "quic://x": unknown scheme`},
		{"bad subnet", []string{"--subnet", "nowhere", "x.test"}, cli.ExitBadInput, "--subnet"},
		{"bad name", []string{"a..b"}, cli.ExitBadInput, "not a valid domain name"},
		{"two names", []string{"a.test", "b.test"}, cli.ExitBadInput, "accepts 1 arg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"dns", "--dns-server", server, "--color", "never"}, tc.args...)
			code, _, errs := runCLI(t, "", args...)
			if code != tc.code || !strings.Contains(errs, tc.err) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errs, tc.code, tc.err)
			}
		})
	}
	t.Run("garbage server", func(t *testing.T) {
		lo := netip.MustParseAddr("127.0.0.1")
		port := dnstest.FreePort(t, lo)
		dnstest.StartGarbage(t, netip.AddrPortFrom(lo, port), dnstest.GarbageWrongID)
		code, _, errs := runCLI(t, "", "dns", "--dns-server", "127.0.0.1:"+strconv.Itoa(int(port)), "--timeout", "300ms", "x.test")
		if code != cli.ExitFailure || !strings.Contains(errs, "timeout: no answer from 127.0.0.1:"+strconv.Itoa(int(port))+" within 300ms") || !strings.Contains(errs, "ID mismatch") {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})
	t.Run("bulk", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "names")
		if err := os.WriteFile(file, []byte("# names\nvweixinthumb.tc.qq.test\n\nnope.qq.test\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errs := runCLI(t, "", "dns", "--dns-server", server, "--bulk", file, "--concurrency", "2")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != cli.ExitOK || len(lines) != 2 || !strings.HasPrefix(lines[0], "vweixinthumb.tc.qq.test.\tsocwxsns.video.qq.test.\t198.51.100.25,198.51.100.26,2001:db8:25::1") || lines[1] != "nope.qq.test.\tNXDOMAIN" {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		if !strings.Contains(errs, "2 names") {
			t.Fatalf("summary: %s", errs)
		}
	})
}

// TestDNSCommandLab checks --subnet and --trace against the nsd/unbound lab.
func TestDNSCommandLab(t *testing.T) {
	lab := dnstest.StartLab(t, dnstest.LabOptions{})
	ub := lab.Unbound.String()
	for _, tc := range []struct {
		name, subnet, want string
	}{
		{"Shenzhen", "203.0.113.0/24", dnstest.ShenzhenAddr.String()},
		{"elsewhere", "198.51.100.7", dnstest.OtherAddr.String()},
	} {
		t.Run("subnet "+tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, "", "dns", "--dns-server", ub, "--subnet", tc.subnet, "--type", "A", "--color", "never", "www.geo.test")
			if code != cli.ExitOK || !strings.Contains(out, "A  "+tc.want) || !strings.Contains(out, "scope /24") {
				t.Fatalf("exit %d\n%s\n%s", code, out, errs)
			}
		})
	}
	t.Run("subnets compared", func(t *testing.T) {
		code, out, errs := runCLI(t, "", "dns", "--dns-server", ub, "--subnet", "203.0.113.0/24,192.0.2.0/24", "--type", "A", "--color", "never", "www.geo.test")
		if code != cli.ExitOK || !strings.Contains(out, "by client subnet") ||
			!strings.Contains(out, "203.0.113.0/24  scope /24  www.geo.test.  "+dnstest.ShenzhenAddr.String()) ||
			!strings.Contains(out, "192.0.2.0/24    scope /24  www.geo.test.  "+dnstest.OtherAddr.String()) {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
	})
	port := strconv.Itoa(int(lab.Port))
	t.Run("trace", func(t *testing.T) {
		code, out, errs := runCLI(t, "", "dns", "--trace", "--root", lab.Root.String(), "--trace-port", port, "--color", "never", "vweixinthumb.tc.qq.test")
		if code != cli.ExitOK || !strings.Contains(flat(out), "delegates qq.test. to 1 server(s), 1 with glue") || !strings.Contains(out, "(authoritative)") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
	})
	t.Run("trace lame", func(t *testing.T) {
		code, out, errs := runCLI(t, "", "dns", "--trace", "--root", lab.Root.String(), "--trace-port", port, "--color", "never", "--type", "A", "www.lame.test")
		if code != cli.ExitFailure || !strings.Contains(errs, "lame delegation") || !strings.Contains(out, "lame") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
	})
	t.Run("servfail names the server", func(t *testing.T) {
		code, _, errs := runCLI(t, "", "dns", "--dns-server", ub, "--type", "A", "www.lame.test")
		if code != cli.ExitFailure || !strings.Contains(errs, "SERVFAIL from "+ub) {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})
	t.Run("refused names the server", func(t *testing.T) {
		code, _, errs := runCLI(t, "", "dns", "--dns-server", lab.Lame.String(), "--type", "A", "www.lame.test")
		if code != cli.ExitFailure || !strings.Contains(errs, "REFUSED from "+lab.Lame.String()+" for www.lame.test. A") {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})
	t.Run("loop", func(t *testing.T) {
		code, _, errs := runCLI(t, "", "dns", "--dns-server", ub, "loop1.qq.test")
		if code != cli.ExitFailure || !strings.Contains(errs, "CNAME loop: loop1.qq.test. → loop2.qq.test. → loop3.qq.test. → loop1.qq.test.") {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})
}

// flat joins the words of text with single spaces: text output wraps at the terminal's width.
func flat(text string) string { return strings.Join(strings.Fields(text), " ") }
