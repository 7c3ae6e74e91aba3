package cli

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"hopscope/internal/analysis"
	"hopscope/internal/dns"
	"hopscope/internal/enrich"
	"hopscope/internal/mda"
	"hopscope/internal/path"
	"hopscope/internal/probe"
	"hopscope/internal/report"
	"hopscope/internal/rounds"
)

// traceOptions are the flags of `hopscope trace`.
type traceOptions struct {
	host      string
	method    string
	port      int
	ipv4      bool
	ipv6      bool
	probes    int
	firstTTL  int
	maxTTL    int
	vary      bool
	mtu       bool
	rate      float64
	timeout   time.Duration
	maxSilent int
	dnsServer string
	noResolve bool
	mode      string
	allAddrs  bool
	count     int
	interval  time.Duration
	out       outputFlags
	enrich    enrichFlags
	loc       locationFlags
	via       viaFlags
	live      liveFlags
	mda       mdaFlags
}

func newTraceCmd(g *globalOptions) *cobra.Command {
	o := &traceOptions{}
	c := &cobra.Command{
		Use:   "trace [flags] HOST",
		Short: "Trace the path to HOST yourself (ICMP, UDP or TCP; IPv4 or IPv6) and explain it",
		Long: `trace resolves HOST (showing its alias chain and every address), sends probes for every TTL at
once (paced), and enriches, explains and reports the path exactly as "hopscope analyze" does.

Probes keep one flow for the whole trace (Paris traceroute), so load balancers show one path;
--vary-flows gives each probe of a hop its own flow and shows every responder. The trace stops at
the destination's TTL, waits for replies adaptively (1.5 × the path's RTT, at least 100 ms; beyond
the last responder at least half of --timeout; never more than --timeout), and stops after
--max-silent silent hops beyond the last responder. No reply is lost to that speed: a reply that
comes after its probe's wait still counts (marked late: evidence of a router slow to send ICMP), and a
hop still silent gets one more probe and is waited for until 60% of --timeout after its first probe
(600 ms by default: ICMP ~500 ms late is shown; a router answering later than that is shown with
--timeout raised, e.g. -w 3 as traceroute's).

-c N runs N rounds, as mtr -c does (mtr's report mode), and reports per hop and per responder the
probes sent, the loss, the last, average, best and worst RTT, the standard deviation and the jitter
(the mean difference between consecutive RTTs); a round starts every --interval (1 s), or at once
when the last one took longer, and sends -q probes per hop (1 with -c unless -q is given). Every round
keeps the same flow (Paris traceroute across rounds); a hop silent in a round is a loss in that round,
and a reply that comes after its round counts in its own round. Memory stays bounded (the last 100
RTTs per responder and rounds per hop are kept), so a run can last hours; Ctrl-C stops it and reports
what the rounds so far measured. Without -c (or -c 0) trace makes one pass.

On a terminal, -c draws a live view that updates each round, as mtr's and Trippy's screens do:
the hop table with loss and RTT statistics and a latency history, AS, operator and place, and the
explanation as it learns. Keys: p pause, r reset the statistics, d every responder, n names, a AS,
l places, q quit; the final report then goes to standard output or -o. --no-live prints only the
final report.

--mda enumerates every load-balanced path instead, with the Multipath Detection Algorithm (Augustin et
al., as scamper tracelb and Paris traceroute's mda run it): hop by hop, probes on distinct flows (-M udp
varies the destination port, tcp the source port, icmp the checksum and, over IPv6, the flow label) go
through each interface of the hop before until its next hops are known at --confidence (95 or 99%: 6
probes rule out a second next hop at 95%, 11 a third, 16 a fourth, ...). Every interface seen is a
responder of its hop and the report carries the links between hops; --max-probes and --timeout bound
the run, and hops left unfinished are reported incomplete. Routers that hash only addresses and ports
(Linux among them) send every ICMP echo down one branch, so use -M udp or tcp to see their balancing.
TCP needs raw sockets (CAP_NET_RAW) for it.

--mtu discovers the path MTU afterwards, as tracepath does, and names the hop where it drops. In raw
mode the packet quoted in each ICMP error is compared with the probe sent, so a NAT that rewrites the
probe without translating the quote is reported at its hop; a NAT that translates the quote back (RFC
5508, as Linux connection tracking does) cannot be seen this way, and unprivileged mode sees none.

Raw sockets are used when the process has CAP_NET_RAW; otherwise ICMP datagram sockets
(net.ipv4.ping_group_range) and UDP/TCP sockets with IP_RECVERR, as tracepath does.

--via globalping or --via atlas runs the traceroute from a measurement network's probes instead,
one per --vantage location (--per-vantage each), and compares the vantage points: per origin the AS path,
where the path leaves the origin's country, the RTT against the speed-of-light minimum from there,
the segment the paths share, and a summary of where it is slow and why. This is an explicit opt-in:
HOST and the --vantage locations are sent to that network's API (api.globalping.io, or
atlas.ripe.net, which spends your credits), and hopscope says so on standard error before sending.
Globalping works without an account (about 250 tests an hour); a token from GLOBALPING_TOKEN or
the file globalping-token in the data directory raises the limit. RIPE Atlas needs an API key
allowed to create measurements, from RIPE_ATLAS_KEY or the file ripe-atlas-key in the data
directory; its probe coordinates are obfuscated by a few hundred metres. --method, --port, -4 and
-6 apply; the flags that steer this machine's probes do not. With -c N, Globalping runs mtr with N
packets per hop (1 to 16) and reports loss and jitter per hop; RIPE Atlas does not offer mtr. A saved
Globalping measurement or Atlas /latest/ answer is read by "hopscope analyze".`,
		Example: `  hopscope trace example.com
  hopscope trace --method tcp --port 443 -q 5 app.example.com
  hopscope trace --vary-flows -6 example.com
  hopscope trace --mda -M udp --confidence 99 example.com
  hopscope trace --all-addresses --json example.com
  hopscope trace -c 60 --interval 0.5 example.com
  hopscope trace --via globalping --vantage "Shenzhen, CN" --vantage Paris --per-vantage 2 example.com
  RIPE_ATLAS_KEY=... hopscope trace --via atlas --vantage CN --vantage FR example.com`,
		Args: argsUsage(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.host = args[0]
			if o.count == 0 && cmd.Flags().Changed("interval") {
				return usageError{errors.New("--interval applies to rounds: give -c N")}
			}
			if o.count > 0 && !cmd.Flags().Changed("probes") {
				o.probes = 1 // a round probes each hop once, as mtr's
			}
			format, err := o.out.resolve(cmd.Flags())
			if err != nil {
				return err
			}
			if err := o.via.validate(cmd.Flags()); err != nil {
				return err
			}
			if err := o.mda.validate(cmd.Flags(), o); err != nil {
				return err
			}
			if o.via.via != "" {
				return runTraceVia(cmd.Context(), g, o, format)
			}
			return runTrace(cmd.Context(), g, o, format)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.method, "method", "M", "icmp", `probe method: "icmp" (echo), "udp" or "tcp" (SYN)`)
	f.IntVarP(&o.port, "port", "p", 0, "destination port for udp/tcp (default 33434 for udp, 443 for tcp)")
	f.BoolVarP(&o.ipv4, "ipv4", "4", false, "trace an IPv4 address only")
	f.BoolVarP(&o.ipv6, "ipv6", "6", false, "trace an IPv6 address only")
	f.IntVarP(&o.probes, "probes", "q", 3, "probes per hop")
	f.IntVarP(&o.firstTTL, "first-ttl", "f", 1, "first TTL to probe")
	f.IntVarP(&o.maxTTL, "max-ttl", "m", 30, "last TTL to probe")
	f.BoolVar(&o.vary, "vary-flows", false, "give each probe of a hop its own flow and show every responder: UDP varies the destination port from --port up, TCP the source port, ICMP the checksum (and IPv6 the flow label); default: one pinned flow")
	f.Float64Var(&o.rate, "rate", 2000, "probes per second")
	durationVarP(f, &o.timeout, "timeout", "w", time.Second, "longest wait for a reply")
	f.IntVar(&o.maxSilent, "max-silent", 5, "stop after this many silent hops beyond the last responder when the destination does not answer")
	f.StringVar(&o.dnsServer, "dns-server", "", "DNS server for the target and reverse names: host[:port], tcp://, tls:// or https://... (default: the first of /etc/resolv.conf, then the system resolver)")
	f.BoolVarP(&o.noResolve, "numeric", "n", false, "do not resolve responder names")
	f.BoolVar(&o.mtu, "mtu", false, "discover the path MTU after the trace, as tracepath does (UDP probes with don't-fragment set), and report the hop where it drops")
	f.StringVar(&o.mode, "socket", "auto", `sockets: "auto", "raw" (needs CAP_NET_RAW) or "unprivileged"`)
	f.IntVarP(&o.count, "count", "c", 0, "run this many rounds and report loss, jitter and RTT statistics per hop, as mtr -c (0: one pass)")
	durationVarP(f, &o.interval, "interval", "", time.Second, "time between the starts of rounds with -c")
	f.BoolVar(&o.allAddrs, "all-addresses", false, "trace every address HOST resolves to, at once (one report section per address)")
	addOutputFlags(f, &o.out, "text", "json", "markdown", "html", "csv")
	addEnrichFlags(f, &o.enrich, false)
	addLocationFlags(f, &o.loc)
	addViaFlags(f, &o.via)
	addLiveFlags(f, &o.live)
	addMDAFlags(f, &o.mda)
	return c
}

// options validates the flags and turns them into the probe and DNS configuration. The hop namer
// (Options.Names) is set once the resolver exists, unless --numeric.
func (o *traceOptions) options() (probe.Options, dns.PathConfig, error) {
	var po probe.Options
	var rc dns.PathConfig
	switch m := path.Protocol(strings.ToLower(o.method)); m {
	case path.ProtoICMP, path.ProtoUDP, path.ProtoTCP:
		po.Method = m
	default:
		return po, rc, fmt.Errorf("--method %q: want icmp, udp or tcp", o.method)
	}
	if o.port != 0 && po.Method == path.ProtoICMP {
		return po, rc, errors.New("--port applies to --method udp or tcp")
	}
	if o.port < 0 || o.port > 65535 {
		return po, rc, fmt.Errorf("--port %d: want 1..65535", o.port)
	}
	if o.ipv4 && o.ipv6 {
		return po, rc, errors.New("-4 and -6 exclude each other")
	}
	if o.rate <= 0 || o.timeout <= 0 || o.maxSilent < 0 {
		return po, rc, errors.New("--rate and --timeout must be positive, --max-silent not negative")
	}
	if o.count < 0 {
		return po, rc, fmt.Errorf("--count %d: want 0 (one pass) or more rounds", o.count)
	}
	if o.count > 0 && o.interval <= 0 {
		return po, rc, errors.New("--interval must be positive")
	}
	if o.count > 0 && o.mtu {
		return po, rc, errors.New("--mtu runs with a single pass, not with --count")
	}
	switch o.mode {
	case "auto":
	case "raw":
		po.Mode = probe.ModeRaw
	case "unprivileged":
		po.Mode = probe.ModeUnprivileged
	default:
		return po, rc, fmt.Errorf("--socket %q: want auto, raw or unprivileged", o.mode)
	}
	po.Port = o.port
	po.PathMTU = o.mtu
	po.Config = probe.Config{ProbesPerHop: o.probes, FirstTTL: o.firstTTL, MaxTTL: o.maxTTL, Vary: o.vary,
		Rate: o.rate, Timeout: o.timeout, MaxSilent: o.maxSilent}
	if o.maxSilent == 0 {
		po.Config.MaxSilent = o.maxTTL // 0 on the command line means never stop early
	}
	if _, err := probe.NewTracer(po.Config); err != nil {
		return po, rc, err
	}
	if o.dnsServer != "" {
		if _, err := dns.ParseServer(o.dnsServer); err != nil {
			return po, rc, fmt.Errorf("--dns-server: %w", err)
		}
	}
	rc.Server = o.dnsServer
	switch {
	case o.ipv4:
		rc.Family = dns.IPv4Only
	case o.ipv6:
		rc.Family = dns.IPv6Only
	}
	return po, rc, nil
}

func runTrace(ctx context.Context, g *globalOptions, o *traceOptions, format string) error {
	po, rc, err := o.options()
	if err != nil {
		return badInput(err)
	}
	from, err := o.loc.place()
	if err != nil {
		return err
	}
	// The enrichment database loads while the probes are out.
	type loaded struct {
		e   *enrich.Enricher
		err error
	}
	enr := make(chan loaded, 1)
	go func() {
		e, err := o.enrich.open(g)
		enr <- loaded{e, err}
	}()
	defer func() {
		if l := <-enr; l.e != nil {
			l.e.Close()
		}
	}()
	resolver, names, err := traceDNS(rc, o.noResolve)
	if err != nil {
		return badInput(err)
	}
	po.Names = names
	target, warnings, err := resolver.Target(ctx, o.host)
	if err != nil {
		return err
	}
	targets := []path.Target{target}
	if o.allAddrs {
		targets = allTargets(target, rc.Family)
	}
	if o.live.use(g, o, format) {
		l := <-enr
		enr <- l // for the deferred Close
		if l.err != nil {
			return l.err
		}
		return runTraceLive(ctx, g, o, format, target, warnings, po, l.e, from)
	}
	// Every address is traced at once: each trace has its own sockets and identifiers.
	traces := make([]*path.Trace, len(targets))
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if o.count > 0 {
				traces[i], errs[i] = runRounds(ctx, t, po, o.count, o.interval)
			} else if o.mda.on {
				traces[i], errs[i] = mda.Trace(ctx, t, o.mda.options(po))
			} else {
				traces[i], errs[i] = probe.Run(ctx, t, po)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		if errors.Is(err, probe.ErrNeedPrivilege) {
			return &ExitError{Code: ExitFailure, Err: err}
		}
		return fmt.Errorf("trace %s: %w", o.host, err)
	}
	l := <-enr
	enr <- l // for the deferred Close
	if l.err != nil {
		return l.err
	}
	rep := report.New(report.KindPath, traces[0].Started)
	answered := false
	for _, tr := range traces {
		tr.Warnings = append(slices.Clone(warnings), tr.Warnings...)
		p := analysis.Path(tr, l.e, analysis.Options{From: from})
		if len(traces) == 1 {
			rep.Path = p
		} else {
			rep.Paths = append(rep.Paths, p)
		}
		answered = answered || reached(tr) || len(tr.Addrs()) > 1
	}
	rep.Comparison = report.ComparePaths(rep.Paths)
	if err := o.out.write(g, format, rep); err != nil {
		return err
	}
	if !answered {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("trace %s: nothing answered", o.host)}
	}
	return nil
}

// runRounds traces t count times over one flow and returns the statistics of the rounds (those so
// far when ctx ends, as on Ctrl-C).
func runRounds(ctx context.Context, t path.Target, po probe.Options, count int, interval time.Duration) (*path.Trace, error) {
	s, err := probe.OpenSession(t, po)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return rounds.Run(ctx, s.Round, rounds.Config{Rounds: count, Interval: interval})
}

// allTargets returns one target per address of t (of the wanted family), each listing the others.
func allTargets(t path.Target, fam dns.Family) []path.Target {
	var out []path.Target
	all := append([]netip.Addr{t.Addr}, t.OtherAddrs...)
	for _, a := range all {
		if !fam.Allows(a) {
			continue
		}
		x := t
		x.Addr = a
		x.OtherAddrs = slices.DeleteFunc(slices.Clone(all), func(b netip.Addr) bool { return b == a })
		out = append(out, x)
	}
	return out
}

func reached(tr *path.Trace) bool { ok, _ := tr.Reached(); return ok }
