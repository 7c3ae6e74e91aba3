package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"hopscope/internal/analysis"
	"hopscope/internal/capture"
	"hopscope/internal/har"
	"hopscope/internal/history"
	"hopscope/internal/inventory"
	"hopscope/internal/investigate"
	"hopscope/internal/path"
	"hopscope/internal/probe"
	"hopscope/internal/report"
	"hopscope/internal/session"
)

// investigateOptions are the flags of `hopscope investigate`.
type investigateOptions struct {
	g           *globalOptions
	hostsFile   string
	session     string
	harFile     string
	captureFile string
	top         int
	method      string
	port        int
	probes      int
	maxTTL      int
	timeout     time.Duration
	concurrency int
	dnsServer   string
	numeric     bool
	noHistory   bool
	rules       string
	out         outputFlags
	enrich      enrichFlags
	loc         locationFlags
	via         viaFlags
	now         func() time.Time
}

func newInvestigateCmd(g *globalOptions) *cobra.Command {
	o := &investigateOptions{g: g, now: time.Now}
	c := &cobra.Command{
		Use:   "investigate [flags] [HOST[:PORT]...]",
		Short: "Investigate an app end to end: resolve, trace, enrich and explain every host it used",
		Long: `investigate takes the hosts an application used, from a proxy session (--session), a HAR file
(--har), a capture (--capture), a host list (--hosts) or the command line, and for each host (a few at
a time) resolves the name, traces the path with TCP to the port the app used, enriches and explains it.
Then it describes the whole app: servers by country, operator and AS, each place's share of requests
and bytes, the slowest hosts and why, the slow segment several paths share, and what changed since
the previous investigation (kept in the history database; see "hopscope history").

--via globalping or --via atlas traces every host from a measurement network's probes instead, one
per --vantage location (--per-vantage each), and compares them for each host as "trace --via" does:
the host's line then says where it is slow and why. This sends every host name and the locations to
that network's API (hopscope says so on standard error first); Globalping's anonymous limit is about
250 tests an hour, and each probe of each host is one test.

Save the result with --json -o result.json and render it later with "hopscope report".`,
		Example: `  hopscope investigate --session wechat.session --format html -o wechat.html
  hopscope investigate --har browser.har --top 20
  hopscope investigate --capture app.pcapng --json -o app.json
  hopscope investigate img.example.test:443 api.example.test
  hopscope investigate --via globalping --vantage "Shenzhen, CN" --vantage Paris --top 5 --session wechat.session`,
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd.Context(), cmd.Flags(), args) },
	}
	f := c.Flags()
	f.StringVar(&o.hostsFile, "hosts", "", `file with one "host" or "host:port" per line ("-" for stdin)`)
	f.StringVar(&o.session, "session", "", "proxy session file recorded by \"hopscope proxy --session\"")
	f.StringVar(&o.harFile, "har", "", "HAR file (browsers, ZAP, mitmproxy, hopscope)")
	f.StringVar(&o.captureFile, "capture", "", "pcap or pcapng capture")
	f.IntVar(&o.top, "top", 0, "investigate only the N hosts with the most traffic (0: all)")
	f.StringVar(&o.method, "method", "tcp", `probe method: "tcp" (SYN to the app's port), "udp" or "icmp"`)
	f.IntVar(&o.port, "port", 0, "port to trace when the inventory does not say (default 443 for tcp)")
	f.IntVarP(&o.probes, "probes", "q", 3, "probes per hop")
	f.IntVarP(&o.maxTTL, "max-ttl", "m", 30, "last TTL to probe")
	durationVarP(f, &o.timeout, "timeout", "w", time.Second, "longest wait for a reply")
	f.IntVar(&o.concurrency, "concurrency", 4, "hosts investigated at once")
	f.StringVar(&o.dnsServer, "dns-server", "", "DNS server for names: host[:port], tcp://, tls:// or https://... (default: the first of /etc/resolv.conf, then the system resolver)")
	f.BoolVarP(&o.numeric, "numeric", "n", false, "do not resolve router names")
	f.BoolVar(&o.noHistory, "no-history", false, "do not compare with or store into the history database")
	f.StringVar(&o.rules, "purpose-rules", "", `file of extra purpose rules, one "REGEXP PURPOSE" per line`)
	addOutputFlags(f, &o.out, "text", "json", "markdown", "html")
	addEnrichFlags(f, &o.enrich, false)
	addLocationFlags(f, &o.loc)
	addViaFlags(f, &o.via)
	return c
}

