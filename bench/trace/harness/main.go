// Command harness times hopscope trace beside Linux traceroute, mtr and scamper on the article-like lab
// paths and writes the figures to a Markdown file (run it through bench/trace/run.sh, as root).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"hopscope/internal/netlab"
	"hopscope/internal/path"
	"hopscope/internal/probe"
)

type tool struct {
	name string
	// args after the program name; the target address is appended.
	prog string
	args []string
	// hopscope marks our own runs (repeated -runs times, output checked).
	hopscope bool
}

type result struct {
	scenario, name, cmdline string
	times                   []time.Duration
	note                    string
}

func main() {
	bin := flag.String("hopscope", "", "path of the hopscope binary")
	runs := flag.Int("runs", 5, "runs of each hopscope command")
	peerRuns := flag.Int("peer-runs", 1, "runs of each peer command (they take up to a minute)")
	out := flag.String("out", "bench/trace/RESULTS.md", "Markdown file to write")
	limit := flag.Duration("limit", 120*time.Second, "time limit of one command")
	demo := flag.String("demo", "", "only run `hopscope trace ARGS` (space-separated) in the article lab and print its output")
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "harness: -hopscope is required")
		os.Exit(2)
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "harness: run as root (network namespaces)")
		os.Exit(2)
	}
	if *demo != "" {
		if err := runDemo(*bin, strings.Fields(*demo)); err != nil {
			fmt.Fprintln(os.Stderr, "harness:", err)
			os.Exit(1)
		}
		return
	}
	loadStart := loadAvg()
	var results []result
	for _, sc := range scenarios {
		rs, err := scenario(sc.name, sc.opt, *bin, *runs, *peerRuns, *limit)
		if err != nil {
			fmt.Fprintf(os.Stderr, "harness: %s: %v\n", sc.name, err)
			os.Exit(1)
		}
		results = append(results, rs...)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(1)
	}
	defer f.Close()
	load := fmt.Sprintf("load average %s at the start, %s at the end", loadStart, loadAvg())
	write(f, results, *runs, *peerRuns, load)
	write(os.Stdout, results, *runs, *peerRuns, load)
}

