package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"hopscope/internal/analysis"
	"hopscope/internal/enrich"
)

// Flag groups shared by commands, so one flag name has one meaning and one help text everywhere (the
// GitHub CLI's cmdutil flag helpers being the model). The output group lives in output.go.

// enrichFlags is the enrichment group of every command that looks addresses up. The zero value uses the
// embedded database, what "hopscope db update" installed, and hints read from host names.
type enrichFlags struct {
	mmdb        []string
	ip2location []string
	noHints     bool
	noEmbedded  bool
	noInstalled bool
	// off is --no-enrich, registered only by commands where enrichment is optional; false means look up.
	off bool
}

// addEnrichFlags registers --mmdb, --ip2location, --no-hints, --no-embedded and --no-installed on fs, and
// --no-enrich when optional is true.
func addEnrichFlags(fs *pflag.FlagSet, e *enrichFlags, optional bool) {
	fs.StringArrayVar(&e.mmdb, "mmdb", nil, "MaxMind-format database for city-level places (GeoLite2, DB-IP lite, IPinfo lite); repeatable")
	fs.StringArrayVar(&e.ip2location, "ip2location", nil, "IP2Location .BIN database; repeatable")
	fs.BoolVar(&e.noHints, "no-hints", false, "do not read places and AS numbers from host names (router reverse DNS, names given after =)")
	fs.BoolVar(&e.noEmbedded, "no-embedded", false, "do not use the embedded database")
	fs.BoolVar(&e.noInstalled, "no-installed", false, `ignore the databases "hopscope db update" installed`)
	if optional {
		fs.BoolVar(&e.off, "no-enrich", false, "do not look up who operates each address and where")
	}
}

// config combines the flags with what is installed in the data directory.
func (e *enrichFlags) config(g *globalOptions) (enrich.Config, error) {
	cfg := enrich.Config{
		MMDB:        append([]string(nil), e.mmdb...),
		IP2Location: append([]string(nil), e.ip2location...),
		NoHints:     e.noHints,
		NoEmbedded:  e.noEmbedded,
	}
	if e.noInstalled {
		return cfg, nil
	}
	dir, err := g.dataPath()
	if err != nil {
		return cfg, nil // no home directory: nothing installed to find
	}
	inst, err := enrich.InstalledSources(dir)
	if err != nil {
		// An unreadable data directory (another user's HOME under sudo or setpriv) costs only what
		// was installed there: say so and go on with the embedded database and the flags' files.
		g.warn([]string{fmt.Sprintf("%v; going on without the installed databases (--no-installed silences this)", err)})
		return cfg, nil
	}
	cfg.IPDB = inst.IPDB
	cfg.MMDB = append(cfg.MMDB, inst.MMDB...)
	cfg.IP2Location = append(cfg.IP2Location, inst.IP2Location...)
	return cfg, nil
}

// open opens the enricher the flags describe; an unreadable database file is bad input.
func (e *enrichFlags) open(g *globalOptions) (*enrich.Enricher, error) {
	cfg, err := e.config(g)
	if err != nil {
		return nil, err
	}
	en, err := enrich.New(cfg)
	if err != nil {
		return nil, badInput(err)
	}
	return en, nil
}

// locationFlags is the vantage-point group of the commands that judge distances from where they ran.
type locationFlags struct {
	// from is --from-location; empty means infer it (from the first hops) or go without.
	from string
}

// addLocationFlags registers --from-location on fs.
func addLocationFlags(fs *pflag.FlagSet, l *locationFlags) {
	fs.StringVar(&l.from, "from-location", "", `where the trace or capture was taken: a city ("Paris", "new-york") or "LAT,LON" (default: read from the first hops when they say)`)
}

// place parses --from-location; nil when it was not given. A bad value is a usage error.
func (l *locationFlags) place() (*analysis.Place, error) {
	if l.from == "" {
		return nil, nil
	}
	p, err := analysis.ParseLocation(l.from)
	if err != nil {
		return nil, usageError{fmt.Errorf("--from-location: %w", err)}
	}
	return p, nil
}

// seconds is a duration flag value that reads a bare number as seconds, as traceroute's -w does ("2",
// "0.5"), or a duration with a unit ("500ms", "1m30s"). Negative values and non-numbers are rejected,
// and pflag names the flag in the error.
type seconds time.Duration

// parseSeconds reads a flag value as seconds or a duration with a unit.
func parseSeconds(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, errors.New("want seconds (2, 0.5) or a duration with a unit (500ms, 1m30s)")
	}
	if c := t[len(t)-1]; c == '.' || c >= '0' && c <= '9' {
		t += "s" // a bare number is seconds; time.ParseDuration reads its decimals exactly
	}
	d, err := time.ParseDuration(t)
	if err != nil {
		return 0, fmt.Errorf("%q: want seconds (2, 0.5) or a duration with a unit (500ms, 1m30s)", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q: must not be negative", s)
	}
	return d, nil
}

// formatSeconds writes d so that parseSeconds reads it back unchanged.
func formatSeconds(d time.Duration) string { return d.String() }

func (s *seconds) Set(v string) error {
	d, err := parseSeconds(v)
	if err != nil {
		return err
	}
	*s = seconds(d)
	return nil
}

func (s *seconds) String() string { return formatSeconds(time.Duration(*s)) }
func (s *seconds) Type() string   { return "duration" }

// durationVarP registers a duration flag that also takes a bare number of seconds; every command's
// duration flags go through it.
func durationVarP(fs *pflag.FlagSet, p *time.Duration, name, short string, def time.Duration, usage string) {
	*p = def
	fs.VarP((*seconds)(p), name, short, usage+" (seconds, or with a unit: 500ms, 2m)")
}

// deprecatedAlias registers old (with an optional shorthand) as a hidden second name for the flag
// registered as name, sharing its value. It is not shown in --help; a use of it warns on standard
// error (see warnDeprecated), never on standard output where a report may be going. pflag's own
// MarkDeprecated notice is printed by cobra on the command's output stream, which here is standard
// output, so the hidden flag stands in for it.
func deprecatedAlias(fs *pflag.FlagSet, old, short, name string) {
	f := fs.Lookup(name)
	a := fs.VarPF(f.Value, old, short, "deprecated: use --"+name)
	a.Hidden = true
	if a.Annotations == nil {
		a.Annotations = map[string][]string{}
	}
	a.Annotations[aliasOf] = []string{name}
}

// aliasOf is the annotation that marks a deprecated alias with the flag it stands for.
const aliasOf = "hopscope_alias_of"

// warnDeprecated writes one warning to w for each deprecated alias set on fs.
func warnDeprecated(fs *pflag.FlagSet, w io.Writer) {
	if w == nil {
		return
	}
	fs.Visit(func(f *pflag.Flag) {
		if to := f.Annotations[aliasOf]; len(to) == 1 {
			fmt.Fprintf(w, "hopscope: warning: --%s is deprecated; use --%s\n", f.Name, to[0])
		}
	})
}
