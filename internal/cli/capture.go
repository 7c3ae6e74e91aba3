package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"hopscope/internal/analysis"
	"hopscope/internal/capture"
	"hopscope/internal/enrich"
	"hopscope/internal/inventory"
	"hopscope/internal/render"
	"hopscope/internal/report"
)

// captureOptions are the capture command's flags.
type captureOptions struct {
	g            *globalOptions
	iface        string
	filter       string
	duration     time.Duration
	count        int64
	snaplen      int
	flows        bool
	json         bool
	format       string
	fromLocation string
	resolve      bool
	noEnrich     bool
	rules        string
	maxStream    int
}

func newCaptureCmd(g *globalOptions) *cobra.Command {
	o := &captureOptions{g: g}
	cmd := &cobra.Command{
		Use:   "capture [FILE]",
		Short: "Name every flow in a pcap/pcapng file or a live capture and group them by domain",
		Long: `Read a capture (pcap or pcapng, multi-interface, mixed link types, optionally gzip-compressed) or
capture live from an interface (-i, Linux AF_PACKET, needs root or CAP_NET_RAW), and name every flow
by the strongest evidence in the traffic itself:

  1. TLS SNI           the start of the TCP stream is reassembled (post-quantum ClientHellos span segments)
  2. QUIC SNI          client Initial packets are decrypted (QUIC v1 and v2) and their CRYPTO frames joined
  3. HTTP Host         the Host header of a plain HTTP request
  4. DNS               an earlier DNS answer to the same client for the server address, within its TTL
                       (the name asked is kept when the answer came through CNAMEs)
  5. reverse DNS       only with --resolve (sends PTR queries)

Protocols are recognised by content, not port: tls, quic, http, http2, dns (UDP and TCP), mmtls
(WeChat: a record type byte then 0xF1 0x03/0x04), ssh, or unknown with the first bytes in hex.

The report groups flows by registrable domain and host with bytes, flows, protocols, the operator and
country of each server address, and the TCP handshake RTT as a speed-of-light bound: a server cannot
be farther than RTT × 100 km from the capture point, which checks the database's location when
--from-location gives the vantage point.

--filter takes a subset of the pcap-filter language (tcp, udp, ip, ip6, [src|dst] host/net/port,
portrange, and/or/not, parentheses; addresses, not host names). It applies to files and live capture
alike; live, it is also compiled to classic BPF and attached to the socket so the kernel drops the rest.`,
		Example: `  hopscope capture app.pcapng
  hopscope capture --flows --format markdown app.pcap.gz
  hopscope capture --json --from-location 22.54,114.06 wechat.pcap
  sudo hopscope capture -i eth0 --filter 'tcp port 443 or udp port 443' --duration 30s`,
		Args: argsUsage(func(c *cobra.Command, args []string) error {
			if o.iface != "" {
				if len(args) > 0 {
					return errors.New("give a capture FILE or -i IFACE, not both")
				}
				return nil
			}
			return cobra.ExactArgs(1)(c, args)
		}),
		RunE: func(c *cobra.Command, args []string) error {
			file := ""
			if len(args) == 1 {
				file = args[0]
			}
			return o.run(c.Context(), file)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.iface, "interface", "i", "", "capture live from this interface instead of reading a file (Linux, root or CAP_NET_RAW)")
	f.StringVar(&o.filter, "filter", "", "packet filter (pcap-filter subset: tcp udp ip ip6 [src|dst] host|net|port|portrange and or not)")
	f.DurationVar(&o.duration, "duration", 0, "stop a live capture after this long (0: until --count or Ctrl-C)")
	f.Int64Var(&o.count, "count", 0, "stop a live capture after this many packets (0: no limit)")
	f.IntVar(&o.snaplen, "snaplen", 65535, "bytes kept of each live frame")
	f.BoolVar(&o.flows, "flows", false, "list every flow instead of the per-domain summary")
	f.BoolVar(&o.json, "json", false, "write JSON (same as --format json)")
	f.StringVar(&o.format, "format", "text", "output format: text, json or markdown")
	f.StringVar(&o.fromLocation, "from-location", "", `where the capture was taken: a city ("Paris") or "LAT,LON", to check server locations against the handshake RTT`)
	f.BoolVar(&o.resolve, "resolve", false, "name flows that nothing else named by reverse DNS (sends PTR queries)")
	f.BoolVar(&o.noEnrich, "no-enrich", false, "do not look up who operates each server address and where")
	f.StringVar(&o.rules, "purpose-rules", "", `file of extra purpose rules, one "REGEXP PURPOSE" per line`)
	f.IntVar(&o.maxStream, "max-stream-bytes", 16<<10, "leading bytes of each TCP direction reassembled for recognition")
	return cmd
}

func (o *captureOptions) run(ctx context.Context, file string) error {
	if o.json {
		o.format = "json"
	}
	var from *analysis.Place
	if o.fromLocation != "" {
		var err error
		if from, err = analysis.ParseLocation(o.fromLocation); err != nil {
			return badInput(fmt.Errorf("--from-location: %w", err))
		}
	}
	flt, err := capture.ParseFilter(o.filter)
	if err != nil {
		return badInput(fmt.Errorf("--filter: %w", err))
	}
	var rules []inventory.PurposeRule
	if o.rules != "" {
		fh, err := os.Open(o.rules)
		if err != nil {
			return badInput(fmt.Errorf("--purpose-rules: %w", err))
		}
		rules, err = inventory.ParseRules(fh, o.rules)
		fh.Close()
		if err != nil {
			return badInput(err)
		}
	}
	rf, err := render.ByName(o.format, o.g.colorEnabled(o.g.streams.Out))
	if err != nil {
		return badInput(err)
	}
	cfg := capture.Config{Filter: flt, MaxStreamBytes: o.maxStream}
	var a *capture.Analyzer
	origin := file
	if o.iface != "" {
		if o.duration < 0 || o.count < 0 {
			return badInput(errors.New("--duration and --count must not be negative"))
		}
		a = capture.NewAnalyzer(cfg)
		origin = "interface " + o.iface
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
		defer stop()
		if isTTY(o.g.streams.Err) {
			fmt.Fprintf(o.g.streams.Err, "capturing on %s (Ctrl-C to stop)…\n", o.iface)
		}
		if err := capture.Live(ctx, capture.LiveOptions{Interface: o.iface, Duration: o.duration, Count: o.count, Snaplen: o.snaplen}, a); err != nil {
			return err // ErrNeedPrivilege and ErrLiveUnsupported say what to do
		}
	} else {
		if os.Getenv("GOGC") == "" {
			// Reading a file, the heap only grows as flows accumulate: collecting at every doubling
			// would mostly rescan live flows. GOGC in the environment wins.
			debug.SetGCPercent(400)
		}
		res, err := capture.ReadFile(file, cfg)
		if err != nil {
			return badInput(err)
		}
		a = res.Analyzer
	}
	inv := a.Inventory(origin)
	if o.resolve {
		reverseNames(ctx, inv)
	}
	for _, w := range inv.Warnings {
		fmt.Fprintf(o.g.streams.Err, "hopscope: warning: %s\n", w)
	}
	out := bufio.NewWriterSize(o.g.streams.Out, 64<<10)
	if o.flows {
		if err := o.writeFlows(out, inv, a); err != nil {
			return err
		}
		return out.Flush()
	}
	sum := inventory.Summarize(inv, rules)
	var servers map[netip.Addr]enrich.Info
	if !o.noEnrich {
		servers = enrichServers(o.g, sum)
	}
	rep := report.New(report.KindDomains, time.Now())
	rep.Domains = report.NewDomains(sum, servers, analysis.HostChecks(inv, servers, from))
	if err := rf(out, rep); err != nil {
		return err
	}
	return out.Flush()
}

// reverseNames names still-unnamed flows by the PTR record of their server address.
func reverseNames(ctx context.Context, inv *inventory.Inventory) {
	cache := map[netip.Addr]string{}
	for i := range inv.Flows {
		f := &inv.Flows[i]
		if f.Host != "" || !f.Server.IsValid() {
			continue
		}
		a := f.Server.Addr()
		name, ok := cache[a]
		if !ok {
			c, cancel := context.WithTimeout(ctx, 2*time.Second)
			names, err := net.DefaultResolver.LookupAddr(c, a.String())
			cancel()
			if err == nil && len(names) > 0 {
				name = strings.TrimSuffix(strings.ToLower(names[0]), ".")
			}
			cache[a] = name
		}
		if name != "" {
			f.Host, f.NameSource = name, "rdns"
		}
	}
}

// writeFlows lists every flow: JSON (the inventory) or a table.
func (o *captureOptions) writeFlows(w io.Writer, inv *inventory.Inventory, a *capture.Analyzer) error {
	switch o.format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(inv)
	case "text", "", "markdown", "md":
	default:
		return badInput(fmt.Errorf("--flows supports text, json and markdown, not %q", o.format))
	}
	md := o.format == "markdown" || o.format == "md"
	var tw *tabwriter.Writer
	row := func(cols ...string) {
		if md {
			fmt.Fprintf(w, "| %s |\n", strings.Join(cols, " | "))
		} else {
			fmt.Fprintln(tw, strings.Join(cols, "\t"))
		}
	}
	head := []string{"ID", "START", "TRANSPORT", "CLIENT", "SERVER", "PROTOCOL", "HOST", "BY", "DNS", "UP", "DOWN", "PKTS", "RTT", "FIRST BYTES"}
	if md {
		fmt.Fprintf(w, "# Flows in %s\n\n", inv.Origin)
		row(head...)
		fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(head)))
	} else {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		row(head...)
	}
	for _, f := range inv.Flows {
		dnsCol := ""
		if asked, host, chain, ok := a.DNSName(f.Client.Addr(), f.Server.Addr(), f.Start); ok {
			switch {
			case len(chain) > 0:
				dnsCol = strings.Join(chain, " → ")
			case asked != host:
				dnsCol = asked + " → " + host
			default:
				dnsCol = host
			}
		}
		rtt := ""
		if f.HasHandshakeRTT {
			rtt = fmt.Sprintf("%.1fms", float64(f.HandshakeRTT)/1e6)
		}
		host := f.Host
		if f.AskedName != "" {
			host += " (asked " + f.AskedName + ")"
		}
		row(f.ID, f.Start.Format("15:04:05.000"), f.Transport, f.Client.String(), f.Server.String(), f.Protocol, host, f.NameSource,
			dnsCol, strconv.FormatInt(f.BytesUp, 10), strconv.FormatInt(f.BytesDown, 10),
			strconv.FormatInt(f.PacketsUp+f.PacketsDown, 10), rtt, f.FirstBytes)
	}
	if tw != nil {
		return tw.Flush()
	}
	return nil
}
