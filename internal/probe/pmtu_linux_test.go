package probe

import (
	"context"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hopscope/internal/netlab"
	"hopscope/internal/path"
)

func TestClassifyMTU(t *testing.T) {
	dst, rtr := netip.MustParseAddr("203.0.113.25"), netip.MustParseAddr("10.200.0.6")
	tests := []struct {
		name             string
		origin, typ, cod uint8
		errno            uint32
		info             uint32
		from             netip.Addr
		want             MTUReply
		ok               bool
	}{
		{"fragmentation needed", unix.SO_EE_ORIGIN_ICMP, 3, 4, uint32(unix.EMSGSIZE), 1400, rtr, MTUReply{Kind: MTUTooBig, From: rtr, MTU: 1400}, true},
		{"time exceeded", unix.SO_EE_ORIGIN_ICMP, 11, 0, uint32(unix.EHOSTUNREACH), 0, rtr, MTUReply{Kind: MTUPassed, From: rtr}, true},
		{"port unreachable from the target", unix.SO_EE_ORIGIN_ICMP, 3, 3, uint32(unix.ECONNREFUSED), 0, dst, MTUReply{Kind: MTUPassed, From: dst}, true},
		{"net unreachable from a router", unix.SO_EE_ORIGIN_ICMP, 3, 0, uint32(unix.ENETUNREACH), 0, rtr, MTUReply{}, false},
		{"packet too big", unix.SO_EE_ORIGIN_ICMP6, 2, 0, uint32(unix.EMSGSIZE), 1400, rtr, MTUReply{Kind: MTUTooBig, From: rtr, MTU: 1400}, true},
		{"ICMPv6 time exceeded", unix.SO_EE_ORIGIN_ICMP6, 3, 0, uint32(unix.EHOSTUNREACH), 0, rtr, MTUReply{Kind: MTUPassed, From: rtr}, true},
		{"local EMSGSIZE", unix.SO_EE_ORIGIN_LOCAL, 0, 0, uint32(unix.EMSGSIZE), 1280, netip.Addr{}, MTUReply{Kind: MTUTooBig, MTU: 1280}, true},
		{"local other error", unix.SO_EE_ORIGIN_LOCAL, 0, 0, uint32(unix.ENOBUFS), 0, netip.Addr{}, MTUReply{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := classifyMTU(tc.origin, tc.typ, tc.cod, tc.errno, tc.info, tc.from, dst)
			if got != tc.want || ok != tc.ok {
				t.Errorf("classifyMTU = %+v %v, want %+v %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// mtuSpec is a 4-hop path whose link after hop 2 (r2 → r3) has an MTU of 1400.
//
//	client - r1 -5ms- r2 =1400= r3 - server
func mtuSpec() netlab.Spec {
	return netlab.Spec{
		Name: "pmtu",
		Nodes: []netlab.Node{
			{Name: "client"}, {Name: "r1", Router: true}, {Name: "r2", Router: true}, {Name: "r3", Router: true},
			{Name: "server", Addrs: []string{"203.0.113.25/32", "2001:db8:ff::25/128"}},
		},
		Links: []netlab.Link{
			{A: "client", B: "r1"},
			{A: "r1", B: "r2", Delay: 5 * time.Millisecond},
			{A: "r2", B: "r3", MTU: 1400},
			{A: "r3", B: "server"},
		},
	}
}

var tracepathPMTU = regexp.MustCompile(`(?m)^\s*(\d+)[?:]?:?\s+(\S+).*pmtu (\d+)`)

// tracepathDrops returns, from `tracepath -n` output, each "pmtu N" it printed after the first line
// with the hop number and address of that line.
func tracepathDrops(out string) []path.MTUDrop {
	var ds []path.MTUDrop
	for i, m := range tracepathPMTU.FindAllStringSubmatch(out, -1) {
		if i == 0 && strings.Contains(m[2], "LOCALHOST") {
			continue
		}
		ttl, _ := strconv.Atoi(m[1])
		mtu, _ := strconv.Atoi(m[3])
		ds = append(ds, path.MTUDrop{TTL: ttl, From: netip.MustParseAddr(m[2]), MTU: mtu})
	}
	return ds
}

// TestLabPathMTU traces a path with a 1400-byte link after hop 2, beside tracepath in the same lab:
// the path MTU and the hop where it drops must be the ones tracepath reports.
func TestLabPathMTU(t *testing.T) {
	netlab.RequireTool(t, "tracepath")
	l := netlab.New(t, mtuSpec())
	for _, dst := range []netip.Addr{netip.MustParseAddr("203.0.113.25"), netip.MustParseAddr("2001:db8:ff::25")} {
		t.Run(dst.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			out, err := l.Exec(ctx, "client", "tracepath", "-n", dst.String()).CombinedOutput()
			if err != nil {
				t.Fatalf("tracepath: %v\n%s", err, out)
			}
			peer := tracepathDrops(string(out))
			var tr *path.Trace
			start := time.Now()
			err = l.Run("client", func() error {
				var err error
				tr, err = Run(ctx, path.Target{Addr: dst}, Options{PathMTU: true})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			m := tr.PathMTU
			t.Logf("hopscope %+v in %v; tracepath %+v\n%s", m, time.Since(start), peer, out)
			if m == nil || m.MTU != 1400 || !m.Complete || m.Local != 1500 {
				t.Fatalf("path MTU %+v, want 1400 from a 1500 first link, complete", m)
			}
			if len(m.Drops) != 1 || len(peer) != 1 {
				t.Fatalf("drops %+v, tracepath %+v: want one each", m.Drops, peer)
			}
			// tracepath prints "pmtu 1400" on the line of the first hop past the router that reported
			// it; the router itself is the hop before.
			if d, p := m.Drops[0], peer[0]; d.MTU != p.MTU || d.From != p.From || d.TTL != 2 || d.TTL != p.TTL-1 {
				t.Errorf("drop %+v, tracepath %+v: want 1400 reported by hop 2", d, p)
			}
		})
	}
}