// targets loads the host list from the chosen source.
func (o *investigateOptions) targets(ctx context.Context, args []string) (string, string, []investigate.Target, *inventory.Inventory, error) {
	n := 0
	for _, s := range []string{o.hostsFile, o.session, o.harFile, o.captureFile} {
		if s != "" {
			n++
		}
	}
	if len(args) > 0 {
		n++
	}
	if n != 1 {
		return "", "", nil, nil, usageError{errors.New("give exactly one of HOST arguments, --hosts, --session, --har or --capture")}
	}
	switch {
	case len(args) > 0:
		ts, err := investigate.ParseHosts(strings.NewReader(strings.Join(args, "\n")), "arguments")
		return "hosts", "command line", ts, nil, badInputIf(err)
	case o.hostsFile != "":
		var r io.Reader = o.g.streams.In
		name := "standard input"
		if o.hostsFile != "-" {
			fh, err := os.Open(o.hostsFile)
			if err != nil {
				return "", "", nil, nil, badInput(err)
			}
			defer fh.Close()
			r, name = fh, o.hostsFile
		}
		ts, err := investigate.ParseHosts(r, name)
		return "hosts", name, ts, nil, badInputIf(err)
	}
	var inv *inventory.Inventory
	var source, origin string
	switch {
	case o.session != "":
		fh, err := os.Open(o.session)
		if err != nil {
			return "", "", nil, nil, badInput(err)
		}
		defer fh.Close()
		inv, _, err = session.Read(fh, o.session)
		if err != nil {
			return "", "", nil, nil, badInput(err)
		}
		o.g.warn(inv.Warnings)
		source, origin = "proxy", o.session
	case o.harFile != "":
		fh, err := os.Open(o.harFile)
		if err != nil {
			return "", "", nil, nil, badInput(err)
		}
		defer fh.Close()
		hf, err := har.Decode(fh, o.harFile)
		if err != nil {
			return "", "", nil, nil, badInput(err)
		}
		inv = har.ToInventory(hf, o.harFile)
		source, origin = "har", o.harFile
	case o.captureFile != "":
		res, err := capture.ReadFile(o.captureFile, capture.Config{})
		if err != nil {
			return "", "", nil, nil, badInput(err)
		}
		inv = res.Analyzer.Inventory(o.captureFile)
		source, origin = "capture", o.captureFile
	}
	ts := investigate.TargetsFromInventory(inv)
	if len(ts) == 0 {
		return "", "", nil, nil, badInput(fmt.Errorf("%s: no hosts in the inventory", origin))
	}
	return source, origin, ts, inv, nil
}

func badInputIf(err error) error {
	if err == nil {
		return nil
	}
	return badInput(err)
}

