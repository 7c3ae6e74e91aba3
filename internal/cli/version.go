package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"hopscope/internal/enrich"
	"hopscope/internal/version"
)

// versionInfo is what "hopscope version" reports.
type versionInfo struct {
	Version string `json:"version"`
	Go      string `json:"go"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
	// Revision is the VCS commit the binary was built from; empty when the build did not record it.
	Revision string `json:"revision,omitempty"`
	// EmbeddedDB describes the embedded address database; BuiltAt is absent when it cannot be read.
	EmbeddedDB struct {
		BuiltAt time.Time `json:"built_at,omitzero"`
		Sources []string  `json:"sources"`
	} `json:"embedded_db"`
}

// versionOptions are the flags of "hopscope version".
type versionOptions struct {
	g   *globalOptions
	out outputFlags
}

func newVersionCmd(g *globalOptions) *cobra.Command {
	o := &versionOptions{g: g}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, the Go version and the embedded database's build date and sources",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			format, err := o.out.resolve(c.Flags())
			if err != nil {
				return err
			}
			return o.out.emit(g, func(w io.Writer) error { return writeTextOrJSON(w, format, currentVersion()) })
		},
	}
	addOutputFlags(cmd.Flags(), &o.out, "text", "json")
	return cmd
}

// texter is a value with a terminal rendering; its JSON form is its json tags.
type texter interface{ text() string }

// writeTextOrJSON writes v as indented JSON or as its text, for the commands whose output is not a report.
func writeTextOrJSON(w io.Writer, format string, v texter) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	_, err := io.WriteString(w, v.text())
	return err
}

// currentVersion gathers the version facts of this binary.
func currentVersion() versionInfo {
	v := versionInfo{Version: version.Version, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				v.Revision = s.Value
			}
		}
	}
	v.EmbeddedDB.BuiltAt, v.EmbeddedDB.Sources = enrich.Embedded()
	if v.EmbeddedDB.Sources == nil {
		v.EmbeddedDB.Sources = []string{}
	}
	return v
}

// text renders the version for a terminal.
func (v versionInfo) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hopscope %s\n", v.Version)
	fmt.Fprintf(&b, "go:          %s %s/%s\n", v.Go, v.OS, v.Arch)
	if v.Revision != "" {
		fmt.Fprintf(&b, "revision:    %s\n", v.Revision)
	}
	if v.EmbeddedDB.BuiltAt.IsZero() {
		b.WriteString("embedded db: unavailable\n")
	} else {
		fmt.Fprintf(&b, "embedded db: built %s\n", v.EmbeddedDB.BuiltAt.UTC().Format("2006-01-02"))
	}
	for _, s := range v.EmbeddedDB.Sources {
		fmt.Fprintf(&b, "             %s\n", s)
	}
	return b.String()
}
