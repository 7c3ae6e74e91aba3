//go:build linux

package dns_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hopscope/internal/netlab"
)

// The lossy-link lab: one node runs unbound (the lab's resolver); each series of attempts runs from its
// own client nodes, each over its own link to it, so the series run side by side and each link's
// counters belong to one client. Every link drops lossRate of the packets in each direction (the relay's seeded
// loss), so a query and its reply both cross it: one datagram is answered with chance (1-0.3)² = 0.49.
const (
	lossRate     = 0.3
	lossAttempts = 20 // resolutions per series
	lossShards   = 4  // client nodes per series, resolving side by side
	lossName     = "www.lossy.example"
)

// lossSeries is one way of resolving lossName, repeated lossAttempts times.
type lossSeries struct {
	name  string
	node  string // the prefix of its client nodes' names
	tool  string // "hopscope" or "dig"
	tries int
}

// lossAttempt is what one resolution came to.
type lossAttempt struct {
	ok        bool
	queries   int // DNS queries the tool made (each may be several datagrams)
	answered  int // of those, the ones with a reply (A and AAAA only)
	asked     int // A and AAAA queries
	datagrams int // UDP datagrams to port 53 that left the client (an nftables counter)
	stderr    string
}

// TestLabLossyResolverLink runs `hopscope dns` (the built binary, inside a client namespace, with
// --dns-server pointed at the lab's unbound) over a link that loses 30% of the packets each way, with one
// try per query and with three, and dig +tries beside it on the same kind of link, 20 resolutions of A
// and AAAA each (issue 15: dns retransmits like dig's +tries). It counts the datagrams each resolution
// sent (nftables) against the queries it reports, so retransmission is seen, not inferred.
func TestLabLossyResolverLink(t *testing.T) {
	netlab.RequireRoot(t)
	netlab.RequireTool(t, "unbound", "dig", "nft")
	if testing.Short() {
		t.Skip("-short: the lossy-link lab builds hopscope and runs 80 resolutions (about 30 s)")
	}
	series := []lossSeries{
		{name: "hopscope --tries 1", node: "hs1", tool: "hopscope", tries: 1},
		{name: "hopscope --tries 3", node: "hs3", tool: "hopscope", tries: 3},
		{name: "dig +tries=1", node: "dig1", tool: "dig", tries: 1},
		{name: "dig +tries=3", node: "dig3", tool: "dig", tries: 3},
	}
	// The relays' loss is seeded, so a run is repeatable; HOPSCOPE_LAB_SEED draws other losses.
	seed, _ := strconv.ParseUint(os.Getenv("HOPSCOPE_LAB_SEED"), 10, 64)
	spec := netlab.Spec{
		Name:  "dnsloss",
		Seed:  seed,
		Nodes: []netlab.Node{{Name: "ns"}},
		DNS: &netlab.DNSSpec{Node: "ns", Records: []string{
			lossName + ". 300 IN A 192.0.2.53",
			lossName + ". 300 IN AAAA 2001:db8::53",
		}},
	}
	// Each series runs from lossShards client nodes at once, lossAttempts/lossShards resolutions each,
	// every client with its own lossy link to the resolver (10.53.<link>.2).
	type client struct {
		series int
		node   string
		server string
	}
	var clients []client
	for i, s := range series {
		for k := range lossShards {
			c := client{series: i, node: fmt.Sprintf("%s-%d", s.node, k), server: fmt.Sprintf("10.53.%d.2", len(clients)+1)}
			spec.Nodes = append(spec.Nodes, netlab.Node{Name: c.node})
			spec.Links = append(spec.Links, netlab.Link{A: c.node, B: "ns", Loss: lossRate,
				AAddrs: []string{fmt.Sprintf("10.53.%d.1/24", len(clients)+1)}, BAddrs: []string{c.server + "/24"}})
			clients = append(clients, c)
		}
	}
	bin := buildHopscopeBinary(t)
	l := netlab.New(t, spec)
	ctx, dataDir := context.Background(), t.TempDir()
	for _, c := range clients {
		countDNSDatagrams(t, l, c.node)
	}

	var mu sync.Mutex
	results := make([][]lossAttempt, len(series))
	took := make([]time.Duration, len(series))
	var wg sync.WaitGroup
	for _, c := range clients {
		s := series[c.series]
		wg.Go(func() {
			start := time.Now()
			for range lossAttempts / lossShards {
				before := dnsDatagrams(t, l, c.node)
				var a lossAttempt
				if s.tool == "dig" {
					a = digAttempt(ctx, t, l, s, c.node, c.server)
				} else {
					a = hopscopeAttempt(ctx, t, l, bin, dataDir, s, c.node, c.server)
				}
				a.datagrams = dnsDatagrams(t, l, c.node) - before
				mu.Lock()
				results[c.series] = append(results[c.series], a)
				mu.Unlock()
			}
			mu.Lock()
			took[c.series] = max(took[c.series], time.Since(start))
			mu.Unlock()
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	// The figures, for the report and BENCHMARKS: per series the resolutions that got both A and AAAA,
	// the A/AAAA queries answered, and the datagrams sent per query.
	ok := make([]int, len(series))
	for i, s := range series {
		var answered, asked, queries, datagrams int
		for _, a := range results[i] {
			if a.ok {
				ok[i]++
			}
			answered, asked, queries, datagrams = answered+a.answered, asked+a.asked, queries+a.queries, datagrams+a.datagrams
		}
		t.Logf("%-20s resolved %2d/%d (%3.0f%%), A/AAAA queries answered %2d/%d (%3.0f%%), %d datagrams for %d queries (%.2f each), %.1f s",
			s.name, ok[i], lossAttempts, 100*float64(ok[i])/lossAttempts, answered, asked, 100*float64(answered)/float64(max(asked, 1)),
			datagrams, queries, float64(datagrams)/float64(max(queries, 1)), took[i].Seconds())
	}

	// One try: never a second datagram for a query.
	for k, a := range results[0] {
		if a.datagrams != a.queries {
			t.Errorf("%s, attempt %d: %d datagrams for %d queries; one try sends one each", series[0].name, k+1, a.datagrams, a.queries)
		}
	}
	// Three tries: lost datagrams are sent again, never more than three times a query.
	retransmitted := 0
	for k, a := range results[1] {
		if a.datagrams < a.queries || a.datagrams > 3*a.queries {
			t.Errorf("%s, attempt %d: %d datagrams for %d queries, want between 1 and 3 each", series[1].name, k+1, a.datagrams, a.queries)
		}
		retransmitted += a.datagrams - a.queries
	}
	if retransmitted == 0 {
		t.Errorf("%s: no query was sent twice over a link losing %.0f%% each way", series[1].name, 100*lossRate)
	}
	// The binomial tails: with three tries a resolution of A and AAAA succeeds with chance
	// (1-0.51³)² = 0.75, so fewer than 8 of 20 has odds below 1 in 5,000; with one try 0.49² = 0.24.
	if ok[1] < lossAttempts*2/5 {
		t.Errorf("%s resolved only %d of %d over the lossy link; retries should carry most", series[1].name, ok[1], lossAttempts)
	}
	if ok[1] <= ok[0] {
		t.Errorf("%s resolved %d, no more than %s's %d: the retries do not help", series[1].name, ok[1], series[0].name, ok[0])
	}
	// Beside dig with the same tries and the same wait in all (3 s per query): within the sampling.
	if ok[1] < ok[3]-8 {
		t.Errorf("%s resolved %d, far fewer than %s's %d", series[1].name, ok[1], series[3].name, ok[3])
	}
	if ok[3] == 0 {
		t.Errorf("%s never resolved: the lab is broken", series[3].name)
	}
	// A failure says so once, on standard error, naming the server (the report goes to standard output).
	for _, rs := range results[:2] {
		for _, a := range rs {
			if a.ok {
				continue
			}
			if n := strings.Count(a.stderr, "timeout"); n != 1 {
				t.Errorf("a failed resolution's standard error names the timeout %d times, want once:\n%s", n, a.stderr)
			}
		}
	}
}

// hopscopeAttempt runs `hopscope dns --json` once in s's node: --timeout is the wait for all of a query's
// tries, so three tries get 3 s as dig's +timeout=1 +tries=3 does.
func hopscopeAttempt(ctx context.Context, t *testing.T, l *netlab.Lab, bin, dataDir string, s lossSeries, node, server string) lossAttempt {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := l.Exec(ctx, node, bin, "--data-dir", dataDir, "--color", "never", "dns", "--json", "--no-enrich",
		"--dns-server", server, "--tries", strconv.Itoa(s.tries), "--timeout", strconv.Itoa(s.tries), lossName)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	if ee, isExit := err.(*exec.ExitError); isExit {
		code = ee.ExitCode()
	} else if err != nil {
		t.Errorf("%s: %v", s.name, err)
		return lossAttempt{}
	}
	var rep struct {
		DNS struct {
			Outcome string `json:"outcome"`
			Records []struct {
				Data string `json:"data"`
			} `json:"records"`
			Queries []struct {
				Type, Purpose, Error string
			} `json:"queries"`
		} `json:"dns"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Errorf("%s: exit %d, output is not a JSON report (%v):\n%s\nstderr: %s", s.name, code, err, out, stderr.String())
		return lossAttempt{}
	}
	a := lossAttempt{queries: len(rep.DNS.Queries), stderr: stderr.String()}
	for _, q := range rep.DNS.Queries {
		if q.Type == "A" || q.Type == "AAAA" {
			a.asked++
			if q.Error == "" {
				a.answered++
			}
		}
	}
	var data []string
	for _, r := range rep.DNS.Records {
		data = append(data, r.Data)
	}
	slices.Sort(data)
	a.ok = code == 0 && rep.DNS.Outcome == "answer"
	if a.ok && !slices.Equal(data, []string{"192.0.2.53", "2001:db8::53"}) {
		t.Errorf("%s: exit 0 with records %v, want 192.0.2.53 and 2001:db8::53", s.name, data)
	}
	if !a.ok && code != 1 {
		t.Errorf("%s: exit %d (outcome %q), want 0 or 1 for a timeout; stderr: %s", s.name, code, rep.DNS.Outcome, stderr.String())
	}
	return a
}

// digHeader matches the status line of each reply dig prints.
var digHeader = regexp.MustCompile(`->>HEADER<<- opcode: QUERY, status: (\w+)`)

// digAttempt asks for A and AAAA in one dig run; it succeeded when both replies came.
func digAttempt(ctx context.Context, t *testing.T, l *netlab.Lab, s lossSeries, node, server string) lossAttempt {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := l.Exec(ctx, node, "dig", "@"+server, "+tries="+strconv.Itoa(s.tries), "+timeout=1", "+nocookie",
		lossName, "A", lossName, "AAAA").CombinedOutput()
	if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
		t.Errorf("%s: %v", s.name, err)
		return lossAttempt{}
	}
	noerror := 0
	for _, m := range digHeader.FindAllStringSubmatch(string(out), -1) {
		if m[1] == "NOERROR" {
			noerror++
		}
	}
	return lossAttempt{ok: noerror == 2, queries: 2, asked: 2, answered: noerror}
}

// countDNSDatagrams installs an nftables counter of the UDP datagrams to port 53 that leave node.
func countDNSDatagrams(t *testing.T, l *netlab.Lab, node string) {
	t.Helper()
	rules := "add table ip hsdns\n" +
		"add counter ip hsdns queries\n" +
		"add chain ip hsdns out { type filter hook output priority 0; }\n" +
		"add rule ip hsdns out udp dport 53 counter name queries\n"
	cmd := l.Exec(context.Background(), node, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft in %s: %v\n%s", node, err, out)
	}
}

var nftPackets = regexp.MustCompile(`packets (\d+)`)

// dnsDatagrams reads node's counter.
func dnsDatagrams(t *testing.T, l *netlab.Lab, node string) int {
	out, err := l.Exec(context.Background(), node, "nft", "list", "counter", "ip", "hsdns", "queries").CombinedOutput()
	m := nftPackets.FindSubmatch(out)
	if err != nil || m == nil {
		t.Errorf("read the counter in %s: %v\n%s", node, err, out)
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// buildHopscopeBinary builds the command into the test's temporary directory.
func buildHopscopeBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hopscope")
	if out, err := exec.Command("go", "build", "-o", bin, "hopscope/cmd/hopscope").CombinedOutput(); err != nil {
		t.Fatalf("build hopscope: %v\n%s", err, out)
	}
	return bin
}

// TestLabOfflineNames runs the commands that resolve a name on a machine that cannot reach its DNS
// server, inside a lab node: the lab's resolv.conf names 127.0.0.1 where nothing listens, and
// 192.0.2.99 has no route (what an offline laptop sees). Each must fail with one readable line naming
// the server, not Go's socket errors (issue 15: readable offline errors in every command that resolves).
func TestLabOfflineNames(t *testing.T) {
	netlab.RequireRoot(t)
	if testing.Short() {
		t.Skip("-short: builds hopscope")
	}
	bin := buildHopscopeBinary(t)
	l := netlab.New(t, netlab.Spec{Name: "offline", Nodes: []netlab.Node{{Name: "c"}, {Name: "r"}}, Links: []netlab.Link{{A: "c", B: "r"}}})
	const refused = "no DNS server at 127.0.0.1:53"
	const offline = "cannot reach DNS server 192.0.2.99:53: network is unreachable (is this machine offline?)"
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"trace, resolv.conf", []string{"trace", "-w", "1", "www.offline.example"}, []string{refused, "system resolver: " + refused}},
		{"trace, no route", []string{"trace", "-w", "1", "--dns-server", "192.0.2.99", "www.offline.example"}, []string{offline}},
		{"investigate, resolv.conf", []string{"investigate", "www.offline.example"}, []string{refused}},
		{"investigate, no route", []string{"investigate", "--dns-server", "192.0.2.99", "www.offline.example"}, []string{offline}},
		{"dns, no route", []string{"dns", "--dns-server", "192.0.2.99", "www.offline.example"}, []string{offline}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := l.Exec(ctx, "c", bin, append([]string{"--data-dir", t.TempDir(), "--color", "never"}, tc.args...)...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("err %v, want exit 1; stderr:\n%s", err, stderr.String())
			}
			all := string(out) + stderr.String()
			flat := strings.Join(strings.Fields(all), " ") // text reports wrap long lines
			for _, w := range tc.want {
				if !strings.Contains(flat, w) {
					t.Errorf("the output lacks %q:\n%s", w, all)
				}
			}
			for _, raw := range []string{"dial udp", "read udp", "->", "connect:", `\x0a`, "i/o"} {
				if strings.Contains(all, raw) {
					t.Errorf("the output has Go's socket detail %q:\n%s", raw, all)
				}
			}
			if lines := strings.Count(strings.TrimSpace(stderr.String()), "\n") + 1; lines != 1 {
				t.Errorf("standard error has %d lines, want one message:\n%s", lines, stderr.String())
			}
		})
	}
}
