// Command hopscope explains what an application does on the network, where its servers are, and why it is slow.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"hopscope/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}
