package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/spf13/cobra"

	"hopscope/internal/enrich"
	"hopscope/internal/har"
	"hopscope/internal/inventory"
	"hopscope/internal/render"
	"hopscope/internal/report"
	"hopscope/internal/session"
)

// domainsOptions are the flags of hopscope domains.
type domainsOptions struct {
	rules    string
	json     bool
	format   string
	noEnrich bool
}

func newDomainsCmd(g *globalOptions) *cobra.Command {
	o := &domainsOptions{}
	cmd := &cobra.Command{
		Use:   "domains SESSION|HAR",
		Short: "The domains an app talked to: hosts grouped by registrable domain, with counts, bytes and purpose",
		Long: `Reads a proxy session (hopscope proxy --session) or a HAR file (Chromium, Firefox, ZAP, mitmproxy)
and lists every host grouped by registrable domain (public suffix list) with flows, requests, bytes,
first and last seen, protocols, and a purpose guessed from the name ("mp" = mini programs,
"channels" = video channels, "qpic" = pictures, "qlogo" = avatars). Server addresses are enriched
with their AS, operator and country from the embedded database unless --no-enrich.

--rules FILE adds purpose rules, tried before the built-in ones: one per line, a Go regular
expression matched against the lower-case host name, whitespace, then the purpose:
  ^dns\.weixin\.qq\.com$   WeChat's own HTTP DNS
  (^|\.)wxs\.qq\.com$      WeChat static resources`,
		Example: `  hopscope domains ~/.local/share/hopscope/sessions/proxy-20260101-120000.jsonl
  hopscope domains capture.har --format markdown > domains.md
  hopscope domains session.jsonl --json | jq '.domains.domains[].domain'`,
		Args: argsUsage(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error { return runDomains(g, o, args[0]) },
	}
	f := cmd.Flags()
	f.StringVar(&o.rules, "rules", "", "file of extra purpose rules (PATTERN PURPOSE per line)")
	f.BoolVar(&o.json, "json", false, "write the versioned JSON report (same as --format json)")
	f.StringVar(&o.format, "format", "text", "output format: text, json, markdown or html")
	f.BoolVar(&o.noEnrich, "no-enrich", false, "do not look up server addresses (AS, operator, country)")
	return cmd
}

// readInventory loads a session file or a HAR file, telling them apart by content.
func readInventory(path string) (*inventory.Inventory, []session.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, badInput(err)
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

func runDomains(g *globalOptions, o *domainsOptions, path string) error {
	format := o.format
	if o.json {
		format = "json"
	}
	fn, err := render.ByName(format, g.colorEnabled(g.streams.Out))
	if err != nil {
		return badInput(err)
	}
	var rules []inventory.PurposeRule
	if o.rules != "" {
		rf, err := os.Open(o.rules)
		if err != nil {
			return badInput(err)
		}
		rules, err = inventory.ParseRules(rf, o.rules)
		rf.Close()
		if err != nil {
			return badInput(err)
		}
	}
	inv, _, err := readInventory(path)
	if err != nil {
		return err
	}
	sum := inventory.Summarize(inv, rules)
	var servers map[netip.Addr]enrich.Info
	if !o.noEnrich {
		servers = enrichServers(g, sum)
	}
	r := report.New(report.KindDomains, time.Now())
	r.Domains = report.NewDomains(sum, servers, nil)
	return fn(g.streams.Out, r)
}
