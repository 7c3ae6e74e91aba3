package cli

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"hopscope/internal/dns"
	"hopscope/internal/enrich"
	"hopscope/internal/report"
)

// dnsOptions are the dns command's flags.
type dnsOptions struct {
	g           *globalOptions
	types       string
	server      string
	trace       bool
	subnets     []string
	compare     []netip.Prefix // every --subnet when more than one was given
	timeout     time.Duration
	tries       int
	caFile      string
	roots       []string
	tracePort   uint16
	bulk        string
	concurrency int
	ptr         bool
	out         outputFlags
	enrich      enrichFlags
	// format is the resolved output format.
	format string
}

func newDNSCmd(g *globalOptions) *cobra.Command {
	o := &dnsOptions{g: g}
	cmd := &cobra.Command{
		Use:   "dns NAME|ADDRESS",
		Short: "The full DNS resolution: aliases, every address, TTLs, authority, DNSSEC, client subnet",
		Long: `Resolve NAME and show the whole answer as a tree: each CNAME step with its TTL, every A and AAAA
address with who operates it and where, the zone's name servers and SOA, which server answered,
the DNSSEC evidence (AD bit, signatures, the resolver's validation) and the timing of every query.

Servers (--dns-server; --server and -s still work but are deprecated):
  ADDR[:PORT]                  UDP, retried over TCP when the reply is truncated (default: /etc/resolv.conf)
  udp://ADDR[:PORT]            UDP only
  tcp://ADDR[:PORT]            TCP only
  tls://HOST[:PORT]            DNS over TLS (port 853)
  https://HOST[:PORT]/PATH     DNS over HTTPS (path /dns-query when omitted)

An ADDRESS asks for its PTR name (reverse lookup).

--trace follows delegation from the root servers (--root, default the IANA roots) and names lame
servers; --subnet sends EDNS Client Subnet to see what a client elsewhere gets ("what does a user in
Shenzhen get?"); several --subnet values compare the answers side by side; --bulk FILE resolves one name
per line with bounded concurrency.

Output (--format, --json, -o): text (the default), json, markdown or html; with --bulk, one line per
name as text, or one JSON object per line with --json.

Exit codes: 0 answer, 1 failure (SERVFAIL, REFUSED, timeout, CNAME loop, lame delegation, malformed
reply), 2 bad input, 3 negative answer (NXDOMAIN or NODATA).`,
		Example: `  hopscope dns vweixinthumb.tc.qq.com
  hopscope dns --dns-server tls://dns.example:853 --type MX example.com
  hopscope dns --subnet 203.0.113.0/24 cdn.example.com
  hopscope dns --subnet 203.0.113.0/24,198.51.100.0/24 cdn.example.com
  hopscope dns --trace www.example.com
  hopscope dns --bulk names.txt --concurrency 64`,
		Args: argsUsage(func(c *cobra.Command, args []string) error {
			if o.bulk != "" {
				return cobra.NoArgs(c, args)
			}
			return cobra.ExactArgs(1)(c, args)
		}),
		RunE: func(c *cobra.Command, args []string) error {
			warnDeprecated(c.Flags(), g.streams.Err)
			format, err := o.out.resolve(c.Flags())
			if err != nil {
				return err
			}
			o.format = format
			if o.bulk != "" {
				return o.runBulk(c.Context())
			}
			return o.run(c.Context(), args[0])
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.types, "type", "t", "", "record types, comma-separated (A, AAAA, CNAME, MX, TXT, NS, SOA, PTR, ...); default A and AAAA")
	f.StringVar(&o.server, "dns-server", "", "server to ask (see above); default the first nameserver of /etc/resolv.conf (--server and -s are deprecated names for it)")
	deprecatedAlias(f, "server", "s", "dns-server")
	f.BoolVar(&o.trace, "trace", false, "follow delegation from the root servers instead of asking a resolver")
	f.StringSliceVar(&o.subnets, "subnet", nil, "EDNS Client Subnet to send, as CIDR (203.0.113.0/24) or an address (/24 or /56 is used); several (repeated or comma-separated) compare the answers, the first one giving the full view")
	durationVarP(f, &o.timeout, "timeout", "", dns.DefaultTimeout, "wait for each reply")
	f.IntVar(&o.tries, "tries", dns.DefaultTries, "UDP datagrams sent per query within --timeout when no reply comes, each wait twice the last (dig's +tries)")
	f.StringVar(&o.caFile, "ca-file", "", "PEM file of the CA certificates to trust for tls:// and https:// servers, instead of the system roots")
	f.StringSliceVar(&o.roots, "root", nil, "root server ADDR[:PORT] for --trace (repeatable); default the IANA root servers")
	f.Uint16Var(&o.tracePort, "trace-port", 53, "port of the servers found by delegation during --trace (for private DNS labs)")
	f.StringVar(&o.bulk, "bulk", "", "resolve every name in FILE (one per line, # comments; - for stdin) and print one line each")
	f.IntVar(&o.concurrency, "concurrency", dns.DefaultBulkConcurrency, "resolutions in flight with --bulk")
	f.BoolVar(&o.ptr, "ptr", false, "also ask for the reverse (PTR) name of every address; router-style names add location hints")
	addOutputFlags(f, &o.out, "text", "json", "markdown", "html")
	addEnrichFlags(f, &o.enrich, true)
	return cmd
}

// config turns the flags into a resolver configuration; errors are bad input.
func (o *dnsOptions) config() (dns.Config, []uint16, error) {
	var cfg dns.Config
	var types []uint16
	if o.types != "" {
		for _, s := range strings.Split(o.types, ",") {
			t, err := dns.ParseType(s)
			if err != nil {
				return cfg, nil, fmt.Errorf("--type: %w", err)
			}
			types = append(types, t)
		}
	}
	if o.server != "" {
		s, err := dns.ParseServer(o.server)
		if err != nil {
			return cfg, nil, fmt.Errorf("--dns-server: %w", err)
		}
		cfg.Server = s
	}
	o.compare = nil
	for i, sub := range o.subnets {
		p, err := parseSubnet(sub)
		if err != nil {
			return cfg, nil, fmt.Errorf("--subnet: %w", err)
		}
		if i == 0 {
			cfg.Subnet = p
		}
		if len(o.subnets) > 1 {
			o.compare = append(o.compare, p)
		}
	}
	if o.timeout <= 0 {
		return cfg, nil, fmt.Errorf("--timeout %s: must be positive", o.timeout)
	}
	cfg.Timeout = o.timeout
	if o.tries < 1 || o.tries > 10 {
		return cfg, nil, fmt.Errorf("--tries %d: want 1 to 10", o.tries)
	}
	cfg.Tries = o.tries
	if o.caFile != "" {
		pem, err := os.ReadFile(o.caFile)
		if err != nil {
			return cfg, nil, fmt.Errorf("--ca-file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return cfg, nil, fmt.Errorf("--ca-file %s: no PEM certificate found", o.caFile)
		}
		cfg.TLS = &tls.Config{RootCAs: pool}
	}
	for _, s := range o.roots {
		ap, err := parseAddrPort(s, 53)
		if err != nil {
			return cfg, nil, fmt.Errorf("--root: %w", err)
		}
		cfg.Roots = append(cfg.Roots, ap)
	}
	cfg.TracePort = o.tracePort
	if o.bulk != "" && o.concurrency <= 0 {
		return cfg, nil, fmt.Errorf("--concurrency %d: must be at least 1", o.concurrency)
	}
	return cfg, types, nil
}

// parseSubnet reads a CIDR, or an address taken as its /24 (IPv4) or /56 (IPv6), the prefixes resolvers
// send by default.
func parseSubnet(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is neither a CIDR prefix nor an address", s)
	}
	bits := 24
	if a.Is6() {
		bits = 56
	}
	return netip.PrefixFrom(a, bits).Masked(), nil
}

func parseAddrPort(s string, def uint16) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap, nil
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%q is not ADDR or ADDR:PORT", s)
	}
	return netip.AddrPortFrom(a, def), nil
}