func (o *investigateOptions) run(ctx context.Context, flags *pflag.FlagSet, args []string) error {
	format, err := o.out.resolve(flags)
	if err != nil {
		return err
	}
	if err := o.via.validate(flags); err != nil {
		return err
	}
	from, err := o.loc.place()
	if err != nil {
		return err
	}
	method := path.Protocol(strings.ToLower(o.method))
	if method != path.ProtoTCP && method != path.ProtoUDP && method != path.ProtoICMP {
		return usageError{fmt.Errorf("--method %q: want tcp, udp or icmp", o.method)}
	}
	if o.concurrency < 1 || o.top < 0 || o.port < 0 || o.port > 65535 {
		return usageError{errors.New("--concurrency must be at least 1, --top not negative, --port 0..65535")}
	}
	rules, err := readPurposeRules(o.rules)
	if err != nil {
		return err
	}
	source, origin, targets, inv, err := o.targets(ctx, args)
	if err != nil {
		return err
	}
	if o.top > 0 && len(targets) > o.top {
		targets = targets[:o.top]
	}
	pcfg := probe.Config{ProbesPerHop: o.probes, MaxTTL: o.maxTTL, Timeout: o.timeout, MaxSilent: 5, Rate: 1000}
	if _, err := probe.NewTracer(pcfg); err != nil {
		return usageError{err}
	}
	e, err := o.enrich.open(o.g)
	if err != nil {
		return err
	}
	defer e.Close()
	resolver, names, err := investigateDNS(o.dnsServer, o.numeric)
	if err != nil {
		return usageError{err}
	}
	cfg := investigate.Config{
		Resolver:    resolver,
		Tracer:      probeTracer{method: method, port: o.port, cfg: pcfg, names: names},
		Enricher:    e,
		Analysis:    analysis.Options{From: from},
		Concurrency: o.concurrency,
		Now:         o.now,
	}
	if o.via.via != "" {
		r, err := newViaRunner(o.g, o.via)
		if err != nil {
			return err
		}
		vt := viaTracer{r: r, proto: strings.ToUpper(string(method)), port: o.port}
		r.tell(hostList(targets), vt.what())
		cfg.Vantages = vt
	}
	if isTTY(o.g.streams.Err) {
		cfg.Progress = func(done, total int, host string, err error) {
			status := "ok"
			if err != nil {
				status = "failed"
			}
			fmt.Fprintf(o.g.streams.Err, "\r\033[K[%d/%d] %s %s", done, total, host, status)
			if done == total {
				fmt.Fprintln(o.g.streams.Err)
			}
		}
	}
	res, err := investigate.Run(ctx, cfg, source, origin, targets)
	if err != nil {
		return err
	}
	if inv != nil {
		sum := inventory.Summarize(inv, rules)
		res.Domains = report.NewDomains(sum, serverInfos(e, sum), nil)
	}
	if !o.noHistory {
		if err := o.recordHistory(ctx, res); err != nil {
			fmt.Fprintf(o.g.streams.Err, "hopscope: warning: history: %v\n", err)
		}
	}
	rep := report.New(report.KindInvestigation, o.now())
	rep.Investigation = res
	if err := o.out.write(o.g, format, rep); err != nil {
		return err
	}
	measured := 0
	for _, h := range res.Hosts {
		if h.Error == "" {
			measured++
		}
	}
	if measured == 0 {
		return &ExitError{Code: ExitFailure, Err: errors.New("investigate: no host could be measured")}
	}
	return nil
}

// recordHistory attaches what changed since the previous investigation of each host and stores the new
// records in the history database of the data directory.
func (o *investigateOptions) recordHistory(ctx context.Context, inv *report.Investigation) error {
	dir, err := o.g.dataPath()
	if err != nil {
		return err
	}
	st, err := history.Open(history.DefaultPath(dir))
	if err != nil {
		return err
	}
	defer st.Close()
	return investigate.RecordHistory(ctx, st, inv)
}

// probeTracer traces with our probe engine.
type probeTracer struct {
	method path.Protocol
	port   int
	cfg    probe.Config
	names  probe.Namer
}

func (p probeTracer) Trace(ctx context.Context, t path.Target) (*path.Trace, error) {
	port := t.Port
	if port == 0 {
		port = p.port
	}
	if p.method == path.ProtoICMP {
		port = 0
	}
	t.Port = port
	return probe.Run(ctx, t, probe.Options{Config: p.cfg, Method: p.method, Port: port, Names: p.names})
}

// viaTracer traces a host from a measurement network's probes, for investigate --via.
type viaTracer struct {
	r     *viaRunner
	proto string
	// port is traced when the host's own is unknown; 0 means 443 for TCP and the network's default for UDP.
	port int
}

func (v viaTracer) what() string { return strings.ToLower(v.proto) + " traceroute" }

// TraceFrom sends the host's name (the probes resolve it where they are), or its address when it has none.
func (v viaTracer) TraceFrom(ctx context.Context, t path.Target) ([]*path.Trace, error) {
	host := t.Name
	if host == "" {
		host = t.Addr.String()
	}
	port := t.Port
	if port == 0 {
		port = v.port
	}
	switch {
	case v.proto == "ICMP":
		port = 0
	case v.proto == "TCP" && port == 0:
		port = 443
	}
	return v.r.run(ctx, viaMeasure{host: host, proto: v.proto, port: port})
}

// hostList names the hosts sent, the first few of them and how many in all.
func hostList(ts []investigate.Target) string {
	const shown = 5
	names := make([]string, 0, shown)
	for i, t := range ts {
		if i == shown {
			break
		}
		names = append(names, t.Host)
	}
	s := strings.Join(names, ", ")
	if len(ts) > shown {
		s += fmt.Sprintf(" and %d more", len(ts)-shown)
	}
	if len(ts) == 1 {
		return "the host name " + s
	}
	return fmt.Sprintf("%d host names (%s)", len(ts), s)
}