// runDemo runs hopscope trace with args from the article lab's client and copies its output.
func runDemo(bin string, args []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	lab, err := netlab.Start(ctx, netlab.Article(netlab.ArticleOptions{}))
	if err != nil {
		return err
	}
	defer lab.Close()
	cmd := lab.Exec(ctx, netlab.ArticleClient, bin, append([]string{"trace"}, args...)...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// scenarios are the lab paths, with the goal for hopscope's 3 probes per hop.
var scenarios = []struct {
	name string
	opt  netlab.ArticleOptions
	goal time.Duration
}{
	{"answering destination (17 hops, 4 silent, ~170 ms)", netlab.ArticleOptions{}, 500 * time.Millisecond},
	{"silent destination", netlab.ArticleOptions{SilentDestination: true, NoDNS: true}, 1500 * time.Millisecond},
	// The same path with no router withholding ICMP: what the hold for silent hops costs above.
	{"every router answers (17 hops, ~170 ms)", netlab.ArticleOptions{Answering: true, NoDNS: true}, 500 * time.Millisecond},
}

func scenario(name string, opt netlab.ArticleOptions, bin string, runs, peerRuns int, limit time.Duration) ([]result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	lab, err := netlab.Start(ctx, netlab.Article(opt))
	cancel()
	if err != nil {
		return nil, err
	}
	defer lab.Close()
	dst := netlab.ArticleTarget4
	tools := []tool{
		{name: "hopscope trace (icmp)", prog: bin, args: []string{"trace", "--json", "-n"}, hopscope: true},
		{name: "hopscope trace -M udp", prog: bin, args: []string{"trace", "--json", "-n", "-M", "udp"}, hopscope: true},
		{name: "hopscope trace -M tcp", prog: bin, args: []string{"trace", "--json", "-n", "-M", "tcp"}, hopscope: true},
		// A shorter --timeout holds silent hops 420 ms instead of 600: a router answering 500 ms late is lost.
		{name: "hopscope trace --timeout 0.7s", prog: bin, args: []string{"trace", "--json", "-n", "--timeout", "0.7s"}, hopscope: true},
	}
	if !opt.NoDNS {
		tools = append(tools, tool{name: "hopscope trace (icmp, reverse names)", prog: bin, args: []string{"trace", "--json"}, hopscope: true})
	}
	tools = append(tools,
		tool{name: "traceroute -I", prog: "traceroute", args: []string{"-n", "-I", "-q", "3"}},
		tool{name: "traceroute (udp)", prog: "traceroute", args: []string{"-n", "-q", "3"}},
		tool{name: "traceroute -T", prog: "traceroute", args: []string{"-n", "-T", "-p", "443", "-q", "3"}},
		tool{name: "mtr --report", prog: "mtr", args: []string{"--report", "--report-cycles", "3", "-n"}},
		tool{name: "scamper icmp-paris", prog: "scamper", args: []string{"-c", "trace -P icmp-paris -q 3", "-i"}},
	)
	var out []result
	// What entering the namespace costs every command below.
	base := result{scenario: name, name: "baseline: ip netns exec true", cmdline: "ip netns exec NS true"}
	for i := 0; i < runs; i++ {
		start := time.Now()
		if err := lab.Exec(context.Background(), netlab.ArticleClient, "true").Run(); err != nil {
			base.note = err.Error()
		}
		base.times = append(base.times, time.Since(start))
	}
	for _, t := range tools {
		r := result{scenario: name, name: t.name, cmdline: strings.Join(append(append([]string{shortProg(t.prog)}, t.args...), dst), " ")}
		if _, err := exec.LookPath(t.prog); err != nil {
			r.note = "not installed"
			out = append(out, r)
			continue
		}
		n := peerRuns
		if t.hopscope {
			n = runs
		}
		for i := 0; i < n; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), limit)
			cmd := lab.Exec(ctx, netlab.ArticleClient, t.prog, append(slices.Clone(t.args), dst)...)
			start := time.Now()
			b, err := cmd.CombinedOutput()
			d := time.Since(start)
			cancel()
			if !t.hopscope {
				r.note = peerHops(b, dst)
				if err != nil {
					r.note += fmt.Sprintf("; exit: %v", err)
				}
			}
			if t.hopscope {
				r.note = checkHopscope(b, err)
			}
			r.times = append(r.times, d)
			fmt.Fprintf(os.Stderr, "%s | %s | run %d: %v %s\n", name, t.name, i+1, d.Round(time.Millisecond), r.note)
		}
		out = append(out, r)
	}
	// The engine alone, in process (no process start, no enrichment): what the scheduler costs.
	r := result{scenario: name, name: "probe engine alone (in process, icmp)", cmdline: "probe.Run, no names"}
	for i := 0; i < runs; i++ {
		var d time.Duration
		var tr *path.Trace
		err := lab.Run(netlab.ArticleClient, func() error {
			start := time.Now()
			var err error
			tr, err = probe.Run(context.Background(), path.Target{Addr: netip.MustParseAddr(dst)}, probe.Options{})
			d = time.Since(start)
			return err
		})
		if err != nil {
			r.note = err.Error()
			break
		}
		ok, ttl := tr.Reached()
		r.note = fmt.Sprintf("%d hops, reached=%v at %d", len(tr.Hops), ok, ttl)
		r.times = append(r.times, d)
	}
	// What starting the binary costs (no probing): process start and Go runtime, under the machine's load.
	start := result{scenario: name, name: "baseline: hopscope version", cmdline: "ip netns exec NS hopscope version"}
	for i := 0; i < runs; i++ {
		t0 := time.Now()
		if err := lab.Exec(context.Background(), netlab.ArticleClient, bin, "version").Run(); err != nil {
			start.note = err.Error()
		}
		start.times = append(start.times, time.Since(t0))
	}
	return append(out, r, base, start), nil
}

func shortProg(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 && strings.Contains(p[i:], "hopscope") {
		return "hopscope"
	}
	return p
}

// checkHopscope summarizes a hopscope JSON report: hops shown, silent hops, destination reached.
func checkHopscope(b []byte, runErr error) string {
	var rep struct {
		Path struct {
			Hops []struct {
				TTL    int  `json:"ttl"`
				Silent bool `json:"silent"`
			} `json:"hops"`
		} `json:"path"`
	}
	i := strings.IndexByte(string(b), '{')
	if i < 0 || json.Unmarshal(b[i:], &rep) != nil {
		return fmt.Sprintf("no report (%v): %.200s", runErr, b)
	}
	silent := 0
	for _, h := range rep.Path.Hops {
		if h.Silent {
			silent++
		}
	}
	return fmt.Sprintf("%d hops shown, %d silent", len(rep.Path.Hops), silent)
}