func (o *dnsOptions) run(ctx context.Context, name string) error {
	cfg, types, err := o.config()
	if err != nil {
		return badInput(err)
	}
	r, err := dns.New(cfg)
	if err != nil {
		return err
	}
	// An address asks for its name, as host(1) does.
	if a, perr := netip.ParseAddr(name); perr == nil {
		if len(types) > 0 && (len(types) != 1 || types[0] != mdnsTypePTR) {
			return badInput(fmt.Errorf("%s is an address: only --type PTR applies", name))
		}
		name, types = reverseName(a), []uint16{mdnsTypePTR}
	}
	var res *dns.Result
	if o.trace {
		res, err = r.Trace(ctx, name, types...)
	} else {
		res, err = r.Resolve(ctx, name, types...)
	}
	if res == nil {
		return badInput(err)
	}
	var ptrs map[netip.Addr]string
	if o.ptr {
		ptrs = dns.NewReverseResolver(r, 0).LookupAddrs(ctx, res.Chain.Addrs())
	}
	var infos map[netip.Addr]enrich.Info
	if !o.enrich.off {
		var eerr error
		if infos, eerr = enrichAddrs(o.g, &o.enrich, res.Chain.Addrs(), ptrs); eerr != nil {
			return eerr
		}
	}
	d := report.NewDNS(res, err, infos)
	d.SetPTR(ptrs)
	if len(o.compare) > 0 {
		d.BySubnet = o.compareSubnets(ctx, cfg, name, types)
	}
	rep := report.New(report.KindDNS, time.Now())
	rep.DNS = d
	if werr := o.out.write(o.g, o.format, rep); werr != nil {
		return werr
	}
	xerr := dnsExit(err, o.trace)
	if ee, ok := xerr.(*ExitError); ok && o.format == "text" && o.out.output == "" && isTTY(o.g.streams.Out) {
		ee.Said = true // the text report on the terminal ends with the error: one message there, not two
	}
	return xerr
}

