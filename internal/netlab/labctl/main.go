// Command labctl starts a netlab lab and keeps it up until interrupted, so that shell scripts (benchmarks against peer tools) can run programs inside it.
//
// Usage (as root):
//
//	go build -o /tmp/labctl ./internal/netlab/labctl
//	/tmp/labctl -env /tmp/lab.env -silent-dest &   # prints and writes KEY=value lines, then waits
//	. /tmp/lab.env; ip netns exec "$CLIENT_NS" traceroute -n "$TARGET4"
//	kill %1                                        # removes the lab
//
// The lab is removed on SIGINT or SIGTERM, and after -lifetime at the latest.
// If labctl is killed hard, the next lab started on the machine sweeps its
// namespaces away.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"hopscope/internal/netlab"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("labctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		silentDest = fs.Bool("silent-dest", false, "the destination drops every probe")
		rateLimit  = fs.Bool("rate-limit-handoff", false, "hop 8 sends about one ICMP error per second")
		noDNS      = fs.Bool("no-dns", false, "do not start unbound")
		mpls       = fs.Bool("mpls", false, "hops 9 and 11 report MPLS label stacks")
		longHaul   = fs.Duration("long-haul", 0, "one-way delay of the Marseille-Singapore link (0: 60ms)")
		envFile    = fs.String("env", "", "also write the KEY=value lines to this file")
		lifetime   = fs.Duration("lifetime", 15*time.Minute, "remove the lab after this long even without a signal")
	)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	spec := netlab.Article(netlab.ArticleOptions{
		SilentDestination: *silentDest, RateLimitedHandoff: *rateLimit, NoDNS: *noDNS, LongHaul: *longHaul, MPLS: *mpls,
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	lab, err := netlab.Start(ctx, spec)
	cancel()
	if err != nil {
		fmt.Fprintln(stderr, "labctl:", err)
		return 1
	}
	defer lab.Close()

	var b strings.Builder
	kv := func(k, v string) { fmt.Fprintf(&b, "%s=%s\n", k, v) }
	kv("CLIENT_NS", lab.Netns(netlab.ArticleClient))
	kv("DEST_NS", lab.Netns(netlab.ArticleDestination))
	kv("TARGET4", netlab.ArticleTarget4)
	kv("TARGET6", netlab.ArticleTarget6)
	kv("TARGET_NAME", netlab.ArticleTargetName)
	if r, ok := lab.Resolver(false); ok {
		kv("RESOLVER4", r.Addr().String())
	}
	if r, ok := lab.Resolver(true); ok {
		kv("RESOLVER6", r.Addr().String())
	}
	for _, n := range lab.Nodes() {
		kv("NS_"+strings.ToUpper(strings.ReplaceAll(n, "-", "_")), lab.Netns(n))
	}
	if *envFile != "" {
		if err := os.WriteFile(*envFile, []byte(b.String()), 0o644); err != nil {
			fmt.Fprintln(stderr, "labctl:", err)
			return 1
		}
	}
	fmt.Fprint(stdout, b.String())
	fmt.Fprintln(stdout, "READY=1")

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-sig:
	case <-time.After(*lifetime):
		fmt.Fprintln(stderr, "labctl: lifetime over, removing the lab")
	}
	if err := lab.Close(); err != nil {
		fmt.Fprintln(stderr, "labctl:", err)
		return 1
	}
	return 0
}
