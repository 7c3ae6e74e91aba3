//go:build linux

package netlab_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"time"

	"hopscope/internal/netlab"
)

// Start a three-node lab with a 30 ms link, send a datagram from a socket
// opened inside the client, and trace the path with the system's traceroute.
// Needs root.
func ExampleStart() {
	ctx := context.Background()
	lab, err := netlab.Start(ctx, netlab.Spec{
		Nodes: []netlab.Node{
			{Name: "client"},
			{Name: "r1", Router: true, Silent: true},
			{Name: "server", Addrs: []string{"203.0.113.10/32"}},
		},
		Links: []netlab.Link{
			{A: "client", B: "r1"},
			{A: "r1", B: "server", Delay: 30 * time.Millisecond},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer lab.Close()

	var conn net.PacketConn
	err = lab.Run("client", func() (err error) {
		conn, err = net.ListenPacket("udp", ":0") // bound inside the client's namespace
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	_, _ = conn.WriteTo([]byte("hi"), &net.UDPAddr{IP: net.ParseIP("203.0.113.10"), Port: 9})

	out, err := lab.Exec(ctx, "client", "traceroute", "-n", "-q", "1", "203.0.113.10").CombinedOutput()
	fmt.Println(string(out), err) // hop 1 is "*": r1 is silent
}
