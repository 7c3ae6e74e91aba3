package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"hopscope/internal/analysis"
	"hopscope/internal/capture"
	"hopscope/internal/inventory"
	"hopscope/internal/report"
)

// captureOptions are the capture command's flags.
type captureOptions struct {
	g         *globalOptions
	iface     string
	filter    string
	duration  time.Duration
	count     int64
	snaplen   int
	flows     bool
	resolve   bool
	rules     string
	maxStream int
	out       outputFlags
	enrich    enrichFlags
	loc       locationFlags
}

func newCaptureCmd(g *globalOptions) *cobra.Command {
	o := &captureOptions{g: g}
	cmd := &cobra.Command{
		Use:   "capture [FILE...]",
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
alike; live, it is also compiled to classic BPF and attached to the socket so the kernel drops the rest.

Several files (or a quoted glob such as 'captures/*.pcap', expanded here) make one inventory: their
flows are merged, each file's warnings are named by its file, and a capture spanning more than a day
shows dates. --flows lists the flows of one file.

Output (--format, --json, -o): the summary as text (the default), json, markdown, html or csv (one row
per host); --flows lists every flow as text, json (the inventory) or markdown.`,
		Example: `  hopscope capture app.pcapng
  hopscope capture --flows --format markdown app.pcap.gz
  hopscope capture 'monday/*.pcapng' tuesday.pcap
  hopscope capture --json --from-location 22.54,114.06 wechat.pcap
  sudo hopscope capture -i eth0 --filter 'tcp port 443 or udp port 443' --duration 30`,
		Args: argsUsage(func(c *cobra.Command, args []string) error {
			if o.iface != "" {
				if len(args) > 0 {
					return errors.New("give a capture FILE or -i IFACE, not both")
				}
				return nil
			}
			return cobra.MinimumNArgs(1)(c, args)
		}),
		RunE: func(c *cobra.Command, args []string) error {
			return o.run(c.Context(), c.Flags(), args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.iface, "interface", "i", "", "capture live from this interface instead of reading a file (Linux, root or CAP_NET_RAW)")
	f.StringVar(&o.filter, "filter", "", "packet filter (pcap-filter subset: tcp udp ip ip6 [src|dst] host|net|port|portrange and or not)")
	durationVarP(f, &o.duration, "duration", "", 0, "stop a live capture after this long (0: until --count or Ctrl-C)")
	f.Int64Var(&o.count, "count", 0, "stop a live capture after this many packets (0: no limit)")
	f.IntVar(&o.snaplen, "snaplen", 65535, "bytes kept of each live frame")
	f.BoolVar(&o.flows, "flows", false, "list every flow instead of the per-domain summary")
	f.BoolVar(&o.resolve, "resolve", false, "name flows that nothing else named by reverse DNS (sends PTR queries)")
	f.StringVar(&o.rules, "purpose-rules", "", `file of extra purpose rules, one "REGEXP PURPOSE" per line`)
	f.IntVar(&o.maxStream, "max-stream-bytes", 16<<10, "leading bytes of each TCP direction reassembled for recognition")
	addOutputFlags(f, &o.out, "text", "json", "markdown", "html", "csv")
	addEnrichFlags(f, &o.enrich, true)
	addLocationFlags(f, &o.loc)
	return cmd
}

func (o *captureOptions) run(ctx context.Context, flags *pflag.FlagSet, args []string) error {
	format, err := o.out.resolve(flags)
	if err != nil {
		return err
	}
	if o.flows && (format == "html" || format == "csv") {
		return usageError{fmt.Errorf("--flows lists flows as text, json or markdown; the %s report is the summary (without --flows)", format)}
	}
	files, err := captureFiles(args)
	if err != nil {
		return err
	}
	if o.flows && len(files) > 1 {
		return usageError{fmt.Errorf("--flows lists the flows of one file; %d given", len(files))}
	}
	from, err := o.loc.place()
	if err != nil {
		return err
	}
	flt, err := capture.ParseFilter(o.filter)
	if err != nil {
		return badInput(fmt.Errorf("--filter: %w", err))
	}
	rules, err := readPurposeRules(o.rules)
	if err != nil {
		return err
	}
	if o.maxStream < 0 {
		return usageError{fmt.Errorf("--max-stream-bytes %d: want a positive byte count (0 means 16 KiB)", o.maxStream)}
	}
	cfg := capture.Config{Filter: flt, MaxStreamBytes: o.maxStream}
	var a *capture.Analyzer
	var inv *inventory.Inventory
	if o.iface != "" {
		if o.duration < 0 || o.count < 0 {
			return badInput(errors.New("--duration and --count must not be negative"))
		}
		a = capture.NewAnalyzer(cfg)
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
		defer stop()
		if isTTY(o.g.streams.Err) {
			fmt.Fprintf(o.g.streams.Err, "capturing on %s (Ctrl-C to stop)…\n", o.iface)
		}
		if err := capture.Live(ctx, capture.LiveOptions{Interface: o.iface, Duration: o.duration, Count: o.count, Snaplen: o.snaplen}, a); err != nil {
			return err // ErrNeedPrivilege and ErrLiveUnsupported say what to do
		}
		inv = a.Inventory("interface " + o.iface)
	} else {
		if os.Getenv("GOGC") == "" {
			// Reading a file, the heap only grows as flows accumulate: collecting at every doubling
			// would mostly rescan live flows. GOGC in the environment wins.
			debug.SetGCPercent(400)
		}
		for i, file := range files {
			res, err := capture.ReadFile(file, cfg)
			if err != nil {
				return badInput(err)
			}
			a = res.Analyzer
			one := a.Inventory(file)
			if len(files) == 1 {
				inv = one
				break
			}
			inv = mergeInventory(inv, one, file, i+1, len(files))
		}
	}
	if o.resolve {
		reverseNames(ctx, inv)
	}
	for _, w := range inv.Warnings {
		fmt.Fprintf(o.g.streams.Err, "hopscope: warning: %s\n", w)
	}
	if o.flows {
		return o.out.emit(o.g, func(w io.Writer) error { return writeFlows(w, format, inv, a) })
	}
	sum := inventory.Summarize(inv, rules)
	servers, err := enrichServers(o.g, &o.enrich, sum)
	if err != nil {
		return err
	}
	rep := report.New(report.KindDomains, time.Now())
	rep.Domains = report.NewDomains(sum, servers, analysis.HostChecks(inv, servers, from))
	return o.out.write(o.g, format, rep)
}

// captureFiles expands the FILE arguments: an argument that names no file but holds glob characters is
// expanded (for shells that pass it quoted); a glob that matches nothing is an error naming it.
func captureFiles(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		if _, err := os.Stat(arg); err == nil || !strings.ContainsAny(arg, "*?[") {
			files = append(files, arg)
			continue
		}
		m, err := filepath.Glob(arg)
		if err != nil {
			return nil, usageError{fmt.Errorf("capture %q: %w", arg, err)}
		}
		if len(m) == 0 {
			return nil, badInput(fmt.Errorf("capture %q: no file matches", arg))
		}
		files = append(files, m...)
	}
	return files, nil
}

// mergeInventory adds the inventory of file number pos (from 1) of n to the merged one: flow IDs get the
// file's number ("2:17") so they stay unique, its warnings are named by the file, the span covers both.
func mergeInventory(into, one *inventory.Inventory, file string, pos, n int) *inventory.Inventory {
	if into == nil {
		into = &inventory.Inventory{Source: one.Source, Origin: fmt.Sprintf("%d files", n)}
	}
	for _, f := range one.Flows {
		f.ID = strconv.Itoa(pos) + ":" + f.ID
		into.Flows = append(into.Flows, f)
	}
	for _, w := range one.Warnings {
		into.Warnings = append(into.Warnings, file+": "+w)
	}
	if !one.Started.IsZero() && (into.Started.IsZero() || one.Started.Before(into.Started)) {
		into.Started = one.Started
	}
	if one.Ended.After(into.Ended) {
		into.Ended = one.Ended
	}
	return into
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

// writeFlows lists every flow in format: JSON (the inventory), or a text or Markdown table.
func writeFlows(w io.Writer, format string, inv *inventory.Inventory, a *capture.Analyzer) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(inv)
	}
	md := format == "markdown"
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
