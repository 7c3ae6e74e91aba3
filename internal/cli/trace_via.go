package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"hopscope/internal/analysis"
	"hopscope/internal/atlas"
	"hopscope/internal/globalping"
	"hopscope/internal/measureapi"
	"hopscope/internal/path"
	"hopscope/internal/report"
	"hopscope/internal/tracefile"
)

// viaFlags is the measurement-network group of trace: run the traceroute from someone else's probes.
type viaFlags struct {
	// via is "globalping" or "atlas"; "" means trace from this machine.
	via string
	// from are the probe locations (repeatable); none means anywhere (Globalping only).
	from []string
	// limit is the number of probes per location; 0 means 1.
	limit int
	// apiURL overrides the network's API root; "" means its public API.
	apiURL string
}

// The networks --via takes.
const (
	viaGlobalping = "globalping"
	viaAtlas      = "atlas"
)

// addViaFlags registers --via, --vantage, --per-vantage and --api-url on fs (after -c, when the command
// has it: --via's help then tells what -c does with it).
func addViaFlags(fs *pflag.FlagSet, v *viaFlags) {
	help := `run the traceroute from a measurement network's probes instead of this machine: "globalping" or "atlas" (sends the host names and the --vantage locations to that network's API)`
	if fs.Lookup("count") != nil {
		help += "; with -c N, Globalping runs mtr with N packets per hop (1 to 16) and reports loss and jitter per hop"
	}
	fs.StringVar(&v.via, "via", "", help)
	fs.StringArrayVar(&v.from, "vantage", nil, `with --via: where the probes should be (repeatable): Globalping takes places, networks and ASNs ("Shenzhen, CN", "Paris", "AS13335"); Atlas takes country codes, ASNs, probe ids or areas ("CN", "AS4134", "6001,6002", "WW")`)
	fs.IntVar(&v.limit, "per-vantage", 1, "with --via: probes per --vantage location (Globalping: in all when no --vantage is given)")
	fs.StringVar(&v.apiURL, "api-url", "", "with --via: the API root to use instead of the network's public one")
}

// localOnly are trace's flags that steer this machine's probes; with --via they would be silently ignored.
var localOnly = []string{"probes", "first-ttl", "max-ttl", "vary-flows", "rate", "timeout", "max-silent",
	"dns-server", "numeric", "socket", "all-addresses", "from-location", "interval"}

// maxMTRPackets is the most packets per hop a Globalping mtr measurement takes.
const maxMTRPackets = 16

// validate checks the group against the rest of trace's flags; errors are usage errors.
func (v *viaFlags) validate(fs *pflag.FlagSet) error {
	if v.via == "" {
		for _, n := range []string{"vantage", "per-vantage", "api-url"} {
			if fs.Changed(n) {
				return usageError{fmt.Errorf("--%s applies to --via globalping or --via atlas", n)}
			}
		}
		return nil
	}
	if v.via != viaGlobalping && v.via != viaAtlas {
		return usageError{fmt.Errorf("--via %q: want globalping or atlas", v.via)}
	}
	for _, n := range localOnly {
		if fs.Changed(n) {
			return usageError{fmt.Errorf("--%s steers this machine's probes; it does not apply with --via", n)}
		}
	}
	if v.limit < 1 || v.via == viaGlobalping && v.limit > 50 {
		return usageError{fmt.Errorf("--per-vantage %d: want 1 to 50", v.limit)}
	}
	if n, _ := fs.GetInt("count"); fs.Changed("count") && n != 0 {
		if v.via == viaAtlas {
			return usageError{errors.New("-c runs mtr, which RIPE Atlas does not offer: use it with --via globalping")}
		}
		if n < 1 || n > maxMTRPackets {
			return usageError{fmt.Errorf("-c %d with --via globalping: want 1 to %d packets per hop", n, maxMTRPackets)}
		}
	}
	if v.via == viaAtlas && len(v.from) == 0 {
		return usageError{errors.New("--via atlas needs --vantage: a country code, an ASN, probe ids or an area")}
	}
	return nil
}

// runTraceVia runs the traceroute on the chosen network's probes, reads what they return as the
// importer does, and compares the vantage points.
func runTraceVia(ctx context.Context, g *globalOptions, o *traceOptions, format string) error {
	proto := strings.ToUpper(o.method)
	switch proto {
	case "ICMP", "UDP", "TCP":
	default:
		return badInput(fmt.Errorf("--method %q: want icmp, udp or tcp", o.method))
	}
	if o.port != 0 && proto == "ICMP" {
		return badInput(errors.New("--port applies to --method udp or tcp"))
	}
	if o.ipv4 && o.ipv6 {
		return badInput(errors.New("-4 and -6 exclude each other"))
	}
	family := 0
	switch {
	case o.ipv4:
		family = 4
	case o.ipv6:
		family = 6
	}
	r, err := newViaRunner(g, o.via)
	if err != nil {
		return err
	}
	m := viaMeasure{host: o.host, proto: proto, port: o.port, family: family, packets: o.count}
	r.tell(o.host, m.what())
	traces, err := r.run(ctx, m)
	if err != nil {
		return err
	}
	e, err := o.enrich.open(g)
	if err != nil {
		return err
	}
	defer e.Close()
	rep := report.New(report.KindPath, traces[0].Started)
	ps, v := analysis.Vantages(traces, e)
	if len(ps) == 1 {
		rep.Path = ps[0]
	} else {
		rep.Paths, rep.Vantages = ps, v
	}
	if err := o.out.write(g, format, rep); err != nil {
		return err
	}
	for _, t := range traces {
		if reached(t) || len(t.Addrs()) > 1 {
			return nil
		}
	}
	return &ExitError{Code: ExitFailure, Err: fmt.Errorf("trace %s via %s: nothing answered", o.host, o.via.via)}
}