// compareSubnets resolves name once per --subnet (without the authority queries) for the comparison table.
func (o *dnsOptions) compareSubnets(ctx context.Context, cfg dns.Config, name string, types []uint16) []report.DNSSubnetAnswer {
	out := make([]report.DNSSubnetAnswer, len(o.compare))
	for i, p := range o.compare {
		c := cfg
		c.Subnet, c.NoAuthority = p, true
		out[i].Subnet = p.String()
		r, err := dns.New(c)
		if err != nil {
			out[i].Error = err.Error()
			continue
		}
		var res *dns.Result
		if o.trace {
			res, err = r.Trace(ctx, name, types...)
		} else {
			res, err = r.Resolve(ctx, name, types...)
		}
		out[i] = report.NewDNSSubnetAnswer(p, res, err)
	}
	return out
}

// mdnsTypePTR is the PTR record type.
const mdnsTypePTR = 12

// reverseName is the in-addr.arpa / ip6.arpa name of a.
func reverseName(a netip.Addr) string {
	a = a.Unmap()
	var b strings.Builder
	if a.Is4() {
		x := a.As4()
		fmt.Fprintf(&b, "%d.%d.%d.%d.in-addr.arpa.", x[3], x[2], x[1], x[0])
		return b.String()
	}
	x := a.As16()
	const hex = "0123456789abcdef"
	for i := 15; i >= 0; i-- {
		b.WriteByte(hex[x[i]&0xf])
		b.WriteByte('.')
		b.WriteByte(hex[x[i]>>4])
		b.WriteByte('.')
	}
	b.WriteString("ip6.arpa.")
	return b.String()
}

