//go:build linux

package capture

import (
	"bytes"
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"hopscope/internal/netlab"
)

// TestKernelFragments sends UDP datagrams larger than the link MTU between two lab namespaces, so the
// kernel fragments them (IPv4 and IPv6), captures them live on the server's interface, and checks every
// fragment counts for its flow.
func TestKernelFragments(t *testing.T) {
	lab := netlab.New(t, netlab.Spec{
		Name:  "frag",
		Nodes: []netlab.Node{{Name: "client"}, {Name: "server"}},
		Links: []netlab.Link{{A: "client", B: "server", MTU: 1500,
			AAddrs: []string{"192.0.2.1/24", "2001:db8:f::1/64"}, BAddrs: []string{"192.0.2.2/24", "2001:db8:f::2/64"}}},
	})
	// Our own AF_PACKET capture, opened inside the server's namespace.
	var ifname string
	if err := lab.Run("server", func() error {
		ifs, err := net.Interfaces()
		for _, ifi := range ifs {
			if ifi.Flags&net.FlagLoopback == 0 {
				ifname = ifi.Name
			}
		}
		return err
	}); err != nil || ifname == "" {
		t.Fatalf("server interface %q: %v", ifname, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a := NewAnalyzer(Config{})
	captured := make(chan error, 1)
	go func() {
		captured <- lab.Run("server", func() error { return Live(ctx, LiveOptions{Interface: ifname}, a) })
	}()
	time.Sleep(300 * time.Millisecond) // the socket is open well before this
	listen := func(addr string) net.PacketConn {
		var c net.PacketConn
		if err := lab.Run("server", func() (err error) { c, err = net.ListenPacket("udp", addr); return err }); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	// send sends n datagrams of payload from a new client socket to addr and waits until the server
	// socket srv has them all.
	send := func(srv net.PacketConn, addr string, payload []byte, n int) {
		var cl net.PacketConn
		if err := lab.Run("client", func() (err error) { cl, err = net.ListenPacket("udp", ":0"); return err }); err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		to, _ := net.ResolveUDPAddr("udp", addr)
		buf := make([]byte, 8192)
		for range n {
			if _, err := cl.WriteTo(payload, to); err != nil {
				t.Fatalf("send to %s: %v", addr, err)
			}
			// The server gets each datagram whole: the kernel reassembled what it fragmented.
			srv.SetReadDeadline(time.Now().Add(5 * time.Second))
			if got, _, err := srv.ReadFrom(buf); err != nil || got != len(payload) {
				t.Fatalf("server read %d bytes from %s: %v", got, addr, err)
			}
		}
	}
	payload := bytes.Repeat([]byte("fragment me "), 350) // 4200 bytes: three fragments at MTU 1500
	for _, addr := range []string{"192.0.2.2", "[2001:db8:f::2]"} {
		// A small datagram first, to another port, resolves the neighbour (a datagram sent while ARP or
		// neighbour discovery is pending may be dropped whole).
		send(listen(addr+":5001"), addr+":5001", []byte("hello"), 1)
		send(listen(addr+":5000"), addr+":5000", payload, 3)
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	if err := <-captured; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("live capture: %v", err)
	}
	st := a.Stats()
	// Each datagram is a first fragment (counted as transport) and two later fragments, per family.
	if st.Fragments != 12 {
		t.Errorf("stats %+v: want 12 later fragments (2 per datagram, 3 datagrams, 2 families)", st)
	}
	inv := a.Inventory(ifname)
	flows := 0
	for _, f := range inv.Flows {
		if f.Server.Port() != 5000 {
			continue
		}
		flows++
		if f.PacketsUp != 9 || f.BytesUp < 3*int64(len(payload)) {
			t.Errorf("flow %s → %s: %d packets, %d bytes up; want 9 packets and at least %d bytes", f.Client, f.Server, f.PacketsUp, f.BytesUp, 3*len(payload))
		}
	}
	if flows != 2 {
		t.Errorf("%d flows to port 5000, want one per family: %+v", flows, inv.Flows)
	}
}