// viaMeasure is one measurement to run on a measurement network's probes.
type viaMeasure struct {
	// host is the name or address the probes trace (they resolve a name themselves).
	host string
	// proto is "ICMP", "UDP" or "TCP"; port the destination port for UDP and TCP (0: the network's default).
	proto string
	port  int
	// family is 4 or 6; 0 lets the network choose.
	family int
	// packets > 0 runs mtr with that many packets per hop (Globalping only) instead of a traceroute.
	packets int
}

// what names the measurement for the user.
func (m viaMeasure) what() string {
	if m.packets > 0 {
		return fmt.Sprintf("mtr (%d packets per hop)", m.packets)
	}
	return "traceroute"
}

// viaRunner runs measurements on the network chosen with --via, for trace and investigate: its client,
// credentials and what it tells the user.
type viaRunner struct {
	g   *globalOptions
	via viaFlags
	// dir is the data directory the credentials were read from; "" when there is none.
	dir     string
	gp      *globalping.Client
	at      *atlas.Client
	sources []atlas.Source
}

// newViaRunner reads the network's credentials and checks the locations; a missing Atlas key and a
// location Atlas cannot take are bad input.
func newViaRunner(g *globalOptions, v viaFlags) (*viaRunner, error) {
	dir, _ := g.dataPath() // no home directory: no token file to read
	r := &viaRunner{g: g, via: v, dir: dir}
	switch v.via {
	case viaGlobalping:
		token, err := globalping.Token(os.Getenv, dir)
		if err != nil {
			return nil, err
		}
		r.gp = globalping.New(globalping.Config{HTTP: measureapi.HTTP{BaseURL: v.apiURL}, Token: token})
	case viaAtlas:
		for _, f := range v.from {
			src, err := atlas.ParseSource(f, v.limit)
			if err != nil {
				return nil, badInput(fmt.Errorf("--vantage: %w", err))
			}
			r.sources = append(r.sources, src)
		}
		key, err := atlas.Key(os.Getenv, dir)
		if err != nil {
			return nil, err
		}
		if key == "" {
			return nil, badInput(fmt.Errorf("--via atlas needs a RIPE Atlas API key allowed to create measurements: set %s or write it to %s", atlas.KeyEnv, keyPath(dir, atlas.KeyFile)))
		}
		r.at = atlas.New(atlas.Config{HTTP: measureapi.HTTP{BaseURL: v.apiURL}, Key: key})
	default:
		return nil, usageError{fmt.Errorf("--via %q: want globalping or atlas", v.via)}
	}
	return r, nil
}

// tell says on standard error what leaves the machine and to whom, before it does: hosts names what
// is traced, what the measurement.
func (r *viaRunner) tell(hosts, what string) {
	if r.g.streams.Err == nil {
		return
	}
	where := "probes anywhere"
	if len(r.via.from) > 0 {
		q := make([]string, len(r.via.from))
		for i, f := range r.via.from {
			q[i] = strconv.Quote(f)
		}
		where = "the locations " + strings.Join(q, ", ")
	}
	network, host := "Globalping", ""
	if r.gp != nil {
		host = r.gp.Host()
	} else {
		network, host = "RIPE Atlas, spending your credits", r.at.Host()
	}
	fmt.Fprintf(r.g.streams.Err, "hopscope: sends %s and %s to %s (%s): its probes run the %s\n", hosts, where, host, network, what)
}

// run creates the measurement, waits for it and reads one trace per probe.
func (r *viaRunner) run(ctx context.Context, m viaMeasure) ([]*path.Trace, error) {
	if r.gp != nil {
		return r.runGlobalping(ctx, m)
	}
	return r.runAtlas(ctx, m)
}

