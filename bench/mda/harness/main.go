// Command harness measures hopscope trace --mda beside scamper's tracelb in hopscope's ECMP labs
// (internal/netlab: network namespaces, nothing leaves the machine) and writes a Markdown report.
//
// Usage (as root, from bench/mda/run.sh):
//
//	harness -hopscope /tmp/hopscope -runs 5 -peer-runs 1 -out bench/mda/RESULTS.md
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"hopscope/internal/netlab"
	"hopscope/internal/tracefile"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// measure is one tool's figures on one lab: medians over its runs.
type measure struct {
	tool          string
	runs          int
	probes        int
	ifaces, links int
	wall          time.Duration
	err           string
	// ifaceMin and ifaceMax are the fewest and most interfaces one run found.
	ifaceMin, ifaceMax int
	// short counts the runs that found fewer interfaces than the most any run of either tool found.
	short []int
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("harness", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("hopscope", "", "hopscope binary")
	runs := fs.Int("runs", 5, "hopscope runs per lab")
	peerRuns := fs.Int("peer-runs", 1, "scamper runs per lab and setting")
	out := fs.String("out", "", "write the report here (default: standard output)")
	conf := fs.Int("confidence", 95, "confidence of both tools (95 or 99)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *bin == "" {
		fmt.Fprintln(stderr, "harness: -hopscope is required")
		return 2
	}
	var rep bytes.Buffer
	fmt.Fprintf(&rep, "# MDA: hopscope trace --mda beside scamper tracelb\n\n")
	fmt.Fprintf(&rep, "Measured %s on %s (%d CPUs shared with other work), Linux netlab ECMP labs (veth links, no added delay; routers hash addresses, protocol and ports, each with its own seed). Written by `bench/mda/run.sh`.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), hostname(), numCPU())
	fmt.Fprintf(&rep, "Both tools at %d%% confidence, UDP probes to 203.0.113.25 from the lab's client. hopscope: `hopscope trace --mda -M udp --confidence %d -n --json 203.0.113.25` (%d runs, medians). %s: `scamper -O json -c \"tracelb -P udp-sport -c %d -W 15 -w 1\" -i 203.0.113.25` (-W 15: 150 ms between probes, the least scamper accepts) and the same with its default -W 25 (%d runs each).\n\n",
		*conf, *conf, *runs, scamperVersion(), *conf, *peerRuns)
	fmt.Fprintf(&rep, "Interfaces and links are counted from each tool's own output: hopscope's report (path.multipath.links), scamper's JSON read per flow (a link is a flow's two consecutive TTLs), which under-counts the links scamper's algorithm does not establish per interface.\n\n")
	fmt.Fprintf(&rep, "Two kinds of lab: Linux routers as they come, which send ICMP errors from the interface toward the source, so the merge router, having a route back through every branch, answers from a different address per flow (4 branches: 4 interfaces at hop 3, each linked to every branch), and \"inbound\" labs where routers answer from the interface the probe came in on (net.ipv4.icmp_errors_use_inbound_ifaddr=1), as most vendors' routers do.\n\n")
	fmt.Fprintf(&rep, "| lab | tool | probes | interfaces (min–max over runs when they differ) | runs short of the full set | links | wall time | probes vs hopscope | time vs hopscope |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	labs := []struct {
		name    string
		spec    netlab.Spec
		inbound bool
	}{
		{"2 branches", netlab.ECMPSpec(2, netlab.HashL4), false},
		{"4 branches", netlab.ECMPSpec(4, netlab.HashL4), false},
		{"nested diamond", netlab.ECMPNestedSpec(netlab.HashL4), false},
		{"2 branches, inbound", netlab.ECMPSpec(2, netlab.HashL4), true},
		{"4 branches, inbound", netlab.ECMPSpec(4, netlab.HashL4), true},
		{"nested diamond, inbound", netlab.ECMPNestedSpec(netlab.HashL4), true},
	}
	failed := false
	for _, lab := range labs {
		ms, err := measureLab(lab.spec, lab.inbound, *bin, *runs, *peerRuns, *conf)
		if err != nil {
			fmt.Fprintf(stderr, "harness: %s: %v\n", lab.name, err)
			fmt.Fprintf(&rep, "| %s | (lab failed: %v) | | | | | | | |\n", lab.name, err)
			failed = true
			continue
		}
		base := ms[0]
		full := 0
		for _, m := range ms {
			full = max(full, m.ifaceMax)
		}
		for _, m := range ms {
			if m.err != "" {
				fmt.Fprintf(&rep, "| %s | %s | failed: %s | | | | | | |\n", lab.name, m.tool, m.err)
				continue
			}
			iface := fmt.Sprint(m.ifaces)
			if m.ifaceMin != m.ifaceMax {
				iface = fmt.Sprintf("%d (%d–%d)", m.ifaces, m.ifaceMin, m.ifaceMax)
			}
			short := 0
			for _, n := range m.short {
				if n < full {
					short++
				}
			}
			fmt.Fprintf(&rep, "| %s | %s | %d | %s | %d/%d | %d | %s | %s | %s |\n", lab.name, m.tool, m.probes, iface, short, len(m.short), m.links,
				m.wall.Round(time.Millisecond), ratio(float64(m.probes), float64(base.probes)), ratio(m.wall.Seconds(), base.wall.Seconds()))
		}
	}
	fmt.Fprintf(&rep, "\nhopscope establishes every interface's next hops (the MDA as Augustin et al. state it: n_k flows through each interface), so it spends more probes than scamper's tracelb where branches merge, and finds every link; scamper spaces its probes at least 150 ms apart, hopscope sends each round at once (paced at --rate) and waits for the round's replies, so its wall time is a few round trips per hop. \"Runs short of the full set\" counts the runs that found fewer interfaces than the most any run found in that lab: misses the stopping rule allows (up to 5%% per hypothesis at 95%%); hopscope's flow identifiers are random per run too. A miss at the first split (all n_1 = 6 probes on one of two branches: 2⁻⁵ = 3.1%% at 95%%) hides everything behind the missed branch, so a nested-diamond run then shows one linear path (6 interfaces); --confidence 99 makes that 0.8%%.\n")
	if *out == "" {
		stdout.Write(rep.Bytes())
	} else if err := os.WriteFile(*out, rep.Bytes(), 0o644); err != nil {
		fmt.Fprintln(stderr, "harness:", err)
		return 1
	}
	if failed {
		return 1
	}
	return 0
}

func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// measureLab starts the lab and measures hopscope (first) and scamper in it.
func measureLab(spec netlab.Spec, inbound bool, bin string, runs, peerRuns, conf int) ([]measure, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	lab, err := netlab.Start(ctx, spec)
	if err != nil {
		return nil, err
	}
	defer lab.Close()
	if err := netlab.SeedECMPHashes(ctx, lab, 0x5eed); err != nil {
		return nil, err
	}
	if inbound {
		if err := netlab.ReplyFromInbound(ctx, lab); err != nil {
			return nil, err
		}
	}
	dst := "203.0.113.25"
	hs := measure{tool: "hopscope --mda"}
	var probes, ifaces, links []int
	var walls []time.Duration
	for range runs {
		start := time.Now()
		out, err := exec1(ctx, lab, bin, "trace", "--mda", "-M", "udp", "--confidence", fmt.Sprint(conf), "-n", "--json", dst)
		walls = append(walls, time.Since(start))
		if err != nil {
			hs.err = err.Error()
			break
		}
		p, i, l, err := readReport(out)
		if err != nil {
			hs.err = err.Error()
			break
		}
		probes, ifaces, links = append(probes, p), append(ifaces, i), append(links, l)
	}
	hs.short = ifaces
	if hs.err == "" {
		hs.runs, hs.probes, hs.ifaces, hs.links, hs.wall = runs, median(probes), median(ifaces), median(links), median(walls)
		hs.ifaceMin, hs.ifaceMax = slices.Min(ifaces), slices.Max(ifaces)
	}
	out := []measure{hs}
	for _, w := range []string{"15", "25"} {
		m := measure{tool: "scamper tracelb -W " + w}
		var probes, ifaces, links []int
		var walls []time.Duration
		for range peerRuns {
			start := time.Now()
			b, err := exec1(ctx, lab, "scamper", "-O", "json", "-c", fmt.Sprintf("tracelb -P udp-sport -c %d -W %s -w 1", conf, w), "-i", dst)
			walls = append(walls, time.Since(start))
			if err != nil {
				m.err = err.Error()
				break
			}
			p, i, l, err := readTracelb(b)
			if err != nil {
				m.err = err.Error()
				break
			}
			probes, ifaces, links = append(probes, p), append(ifaces, i), append(links, l)
		}
		m.short = ifaces
		if m.err == "" {
			m.runs, m.probes, m.ifaces, m.links, m.wall = peerRuns, median(probes), median(ifaces), median(links), median(walls)
			m.ifaceMin, m.ifaceMax = slices.Min(ifaces), slices.Max(ifaces)
		}
		out = append(out, m)
	}
	return out, nil
}

func exec1(ctx context.Context, lab *netlab.Lab, prog string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var errb bytes.Buffer
	cmd := lab.Exec(ctx, "client", prog, args...)
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %v: %s", prog, err, strings.TrimSpace(errb.String()))
	}
	return out, nil
}

// readReport returns the probes, interfaces and links of a hopscope JSON report.
func readReport(b []byte) (probes, ifaces, links int, err error) {
	var r struct {
		Path struct {
			Hops []struct {
				Responders []struct {
					Addr string `json:"addr"`
				} `json:"responders"`
			} `json:"hops"`
			Multipath *struct {
				Probes int               `json:"probes"`
				Links  []json.RawMessage `json:"links"`
			} `json:"multipath"`
		} `json:"path"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return 0, 0, 0, fmt.Errorf("hopscope report: %w", err)
	}
	if r.Path.Multipath == nil {
		return 0, 0, 0, fmt.Errorf("hopscope report without multipath section")
	}
	for _, h := range r.Path.Hops {
		ifaces += len(h.Responders)
	}
	return r.Path.Multipath.Probes, ifaces, len(r.Path.Multipath.Links), nil
}

// readTracelb returns the probes, interfaces and links of scamper's tracelb JSON, as hopscope's
// importer reads it (a link is two consecutive TTLs of one flow, or a single interface's neighbours).
func readTracelb(b []byte) (probes, ifaces, links int, err error) {
	trs, err := tracefile.Parse(b, tracefile.FormatScamper)
	if err != nil {
		return 0, 0, 0, err
	}
	for _, tr := range trs {
		if tr.Multipath == nil {
			continue
		}
		for _, h := range tr.Hops {
			ifaces += len(h.Responders)
		}
		return tr.Multipath.Probes, ifaces, len(tr.Multipath.Links), nil
	}
	return 0, 0, 0, fmt.Errorf("no tracelb object in scamper's output")
}

func median[T int | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "this machine"
	}
	return h
}

func numCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "processor\t:")
}

func scamperVersion() string {
	out, err := exec.Command("scamper", "-v").CombinedOutput()
	if err != nil && len(out) == 0 {
		return "(not installed)"
	}
	return strings.TrimSpace(string(out))
}