// hopLine matches a hop line of traceroute, mtr --report and scamper's text output.
var hopLine = regexp.MustCompile(`(?m)^\s*(\d+)[.|\s-]`)

// peerHops summarizes a peer's text output: hop lines and whether the destination answered.
func peerHops(b []byte, dst string) string {
	lines := hopLine.FindAllIndex(b, -1)
	reached := false
	if n := len(lines); n > 0 {
		last := string(b[lines[n-1][0]:])
		if i := strings.IndexByte(last, '\n'); i >= 0 {
			last = last[:i]
		}
		reached = strings.Contains(last, dst+" ") || strings.HasSuffix(last, dst)
	}
	return fmt.Sprintf("%d hop lines, destination answered: %v", len(lines), reached)
}

func median(ts []time.Duration) time.Duration {
	s := slices.Clone(ts)
	slices.Sort(s)
	return s[len(s)/2]
}

// loadAvg returns the 1-minute load average (the machine is shared; it explains the spread).
func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

func write(w io.Writer, rs []result, runs, peerRuns int, load string) {
	host, _ := os.Hostname()
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	fmt.Fprintf(w, "# hopscope trace vs traceroute, mtr and scamper\n\n")
	fmt.Fprintf(w, "Measured %s on %s (Linux %s) by `bench/trace/run.sh`, in the article lab of internal/netlab "+
		"(netlab.Article: 17 hops, 4 silent routers, ECMP at hops 13-14, ~166 ms configured RTT), from node `client` "+
		"to %s. Wall-clock time of the whole command through `ip netns exec` (process start, enrichment and "+
		"output included); hopscope runs %d times, each peer %d time(s); the ratio is the peer's median over "+
		"hopscope's ICMP median in the same scenario. %d CPUs, %s.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), host, strings.TrimSpace(string(kernel)), netlab.ArticleTarget4, runs, peerRuns,
		runtime.NumCPU(), load)
	scen := ""
	var base time.Duration
	for i, r := range rs {
		if r.scenario != scen {
			scen = r.scenario
			base = 0
			fmt.Fprintf(w, "\n## %s\n\n| tool | command | median | min | max | × hopscope | notes |\n|---|---|---|---|---|---|---|\n", scen)
		}
		if len(r.times) == 0 {
			fmt.Fprintf(w, "| %s | `%s` | - | - | - | - | %s |\n", r.name, r.cmdline, r.note)
			continue
		}
		m := median(r.times)
		if base == 0 {
			base = m
		}
		fmt.Fprintf(w, "| %s | `%s` | %.3f s | %.3f s | %.3f s | %.1f | %s |\n", r.name, r.cmdline, m.Seconds(),
			slices.Min(r.times).Seconds(), slices.Max(r.times).Seconds(), float64(m)/float64(base), r.note)
		if i+1 == len(rs) || rs[i+1].scenario != scen {
			goalLine(w, rs, scen)
		}
	}
}

// goalLine states the goal for a scenario against hopscope's ICMP command and the engine alone.
func goalLine(w io.Writer, rs []result, scen string) {
	var goal time.Duration
	for _, s := range scenarios {
		if s.name == scen {
			goal = s.goal
		}
	}
	var cli, engine, exec, start time.Duration
	for _, r := range rs {
		if r.scenario != scen || len(r.times) == 0 {
			continue
		}
		switch {
		case r.name == "hopscope trace (icmp)":
			cli = median(r.times)
		case strings.HasPrefix(r.name, "probe engine"):
			engine = median(r.times)
		case strings.HasPrefix(r.name, "baseline: ip"):
			exec = median(r.times)
		case strings.HasPrefix(r.name, "baseline: hopscope"):
			start = median(r.times)
		}
	}
	met := func(d time.Duration) string {
		if d > 0 && d < goal {
			return "met"
		}
		return "not met"
	}
	fmt.Fprintf(w, "\nGoal: 3 probes per hop in under %.1f s. hopscope trace: %.3f s median (%s), %.3f s without the "+
		"`ip netns exec` baseline (%s); the probe engine alone: %.3f s (%s). Starting the binary alone "+
		"(`hopscope version` through `ip netns exec`) took %.3f s here.\n", goal.Seconds(), cli.Seconds(), met(cli),
		(cli - exec).Seconds(), met(cli-exec), engine.Seconds(), met(engine), start.Seconds())
}