// dnsExit maps a resolution error to the command's exit code.
func dnsExit(err error, traced bool) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, dns.ErrNegative):
		return &ExitError{Code: ExitNegative, Err: err}
	}
	var rc *dns.RcodeError
	if errors.As(err, &rc) && rc.Rcode == "SERVFAIL" && !traced && !strings.Contains(rc.Detail, "DNSSEC") {
		err = fmt.Errorf("%w (--trace shows which server of the chain fails, for example a lame delegation)", err)
	}
	return &ExitError{Code: ExitFailure, Err: err}
}

// enrichAddrs looks up every address (with its reverse name as a hint when known). A database the flags
// name that cannot be read is bad input.
func enrichAddrs(g *globalOptions, ef *enrichFlags, addrs []netip.Addr, ptrs map[netip.Addr]string) (map[netip.Addr]enrich.Info, error) {
	if len(addrs) == 0 {
		return nil, nil
	}
	e, err := ef.open(g)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	out := make(map[netip.Addr]enrich.Info, len(addrs))
	for _, a := range addrs {
		out[a] = e.Lookup(a, ptrs[a])
	}
	return out, nil
}

// runBulk resolves every name of a file with bounded concurrency, one output line per name.
func (o *dnsOptions) runBulk(ctx context.Context) error {
	cfg, types, err := o.config()
	if err != nil {
		return badInput(err)
	}
	if o.trace {
		return badInput(errors.New("--bulk and --trace cannot be combined"))
	}
	if o.format != "text" && o.format != "json" {
		return usageError{fmt.Errorf("--bulk writes one line per name as text or json, not %s", o.format)}
	}
	names, err := readNames(o.bulk, o.g.streams.In)
	if err != nil {
		return badInput(err)
	}
	cfg.NoAuthority = true
	r, err := dns.New(cfg)
	if err != nil {
		return err
	}
	return o.out.stream(o.g, func(w io.Writer) error {
		out := bufio.NewWriter(w)
		enc := json.NewEncoder(out)
		counts := map[string]int{}
		start := time.Now()
		r.ResolveAll(ctx, names, types, o.concurrency, func(i int, res *dns.Result, err error) {
			d := report.NewDNS(res, err, nil)
			if res == nil {
				d.Name = names[i]
			}
			counts[d.Outcome]++
			if o.format == "json" {
				_ = enc.Encode(d)
			} else {
				fmt.Fprintln(out, bulkLine(d))
			}
		})
		if err := out.Flush(); err != nil {
			return err
		}
		el := time.Since(start)
		fmt.Fprintf(o.g.streams.Err, "hopscope: %d names in %.2fs (%.0f/s): %d answered, %d NXDOMAIN, %d NODATA, %d failed\n",
			len(names), el.Seconds(), float64(len(names))/max(el.Seconds(), 1e-9), counts["answer"], counts["nxdomain"], counts["nodata"], counts["error"])
		if counts["error"] > 0 {
			return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%d of %d names failed", counts["error"], len(names))}
		}
		return nil
	})
}

// bulkLine is one name's result: "name  outcome  canonical  data,data,...".
func bulkLine(d *report.DNS) string {
	switch d.Outcome {
	case "answer":
		data := make([]string, 0, len(d.Records))
		for _, r := range d.Records {
			data = append(data, r.Data)
		}
		return d.Name + "\t" + d.Canonical + "\t" + strings.Join(data, ",")
	case "error":
		return d.Name + "\terror\t" + d.Error
	}
	return d.Name + "\t" + strings.ToUpper(d.Outcome)
}

// readNames reads one name per line, skipping blanks and # comments; path "-" reads in.
func readNames(path string, in io.Reader) ([]string, error) {
	var r io.Reader = in
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("--bulk: %w", err)
		}
		defer f.Close()
		r = f
	}
	var names []string
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = strings.TrimSpace(s[:i])
		}
		if s == "" {
			continue
		}
		if strings.ContainsAny(s, " \t") {
			return nil, fmt.Errorf("%s:%d: %q: want one name per line", path, line, s)
		}
		names = append(names, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no names", path)
	}
	return names, nil
}