func (r *viaRunner) runGlobalping(ctx context.Context, m viaMeasure) ([]*path.Trace, error) {
	g, c, dir := r.g, r.gp, r.dir
	req := globalping.Request{Type: "traceroute", Target: m.host, Locations: r.via.from, Limit: r.via.limit,
		Protocol: m.proto, Port: m.port, IPVersion: m.family}
	if m.packets > 0 {
		req.Type, req.Packets = "mtr", m.packets
	}
	id, n, err := c.Create(ctx, req)
	if err != nil {
		return nil, viaError("Globalping", globalping.TokenEnv, dir, globalping.TokenFile, err)
	}
	if g.streams.Err != nil {
		fmt.Fprintf(g.streams.Err, "hopscope: Globalping measurement %s of %s on %d probe(s), waiting for it to finish\n", id, m.host, n)
	}
	gm, err := c.Await(ctx, id, nil)
	if err != nil {
		if gm == nil || len(gm.Raw) == 0 {
			return nil, viaError("Globalping", globalping.TokenEnv, dir, globalping.TokenFile, err)
		}
		if g.streams.Err != nil { // keep what came back: the last state is analysed
			fmt.Fprintf(g.streams.Err, "hopscope: warning: %v; reporting the partial results\n", err)
		}
	}
	traces, err := tracefile.Parse(gm.Raw, tracefile.FormatGlobalping)
	if err != nil {
		return nil, fmt.Errorf("read Globalping measurement %s: %w", id, err)
	}
	return traces, nil
}

func (r *viaRunner) runAtlas(ctx context.Context, m viaMeasure) ([]*path.Trace, error) {
	g, c, dir := r.g, r.at, r.dir
	id, err := c.Create(ctx, atlas.Request{Target: m.host, AF: m.family, Protocol: m.proto, Port: m.port, Sources: r.sources})
	if err != nil {
		return nil, viaError("RIPE Atlas", atlas.KeyEnv, dir, atlas.KeyFile, err)
	}
	if g.streams.Err != nil {
		fmt.Fprintf(g.streams.Err, "hopscope: RIPE Atlas measurement %d of %s, waiting for it to stop (one-offs take minutes)\n", id, m.host)
	}
	if _, err := c.Await(ctx, id, nil); err != nil {
		return nil, viaError("RIPE Atlas", atlas.KeyEnv, dir, atlas.KeyFile, err)
	}
	raw, err := c.Latest(ctx, id)
	if err != nil {
		return nil, viaError("RIPE Atlas", atlas.KeyEnv, dir, atlas.KeyFile, err)
	}
	traces, err := tracefile.Parse(raw, tracefile.FormatRIPEAtlas)
	if err != nil {
		return nil, fmt.Errorf("read RIPE Atlas measurement %d: %w", id, err)
	}
	for _, t := range traces {
		atlasProbeMeta(ctx, g, c, t)
	}
	return traces, nil
}

// atlasProbeMeta puts the probe's country, network and (obfuscated) coordinates into t's Meta, as the
// Globalping importer does, so that distances are measured from the probe; a probe whose metadata
// cannot be read keeps its place unknown and the run goes on.
func atlasProbeMeta(ctx context.Context, g *globalOptions, c *atlas.Client, t *path.Trace) {
	id, err := strconv.Atoi(t.Meta["prb_id"])
	if err != nil {
		return
	}
	p, err := c.Probe(ctx, id)
	if err != nil {
		if g.streams.Err != nil {
			fmt.Fprintf(g.streams.Err, "hopscope: warning: RIPE Atlas probe %d: %v; its place is inferred from its first hops\n", id, err)
		}
		return
	}
	set := func(k, v string) {
		if v != "" {
			t.Meta[k] = v
		}
	}
	set(report.MetaProbeCountry, p.Country)
	asn := p.ASNv4
	if asn == 0 {
		asn = p.ASNv6
	}
	if asn != 0 {
		set(report.MetaProbeASN, strconv.Itoa(asn))
	}
	if p.OK {
		set(report.MetaProbeLatitude, strconv.FormatFloat(p.Lat, 'f', -1, 64))
		set(report.MetaProbeLongitude, strconv.FormatFloat(p.Lon, 'f', -1, 64))
		set(report.MetaProbeObfuscated, strconv.FormatBool(p.Obfuscated))
	}
}

// viaError turns a measurement network's error into the command's: a refused token or key and a rate
// limit say what to do; a request the API rejected is bad input (exit 2); anything else is a failure.
func viaError(network, env, dir, file string, err error) error {
	var (
		gpRate *globalping.RateLimitError
		atRate *atlas.RateLimitError
		gpAPI  *globalping.APIError
		atAPI  *atlas.APIError
	)
	switch {
	case errors.Is(err, globalping.ErrBadToken), errors.Is(err, atlas.ErrBadKey):
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s refused the credentials from %s or %s: %w", network, env, keyPath(dir, file), err)}
	case errors.As(err, &gpRate):
		hint := ""
		if gpRate.Credits <= 0 {
			hint = "; a token (" + env + ") raises the limit"
		}
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%w%s", err, hint)}
	case errors.As(err, &atRate):
		return &ExitError{Code: ExitFailure, Err: err}
	case errors.As(err, &gpAPI) && (gpAPI.Status == http.StatusBadRequest || gpAPI.Status == http.StatusUnprocessableEntity),
		errors.As(err, &atAPI) && atAPI.Status == http.StatusBadRequest:
		return badInput(fmt.Errorf("%s rejected the measurement: %w", network, err))
	}
	return &ExitError{Code: ExitFailure, Err: err}
}

func keyPath(dir, file string) string {
	if dir == "" {
		return file + " in the data directory"
	}
	return dir + string(os.PathSeparator) + file
}
