package cli

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"hopscope/internal/mitm"
	"hopscope/internal/report"
	"hopscope/internal/safetext"
	"hopscope/internal/session"
	"hopscope/internal/version"
)

// proxyOptions are the flags of hopscope proxy.
type proxyOptions struct {
	listen           string
	allow            []string
	socks            string
	session          string
	recordBytes      int
	passthrough      []string
	insecureUpstream bool
	upstreamCAs      []string
	upstreamProxy    string
	resolve          []string
	noProcess        bool
	quiet            bool
	verbose          bool
}

func newProxyCmd(g *globalOptions) *cobra.Command {
	o := &proxyOptions{}
	cmd := &cobra.Command{
		Use:   "proxy",
		Short: "Intercept an app's HTTP(S) traffic and record every flow for hopscope domains",
		Long: `An explicit HTTP/HTTPS proxy (CONNECT) and optional SOCKS5 server that decrypts TLS with a certificate
minted per host by this install's CA, verifies upstream certificates, speaks HTTP/1.1 and HTTP/2 on both
sides (HTTP/2 is offered to the client only when the server speaks it), passes WebSockets through, and
streams bodies (only the first --record-bytes are kept).

Not intercepted, passed through untouched and labelled: hosts matching --passthrough; hosts whose
clients refused our certificate twice (a certificate alert or a hang-up after our certificate: the
first is reported as "the client does not trust the hopscope CA: run hopscope ca trust-help", the
second pins the host; remembered in DATA_DIR/pinned-hosts.txt, delete a line to intercept that host again);
tunnels that are not TLS (WeChat's mmTLS, SSH, unknown protocols). Plain HTTP inside CONNECT is
recorded like any proxied request.

Each flow records host, method, URL, status, sizes, timings (DNS, connect, TLS, send, wait, transfer),
TLS version, ALPN, the server address and, for loopback clients on Linux, the client process.

Every flow is appended to the session file as it finishes (JSON lines); read it with
"hopscope domains SESSION" or export it with "hopscope har export SESSION".

Safe by default: it listens on loopback; listening elsewhere requires --allow with the client networks.
Requests addressed to the proxy itself are refused.`,
		Example: `  hopscope proxy                                  # 127.0.0.1:8080, session in the data directory
  curl --proxy http://127.0.0.1:8080 --cacert "$(hopscope ca show | sed -n 's/^certificate: //p')" https://example.com/
  hopscope proxy --listen 0.0.0.0:8080 --allow 192.168.1.0/24 --socks 127.0.0.1:1080 --session wechat.jsonl
  hopscope domains wechat.jsonl`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error { return runProxy(c, g, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address of the HTTP proxy")
	f.StringSliceVar(&o.allow, "allow", nil, "client networks allowed to use the proxy (CIDR list); required when --listen is not loopback")
	f.StringVar(&o.socks, "socks", "", "also accept SOCKS5 clients (no auth, CONNECT) on this address, e.g. 127.0.0.1:1080")
	f.StringVar(&o.session, "session", "", "session file to append flows to (default: DATA_DIR/sessions/proxy-TIME.jsonl, which domains and har export read when given no SESSION)")
	f.IntVar(&o.recordBytes, "record-bytes", 64<<10, "bytes of each request and response body to keep in the session (0: none)")
	f.StringSliceVar(&o.passthrough, "passthrough", nil, "hosts never intercepted: names, *.domain or globs (comma-separated or repeated)")
	f.BoolVar(&o.insecureUpstream, "insecure-upstream", false, "do not verify upstream server certificates (dangerous)")
	f.StringSliceVar(&o.upstreamCAs, "upstream-ca", nil, "PEM file of extra CAs trusted for upstream servers (repeatable)")
	f.StringVar(&o.upstreamProxy, "upstream-proxy", "", "send every upstream connection through this HTTP proxy (http://host:port)")
	f.StringArrayVar(&o.resolve, "resolve", nil, "HOST[:PORT]:ADDR: connect to ADDR for HOST, like curl --resolve (repeatable)")
	f.BoolVar(&o.noProcess, "no-process", false, "do not look up the client process of loopback connections")
	f.BoolVar(&o.quiet, "quiet", false, "do not print a line per flow")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "print diagnostics (refused clients, failed handshakes, ALPN probes)")
	return cmd
}

// parseAllow parses a CIDR list; single addresses are accepted as /32 or /128.
func parseAllow(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range list {
		for _, s := range strings.Split(item, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if p, err := netip.ParsePrefix(s); err == nil {
				out = append(out, p.Masked())
				continue
			}
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("--allow %q: want a CIDR prefix such as 192.168.1.0/24", s)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out, nil
}

// parseResolve turns curl-style HOST:PORT:ADDR (or HOST:ADDR) entries into the proxy's override map.
func parseResolve(list []string) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, s := range list {
		host, rest, ok := strings.Cut(s, ":")
		if !ok || host == "" || rest == "" {
			return nil, fmt.Errorf("--resolve %q: want HOST:PORT:ADDR or HOST:ADDR", s)
		}
		if port, addr, ok := strings.Cut(rest, ":"); ok && isDigits(port) {
			if _, err := netip.ParseAddr(strings.Trim(addr, "[]")); err != nil {
				return nil, fmt.Errorf("--resolve %q: %q is not an address", s, addr)
			}
			out[strings.ToLower(host)+":"+port] = strings.Trim(addr, "[]")
			continue
		}
		if _, err := netip.ParseAddr(strings.Trim(rest, "[]")); err != nil {
			return nil, fmt.Errorf("--resolve %q: %q is not an address", s, rest)
		}
		out[strings.ToLower(host)] = strings.Trim(rest, "[]")
	}
	return out, nil
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func isLoopbackListen(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

func runProxy(c *cobra.Command, g *globalOptions, o *proxyOptions) error {
	allow, err := parseAllow(o.allow)
	if err != nil {
		return badInput(err)
	}
	for _, l := range []string{o.listen, o.socks} {
		if l != "" && !isLoopbackListen(l) && len(allow) == 0 {
			return badInput(fmt.Errorf("listening on %s exposes the proxy beyond this machine: add --allow with the client networks (for example --allow 192.168.1.0/24)", l))
		}
	}
	if len(allow) == 0 {
		allow = nil // loopback only
	} else {
		allow = append(allow, netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"))
	}
	passthrough, err := mitm.ParseHostPatterns(o.passthrough)
	if err != nil {
		return badInput(err)
	}
	resolve, err := parseResolve(o.resolve)
	if err != nil {
		return badInput(err)
	}
	var upstreamCAs []*x509.Certificate
	for _, p := range o.upstreamCAs {
		certs, err := readPEMCerts(p)
		if err != nil {
			return badInput(err)
		}
		upstreamCAs = append(upstreamCAs, certs...)
	}
	var upProxy *url.URL
	if o.upstreamProxy != "" {
		upProxy, err = url.Parse(o.upstreamProxy)
		if err != nil || upProxy.Scheme != "http" || upProxy.Host == "" {
			return badInput(fmt.Errorf("--upstream-proxy %q: want http://host:port", o.upstreamProxy))
		}
	}
	if o.recordBytes < 0 {
		return badInput(fmt.Errorf("--record-bytes must be 0 or more"))
	}
	dataDir, err := g.dataPath()
	if err != nil {
		return err
	}
	ca, err := loadOrCreateCA(g, g.streams.Err)
	if err != nil {
		return err
	}
	pins, err := mitm.LoadPins(filepath.Join(dataDir, mitm.PinFile))
	if err != nil {
		return err
	}
	sessionPath := o.session
	if sessionPath == "" {
		dir, err := g.sessionsDir()
		if err != nil {
			return err
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create session directory: %w", err)
		}
		sessionPath = filepath.Join(dir, "proxy-"+time.Now().UTC().Format("20060102-150405")+".jsonl")
	}
	sess, err := session.Open(sessionPath, session.Config{Tool: "hopscope " + version.Version})
	if err != nil {
		return err
	}
	g.warn(sess.Warnings()) // a torn tail healed on open is said once
	rec := &flowPrinter{session: sess, w: g.streams.Err, quiet: o.quiet}
	cfg := mitm.Config{
		CA: ca, Allow: allow, UpstreamCAs: upstreamCAs, InsecureUpstream: o.insecureUpstream, Passthrough: passthrough,
		Pins: pins, RecordBytes: o.recordBytes, UpstreamProxy: upProxy, Resolve: resolve, Recorder: rec,
	}
	if !o.noProcess {
		cfg.ProcessLookup = mitm.NewProcessTable(mitm.ProcessTableConfig{}).Lookup // one indexed table, not a scan per connection
	}
	if o.verbose {
		cfg.Logf = func(format string, a ...any) { rec.printf("proxy: "+strings.TrimSuffix(format, "\n"), a...) }
	}
	p, err := mitm.New(cfg)
	if err != nil {
		sess.Close()
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		sess.Close()
		return fmt.Errorf("listen on %s: %w", o.listen, err)
	}
	errc := make(chan error, 2)
	go func() { errc <- p.Serve(ln) }()
	if o.socks != "" {
		sln, err := net.Listen("tcp", o.socks)
		if err != nil {
			p.Close()
			sess.Close()
			return fmt.Errorf("listen on %s: %w", o.socks, err)
		}
		go func() { errc <- p.ServeSOCKS(sln) }()
	}
	errw := g.streams.Err
	fmt.Fprintf(errw, "hopscope proxy on http://%s", ln.Addr())
	if o.socks != "" {
		fmt.Fprintf(errw, " and socks5://%s", o.socks)
	}
	fmt.Fprintf(errw, "\nCA: %s (spki %s)\nsession: %s\n", ca.CertPath(), ca.SPKIHash(), sessionPath)
	if o.insecureUpstream {
		fmt.Fprintln(errw, "warning: upstream certificates are NOT verified (--insecure-upstream)")
	}
	var serveErr error
	select {
	case <-c.Context().Done():
	case serveErr = <-errc:
	}
	p.Close()
	closeErr := sess.Close()
	fmt.Fprintf(errw, "\n%d flows recorded in %s; see them with: hopscope domains %s\n", sess.Count(), sessionPath, sessionPath)
	if serveErr != nil {
		return serveErr
	}
	return closeErr
}

func readPEMCerts(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--upstream-ca: %w", err)
	}
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("--upstream-ca %s: certificate %d: %w", path, len(out)+1, err)
		}
		out = append(out, cert)
	}
	if len(out) == 0 {
		return nil, errors.New("--upstream-ca " + path + ": no PEM CERTIFICATE block")
	}
	return out, nil
}

// flowPrinter appends flows to the session and prints one line per flow (like mitmdump).
type flowPrinter struct {
	session *session.Writer
	mu      sync.Mutex
	w       io.Writer
	quiet   bool
}

func (f *flowPrinter) Record(r *session.Record) {
	f.session.Record(r)
	if f.quiet {
		return
	}
	fl := r.Flow
	var line string
	switch {
	case fl.HTTP != nil:
		status := fmt.Sprintf("%3d", fl.HTTP.Status)
		if fl.HTTP.Status == 0 {
			status = "ERR"
		}
		line = fmt.Sprintf("%s %s %s %s %dms", status, fl.HTTP.Method, fl.HTTP.URL, report.BytesLabel(fl.HTTP.ResponseBytes), fl.Duration.Milliseconds())
	case fl.CertRefusal != "" && fl.Passthrough == "":
		// the client refused our certificate: say so first, in the words of the flow's error
		line = fmt.Sprintf("!!! %s %s: %s", fl.Protocol, fl.Host, fl.Error)
	default:
		line = fmt.Sprintf("--- %s %s (%s) up %s down %s", fl.Protocol, fl.Host, fl.Passthrough, report.BytesLabel(fl.BytesUp), report.BytesLabel(fl.BytesDown))
	}
	if fl.Process != "" {
		line += " [" + fl.Process + "]"
	}
	if fl.Error != "" && (fl.CertRefusal == "" || fl.Passthrough != "") {
		line += " error: " + fl.Error
	}
	f.printf("%s", line)
}

func (f *flowPrinter) printf(format string, a ...any) {
	f.mu.Lock()
	fmt.Fprintln(f.w, safetext.Line(fmt.Sprintf(format, a...))) // hosts and paths come from the network
	f.mu.Unlock()
}
