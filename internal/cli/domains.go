package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"hopscope/internal/har"
	"hopscope/internal/inventory"
	"hopscope/internal/report"
	"hopscope/internal/session"
)

// domainsOptions are the flags of hopscope domains.
type domainsOptions struct {
	g      *globalOptions
	rules  string
	out    outputFlags
	enrich enrichFlags
}

func newDomainsCmd(g *globalOptions) *cobra.Command {
	o := &domainsOptions{g: g}
	cmd := &cobra.Command{
		Use:   "domains [SESSION|HAR]",
		Short: "The domains an app talked to: hosts grouped by registrable domain, with counts, bytes and purpose",
		Long: `Reads a proxy session (hopscope proxy --session) or a HAR file (Chromium, Firefox, ZAP, mitmproxy)
and lists every host grouped by registrable domain (public suffix list) with flows, requests, bytes,
first and last seen, protocols, and a purpose guessed from the name ("mp" = mini programs,
"channels" = video channels, "qpic" = pictures, "qlogo" = avatars). Server addresses are enriched
with their AS, operator and country unless --no-enrich.

Without SESSION, the latest session "hopscope proxy" wrote in the data directory (DATA_DIR/sessions)
is read; standard error says which.

--purpose-rules FILE adds purpose rules, tried before the built-in ones (--rules is a deprecated
name for it): one per line, a Go regular expression matched against the lower-case host name,
whitespace, then the purpose:
  ^dns\.weixin\.qq\.com$   WeChat's own HTTP DNS
  (^|\.)wxs\.qq\.com$      WeChat static resources`,
		Example: `  hopscope domains
  hopscope domains ~/.local/share/hopscope/sessions/proxy-20260101-120000.jsonl
  hopscope domains capture.har --format markdown -o domains.md
  hopscope domains session.jsonl --json | jq '.domains.domains[].domain'`,
		Args: argsUsage(cobra.MaximumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			warnDeprecated(c.Flags(), g.streams.Err)
			file := ""
			if len(args) == 1 {
				file = args[0]
			}
			return o.run(c.Flags(), file)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.rules, "purpose-rules", "", `file of extra purpose rules, one "REGEXP PURPOSE" per line (--rules is a deprecated name for it)`)
	deprecatedAlias(f, "rules", "", "purpose-rules")
	addOutputFlags(f, &o.out, "text", "json", "markdown", "html", "csv")
	addEnrichFlags(f, &o.enrich, true)
	return cmd
}

// readPurposeRules reads --purpose-rules; none when name is empty.
func readPurposeRules(name string) ([]inventory.PurposeRule, error) {
	if name == "" {
		return nil, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, badInput(fmt.Errorf("--purpose-rules: %w", err))
	}
	defer f.Close()
	rules, err := inventory.ParseRules(f, name)
	if err != nil {
		return nil, badInput(err)
	}
	return rules, nil
}

// readInventory loads a session file or a HAR file, telling them apart by content.
func readInventory(path string) (*inventory.Inventory, []session.Record, error) {
	f, err := openInput(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(4096)
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if bytes.HasPrefix(trimmed, []byte(`{"hopscope_session"`)) {
		inv, recs, err := session.Read(br, path)
		if err != nil {
			return nil, nil, badInput(err)
		}
		return inv, recs, nil
	}
	if bytes.HasPrefix(trimmed, []byte("{")) {
		h, err := har.Decode(br, path)
		if err != nil {
			return nil, nil, badInput(err)
		}
		return har.ToInventory(h, path), nil, nil
	}
	return nil, nil, badInput(fmt.Errorf("%s: neither a hopscope session (JSON lines) nor a HAR file", path))
}

func (o *domainsOptions) run(flags *pflag.FlagSet, file string) error {
	format, err := o.out.resolve(flags)
	if err != nil {
		return err
	}
	rules, err := readPurposeRules(o.rules)
	if err != nil {
		return err
	}
	if file == "" {
		if file, err = o.g.latestSession(); err != nil {
			return err
		}
	}
	inv, _, err := readInventory(file)
	if err != nil {
		return err
	}
	o.g.warn(inv.Warnings)
	sum := inventory.Summarize(inv, rules)
	r := report.New(report.KindDomains, time.Now())
	servers, err := enrichServers(o.g, &o.enrich, sum)
	if err != nil {
		return err
	}
	r.Domains = report.NewDomains(sum, servers, nil)
	return o.out.write(o.g, format, r)
}
