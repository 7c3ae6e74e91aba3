package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"hopscope/internal/path"
)

// TestLoopback traces 127.0.0.1 and ::1 with every method and socket mode: the target answers at TTL 1.
func TestLoopback(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for raw sockets (CI runs as root)")
	}
	// A TCP listener answers SYNs with SYN-ACK; a closed port answers with RST.
	ln4, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln4.Close()
	ln6, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	defer ln6.Close()
	for _, mode := range []Mode{ModeRaw, ModeUnprivileged} {
		for _, m := range []path.Protocol{path.ProtoICMP, path.ProtoUDP, path.ProtoTCP} {
			for _, dst := range []string{"127.0.0.1", "::1"} {
				t.Run(string(mode)+"/"+string(m)+"/"+dst, func(t *testing.T) {
					a := netip.MustParseAddr(dst)
					port := 0
					if m == path.ProtoTCP {
						ln := ln4
						if a.Is6() {
							ln = ln6
						}
						port = ln.Addr().(*net.TCPAddr).Port
					}
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					tr, err := Run(ctx, path.Target{Addr: a}, Options{Config: Config{MaxTTL: 3}, Method: m, Port: port, Mode: mode})
					if errors.Is(err, ErrNeedPrivilege) && mode == ModeUnprivileged && m == path.ProtoICMP {
						t.Skipf("ICMP datagram sockets not allowed here: %v", err)
					}
					if err != nil {
						t.Fatal(err)
					}
					if len(tr.Hops) != 1 {
						t.Fatalf("got %d hops, want 1: %+v", len(tr.Hops), tr.Hops)
					}
					h := tr.Hops[0]
					if len(h.Responders) != 1 || h.Responders[0].Addr != a || h.Answered() != 3 {
						t.Errorf("hop 1: %+v", h)
					}
					if ok, ttl := tr.Reached(); !ok || ttl != 1 {
						t.Errorf("reached %v at %d", ok, ttl)
					}
					for _, p := range h.Probes {
						if !p.HasRTT || p.RTT <= 0 || p.RTT > time.Second {
							t.Errorf("probe RTT %v", p.RTT)
						}
					}
				})
			}
		}
	}
}
